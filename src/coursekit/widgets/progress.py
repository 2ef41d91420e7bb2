"""Course progress: lessons opened and reflections answered or skipped."""

from __future__ import annotations

import ipywidgets as W

from ..course import lessons
from ..journal import Journal
from ._base import KitWidget, buttons

_RECORD_KIND = {"rating": "rating", "checklist": "checklist", "sort": "sort"}

def progress_counts(journal: Journal) -> dict[str, int]:
    """How many lessons were opened and prompts answered or skipped, out of how many."""
    infos = lessons()
    visited = {r.lesson for r in journal.records("visit")}
    latest = {e.prompt_id: e for e in journal.latest_entries()}
    answered = {}
    for kind in set(_RECORD_KIND.values()):
        for r in journal.records(kind):
            answered[(kind, r.key)] = r.data
    done = total = 0
    for info in infos:
        for p in info.prompts:
            total += 1
            if p.kind == "text":
                e = latest.get(p.id)
                done += bool(e and (e.skipped or e.text.strip()))
            else:
                d = answered.get((_RECORD_KIND[p.kind], p.id)) or {}
                done += bool(d.get("value") is not None if p.kind == "rating" else
                             d.get("checked") or any((d.get("placement") or {}).values()))
    return {"lessons": len(infos), "visited": len(visited & {i.id for i in infos}),
            "prompts": total, "done": done}

class CourseProgress(KitWidget):
    """Two labelled progress bars and the same figures in words. Action: :meth:`refresh`."""

    css_class = "coursekit-progress"

    def __init__(self, *, journal: Journal | None = None):
        super().__init__(journal=journal)
        self.lessons_bar = W.IntProgress(value=0, min=0, max=1, description="Lessons opened")
        self.prompts_bar = W.IntProgress(value=0, min=0, max=1,
                                         description="Reflections answered or skipped")
        self.words = W.HTML(value="")
        self.refresh_button = W.Button(description="Refresh progress", icon="refresh",
                                       tooltip="Count again", layout=W.Layout(width="auto"))
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.children = [self.lessons_bar, self.prompts_bar, self.words,
                         buttons(self.refresh_button), self.status, self.notice]
        self.counts: dict[str, int] = {}
        self.refresh()

    def refresh(self) -> None:
        """Count again from the journal."""
        ok, counts = self.attempt(lambda: progress_counts(self.journal),
                                  failed="progress unavailable")
        if not ok:
            return
        self.counts = counts
        self.lessons_bar.max = max(counts["lessons"], 1)
        self.lessons_bar.value = counts["visited"]
        self.prompts_bar.max = max(counts["prompts"], 1)
        self.prompts_bar.value = counts["done"]
        self.words.value = (
            f'<p role="status">You have opened {counts["visited"]} of {counts["lessons"]} '
            f'lessons and answered or skipped {counts["done"]} of {counts["prompts"]} '
            "reflections. Reflections are optional; this count is only for you.</p>")
        self.set_status("")
        self.status.value = ""

    def retry(self) -> None:
        self.refresh()

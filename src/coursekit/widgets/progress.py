"""Course progress: lessons opened, reflections answered or skipped, self-checks right."""

from __future__ import annotations

import ipywidgets as W

from ..course import lessons
from ..journal import Journal
from ._base import KitWidget
from ._shared import button, html, lean

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
    checks, right = _selfcheck_counts(journal, infos)
    return {"lessons": len(infos), "visited": len(visited & {i.id for i in infos}),
            "prompts": total, "done": done, "checks": checks, "right": right}


def _selfcheck_counts(journal: Journal, infos) -> tuple[int, int]:
    """Self-check questions in the course, and how many the learner has answered right."""
    from ..questionbank import load_bank

    keys = set()
    for info in infos:
        try:
            keys |= {f"{info.id}.{q.id}" for q in load_bank(info.id).choice_questions}
        except Exception:  # a lesson without a bank counts as none; the self-check says why
            continue
    right = {r.key for r in journal.records("selfcheck") if (r.data or {}).get("correct")}
    return len(keys), len(right & keys)


class CourseProgress(KitWidget):
    """Three labelled progress bars and the same figures in words. Action: :meth:`refresh`."""

    css_class = "coursekit-progress"

    def __init__(self, *, journal: Journal | None = None):
        super().__init__(journal=journal)
        self.counts: dict[str, int] = {}
        # Count first, so the bars and words are sent with their figures (no updates);
        # a failure is reported by refresh() below, once the status line is in place.
        try:
            self.counts = progress_counts(self.journal)
        except Exception:
            self.counts = {}
        c, ok = self.counts, bool(self.counts)
        self.lessons_bar = lean(W.IntProgress, value=c.get("visited", 0), min=0,
                                max=max(c.get("lessons", 1), 1), description="Lessons opened")
        self.prompts_bar = lean(W.IntProgress, value=c.get("done", 0), min=0,
                                max=max(c.get("prompts", 1), 1),
                                description="Reflections answered or skipped")
        self.checks_bar = lean(W.IntProgress, value=c.get("right", 0), min=0,
                               max=max(c.get("checks", 1), 1),
                               description="Self-check questions answered right")
        self.words = html(self._words(c) if ok else "")
        self.refresh_button = button("Refresh progress", icon="refresh", tooltip="Count again")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.children = [self.lessons_bar, self.prompts_bar, self.checks_bar, self.words,
                         self._row(self.refresh_button), self.status]
        if ok:
            self._show_notice()
        else:
            self.refresh()  # says what went wrong, with the Retry button

    @staticmethod
    def _words(counts: dict[str, int]) -> str:
        return (f'<p role="status">You have opened {counts["visited"]} of {counts["lessons"]} '
                f'lessons, answered or skipped {counts["done"]} of {counts["prompts"]} '
                f'reflections, and answered {counts["right"]} of {counts["checks"]} self-check '
                "questions right. Reflections are optional; this count is only for you.</p>")

    def refresh(self) -> None:
        """Count again from the journal."""
        ok, counts = self.attempt(lambda: progress_counts(self.journal),
                                  failed="progress unavailable")
        if not ok:
            return
        self.counts = counts
        for bar, value, top in ((self.lessons_bar, counts["visited"], counts["lessons"]),
                                (self.prompts_bar, counts["done"], counts["prompts"]),
                                (self.checks_bar, counts["right"], counts["checks"])):
            with bar.hold_sync():  # one message per bar
                bar.max = max(top, 1)
                bar.value = value
        self.words.value = self._words(counts)
        self.status_text = ""
        if self.status.value:
            self.status.value = ""

    def retry(self) -> None:
        self.refresh()

"""The course map: each lesson's metadata, read from ``assets/lessons/NN.yml``.

A lesson file holds what the Carpentries keep in an episode's front matter
(questions, objectives, time, key points) plus the lesson's content note, its
reading and its reflection prompts. Lessons and the facilitator's handouts are
rendered from these files, so each fact is written once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import config, validation, yamlio
from .errors import ContentError
from .evidencetable import EvidenceTable, load_tables

PROMPT_KINDS = ("text", "rating", "checklist", "sort")
_LESSON_ID = re.compile(r"^\d\d$")


@dataclass(frozen=True)
class Prompt:
    """One reflection prompt. ``id`` is global and stable, e.g. ``01.regression.which-kind``."""

    id: str
    lesson: str
    kind: str
    text: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LessonInfo:
    id: str
    slug: str
    title: str
    minutes: int
    content_note: str
    questions: tuple[str, ...]
    objectives: tuple[str, ...]
    key_points: tuple[str, ...]
    reading: str | None = None
    reading_parts: tuple[int, ...] = ()
    prompts: tuple[Prompt, ...] = ()
    beliefs: tuple[str, ...] = ()
    source: Path | None = None
    #: Statements of agreement and comparison, rendered with who says them (provenance)
    comparisons: tuple[str, ...] = ()
    #: The evidence tables, each row with who says it (coursekit.evidencetable)
    evidence: tuple[EvidenceTable, ...] = ()

    @property
    def notebook_name(self) -> str:
        return f"{self.id}-{self.slug}.ipynb"

    def prompt(self, short_id: str) -> Prompt:
        full = short_id if short_id.startswith(f"{self.id}.") else f"{self.id}.{short_id}"
        for p in self.prompts:
            if p.id == full:
                return p
        known = ", ".join(p.id for p in self.prompts) or "none"
        raise ContentError(
            f"lesson {self.id} has no reflection prompt {full!r}; add it under prompts: in "
            f"{self.source} (prompts it has: {known})"
        )


def _require(data: dict, key: str, kind: type, where: str) -> Any:
    if key not in data:
        raise ContentError(f"{where}: the field {key!r} is missing; add it")
    value = data[key]
    if not isinstance(value, kind):
        raise ContentError(
            f"{where}: the field {key!r} should be a {kind.__name__}, not {type(value).__name__}"
        )
    return value


def _strings(data: dict, key: str, where: str, *, required: bool = True) -> tuple[str, ...]:
    if not required and key not in data:
        return ()
    items = _require(data, key, list, where)
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise ContentError(f"{where}: item {i + 1} of {key!r} should be non-empty text")
    return tuple(items)


def _claims(data: dict, key: str, where: str, *, required: bool = True) -> tuple[str, ...]:
    """Statements with who says them, rendered for learners ("... (Who says so: Saeed.)")."""
    from .provenance import claim_from, render

    if not required and key not in data:
        return ()
    items = _require(data, key, list, where)
    return tuple(render(claim_from(item, f"{where}: item {i} of {key!r}"), markdown=False)
                 for i, item in enumerate(items, 1))


def load_lesson_file(path: Path) -> LessonInfo:
    where = str(path)
    data = yamlio.load_file(path)
    validation.validate("lesson", data, path)
    if not isinstance(data, dict):
        raise ContentError(f"{where}: expected a mapping of fields at the top level")
    lesson_id = str(_require(data, "id", str, where))
    if not _LESSON_ID.match(lesson_id) or path.stem != lesson_id:
        raise ContentError(f"{where}: id {lesson_id!r} should be two digits matching the file name")
    prompts = []
    for i, raw in enumerate(data.get("prompts") or []):
        pwhere = f"{where}: prompt {i + 1}"
        if not isinstance(raw, dict):
            raise ContentError(f"{pwhere} should be a mapping with id, kind and text")
        pid = str(_require(raw, "id", str, pwhere))
        kind = raw.get("kind", "text")
        if kind not in PROMPT_KINDS:
            raise ContentError(f"{pwhere} ({pid}): kind {kind!r} is not one of {PROMPT_KINDS}")
        text = str(_require(raw, "text", str, f"{pwhere} ({pid})"))
        options = {k: v for k, v in raw.items() if k not in ("id", "kind", "text")}
        prompts.append(Prompt(f"{lesson_id}.{pid}", lesson_id, kind, text.strip(), options))
    ids = [p.id for p in prompts]
    dupes = sorted({x for x in ids if ids.count(x) > 1})
    if dupes:
        raise ContentError(f"{where}: prompt ids are used twice: {', '.join(dupes)}")
    minutes = _require(data, "minutes", int, where)
    reading = data.get("reading")
    return LessonInfo(
        id=lesson_id,
        slug=str(_require(data, "slug", str, where)),
        title=str(_require(data, "title", str, where)),
        minutes=minutes,
        content_note=str(_require(data, "content_note", str, where)).strip(),
        questions=_strings(data, "questions", where),
        objectives=_strings(data, "objectives", where),
        key_points=_claims(data, "key_points", where),
        reading=str(reading) if reading is not None else None,
        reading_parts=tuple(int(x) for x in data.get("reading_parts") or ()),
        prompts=tuple(prompts),
        beliefs=_strings(data, "beliefs", where, required=False),
        source=path,
        comparisons=_claims(data, "comparisons", where, required=False),
        evidence=load_tables(data, where),
    )


def _stamp(path: Path) -> tuple:
    """What changes when a file is edited or replaced (a cache key)."""
    st = path.stat()
    return (st.st_mtime_ns, st.st_size, st.st_ino)


@lru_cache(maxsize=64)
def _load_one(path: Path, stamp: tuple) -> LessonInfo:
    return load_lesson_file(path)


def lessons(folder: Path | None = None) -> tuple[LessonInfo, ...]:
    """Every lesson in course order (each file read again only when it changes)."""
    folder = folder or config.assets_dir() / "lessons"
    return tuple(_load_one(p, _stamp(p)) for p in sorted(folder.glob("[0-9][0-9].yml")))


def lesson(lesson_id: str, folder: Path | None = None) -> LessonInfo:
    """One lesson's metadata; reads only that lesson's file (a lesson's first cell needs
    no other)."""
    folder = folder or config.assets_dir() / "lessons"
    path = folder / f"{lesson_id}.yml"
    if _LESSON_ID.match(str(lesson_id)) and path.is_file():
        return _load_one(path, _stamp(path))
    known = ", ".join(x.id for x in lessons(folder)) or "none"
    raise ContentError(f"there is no lesson {lesson_id!r}; the course has lessons {known}")


def course_info() -> dict:
    """Course-wide settings from ``assets/course.yml`` (title, course-level beliefs)."""
    path = config.assets_dir() / "course.yml"
    data = yamlio.load_file(path) or {}
    validation.validate("course", data, path)
    return data


def support_resources() -> dict:
    """The support list a facilitator edits for their region: ``assets/support.yml``."""
    path = config.assets_dir() / "support.yml"
    data = yamlio.load_file(path)
    validation.validate("support", data, path)
    if not isinstance(data, dict) or not data.get("resources"):
        raise ContentError(f"{path} should list resources: (name, how to reach them, when)")
    checked = data.get("checked")
    if checked is not None:
        # YAML reads an unquoted 2026-11-28 as a date; a quoted one stays text.
        text = checked.isoformat() if hasattr(checked, "isoformat") else str(checked)
        if not re.fullmatch(r"\d{4}-\d\d-\d\d", text):
            raise ContentError(f"{path}: checked: {checked!r} should be the date you checked the "
                               "numbers, written like 2026-11-28")
        data = {**data, "checked": text}
    return data

"""Facilitators' session plans, read from ``facilitator/sessions/``.

One YAML file per lesson (``NN.yml``) holds that lesson's plan in a fixed shape,
the way the Carpentries keep an episode's front matter: objectives, an opening
check-in, teaching points, discussion prompts for pairs and small groups,
activities, the comprehension check, a closing grounding exercise and the
facilitator's notes. Under ``formats:`` the same file says, for each way of
running the course, which session the lesson belongs to, how many minutes it
gets there and its timed segments.

``formats.yml`` names the formats (one 3-hour workshop, a five-session series,
classroom meetings with nbgrader checks) and each one's session length. A
session is built from the lessons that belong to it, in course order; its
segments must add up to the session length, open with a check-in and close with
a grounding exercise. :func:`check` reports every way the plans break those rules.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from . import config, validation, yamlio
from .errors import SessionPlanError

#: What a timed segment is for. A facilitator's run sheet groups and labels by these.
SEGMENT_KINDS = (
    "welcome",
    "check-in",
    "agreements",
    "teaching",
    "pairs",
    "small-groups",
    "activity",
    "comprehension-check",
    "break",
    "logistics",
    "grounding",
)

#: The parts every lesson plan must have (the Carpentries-style fixed shape).
REQUIRED_PARTS = (
    "objectives",
    "check_in",
    "teaching_points",
    "discussion",
    "activities",
    "comprehension_check",
    "grounding",
    "facilitator_notes",
)


def sessions_dir() -> Path:
    """The folder that holds the plans: ``facilitator/sessions/`` in the kit."""
    return config.kit_root() / "facilitator" / "sessions"


@dataclass(frozen=True)
class Segment:
    """One timed part of a session, e.g. ``Segment("Pairs: first reactions", 10, "pairs")``."""

    name: str
    minutes: int
    kind: str
    lesson: str = ""


@dataclass(frozen=True)
class Material:
    """Something an activity needs; ``sheet`` names a page ``make handouts`` prints."""

    item: str
    sheet: str | None = None


@dataclass(frozen=True)
class Cards:
    """Cards to print and cut out for an activity (``handouts/cards-<lesson>-<sheet>.pdf``)."""

    sheet: str
    title: str
    instructions: str
    headings: tuple[str, ...]
    cards: tuple[str, ...]


@dataclass(frozen=True)
class Activity:
    name: str
    instructions: str
    materials: tuple[Material, ...] = ()
    cards: Cards | None = None


@dataclass(frozen=True)
class Grounding:
    name: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class Note:
    """A facilitator's note: a question and its answer, a misconception and its
    correction, or a sensitive moment and how to handle it."""

    prompt: str
    response: str


@dataclass(frozen=True)
class Slot:
    """Where one lesson sits in one format: its session, its minutes and its segments."""

    format: str
    session: int
    minutes: int
    segments: tuple[Segment, ...]
    comprehension_check: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class LessonPlan:
    lesson: str
    objectives: tuple[str, ...]
    check_in: str
    teaching_points: tuple[str, ...]
    pairs: tuple[str, ...]
    small_groups: tuple[str, ...]
    activities: tuple[Activity, ...]
    comprehension_check: str
    grounding: Grounding
    likely_questions: tuple[Note, ...]
    misconceptions: tuple[Note, ...]
    sensitive_moments: tuple[Note, ...]
    slots: dict[str, Slot] = field(default_factory=dict)
    source: Path | None = None

    @property
    def discussion_questions(self) -> tuple[str, ...]:
        """Every discussion prompt, pairs first: what a learner's handout lists."""
        return self.pairs + self.small_groups

    def slot(self, format_id: str) -> Slot:
        try:
            return self.slots[format_id]
        except KeyError:
            known = ", ".join(self.slots) or "none"
            raise SessionPlanError(
                f"{self.source}: lesson {self.lesson} has no plan for the format "
                f"{format_id!r}; add it under formats: (formats it has: {known})"
            ) from None


@dataclass(frozen=True)
class Format:
    """A way of running the course, e.g. the five-session series of 90 minutes each."""

    id: str
    title: str
    session_minutes: int
    sessions: int
    summary: str


@dataclass(frozen=True)
class Session:
    """One meeting of a group in one format, built from the lessons planned into it."""

    format: Format
    number: int
    plans: tuple[LessonPlan, ...]

    @property
    def lessons(self) -> tuple[str, ...]:
        return tuple(p.lesson for p in self.plans)

    @property
    def segments(self) -> tuple[Segment, ...]:
        return tuple(s for p in self.plans for s in p.slot(self.format.id).segments)

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.segments)

    @property
    def check_in(self) -> str:
        """The check-in that opens the session: its first lesson's."""
        return self.plans[0].check_in

    @property
    def grounding(self) -> Grounding:
        """The grounding exercise that closes the session: its last lesson's."""
        return self.plans[-1].grounding

    @property
    def name(self) -> str:
        return f"{self.format.id}-session-{self.number}"

    def timetable(self) -> list[tuple[int, Segment]]:
        """Each segment with the minute it starts at (0 is the session's start)."""
        rows, start = [], 0
        for seg in self.segments:
            rows.append((start, seg))
            start += seg.minutes
        return rows

    def schedule(self, start: time | None = None) -> list[tuple[str, str, Segment]]:
        """Each segment with when it starts and ends: clock times (``18:30``) from
        ``start``, or, without a start time, time since the start (``0:00``, ``1:15``)."""
        return [(clock_label(begin, start), clock_label(begin + seg.minutes, start), seg)
                for begin, seg in self.timetable()]


def parse_start(text: str) -> time:
    """A session's start time from ``HH:MM`` (24-hour clock), e.g. ``18:30`` or ``9:05``."""
    match = re.fullmatch(r"\s*(\d{1,2})[:.h](\d{2})\s*", str(text))
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise SessionPlanError(f"the start time {text!r} is not a time of day; give it as "
                               "HH:MM on the 24-hour clock, e.g. --start 18:30")
    return time(int(match.group(1)), int(match.group(2)))


def clock_label(minutes: int, start: time | None = None) -> str:
    """``minutes`` after ``start`` as a clock time (``19:45``; past midnight it wraps), or
    without a start, as hours and minutes since the session began (``1:15``)."""
    if start is None:
        return f"{minutes // 60}:{minutes % 60:02d}"
    moment = datetime.combine(date(2000, 1, 1), start) + timedelta(minutes=minutes)
    return moment.strftime("%H:%M")


# -- reading the files ---------------------------------------------------------------


_Loader = yamlio.SafeLoader


def _read_yaml(path: Path) -> Any:
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise SessionPlanError(f"{path} cannot be read: {exc}; restore it from git") from exc
    return copy.deepcopy(_read_yaml_cached(path, stamp))


@lru_cache(maxsize=64)
def _read_yaml_cached(path: Path, stamp: int) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SessionPlanError(f"{path} cannot be read as YAML ({yamlio.describe(exc)}); fix it "
                               "there") from exc


_KIND_NAMES = {int: "whole number", str: "text", list: "list", dict: "mapping"}


def _need(data: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(data, dict):
        raise SessionPlanError(f"{where}: expected a mapping of fields")
    if key not in data or data[key] is None:
        raise SessionPlanError(f"{where}: the field {key!r} is missing; add it")
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        wanted = " or ".join(_KIND_NAMES.get(k, k.__name__) for k in kinds)
        raise SessionPlanError(
            f"{where}: the field {key!r} should be a {wanted}, not {type(value).__name__}"
        )
    if isinstance(value, str) and not value.strip():
        raise SessionPlanError(f"{where}: the field {key!r} is empty; write it")
    return value


def _texts(data: dict, key: str, where: str) -> tuple[str, ...]:
    items = _need(data, key, list, where)
    if not items:
        raise SessionPlanError(f"{where}: {key!r} is an empty list; give at least one item")
    for i, item in enumerate(items, 1):
        if not isinstance(item, str) or not item.strip():
            raise SessionPlanError(f"{where}: item {i} of {key!r} should be non-empty text")
    return tuple(" ".join(x.split()) for x in items)


def _text(data: dict, key: str, where: str) -> str:
    return " ".join(_need(data, key, str, where).split())


def _notes(data: dict, key: str, first: str, second: str, where: str) -> tuple[Note, ...]:
    items = _need(data, key, list, where)
    if not items:
        raise SessionPlanError(f"{where}: {key!r} is an empty list; give at least one")
    return tuple(
        Note(_text(item, first, f"{where}: {key} {i}"), _text(item, second, f"{where}: {key} {i}"))
        for i, item in enumerate(items, 1)
    )


def _segments(raw: Any, lesson: str, where: str) -> tuple[Segment, ...]:
    if not isinstance(raw, list) or not raw:
        raise SessionPlanError(f"{where}: 'segments' should be a non-empty list of "
                               "{name, minutes, kind}")
    out = []
    for i, item in enumerate(raw, 1):
        swhere = f"{where}: segment {i}"
        name = _text(item, "name", swhere)
        minutes = _need(item, "minutes", int, f"{swhere} ({name})")
        if minutes <= 0:
            raise SessionPlanError(f"{swhere} ({name}): minutes should be above 0, not {minutes}")
        kind = _need(item, "kind", str, f"{swhere} ({name})")
        if kind not in SEGMENT_KINDS:
            raise SessionPlanError(
                f"{swhere} ({name}): kind {kind!r} is not one of {', '.join(SEGMENT_KINDS)}"
            )
        out.append(Segment(name, minutes, kind, lesson))
    return tuple(out)


def _activity(data: Any, where: str) -> Activity:
    materials = tuple(Material(_text(m, "item", f"{where}: material {n}"),
                               str(m["sheet"]) if m.get("sheet") else None)
                      for n, m in enumerate(data.get("materials") or (), 1))
    raw = data.get("cards")
    cards = None
    if raw:
        cards = Cards(str(raw["sheet"]), _text(raw, "title", f"{where}: cards"),
                      _text(raw, "instructions", f"{where}: cards"),
                      _texts(raw, "headings", f"{where}: cards"),
                      _texts(raw, "cards", f"{where}: cards"))
    return Activity(_text(data, "name", where), _text(data, "instructions", where),
                    materials, cards)


def load_plan_file(path: Path) -> LessonPlan:
    """Read and check one lesson's plan; an error names the file, the part and the fix."""
    where = str(path)
    data = _read_yaml(path)
    validation.validate("session-plan", data, path, error=SessionPlanError)
    if not isinstance(data, dict):
        raise SessionPlanError(f"{where}: expected a mapping of fields at the top level")
    lesson = str(_need(data, "lesson", str, where))
    if lesson != path.stem:
        raise SessionPlanError(f"{where}: lesson {lesson!r} should match the file name "
                               f"({path.stem!r})")
    missing = [p for p in REQUIRED_PARTS if data.get(p) in (None, "", [], {})]
    if missing:
        raise SessionPlanError(f"{where}: the plan lacks {', '.join(missing)}; every plan has "
                               f"every part ({', '.join(REQUIRED_PARTS)})")
    discussion = _need(data, "discussion", dict, where)
    grounding = _need(data, "grounding", dict, where)
    notes = _need(data, "facilitator_notes", dict, where)
    activities = tuple(_activity(a, f"{where}: activity {i}")
                       for i, a in enumerate(_need(data, "activities", list, where), 1))
    slots = {}
    for format_id, raw in _need(data, "formats", dict, where).items():
        fwhere = f"{where}: formats.{format_id}"
        session = _need(raw, "session", int, fwhere)
        minutes = _need(raw, "minutes", int, fwhere)
        segments = _segments(raw.get("segments"), lesson, fwhere)
        check = raw.get("comprehension_check")
        if check is not None and (not isinstance(check, str) or not check.strip()):
            raise SessionPlanError(f"{fwhere}: comprehension_check should be text when given")
        extra = tuple(" ".join(n.split()) for n in raw.get("notes") or ())
        slots[str(format_id)] = Slot(str(format_id), session, minutes, segments,
                                     " ".join(check.split()) if check else None, extra)
    return LessonPlan(
        lesson=lesson,
        objectives=_texts(data, "objectives", where),
        check_in=_text(data, "check_in", where),
        teaching_points=_texts(data, "teaching_points", where),
        pairs=_texts(discussion, "pairs", f"{where}: discussion"),
        small_groups=_texts(discussion, "small_groups", f"{where}: discussion"),
        activities=activities,
        comprehension_check=_text(data, "comprehension_check", where),
        grounding=Grounding(_text(grounding, "name", f"{where}: grounding"),
                            _texts(grounding, "steps", f"{where}: grounding")),
        likely_questions=_notes(notes, "likely_questions", "question", "answer",
                                f"{where}: facilitator_notes"),
        misconceptions=_notes(notes, "misconceptions", "belief", "correction",
                              f"{where}: facilitator_notes"),
        sensitive_moments=_notes(notes, "sensitive_moments", "moment", "response",
                                 f"{where}: facilitator_notes"),
        slots=slots,
        source=path,
    )


def formats(folder: Path | None = None) -> tuple[Format, ...]:
    """The ways of running the course, from ``formats.yml``."""
    path = (folder or sessions_dir()) / "formats.yml"
    data = _read_yaml(path)
    validation.validate("formats", data, path, error=SessionPlanError)
    items = _need(data, "formats", list, str(path))
    out = []
    for i, raw in enumerate(items, 1):
        where = f"{path}: format {i}"
        fid = _text(raw, "id", where)
        out.append(Format(fid, _text(raw, "title", f"{where} ({fid})"),
                          _need(raw, "session_minutes", int, f"{where} ({fid})"),
                          _need(raw, "sessions", int, f"{where} ({fid})"),
                          _text(raw, "summary", f"{where} ({fid})")))
    ids = [f.id for f in out]
    if len(set(ids)) != len(ids):
        raise SessionPlanError(f"{path}: a format id is used twice ({', '.join(ids)})")
    return tuple(out)


def get_format(format_id: str, folder: Path | None = None) -> Format:
    for fmt in formats(folder):
        if fmt.id == format_id:
            return fmt
    known = ", ".join(f.id for f in formats(folder))
    raise SessionPlanError(f"there is no format {format_id!r}; the kit has {known}")


def plans(folder: Path | None = None) -> tuple[LessonPlan, ...]:
    """Every lesson's plan, in course order."""
    folder = folder or sessions_dir()
    return tuple(load_plan_file(p) for p in sorted(folder.glob("[0-9][0-9].yml")))


def plan(lesson_id: str, folder: Path | None = None) -> LessonPlan:
    for p in plans(folder):
        if p.lesson == lesson_id:
            return p
    known = ", ".join(p.lesson for p in plans(folder)) or "none"
    raise SessionPlanError(f"there is no session plan for lesson {lesson_id!r}; add "
                           f"facilitator/sessions/{lesson_id}.yml (plans found: {known})")


def sessions(format_id: str, folder: Path | None = None) -> tuple[Session, ...]:
    """The sessions of one format, numbered from 1, each with its lessons in course order."""
    fmt = get_format(format_id, folder)
    all_plans = plans(folder)
    out = []
    for number in range(1, fmt.sessions + 1):
        members = tuple(p for p in all_plans
                        if format_id in p.slots and p.slots[format_id].session == number)
        if not members:
            raise SessionPlanError(f"format {format_id!r} has no lesson planned in session "
                                   f"{number}; set session: {number} under formats."
                                   f"{format_id} in a lesson's plan")
        out.append(Session(fmt, number, members))
    return tuple(out)


def check(folder: Path | None = None, lesson_ids: Iterable[str] | None = None) -> list[str]:
    """Every problem with the plans as a whole (an empty list means they are sound).

    Each lesson's segments must add up to the minutes it declares in each format;
    every lesson of the course has a plan in every format; each session adds up to
    its format's session length, opens with a check-in and closes with grounding.
    """
    problems: list[str] = []
    try:
        fmts = formats(folder)
        all_plans = plans(folder)
    except SessionPlanError as exc:
        return [str(exc)]
    if lesson_ids is None:
        from .course import lessons

        lesson_ids = [x.id for x in lessons()]
    by_lesson = {p.lesson: p for p in all_plans}
    for lid in lesson_ids:
        if lid not in by_lesson:
            problems.append(f"lesson {lid} has no session plan; add facilitator/sessions/{lid}.yml")
    for p in all_plans:
        for fmt in fmts:
            if fmt.id not in p.slots:
                problems.append(f"{p.source}: no plan for the format {fmt.id!r}; add it under "
                                "formats:")
                continue
            slot = p.slots[fmt.id]
            total = sum(s.minutes for s in slot.segments)
            if total != slot.minutes:
                problems.append(f"{p.source}: formats.{fmt.id}: the segments add up to {total} "
                                f"minutes, not the {slot.minutes} it declares")
            if not 1 <= slot.session <= fmt.sessions:
                problems.append(f"{p.source}: formats.{fmt.id}: session {slot.session} is outside "
                                f"1..{fmt.sessions}")
        for fid in p.slots:
            if fid not in {f.id for f in fmts}:
                problems.append(f"{p.source}: formats.{fid} names no format in formats.yml")
    if problems:
        return problems
    for fmt in fmts:
        try:
            found = sessions(fmt.id, folder)
        except SessionPlanError as exc:
            problems.append(str(exc))
            continue
        for s in found:
            label = f"{fmt.id} session {s.number} (lessons {', '.join(s.lessons)})"
            if s.minutes != fmt.session_minutes:
                problems.append(f"{label}: segments add up to {s.minutes} minutes, not the "
                                f"{fmt.session_minutes} a {fmt.id} session lasts")
            kinds = [seg.kind for seg in s.segments]
            if kinds[0] not in ("check-in", "welcome") or "check-in" not in kinds[:2]:
                problems.append(f"{label}: should open with a check-in segment")
            if kinds[-1] != "grounding":
                problems.append(f"{label}: should close with a grounding segment")
            if "comprehension-check" not in kinds:
                problems.append(f"{label}: has no comprehension-check segment")
    return problems

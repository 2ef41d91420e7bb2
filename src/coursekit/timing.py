"""How long a lesson takes, measured from everything a learner reads and does in it.

A lesson's words are every Markdown cell of its notebook (the guide and the generated
cells: header, key points, support, ...; numbers in generated cells are left out, so the
figures they show never change the figures they are computed from), the text of its
reflection prompts and belief statements, its self-check (questions, options and
explanations), and the reading it presents: the whole text, or the parts it draws on.
Its activities are each reflection it asks for: a written answer (a text prompt) or
another reflection (a rating, checklist, sort or belief ratings), each with an allowance
stated once in ``assets/readings.yml`` (``activity_minutes:``). The readings are not
part of the kit, so their word counts are stored in ``assets/readings.yml`` (``words:``
on each reading, or on each part of a collection); :func:`count_words` counted them,
and ``tests/test_timing.py`` recounts them whenever the texts are at hand. The speed is
defined once, in the same file (``reading_speed.words_per_minute``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nbformat

from . import config, validation, yamlio
from . import course as _course
from .course import LessonInfo, lessons
from .errors import ContentError

WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


def count_words(text: str) -> int:
    """Words in ``text`` (Markdown or plain): link targets, HTML tags and code left out."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\]\([^)]*\)", "] ", text)
    return len(WORD.findall(text))


def _readings_data() -> dict:
    path = config.assets_dir() / "readings.yml"
    data = yamlio.load_file(path)
    validation.validate("readings", data, path)
    if not isinstance(data, dict):
        raise ContentError(f"{path} should be a mapping with readings: and reading_speed:")
    return data


def words_per_minute() -> int:
    """The one reading speed every lesson length is measured at (``assets/readings.yml``)."""
    path = config.assets_dir() / "readings.yml"
    speed = (_readings_data().get("reading_speed") or {}).get("words_per_minute")
    if not isinstance(speed, int) or isinstance(speed, bool) or not 50 <= speed <= 600:
        raise ContentError(f"{path}: reading_speed.words_per_minute is {speed!r}; give a whole "
                           "number of words a minute between 50 and 600 (200 for careful reading)")
    return speed


def reading_word_counts() -> dict[tuple[str, int | None], int]:
    """Stored word counts: ``(reading id, None)`` for a whole reading, ``(id, n)`` per part."""
    path = config.assets_dir() / "readings.yml"
    counts: dict[tuple[str, int | None], int] = {}
    for reading in _readings_data().get("readings") or ():
        rid = str(reading.get("id"))
        parts = reading.get("parts") or ()
        for part in parts:
            counts[(rid, int(part["number"]))] = _words_field(part, path, f"{rid} part "
                                                                        f"{part['number']}")
        if parts:
            counts[(rid, None)] = sum(counts[(rid, int(p["number"]))] for p in parts)
        else:
            counts[(rid, None)] = _words_field(reading, path, f"reading {rid}")
    return counts


def _words_field(entry: dict, path: Path, what: str) -> int:
    value = entry.get("words")
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ContentError(f"{path}: {what} needs words: (its word count, a whole number), "
                           f"found {value!r}; count it with coursekit.timing.count_words")
    return value


#: The allowances used when assets/readings.yml states none (minutes per activity).
DEFAULT_ACTIVITY_MINUTES = {"written_answer": 4.0, "reflection": 2.5}


def activity_minutes() -> dict[str, float]:
    """Minutes allowed per activity (``activity_minutes:`` in ``assets/readings.yml``)."""
    path = config.assets_dir() / "readings.yml"
    stated = _readings_data().get("activity_minutes") or {}
    found = dict(DEFAULT_ACTIVITY_MINUTES)
    for key, value in stated.items():
        if key not in found or isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not 0 < value <= 60:
            raise ContentError(f"{path}: activity_minutes.{key} is {value!r}; give minutes "
                               f"(a number between 0 and 60) for one of {', '.join(found)}")
        found[key] = float(value)
    return found


def notebook_path(info: LessonInfo) -> Path:
    return config.lessons_dir() / info.notebook_name


NUMBER = re.compile(r"\d[\d,.]*")
REFLECT = re.compile(r"""lesson\.reflect\(["']([^"']+)["']""")
BELIEFS = re.compile(r"""lesson\.beliefs\(["'](\w+)["'](.*?)\)""")


def _generated(cell) -> bool:
    return bool((cell.get("metadata", {}).get("coursekit") or {}).get("generated"))


@lru_cache(maxsize=64)
def _guide_words(path: Path, stamp: int) -> int:
    nb = nbformat.read(path, as_version=4)
    return sum(count_words(NUMBER.sub(" ", cell.source) if _generated(cell) else cell.source)
               for cell in nb.cells if cell.cell_type == "markdown")


@lru_cache(maxsize=64)
def _calls(path: Path, stamp: int) -> tuple[tuple[str, str, str], ...]:
    """("reflect", prompt id, "") and ("beliefs", phase, rest) for each call, in order."""
    nb = nbformat.read(path, as_version=4)
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        found += [("reflect", m.group(1), "") for m in REFLECT.finditer(cell.source)]
        found += [("beliefs", m.group(1), m.group(2)) for m in BELIEFS.finditer(cell.source)]
    return tuple(found)


def _strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings_in(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings_in(v)]
    return []


def activity_words_and_minutes(info: LessonInfo) -> tuple[int, float, int, int]:
    """(words, minutes, written answers, other reflections) of the lesson's activities.

    Words are what the learner reads to do them: each prompt's text, options and model
    reasoning, and the belief statements rated.
    """
    path = notebook_path(info)
    if not path.exists():
        return 0, 0.0, 0, 0
    allow = activity_minutes()
    words = written = other = 0
    for what, key, rest in _calls(path, path.stat().st_mtime_ns):
        if what == "reflect":
            prompt = info.prompt(key)
            words += count_words(prompt.text) + sum(count_words(s) for s in
                                                    _strings_in(prompt.options)
                                                    if s != "evidence")
            if prompt.kind == "text":
                written += 1
            else:
                other += 1
        else:
            statements = (_course.course_info().get("beliefs") or () if "course" in rest
                          else info.beliefs)
            words += sum(count_words(s) for s in statements)
            other += 1
    minutes = written * allow["written_answer"] + other * allow["reflection"]
    return words, minutes, written, other


def self_check_words(info: LessonInfo) -> int:
    """Words of the lesson's self-check: questions, options, explanations (short ones are
    answered in the graded check, not here)."""
    from .questionbank import load_bank

    try:
        bank = load_bank(info.id)
    except ContentError:
        return 0
    total = 0
    for q in bank.questions:
        if q.type == "short":
            continue
        parts = [q.prompt, q.explanation, *(o.text for o in q.options), *q.items,
                 *(s for pair in q.pairs for s in pair)]
        total += sum(count_words(p) for p in parts)
    return total


def guide_words(info: LessonInfo) -> int:
    """Words in the lesson notebook's Markdown cells (guide and generated cells)."""
    path = notebook_path(info)
    try:
        return _guide_words(path, path.stat().st_mtime_ns)
    except OSError as exc:
        raise ContentError(f"lesson {info.id}: {path} cannot be read to measure it: {exc}") from exc


def reading_words(info: LessonInfo) -> int:
    """Words in the reading the lesson presents (all of it, or only its parts)."""
    if not info.reading:
        return 0
    counts = reading_word_counts()
    keys = [(info.reading, n) for n in info.reading_parts] or [(info.reading, None)]
    missing = [k for k in keys if k not in counts]
    if missing:
        raise ContentError(f"lesson {info.id} presents reading {info.reading} "
                           f"{'parts ' + str([k[1] for k in missing]) if info.reading_parts else ''}"
                           "which assets/readings.yml does not list; add it with its words:")
    return sum(counts[k] for k in keys)


@dataclass(frozen=True)
class LessonLength:
    """One lesson's measured reading against its stated time."""

    lesson: str
    stated_minutes: int
    guide_words: int
    reading_words: int
    words_per_minute: int
    self_check_words: int = 0
    activity_words: int = 0
    activity_minutes: float = 0.0
    written_answers: int = 0
    reflections: int = 0

    @property
    def words(self) -> int:
        """Everything the learner reads: notebook text, prompts, self-check and reading."""
        return self.guide_words + self.reading_words + self.self_check_words + self.activity_words

    @property
    def reading_minutes(self) -> int:
        """Minutes to read all of it at the stated speed, rounded up."""
        return math.ceil(self.words / self.words_per_minute)

    @property
    def measured_minutes(self) -> int:
        """Reading plus the activity allowances, rounded up: what the stated time must cover."""
        return math.ceil(self.words / self.words_per_minute + self.activity_minutes)

    @property
    def other_minutes(self) -> int:
        """What the stated time leaves beyond the measure (pauses, going back, thinking)."""
        return self.stated_minutes - self.measured_minutes

    def __str__(self) -> str:
        return (f"lesson {self.lesson}: {self.words:,} words ({self.guide_words:,} in the "
                f"notebook, {self.activity_words:,} in prompts, {self.self_check_words:,} in the "
                f"self-check, {self.reading_words:,} in the reading) = {self.reading_minutes} min "
                f"at {self.words_per_minute} words a minute, plus {self.activity_minutes:g} min "
                f"for {self.written_answers} written answers and {self.reflections} other "
                f"reflections = {self.measured_minutes} min; stated {self.stated_minutes} min")


def lesson_length(info: LessonInfo) -> LessonLength:
    guide = guide_words(info) if notebook_path(info).exists() else 0
    words, minutes, written, other = activity_words_and_minutes(info)
    return LessonLength(info.id, info.minutes, guide, reading_words(info), words_per_minute(),
                        self_check_words(info), words, minutes, written, other)


def lesson_lengths() -> dict[str, LessonLength]:
    """Every lesson's length, by lesson id (notebooks that do not exist yet count 0 words)."""
    return {info.id: lesson_length(info) for info in lessons()}


def problems() -> list[str]:
    """Every lesson whose stated time does not cover its measure, with the fix."""
    return [f"{length}: the stated time does not cover it; cut the guide, split the lesson, "
            f"or state at least {length.measured_minutes} minutes under minutes: in "
            f"assets/lessons/{length.lesson}.yml (and the session plans' run sheets follow)"
            for length in lesson_lengths().values() if length.other_minutes < 0]

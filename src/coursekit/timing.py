"""How long a lesson takes to read, measured from word counts at one stated reading speed.

A lesson's reading is its guide (the Markdown cells an author wrote in the notebook;
the generated cells are left out, so the figures never depend on themselves) plus the
reading it presents: the whole text, or the parts it draws on. The readings are not
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


def notebook_path(info: LessonInfo) -> Path:
    return config.lessons_dir() / info.notebook_name


@lru_cache(maxsize=64)
def _guide_words(path: Path, stamp: int) -> int:
    nb = nbformat.read(path, as_version=4)
    return sum(count_words(cell.source) for cell in nb.cells
               if cell.cell_type == "markdown"
               and not (cell.get("metadata", {}).get("coursekit") or {}).get("generated"))


def guide_words(info: LessonInfo) -> int:
    """Words in the lesson's own guide (its non-generated Markdown cells)."""
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

    @property
    def words(self) -> int:
        return self.guide_words + self.reading_words

    @property
    def reading_minutes(self) -> int:
        """Minutes to read the guide and the reading at the stated speed, rounded up."""
        return math.ceil(self.words / self.words_per_minute)

    @property
    def other_minutes(self) -> int:
        """What the stated time leaves for reflections, self-checks and pauses."""
        return self.stated_minutes - self.reading_minutes

    def __str__(self) -> str:
        return (f"lesson {self.lesson}: {self.words:,} words ({self.guide_words:,} in the guide, "
                f"{self.reading_words:,} in the reading) = {self.reading_minutes} min at "
                f"{self.words_per_minute} words a minute; stated {self.stated_minutes} min")


def lesson_length(info: LessonInfo) -> LessonLength:
    return LessonLength(info.id, info.minutes, guide_words(info), reading_words(info),
                        words_per_minute())


def lesson_lengths() -> dict[str, LessonLength]:
    """Every lesson's length, by lesson id (notebooks that do not exist yet count 0 words)."""
    speed = words_per_minute()
    found = {}
    for info in lessons():
        guide = guide_words(info) if notebook_path(info).exists() else 0
        found[info.id] = LessonLength(info.id, info.minutes, guide, reading_words(info), speed)
    return found


def problems() -> list[str]:
    """Every lesson whose stated time does not cover its measured reading, with the fix."""
    return [f"{length}: the stated time does not cover the reading; cut the guide, split the "
            f"lesson, or state at least {length.reading_minutes} minutes (plus time for "
            f"reflections and self-checks) under minutes: in assets/lessons/{length.lesson}.yml"
            for length in lesson_lengths().values() if length.other_minutes < 0]

"""The schemas of the course-wide files in ``assets/``: glossary, references, readings,
evidence scale, course and support list."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .fields import (
    LessonId,
    ReadingId,
    Slug,
    Text,
    Whole,
    _distinct,
    _Model,
    _pattern,
    _short,
)


class Term(_Model):
    slug: Slug
    term: Text
    definition: Text
    lessons: list[LessonId] = []
    see_also: list[Slug] = []


class GlossaryFile(_Model):
    terms: list[Term] | None = None

    @model_validator(mode="after")
    def _cross(self):
        terms = self.terms or []
        _distinct((t.slug for t in terms), "the slug", "keep each term once")
        _distinct((t.term.lower() for t in terms), "the term", "keep each term once",
                  verb="appears twice (capitals aside)")
        slugs = {t.slug for t in terms}
        for t in terms:
            for other in t.see_also:
                if other not in slugs:
                    raise PydanticCustomError(
                        "coursekit", "term {slug} sees also {other}, which is no term; fix the "
                        "slug or add that term", {"slug": repr(t.slug), "other": repr(other)})
        return self


class Reference(_Model):
    id: Slug
    citation: Text
    kind: Text  # "reading" or a label of the evidence scale (checked across files)
    used_in: list[LessonId] = []
    reading: str | None = None  # for a reading: its speaker id ("000", "001-part2")
    cites: list[str] = []  # for a reading: the research entries it names


class ReferencesFile(_Model):
    references: list[Reference] | None = None

    @model_validator(mode="after")
    def _ids(self):
        _distinct((r.id for r in self.references or []), "the id", "give each reference its own id")
        return self


class ReadingPart(_Model):
    number: Whole
    title: Text
    author: Text
    words: Whole | None = None  # its word count (coursekit.timing)
    short: str | None = None  # how lessons name it ("Saeed"; coursekit.provenance)


class Reading(_Model):
    id: ReadingId
    title: Text
    author: Text
    source: Text
    lessons: list[LessonId] = []
    parts: list[ReadingPart] = []
    words: Whole | None = None
    short: str | None = None  # how lessons name it ("the talk"; coursekit.provenance)

    @model_validator(mode="after")
    def _parts(self):
        _distinct((p.number for p in self.parts), "the part number", "number the parts 1, 2, ...")
        return self


def _speed(value: Any) -> Any:
    if not isinstance(value, int) or isinstance(value, bool) or not 50 <= value <= 600:
        raise PydanticCustomError(
            "coursekit_field", "is {value}; give a whole number of words a minute between 50 "
            "and 600 (200 for careful reading)", {"value": _short(value)})
    return value


class ReadingSpeed(_Model):
    words_per_minute: Annotated[int, BeforeValidator(_speed)]


class ActivityMinutes(_Model):
    written_answer: float | int | None = None
    reflection: float | int | None = None


class ReadingsFile(_Model):
    reading_speed: ReadingSpeed | None = None
    activity_minutes: ActivityMinutes | None = None  # coursekit.timing
    readings: list[Reading]

    @model_validator(mode="after")
    def _ids(self):
        _distinct((r.id for r in self.readings), "the reading id", "give each reading its own id")
        return self


class EvidenceLevel(_Model):
    id: Slug
    label: Text
    definition: Text
    example: Text | None = None


def evidence_key(text: str) -> str:
    """How a label is compared: any case, spacing, hyphens or underscores."""
    return re.sub(r"[\s_-]+", " ", str(text)).strip().lower()


class EvidenceFile(_Model):
    intro: Text | None = None
    levels: Annotated[list[EvidenceLevel], Field(min_length=2)]

    @model_validator(mode="after")
    def _distinct_levels(self):
        _distinct((x.id for x in self.levels), "the level id", "give each level its own id")
        _distinct((evidence_key(x.label) for x in self.levels), "the label",
                  "give each level its own label")
        return self


WebPage = Annotated[str, BeforeValidator(_pattern(
    r"https?://\S+", "a web address starting with https://", '"https://www.bbc.co.uk/weather"'))]


class CourseFile(_Model):
    title: Text
    scope_statement: Text
    beliefs: list[Text] = []
    #: Where Quick exit sends the learner (coursekit.widgets.lesson_start; default the BBC's
    #: weather pages): an ordinary-looking page for the region the course runs in.
    quick_exit_url: WebPage | None = None


class Resource(_Model):
    name: Text
    contact: Text
    when: Text


def _iso_date(value: Any) -> Any:
    # YAML reads an unquoted 2026-11-28 as a date; a quoted one stays text.
    text = value.isoformat() if hasattr(value, "isoformat") else value
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        raise PydanticCustomError("coursekit_field", "is {value}, but it should be the date you "
                                  "checked the numbers, written like 2026-11-28",
                                  {"value": _short(value)})
    return text


class SupportFile(_Model):
    intro: Text | None = None
    checked: Annotated[Any, BeforeValidator(_iso_date)] = None
    resources: Annotated[list[Resource], Field(min_length=1)]
    region_note: Text | None = None

"""The schemas of ``facilitator/sessions/``: session plans, formats and agreements."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    model_validator,
)

from .fields import (
    LessonId,
    Slug,
    Text,
    Texts,
    Whole,
    _distinct,
    _Model,
)

SegmentKind = Literal["welcome", "check-in", "agreements", "teaching", "pairs", "small-groups",
                      "activity", "comprehension-check", "break", "logistics", "grounding"]


class Segment(_Model):
    name: Text
    minutes: Whole
    kind: SegmentKind


class FormatSlot(_Model):
    session: Whole
    minutes: Whole
    segments: Annotated[list[Segment], Field(min_length=1)]
    comprehension_check: Text | None = None
    notes: list[Text] = []


class Discussion(_Model):
    pairs: Texts
    small_groups: Texts


class Activity(_Model):
    name: Text
    instructions: Text


class Grounding(_Model):
    name: Text
    steps: Texts


class LikelyQuestion(_Model):
    question: Text
    answer: Text


class Misconception(_Model):
    belief: Text
    correction: Text


class SensitiveMoment(_Model):
    moment: Text
    response: Text


class FacilitatorNotes(_Model):
    likely_questions: Annotated[list[LikelyQuestion], Field(min_length=1)]
    misconceptions: Annotated[list[Misconception], Field(min_length=1)]
    sensitive_moments: Annotated[list[SensitiveMoment], Field(min_length=1)]


class SessionPlanFile(_Model):
    lesson: LessonId
    objectives: Texts
    check_in: Text
    teaching_points: Texts
    discussion: Discussion
    activities: Annotated[list[Activity], Field(min_length=1)]
    comprehension_check: Text
    grounding: Grounding
    facilitator_notes: FacilitatorNotes
    formats: dict[Slug, FormatSlot]


class Format(_Model):
    id: Slug
    title: Text
    session_minutes: Whole
    sessions: Whole
    summary: Text


class FormatsFile(_Model):
    formats: Annotated[list[Format], Field(min_length=1)]

    @model_validator(mode="after")
    def _ids(self):
        _distinct((f.id for f in self.formats), "the format id", "give each format its own id")
        return self


class Agreement(_Model):
    title: Text
    text: Text


class AgreementsFile(_Model):
    agreements: Annotated[list[Agreement], Field(min_length=1)]

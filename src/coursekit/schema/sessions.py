"""The schemas of ``facilitator/sessions/``: session plans, formats and agreements."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

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


#: The sheets every build prints (``handouts/<sheet>.pdf``) that a material may name, besides
#: the activity's own card set.
STANDING_SHEETS = ("support", "content-notes", "jupyter-in-five-minutes")


class Material(_Model):
    """Something an activity needs in the room; ``sheet`` names a page ``make handouts`` prints."""

    item: Text
    sheet: Slug | None = None


class CardSet(_Model):
    """Cards to print and cut out for an activity (``make handouts`` builds the sheet)."""

    sheet: Slug
    title: Text
    instructions: Text
    headings: Texts
    cards: Annotated[list[Text], Field(min_length=2)]

    @model_validator(mode="after")
    def _distinct_cards(self):
        _distinct(self.cards, "cards: the card", "give each card its own text")
        _distinct(self.headings, "headings: the heading", "give each heading once")
        return self


class Activity(_Model):
    name: Text
    instructions: Text
    materials: list[Material] = []
    cards: CardSet | None = None

    @model_validator(mode="after")
    def _materials_are_built(self):
        own = self.cards.sheet if self.cards else None
        for m in self.materials:
            if m.sheet is not None and m.sheet not in (*STANDING_SHEETS, own):
                known = ", ".join(x for x in (*STANDING_SHEETS, own) if x)
                raise PydanticCustomError(
                    "coursekit", "materials: the sheet {sheet} is not one `make handouts` builds; "
                    "use one of {known}, or add it as this activity's cards:",
                    {"sheet": repr(m.sheet), "known": known})
        if own and not any(m.sheet == own for m in self.materials):
            raise PydanticCustomError(
                "coursekit", "the activity has cards ({sheet}) that its materials do not list; "
                "add a material with sheet: {sheet}", {"sheet": own})
        return self


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

"""The schema of ``assets/lessons/NN.yml``: a lesson's metadata and its prompts."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import (
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .fields import (
    LessonId,
    PromptId,
    ReadingId,
    Slug,
    Text,
    Texts,
    Whole,
    _distinct,
    _Model,
    _short,
)


class _Prompt(_Model):
    id: PromptId
    text: Text


class TextPrompt(_Prompt):
    kind: Literal["text"] = "text"


class RatingPrompt(_Prompt):
    kind: Literal["rating"]
    low: Text = "not at all"
    high: Text = "very much"
    scale: Annotated[int, Field(strict=True, ge=2, le=10)] = 5


class ChecklistPrompt(_Prompt):
    kind: Literal["checklist"]
    items: Texts


#: ``categories: evidence`` sorts into the labels of the course's evidence scale.
EVIDENCE_SCALE = "evidence"


class SortModelEntry(_Model):
    """One statement's place in a sort's model reasoning (shown once the learner has sorted)."""

    category: Text
    why: Text


class SortPrompt(_Prompt):
    kind: Literal["sort"]
    statements: Texts
    categories: Any
    model: list[SortModelEntry] | None = None

    @model_validator(mode="after")
    def _model_fits(self):
        if self.model is None:
            return self
        if len(self.model) != len(self.statements):
            raise PydanticCustomError(
                "coursekit", "model: gives {got} entries for {want} statements; give one entry "
                "per statement, in the order of statements:",
                {"got": len(self.model), "want": len(self.statements)})
        if isinstance(self.categories, list):
            for n, entry in enumerate(self.model, 1):
                if entry.category not in self.categories:
                    raise PydanticCustomError(
                        "coursekit", "model: entry {n} has category {cat}, which is not one of "
                        "the categories; use one of them", {"n": n, "cat": repr(entry.category)})
        return self

    @field_validator("categories", mode="plain")
    @classmethod
    def _categories(cls, value: Any) -> Any:
        if value == EVIDENCE_SCALE:
            return value
        if (not isinstance(value, list) or len(value) < 2
                or not all(isinstance(c, str) and c.strip() for c in value)):
            raise PydanticCustomError(
                "coursekit_field", "should be a list of at least two categories (text), or "
                "evidence for the course's evidence scale, not {value}", {"value": _short(value)})
        _distinct(value, "the category", "give each category once")
        return value


def _prompt_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("kind", "text")
    return None


Prompt = Annotated[
    Union[  # noqa: UP007 (pydantic's tagged union)
        Annotated[TextPrompt, Tag("text")],
        Annotated[RatingPrompt, Tag("rating")],
        Annotated[ChecklistPrompt, Tag("checklist")],
        Annotated[SortPrompt, Tag("sort")],
    ],
    Discriminator(_prompt_kind),
]


class ClaimEntry(_Model):
    """A statement with who says it (coursekit.provenance checks the speakers)."""
    text: Text
    said_by: list[str]
    label: str | None = None
    speaks_for: list[str] | None = None
    study: str | None = None


class EvidenceRowEntry(_Model):
    """One row of an evidence table: a claim, its support and kind, with who makes it."""
    claim: Text
    support: Text
    said_by: list[str]
    label: str
    kind: str | None = None
    study: str | None = None


class EvidenceTableEntry(_Model):
    """An evidence table (coursekit.evidencetable renders it; provenance checks each row)."""
    rows: list[EvidenceRowEntry] = Field(min_length=1)
    claim_column: str | None = None
    support_column: str | None = None
    who_column: str | None = None


class LessonFile(_Model):
    id: LessonId
    slug: Slug
    title: Text
    minutes: Whole
    content_note: Text
    reading: ReadingId | None = None
    reading_parts: list[Whole] = []
    questions: Texts
    objectives: Texts
    key_points: list[Text | ClaimEntry]
    comparisons: list[ClaimEntry] = []
    evidence: list[EvidenceTableEntry] = []
    prompts: list[Prompt] = []
    beliefs: list[Text] = []

    @model_validator(mode="after")
    def _cross(self):
        _distinct((p.id for p in self.prompts), "the prompt id", "give each prompt its own id")
        if self.reading_parts and self.reading is None:
            raise PydanticCustomError("coursekit", "reading_parts is given but the lesson has no "
                                      "reading; add reading: or remove reading_parts", {})
        _distinct(self.reading_parts, "the reading part", "list each part once")
        return self

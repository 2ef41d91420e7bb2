"""The schema of ``assets/questions/NN.yml``: a lesson's question bank."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import (
    Discriminator,
    Field,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .fields import (
    LessonId,
    OptionId,
    QuestionId,
    Text,
    Whole,
    _distinct,
    _Model,
)


class Option(_Model):
    id: OptionId
    text: Text
    correct: bool = False
    feedback: str = ""
    misconception: str = ""

    @model_validator(mode="after")
    def _wrong_names_misconception(self):
        if not self.correct and not self.misconception.strip():
            raise PydanticCustomError(
                "coursekit", "wrong option {option} names no misconception; add misconception: "
                "(what choosing it reveals) or mark it correct: true", {"option": repr(self.id)})
        return self


class _Question(_Model):
    id: QuestionId
    prompt: Text
    points: Whole = 1
    explanation: Text
    said_by: list[str] = []  # who says what the explanation reports (coursekit.provenance)
    label: str | None = None
    speaks_for: list[str] | None = None
    study: str | None = None


class _Choice(_Question):
    options: Annotated[list[Option], Field(min_length=2)]
    #: Another fixed (seeded) order of the options shown, when the default one is unfair.
    shuffle: Annotated[int, Field(strict=True, ge=0)] = 0

    def _correct(self) -> int:
        _distinct((o.id for o in self.options), "the option id", "give each option its own letter")
        return sum(o.correct for o in self.options)


class SingleQuestion(_Choice):
    type: Literal["single"]

    @model_validator(mode="after")
    def _one_correct(self):
        n = self._correct()
        if n != 1:
            raise PydanticCustomError(
                "coursekit", "options: a single-choice question has {n} correct options; mark "
                "exactly one option correct: true (or use type: multiple)", {"n": n})
        return self


class MultipleQuestion(_Choice):
    type: Literal["multiple"]

    @model_validator(mode="after")
    def _some_correct(self):
        if self._correct() < 1:
            raise PydanticCustomError("coursekit", "options: a multiple-choice question has no "
                                      "correct option; mark at least one correct: true", {})
        return self


class TrueFalseQuestion(_Question):
    type: Literal["true_false"]
    answer: bool
    misconception: Text


class Pair(_Model):
    left: Text
    right: Text


class MatchingQuestion(_Question):
    type: Literal["matching"]
    pairs: Annotated[list[Pair], Field(min_length=2)]
    misconception: Text

    @model_validator(mode="after")
    def _distinct_pairs(self):
        _distinct((p.left for p in self.pairs), "pairs: the left item", "make every item distinct")
        _distinct((p.right for p in self.pairs), "pairs: the right item",
                  "make every item distinct")
        return self


class OrderingQuestion(_Question):
    type: Literal["ordering"]
    items: Annotated[list[Text], Field(min_length=2)]
    misconception: Text

    @model_validator(mode="after")
    def _distinct_items(self):
        _distinct(self.items, "items: the text", "make every item distinct")
        return self


class ShortQuestion(_Question):
    type: Literal["short"]
    explanation: Text | None = None  # type: ignore[assignment]
    rubric: Text


def _question_type(value: Any) -> str | None:
    return value.get("type") if isinstance(value, dict) else None


Question = Annotated[
    Union[  # noqa: UP007
        Annotated[SingleQuestion, Tag("single")],
        Annotated[MultipleQuestion, Tag("multiple")],
        Annotated[TrueFalseQuestion, Tag("true_false")],
        Annotated[MatchingQuestion, Tag("matching")],
        Annotated[OrderingQuestion, Tag("ordering")],
        Annotated[ShortQuestion, Tag("short")],
    ],
    Discriminator(_question_type),
]


class QuestionBankFile(_Model):
    lesson: LessonId
    questions: list[Question] | None = None

    @model_validator(mode="after")
    def _ids(self):
        qs = self.questions or []
        _distinct((q.id for q in qs), "the question id", "give every question its own id",
                  verb="is used by another question in this file")
        _distinct((q.id.replace("-", "_") for q in qs), "the answer variable",
                  "make the question ids differ in more than - and _")
        return self

"""The field types every schema shares (ids, slugs, text), the strict base model, and
``_distinct``, which refuses a value given twice."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)
from pydantic_core import PydanticCustomError


def _pattern(regex: str, what: str, example: str) -> Callable[[Any], Any]:
    compiled = re.compile(regex)

    def check_value(value: Any) -> Any:
        if not isinstance(value, str):
            raise PydanticCustomError(
                "coursekit_field", "should be {what} in quotes (e.g. {example}), not {value}",
                {"value": repr(value), "what": what, "example": example})
        if not compiled.fullmatch(value):
            raise PydanticCustomError(
                "coursekit_field", "is {value}, which is not {what}; write e.g. {example}",
                {"value": repr(value), "what": what, "example": example})
        return value

    return check_value


def _non_empty(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("coursekit_field", "is empty; write the text", {})
    return value


Text = Annotated[str, Field(strict=True), AfterValidator(_non_empty)]
LessonId = Annotated[str, BeforeValidator(_pattern(r"\d\d", 'a two-digit lesson id', '"01"'))]
ReadingId = Annotated[str, BeforeValidator(_pattern(r"\d\d\d", "a three-digit reading id",
                                                    '"000"'))]
Slug = Annotated[str, BeforeValidator(_pattern(r"[a-z0-9]+(?:-[a-z0-9]+)*",
                                               "lowercase words and hyphens", "trauma-bond"))]
PromptId = Annotated[str, BeforeValidator(_pattern(
    r"[a-z0-9]+(?:[-.][a-z0-9]+)*", "lowercase words joined by hyphens or dots",
    "regression.which-kind"))]
QuestionId = Annotated[str, BeforeValidator(_pattern(
    r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*", "lowercase words joined by hyphens", "three-kinds"))]
OptionId = Annotated[str, BeforeValidator(_pattern(r"[a-z]", "a single lowercase letter", '"a"'))]
Whole = Annotated[int, Field(strict=True, gt=0)]
Texts = Annotated[list[Text], Field(min_length=1)]

def _distinct(values: Iterable[Any], what: str, fix: str, *, verb: str = "is used twice") -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise PydanticCustomError("coursekit", "{what} {value} {verb}; {fix}",
                                      {"what": what, "value": repr(value), "fix": fix,
                                       "verb": verb})
        seen.add(value)


class _Model(BaseModel):
    # defer_build: a lesson builds only the schemas it uses (its start-up stays short)
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)



def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."

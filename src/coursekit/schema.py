"""Typed schemas for every course data file, and the one validation pass over them.

Each YAML file in ``assets/`` and ``facilitator/sessions/`` has a pydantic model here
(strict: ``01`` is not ``"01"``, unknown fields are refused, so a misspelt field is
caught instead of silently ignored). :func:`check` validates one parsed document and
raises a :class:`~coursekit.errors.ContentError` (or the subclass a loader asks for)
whose message is one sentence: the file, the place (``prompt 2 ('therapy.comparison'):
low``), what is wrong and how to fix it. :func:`validate_all` runs every schema over
the whole kit plus the checks that span files (a lesson's reading exists, a term's
``see_also`` names a term, ...) and returns every problem; ``coursekit lessons lint``,
the test suite and every build command run it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .errors import ContentError

__all__ = [
    "SCHEMAS",
    "check",
    "describe_errors",
    "require_valid",
    "validate_all",
]

# -- field types ------------------------------------------------------------------------------


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


# -- assets/lessons/NN.yml ----------------------------------------------------------------------


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


# -- assets/questions/NN.yml --------------------------------------------------------------------


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


# -- glossary, references, readings, course, support --------------------------------------------


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


# -- facilitator/sessions/ ----------------------------------------------------------------------

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


#: Every kind of data file, by the name the loaders pass to :func:`check`.
SCHEMAS: dict[str, type[_Model]] = {
    "lesson": LessonFile,
    "questions": QuestionBankFile,
    "glossary": GlossaryFile,
    "references": ReferencesFile,
    "readings": ReadingsFile,
    "evidence": EvidenceFile,
    "course": CourseFile,
    "support": SupportFile,
    "session-plan": SessionPlanFile,
    "formats": FormatsFile,
    "agreements": AgreementsFile,
}

# -- messages ---------------------------------------------------------------------------------

#: Singular names for the items of a list field, used to say "prompt 2" not "prompts[1]".
_ITEM = {"prompts": "prompt", "questions": "question", "options": "option", "terms": "term",
         "references": "reference", "readings": "reading", "parts": "part",
         "resources": "resource", "segments": "segment", "activities": "activity",
         "formats": "format", "agreements": "agreement", "pairs": "pairs item", "items": "item",
         "statements": "statement", "categories": "category", "likely_questions": "question",
         "misconceptions": "misconception", "sensitive_moments": "moment", "steps": "step",
         "reading_parts": "part", "objectives": "objective", "key_points": "key point",
         "beliefs": "belief", "teaching_points": "teaching point", "small_groups": "prompt",
         "lessons": "lesson", "see_also": "entry", "used_in": "entry", "notes": "note"}
_LABEL_KEYS = ("id", "slug", "name", "title")
_TAGS = {"text", "rating", "checklist", "sort", "single", "multiple", "true_false", "matching",
         "ordering", "short"}
_KIND_NAMES = {"int": "a whole number", "str": "text", "list": "a list", "dict": "a mapping",
               "bool": "true or false", "float": "a number", "NoneType": "empty"}


def _kind(value: Any) -> str:
    return _KIND_NAMES.get(type(value).__name__, type(value).__name__)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _walk(loc: tuple, data: Any) -> tuple[str, str]:
    """(where in the file, what the last step names) for a pydantic error location.

    ``('prompts', 1, 'rating', 'low')`` gives ``("prompt 2 ('therapy.comparison')", "'low'")``;
    mapping keys stay dotted (``formats.classroom``); an item of a list of plain values is
    ``item 2 of 'objectives'``."""
    parts: list[str] = []
    dotted: list[str] = []
    node = data
    last = ""
    for i, step in enumerate(loc):
        if isinstance(step, int):
            plural = dotted.pop() if dotted else ""
            if dotted:
                parts.append(".".join(dotted))
            dotted = []
            node = node[step] if isinstance(node, list) and step < len(node) else None
            if isinstance(node, dict):
                name = _ITEM.get(plural, "item")
                label = next((node[k] for k in _LABEL_KEYS if isinstance(node.get(k), str)), None)
                last = f"{name} {step + 1}" + (f" ({label!r})" if label else "")
            else:
                last = f"item {step + 1} of {plural!r}" if plural else f"item {step + 1}"
            parts.append(last)
            continue
        if step in _TAGS and i > 0 and isinstance(loc[i - 1], int):
            continue  # the tagged-union member name pydantic puts in the location
        dotted.append(str(step))
        last = repr(str(step))
        node = node.get(step) if isinstance(node, dict) else None
    if dotted:
        parts.append(".".join(dotted))
    return ": ".join(parts), last


def _one(error: dict, data: Any) -> str:
    loc = tuple(error.get("loc", ()))
    while loc and loc[-1] in _TAGS and len(loc) > 1 and isinstance(loc[-2], int):
        loc = loc[:-1]
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    parent, _ = _walk(loc[:-1], data) if loc else ("", "")
    place, subject = _walk(loc, data) if loc else ("", "the file")
    if loc and isinstance(loc[-1], str):
        place, subject = parent, f"the field {loc[-1]!r}"
    elif loc:
        place = place[: -len(subject)].rstrip(": ")
    text: str
    if kind == "missing":
        text = f"{subject} is missing; add it"
    elif kind == "misspelt":
        text = (f"{subject} is not allowed here; did you mean {ctx['meant']!r} (which is "
                "missing)? Fix the spelling")
    elif kind == "extra_forbidden":
        allowed = ctx.get("allowed")
        text = (f"{subject} is not allowed here; remove it or fix its spelling"
                + (f" (allowed here: {allowed})" if allowed else ""))
    elif kind == "coursekit":
        place, _ = _walk(loc, data)
        text = error["msg"]
    elif kind == "coursekit_field":
        text = f"{subject} {error['msg']}"
    elif kind in ("union_tag_invalid", "literal_error"):
        got = ctx.get("tag", value)
        expected = str(ctx.get("expected_tags") or ctx.get("expected", "")).replace("'", "")
        field = "kind" if "_prompt_kind" in str(ctx.get("discriminator", "")) else (
            "type" if "discriminator" in ctx else "")
        if field:
            place, _ = _walk(loc, data)
            subject = f"the field {field!r}"
        text = f"{subject}: {got!r} is not one of the allowed values; it should be one of {expected}"
    elif kind == "union_tag_not_found":
        place = _walk(loc, data)[0]
        field = "kind" if "_prompt_kind" in str(ctx.get("discriminator", "")) else "type"
        if isinstance(value, dict):
            text = f"the field {field!r} is missing; add it"
        else:
            place = _walk(loc[:-1], data)[0] if loc and isinstance(loc[-1], int) else place
            text = (f"{subject} should be a mapping of fields (id, {field}, ...), not "
                    f"{_kind(value)} ({_short(value)})")
    elif kind in _WANTED:
        text = f"{subject} should be {_WANTED[kind]}, not {_kind(value)} ({_short(value)})"
        if kind == "string_type" and isinstance(value, (int, float, bool)):
            text += "; put it in quotes"
    elif kind == "greater_than":
        text = f"{subject} should be above {ctx.get('gt')}, not {_short(value)}"
    elif kind in ("greater_than_equal", "less_than_equal"):
        bound = "at least" if kind == "greater_than_equal" else "at most"
        text = f"{subject} should be {bound} {ctx.get('ge', ctx.get('le'))}, not {_short(value)}"
    elif kind == "too_short":
        need = ctx.get("min_length")
        text = f"{subject} needs at least {need} item{'s' if need != 1 else ''}; add them"
    elif kind == "value_error":
        text = f"{subject}: {ctx.get('error', error['msg'])}"
    else:
        text = f"{subject}: {error['msg']}"
    return f"{place}: {text}" if place else text


_WANTED = {"string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number",
           "bool_type": "true or false", "bool_parsing": "true or false",
           "list_type": "a list (lines starting with -)", "dict_type": "a mapping of fields",
           "model_type": "a mapping of fields", "model_attributes_type": "a mapping of fields",
           "float_type": "a number"}


def _misspelt(errors: list[dict]) -> list[dict]:
    """A misspelt field is two errors (the right one missing, the wrong one unknown): make
    it one, the unknown field's, that names the field it probably meant."""
    import difflib

    missing = {tuple(e["loc"]): e for e in errors if e["type"] == "missing"}
    out, used = [], set()
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "extra_forbidden" and loc and isinstance(loc[-1], str):
            parent = loc[:-1]
            wanted = [k[-1] for k in missing if k[:-1] == parent and isinstance(k[-1], str)]
            close = difflib.get_close_matches(loc[-1], wanted, n=1, cutoff=0.6)
            if close:
                used.add((*parent, close[0]))
                error = {**error, "type": "misspelt", "ctx": {"meant": close[0]}}
        out.append(error)
    return [e for e in out if tuple(e["loc"]) not in used or e["type"] != "missing"]


def _model_at(model: Any, loc: tuple) -> type[BaseModel] | None:
    """The model class at ``loc`` inside ``model`` (through lists, optionals, mappings and
    tagged unions, whose member pydantic names in the location), if there is one."""
    import typing

    def models_in(annotation: Any) -> list[Any]:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return [annotation]
        return [m for arg in typing.get_args(annotation) for m in models_in(arg)]

    current: list[Any] = [model]
    for step in loc:
        if isinstance(step, int):
            continue
        tagged = [m for m in current if _tag_of(m) == step]
        if tagged:  # the member of a tagged union pydantic names in the location
            current = tagged
            continue
        found = [found_model for m in current if step in getattr(m, "model_fields", {})
                 for found_model in models_in(m.model_fields[step].annotation)]
        if not found and not any(step in getattr(m, "model_fields", {}) for m in current):
            continue  # a key of a mapping (e.g. formats.series): the same models go on
        current = found
        if not current:
            return None
    if len(current) > 1:
        return None
    return current[0] if current else None


def _tag_of(model: Any) -> str | None:
    for name in ("kind", "type"):
        field = getattr(model, "model_fields", {}).get(name)
        if field is not None:
            args = getattr(field.annotation, "__args__", ())
            if len(args) == 1 and isinstance(args[0], str):
                return args[0]
    return None


def describe_errors(exc: ValidationError, data: Any, path: Path | str,
                    model: type[BaseModel] | None = None) -> list[str]:
    """Every error of ``exc`` as one sentence naming the file and the place."""
    out = []
    for error in _misspelt(exc.errors(include_url=False)):
        if error["type"] == "extra_forbidden" and model is not None:
            known = _model_at(model, tuple(error["loc"])[:-1])
            if known is not None:
                error = {**error, "ctx": {"allowed": ", ".join(known.model_fields)}}
        out.append(f"{path}: {_one(error, data)}")
    return list(dict.fromkeys(out))


def check(kind: str, data: Any, path: Path | str, *, error: type[ContentError] = ContentError):
    """Validate the parsed document ``data`` of ``path`` against the schema ``kind``.

    Returns the validated model; raises ``error`` with one sentence (and a count of any
    further problems, which ``coursekit lessons lint`` lists) when it does not fit."""
    model = SCHEMAS[kind]
    if data is None:
        data = {}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = describe_errors(exc, data, path, model)
        more = len(problems) - 1
        tail = (f" ({more} more problem{'s' if more > 1 else ''} in this file: run "
                "`coursekit lessons lint` to list them)") if more else ""
        raise error(problems[0] + tail) from None


# -- the whole kit ----------------------------------------------------------------------------


def _folders(root: Path | None) -> tuple[Path, Path]:
    """(assets/, facilitator/sessions/) of ``root``, or of the kit in use."""
    if root is not None:
        return root / "assets", root / "facilitator" / "sessions"
    from . import config
    from .errors import ConfigError

    try:
        sessions = config.kit_root() / "facilitator" / "sessions"
    except ConfigError:  # an installed wheel: its assets, and no facilitator folder
        sessions = Path("/nonexistent")
    return config.assets_dir(), sessions


def _files(root: Path | None) -> list[tuple[str, Path]]:
    assets, sessions = _folders(root)
    found: list[tuple[str, Path]] = []
    found += [("lesson", p) for p in sorted((assets / "lessons").glob("*.yml"))]
    found += [("questions", p) for p in sorted((assets / "questions").glob("*.yml"))]
    for kind in ("glossary", "references", "readings", "evidence", "course", "support"):
        if (assets / f"{kind}.yml").exists() or kind not in ("glossary", "references"):
            found.append((kind, assets / f"{kind}.yml"))
    if sessions.is_dir():
        found += [("session-plan", p) for p in sorted(sessions.glob("[0-9][0-9].yml"))]
        found += [("formats", sessions / "formats.yml"), ("agreements", sessions / "agreements.yml")]
    return found


def validate_all(root: Path | None = None) -> list[str]:
    """Every problem in the kit's data files, one sentence each (empty: all valid)."""
    from . import yamlio

    root = Path(root) if root is not None else None
    problems: list[str] = []
    models: dict[tuple[str, Path], Any] = {}
    for kind, path in _files(root):
        try:
            data = yamlio.load_file(path)
        except ContentError as exc:
            problems.append(str(exc))
            continue
        try:
            models[(kind, path)] = SCHEMAS[kind].model_validate({} if data is None else data)
        except ValidationError as exc:
            problems.extend(describe_errors(exc, data, path, SCHEMAS[kind]))
    lesson_files = {p.stem for kind, p in _files(root) if kind == "lesson"}
    problems.extend(_across(models, lesson_files))
    return problems


def _across(models: dict[tuple[str, Path], Any], known: set[str]) -> list[str]:
    """The checks that span files: ids match file names, references resolve. ``known`` is
    every lesson with a metadata file (valid or not, so one mistake is reported once)."""
    problems = []
    lessons = {p.stem: m for (k, p), m in models.items() if k == "lesson"}
    lesson_paths = {p.stem: p for (k, p) in models if k == "lesson"}
    readings = next((m for (k, _), m in models.items() if k == "readings"), None)
    readings_path = next((p for (k, p) in models if k == "readings"), "assets/readings.yml")
    by_reading = {r.id: r for r in readings.readings} if readings else {}
    scale = next((m for (k, _), m in models.items() if k == "evidence"), None)
    for stem, info in lessons.items():
        path = lesson_paths[stem]
        if info.id != stem:
            problems.append(f"{path}: id {info.id!r} does not match the file name; write "
                            f'id: "{stem}" or rename the file')
        if info.reading is not None and readings is not None:
            reading = by_reading.get(info.reading)
            if reading is None:
                problems.append(f"{path}: reading {info.reading!r} is not in {readings_path}; "
                                "use one of " + ", ".join(sorted(by_reading)))
            else:
                numbers = {p.number for p in reading.parts}
                bad = [n for n in info.reading_parts if n not in numbers]
                if bad:
                    has = ", ".join(str(n) for n in sorted(numbers)) or "none"
                    problems.append(f"{path}: reading_parts lists part {bad[0]}, which reading "
                                    f"{info.reading} does not have (its parts: {has})")
    for (kind, path), model in models.items():
        if kind == "questions":
            if model.lesson != path.stem:
                problems.append(f"{path}: lesson {model.lesson!r} does not match the file name; "
                                f'write lesson: "{path.stem}"')
            elif known and path.stem not in known:
                problems.append(f"{path}: there is no lesson {path.stem} in assets/lessons/; "
                                "add its metadata or remove this bank")
        elif kind == "session-plan" and model.lesson != path.stem:
            problems.append(f"{path}: lesson {model.lesson!r} does not match the file name; "
                            f'write lesson: "{path.stem}"')
        if kind == "references" and scale is not None:
            allowed = {evidence_key(x) for level in scale.levels for x in (level.id, level.label)}
            for ref in model.references or []:
                if ref.kind != "reading" and evidence_key(ref.kind) not in allowed:
                    labels = ", ".join(level.label for level in scale.levels)
                    problems.append(f"{path}: reference {ref.id!r}: kind {ref.kind!r} should be "
                                    f"'reading' or a kind of support on the evidence scale "
                                    f"({labels}; see assets/evidence.yml)")
        if kind in ("glossary", "references") and known:
            items = (model.terms if kind == "glossary" else model.references) or []
            for item in items:
                ids = item.lessons if kind == "glossary" else item.used_in
                missing = [x for x in ids if x not in known]
                if missing:
                    label = item.slug if kind == "glossary" else item.id
                    problems.append(f"{path}: {label!r} names lesson {missing[0]}, which the "
                                    "course does not have; use an id from assets/lessons/")
        elif kind == "readings" and known:
            for r in model.readings:
                missing = [x for x in r.lessons if x not in known]
                if missing:
                    problems.append(f"{path}: reading {r.id!r} names lesson {missing[0]}, which "
                                    "the course does not have; use an id from assets/lessons/")
    return problems


def require_valid(root: Path | None = None) -> None:
    """Raise a ContentError with the first problem (and how many more) unless the kit's data
    files are all valid: every build command calls this first."""
    problems = validate_all(root)
    if problems:
        more = len(problems) - 1
        tail = (f" ({more} more problem{'s' if more > 1 else ''}: run `coursekit lessons lint` "
                "to list them all)") if more else ""
        raise ContentError(problems[0] + tail)

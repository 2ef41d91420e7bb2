"""Pydantic's validation errors as one sentence each, naming the file and the place
(``prompt 2 ('therapy.comparison'): low``), what is wrong and how to fix it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ValidationError,
)

from .fields import (
    _short,
)

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

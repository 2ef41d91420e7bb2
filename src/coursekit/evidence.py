"""The course's evidence scale (``assets/evidence.yml``): each kind of support defined once.

Lesson tables, evidence sorts, bank questions, session plans and references use these
labels; :func:`label` turns any spelling of one into its canonical form and raises a
:class:`ContentError` naming the unknown label and the defined ones otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import config, validation, yamlio
from .errors import ContentError

#: The value a sort prompt gives as ``categories:`` to sort into the scale's labels.
SCALE = "evidence"


@dataclass(frozen=True)
class Level:
    id: str
    label: str
    definition: str
    example: str = ""


@dataclass(frozen=True)
class Scale:
    intro: str
    levels: tuple[Level, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(x.label for x in self.levels)

    def find(self, text: str) -> Level | None:
        key = _key(text)
        for level in self.levels:
            if key in (_key(level.label), _key(level.id)):
                return level
        return None

    def label(self, text: str, where: str = "") -> str:
        """The canonical label for ``text`` (any case, spacing or hyphens)."""
        level = self.find(text)
        if level is None:
            at = f"{where}: " if where else ""
            raise ContentError(
                f"{at}{text!r} is not a kind of support on the course's evidence scale; use one "
                f"of {', '.join(self.labels)} (defined in assets/evidence.yml)")
        return level.label


def _key(text: str) -> str:
    return re.sub(r"[\s_-]+", " ", str(text)).strip().lower()


def _text(raw: dict, field: str, where: str) -> str:
    value = raw.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{where}: the field {field!r} is missing or empty; add it")
    return " ".join(value.split())


def load(source: Path | None = None) -> Scale:
    source = source or config.assets_dir() / "evidence.yml"
    return _load(source, source.stat().st_mtime_ns if source.exists() else 0)


@lru_cache(maxsize=4)
def _load(source: Path, stamp: int) -> Scale:
    if not source.exists():
        raise ContentError(f"{source} is missing; it defines the course's evidence scale")
    data = yamlio.load_file(source)
    validation.validate("evidence", data, source)
    if not isinstance(data, dict) or not isinstance(data.get("levels"), list):
        raise ContentError(f"{source} should have intro: and a list of levels:")
    levels: list[Level] = []
    for i, raw in enumerate(data["levels"], 1):
        where = f"{source}: level {i}"
        if not isinstance(raw, dict):
            raise ContentError(f"{where} should be a mapping with id, label and definition")
        level = Level(_text(raw, "id", where), _text(raw, "label", where),
                      _text(raw, "definition", where), " ".join(str(raw.get("example") or "").split()))
        if any(_key(level.label) == _key(x.label) or level.id == x.id for x in levels):
            raise ContentError(f"{where}: the label {level.label!r} or id {level.id!r} is used twice")
        levels.append(level)
    if len(levels) < 2:
        raise ContentError(f"{source}: the scale needs at least two levels")
    return Scale(" ".join(str(data.get("intro") or "").split()), tuple(levels))


def labels() -> tuple[str, ...]:
    return load().labels


def label(text: str, where: str = "") -> str:
    return load().label(text, where)

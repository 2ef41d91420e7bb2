"""Reading the kit's YAML files: safe loading, with libyaml's C parser when present.

The C parser is several times faster than the pure-Python one, which matters because
a lesson reads its metadata and question bank as it starts. Only the parsing is done in
C; building Python objects is PyYAML's Python constructor either way, so refusing a key
given twice (which plain YAML loading silently lets the last one win) costs nothing
noticeable and keeps the C parser.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode

from .errors import ContentError

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE = "tag:yaml.org,2002:merge"


class DuplicateKeyError(ConstructorError):
    """One mapping in a YAML document gives the same key twice."""

    def __init__(self, key: Any, first: yaml.Mark, second: yaml.Mark):
        super().__init__(None, None, f"the key {key!r} appears twice in one mapping (lines "
                         f"{first.line + 1} and {second.line + 1})", second)
        self.key = key


class SafeLoader(_Base):  # type: ignore[misc, valid-type]
    """:class:`yaml.SafeLoader` (the C parser when available) that refuses duplicate keys."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict:
        # PyYAML's own construct_mapping, with each key built once and checked: keys a
        # merge (<<: *anchor) brings in may be overridden; a key written twice may not.
        if not isinstance(node, MappingNode):
            return super().construct_mapping(node, deep=deep)
        own = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE)
        self.flatten_mapping(node)
        first_own = len(node.value) - own
        mapping: dict = {}
        seen: dict[Any, yaml.Mark] = {}
        for i, (key_node, value_node) in enumerate(node.value):
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                raise ConstructorError("while constructing a mapping", node.start_mark,
                                       "found unhashable key", key_node.start_mark)
            if i >= first_own:
                if key in seen:
                    raise DuplicateKeyError(key, seen[key], key_node.start_mark)
                seen[key] = key_node.start_mark
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


def safe_load(text: str) -> Any:
    """Like :func:`yaml.safe_load` (same errors), with the C parser when available, and
    a :class:`DuplicateKeyError` (a ``yaml.YAMLError``) for a key given twice."""
    return yaml.load(text, Loader=SafeLoader)


def describe(exc: yaml.YAMLError) -> str:
    """A YAML error as one short clause: where (line and column) and what is wrong."""
    if isinstance(exc, DuplicateKeyError):
        return f"{exc.problem}; keep one of them (YAML would silently use the last)"
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    detail = f"{problem} ({context})" if context else problem
    return f"{where}{detail}"


def load_file(path: Path) -> Any:
    """The YAML document in ``path``; any reason it cannot be read is a ContentError that
    names the file, the line and the fix."""
    try:
        return safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContentError(
            f"{path} cannot be read as YAML ({describe(exc)}); fix it, or restore it with "
            "git checkout"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(
            f"{path} cannot be read as YAML ({exc}); fix it, or restore it with git checkout"
        ) from exc

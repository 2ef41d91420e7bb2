"""Reading the kit's YAML files: safe loading, with libyaml's C parser when present.

The C parser is several times faster than the pure-Python one, which matters because
a lesson reads its metadata and question bank as it starts. Only the parsing is done in
C; building Python objects is PyYAML's Python constructor either way, so refusing a key
given twice (which plain YAML loading silently lets the last one win) costs nothing
noticeable and keeps the C parser.

A file of the kit's ``assets/`` whose exact text is in the data bundle
(:mod:`coursekit.databundle`, written by ``coursekit lessons sync``) is read from there
instead, so a lesson's kernel neither imports PyYAML nor parses YAML; any other text
(a facilitator's edit, say) is parsed here as usual. ``SafeLoader`` and
``DuplicateKeyError`` are built on first use, when PyYAML is imported.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import databundle
from .errors import ContentError

_MERGE = "tag:yaml.org,2002:merge"


@lru_cache(maxsize=1)
def _classes() -> tuple[type, type]:
    import yaml
    from yaml.constructor import ConstructorError
    from yaml.nodes import MappingNode

    class DuplicateKeyError(ConstructorError):
        """One mapping in a YAML document gives the same key twice."""

        def __init__(self, key: Any, first: yaml.Mark, second: yaml.Mark):
            super().__init__(None, None, f"the key {key!r} appears twice in one mapping (lines "
                             f"{first.line + 1} and {second.line + 1})", second)
            self.key = key

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class SafeLoader(base):  # type: ignore[misc, valid-type]
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

    DuplicateKeyError.__module__ = SafeLoader.__module__ = __name__
    return SafeLoader, DuplicateKeyError


def __getattr__(name: str):
    if name == "SafeLoader":
        return _classes()[0]
    if name == "DuplicateKeyError":
        return _classes()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def safe_load(text: str) -> Any:
    """Like :func:`yaml.safe_load` (same errors), with the C parser when available, and
    a :class:`DuplicateKeyError` (a ``yaml.YAMLError``) for a key given twice."""
    import yaml

    return yaml.load(text, Loader=_classes()[0])


def parse_bytes(path: Path, raw: bytes) -> Any:
    """The document in ``raw`` (the bytes of ``path``): from the data bundle when it holds
    exactly this text, else parsed (raising ``yaml.YAMLError`` or ``UnicodeDecodeError``)."""
    found = databundle.lookup(path, raw)
    if found is not databundle.MISSING:
        return found
    return safe_load(raw.decode("utf-8"))


def describe(exc: Exception) -> str:
    """A YAML error as one short clause: where (line and column) and what is wrong."""
    if isinstance(exc, _classes()[1]):
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
        return parse_bytes(path, path.read_bytes())
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(
            f"{path} cannot be read as YAML ({exc}); fix it, or restore it with git checkout"
        ) from exc
    except Exception as exc:
        import yaml

        if not isinstance(exc, yaml.YAMLError):
            raise
        raise ContentError(
            f"{path} cannot be read as YAML ({describe(exc)}); fix it, or restore it with "
            "git checkout"
        ) from exc

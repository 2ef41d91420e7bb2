"""The references (``assets/references.yml``) and their rendered page ``assets/references.md``.

The readings come first, then the research and background sources a reading guide
cites. ``coursekit lessons sync`` writes the page; the linter checks it is current.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import config, evidence, validation, yamlio
from .errors import ContentError

#: A reference is one of the readings, or a source labelled with a kind of support from the
#: course's evidence scale (``assets/evidence.yml``): research, theory, ...
READING = "reading"


def kinds() -> dict[str, str]:
    """Every allowed ``kind:``, in page order, with the heading it gets on the page."""
    return {READING: "The readings",
            **{x.id: x.label[:1].upper() + x.label[1:] for x in evidence.load().levels}}

HEADER = (
    "<!-- Generated from assets/references.yml by `coursekit lessons sync`: edit the YAML, "
    "not this page. -->\n\n# References\n\nThe readings the course is built around (not "
    "included in the kit: they are third-party, copyrighted texts) and the research and "
    "background sources the reading guides cite.\n"
)


@dataclass(frozen=True)
class Reference:
    id: str
    citation: str
    kind: str
    used_in: tuple[str, ...]


def load(source: Path | None = None) -> dict[str, Reference]:
    source = source or config.assets_dir() / "references.yml"
    if not source.exists():
        return {}
    data = yamlio.load_file(source) or {}
    validation.validate("references", data, source)
    out: dict[str, Reference] = {}
    for i, raw in enumerate(data.get("references") or [], 1):
        rid = raw.get("id", "?") if isinstance(raw, dict) else "?"
        where = f"{source}: reference {i} ({rid})"
        if not isinstance(raw, dict):
            raise ContentError(f"{where} should be a mapping with id, citation, kind, used_in")
        for field in ("id", "citation", "kind"):
            if not str(raw.get(field) or "").strip():
                raise ContentError(f"{where}: the field {field!r} is missing or empty")
        kind = str(raw["kind"])
        if kind != READING:
            level = evidence.load().find(kind)
            if level is None:
                raise ContentError(
                    f"{where}: kind {kind!r} should be {READING!r} or a kind of support on the "
                    f"evidence scale: {', '.join(evidence.labels())} (see assets/evidence.yml)")
            kind = level.id
        if rid in out:
            raise ContentError(f"{where}: the id {rid!r} is used twice")
        used = tuple(str(x) for x in raw.get("used_in") or ())
        bad = [x for x in used if not re.fullmatch(r"\d\d", x)]
        if bad:
            raise ContentError(f"{where}: used_in should list lesson ids like \"01\", not {bad}")
        out[rid] = Reference(rid, " ".join(str(raw["citation"]).split()), kind, used)
    return out


def render(refs: dict[str, Reference]) -> str:
    parts = [HEADER]
    for kind, heading in kinds().items():
        group = [r for r in refs.values() if r.kind == kind]
        if not group:
            continue
        parts.append(f"\n## {heading}\n\n")
        for ref in sorted(group, key=lambda r: r.citation.lower().lstrip('"“')):
            lessons = f" *Lessons {', '.join(ref.used_in)}.*" if ref.used_in else ""
            parts.append(f'- <a id="{ref.id}"></a>{ref.citation}{lessons}\n')
    return "".join(parts)


def page() -> Path:
    return config.assets_dir() / "references.md"


def page_is_current() -> bool:
    return page().exists() and page().read_text(encoding="utf-8") == render(load())


def write_page() -> bool:
    if page_is_current():
        return False
    page().write_text(render(load()), encoding="utf-8")
    return True

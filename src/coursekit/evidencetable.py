"""A lesson's evidence tables (``evidence:`` in ``assets/lessons/NN.yml``), rows with speakers.

Each row of a table under "Evidence and its kind" is a claim a reading makes, what
supports it in the text and its kind on the evidence scale. In the YAML::

    evidence:
      - claim_column: Claim in the talk      # the table's column headings (defaults below)
        support_column: What supports it in the text
        who_column: Article                  # optional: a first column naming each row's speakers
        rows:
          - claim: The shared fantasy replays the mother-child bond
            support: The speaker's own framework; no cases or data
            said_by: ["000"]
            label: theory
            kind: "**theory**, untested in the talk"   # optional; starts with the label

``coursekit lessons sync`` renders the tables into the lesson's ``evidence-table`` cell. A
table without a who column names its speakers above it ("**Saeed**"), so its rows must all
have the same ``said_by``; with one, each row names its own. The provenance linter checks
every row as it checks key points (:func:`coursekit.provenance.problems`): its speakers,
its label and a research label's named study.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import ContentError

__all__ = ["EvidenceRow", "EvidenceTable", "load_tables", "render_tables"]

CLAIM_COLUMN = "Claim"
SUPPORT_COLUMN = "What supports it"
KIND_COLUMN = "Kind"


@dataclass(frozen=True)
class EvidenceRow:
    claim: str
    support: str
    said_by: tuple[str, ...]
    label: str
    kind: str = ""
    study: str | None = None

    @property
    def kind_text(self) -> str:
        return self.kind or f"**{self.label}**"


@dataclass(frozen=True)
class EvidenceTable:
    rows: tuple[EvidenceRow, ...]
    claim_column: str = CLAIM_COLUMN
    support_column: str = SUPPORT_COLUMN
    who_column: str = ""


def _text(raw: dict, key: str, where: str, *, required: bool = True) -> str:
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{where}: {key}: should be non-empty text")
    return " ".join(value.split())


def _row(raw: Any, where: str) -> EvidenceRow:
    from . import evidence

    if not isinstance(raw, dict):
        raise ContentError(f"{where} should be a mapping with claim:, support:, said_by: and "
                           "label:")
    said = raw.get("said_by") or []
    said = [said] if isinstance(said, str) else said
    if not said:
        raise ContentError(f"{where}: said_by: is missing; name the reading (or part) that "
                           "makes the claim, e.g. said_by: [001-part2]")
    label = evidence.label(_text(raw, "label", where), where)
    kind = _text(raw, "kind", where, required=False)
    if kind and not kind.startswith(f"**{label}**"):
        raise ContentError(f"{where}: kind: {kind!r} should start with the row's label in bold, "
                           f"**{label}**, so the table shows the label the linter checks")
    if label != "research" and re.search(r"\*\*research\*\*", kind or ""):
        raise ContentError(f"{where}: kind: {kind!r} shows **research** on a row labelled "
                           f"{label}; only a row labelled research (with study: naming a "
                           "research entry of assets/references.yml) may show it, so the "
                           "linter checks the study")
    return EvidenceRow(_text(raw, "claim", where), _text(raw, "support", where),
                       tuple(str(s) for s in said), label, kind, raw.get("study"))


def load_tables(data: dict, where: str) -> tuple[EvidenceTable, ...]:
    """The evidence tables of one lesson's YAML data (none: an empty tuple)."""
    tables = []
    for t, raw in enumerate(data.get("evidence") or [], 1):
        here = f"{where}: evidence table {t}"
        if not isinstance(raw, dict) or not isinstance(raw.get("rows"), list) or not raw["rows"]:
            raise ContentError(f"{here} should be a mapping with rows: (a list of rows)")
        rows = tuple(_row(r, f"{here}, row {i}") for i, r in enumerate(raw["rows"], 1))
        who = _text(raw, "who_column", here, required=False)
        if not who and len({r.said_by for r in rows}) > 1:
            raise ContentError(f"{here}: its rows have different said_by, so add who_column: "
                               "(a first column naming each row's speakers), or split it")
        tables.append(EvidenceTable(
            rows, _text(raw, "claim_column", here, required=False) or CLAIM_COLUMN,
            _text(raw, "support_column", here, required=False) or SUPPORT_COLUMN, who))
    return tuple(tables)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _names(said_by: tuple[str, ...]) -> str:
    from .provenance import COURSE, _join, speakers

    known = speakers()
    names = [known.get(s, s) for s in said_by if s != COURSE]
    if COURSE in said_by:
        names.append("the course")
    text = _join(names)
    return text[:1].upper() + text[1:]


def render_tables(tables: tuple[EvidenceTable, ...]) -> str:
    """The tables as Markdown, each naming who says each row."""
    out = []
    for table in tables:
        heads = [table.claim_column, table.support_column, KIND_COLUMN]
        if table.who_column:
            heads.insert(0, table.who_column)
        else:
            out.append(f"**{_names(table.rows[0].said_by)}**\n")
        lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
        for row in table.rows:
            cells = [row.claim, row.support, row.kind_text]
            if table.who_column:
                cells.insert(0, _names(row.said_by))
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out).strip()

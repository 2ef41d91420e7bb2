"""Who says so: every claim about the readings names the readings (and parts) that make it.

A key point, a comparison (``comparisons:`` in ``assets/lessons/NN.yml``), an
evidence-table row (``evidence:``) or a question explanation that reports what the
readings say carries ``said_by:``, a list of speakers:

* ``"000"``, ``"002"``: a whole reading; ``"001-part1"`` ... ``"001-part5"``: one part of a
  collection (the ids and short names come from ``assets/readings.yml``, ``short:``);
* ``"course"``: the course's own statement (for example research the course brings in,
  named with ``study:``, an id in ``assets/references.yml``).

A key point or comparison is a mapping ``{text, said_by, label}`` (``label`` is a kind from
the evidence scale, or absent for the course's own statements); lessons render it with its
speakers ("Saeed and Raypole: ..."), so a learner always sees who says what.

:func:`problems` is the linter (run by ``coursekit lessons lint``). It fails

* a statement of agreement ("all", "every article", "the readings agree", "both", "none of
  them", ...) whose ``said_by`` does not cover every reading it speaks for (``speaks_for:``,
  by default every reading the lesson presents, or every reading of the course for a lesson
  without one): the false consensus the course must never state;
* a statement whose own words count more readings than its ``said_by`` names ("all five
  agree" said by two, "both" said by one: :func:`claimed_count`), whatever its scope; in
  text without said_by, a sentence naming fewer readings than it counts;
* a ``research`` label without ``study:`` naming a research entry in the references, or
  given to a reading that names no study (a reading's reference lists the studies it names
  under ``cites:``): the scale's own rule, research is a named study you can look up;
* a speaker that is not a reading, a part or ``course``;
* a lesson guide (a notebook cell typed by hand) that states an agreement of all the
  readings: such statements belong in ``comparisons:``, where their speakers are checked;
* an evidence table typed by hand into a lesson guide: its rows belong in ``evidence:``
  (:mod:`coursekit.evidencetable`), where each row's speakers and label are checked like
  a key point's.

Imports nothing from Jupyter or pydantic (the browser edition renders key points too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import config, yamlio
from .agreement import (
    AGREEMENT,
    COUNTED,
    GUIDE_AGREEMENT,
    UNIVERSAL,
    claimed_count,
    plain,
)
from .errors import ContentError

__all__ = ["AGREEMENT", "COURSE", "Claim", "agreement_table", "claim_from", "claimed_count",
           "problems", "render", "speakers"]

COURSE = "course"


@dataclass(frozen=True)
class Claim:
    """One statement with its speakers and the kind of support they give it."""

    text: str
    said_by: tuple[str, ...] = ()
    label: str | None = None
    speaks_for: tuple[str, ...] | None = None
    study: str | None = None


def claim_from(raw: Any, where: str) -> Claim:
    """A claim from YAML: plain text (the course's own words) or a mapping with said_by."""
    if isinstance(raw, str):
        if not raw.strip():
            raise ContentError(f"{where} should be non-empty text")
        return Claim(raw.strip(), (COURSE,))
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        raise ContentError(f"{where} should be text, or a mapping with text:, said_by: and "
                           "label: (who says it, and the kind of support)")
    said = raw.get("said_by") or []
    if isinstance(said, str):
        said = [said]
    speaks = raw.get("speaks_for")
    return Claim(raw["text"].strip(), tuple(str(s) for s in said), raw.get("label"),
                 None if speaks is None else tuple(str(s) for s in speaks), raw.get("study"))


def _readings(path: Path | None = None) -> list[dict]:
    path = path or config.assets_dir() / "readings.yml"
    return (yamlio.load_file(path) or {}).get("readings") or []


def speakers() -> dict[str, str]:
    """Every speaker id with its short name, in course order (``course`` last).

    Read once per version of ``readings.yml`` (every rendered claim asks for it: a
    lesson's self-check and journal export render hundreds)."""
    path = config.assets_dir() / "readings.yml"
    try:
        st = path.stat()
        stamp: tuple | None = (st.st_mtime_ns, st.st_size, st.st_ino)
    except OSError:
        stamp = None  # load_file below names the problem
    return dict(_speakers(str(path), stamp))


@lru_cache(maxsize=8)
def _speakers(path: str, stamp: tuple | None) -> tuple[tuple[str, str], ...]:
    found: dict[str, str] = {}
    for reading in _readings(Path(path)):
        rid = str(reading["id"])
        if reading.get("parts"):
            for part in reading["parts"]:
                found[f"{rid}-part{part['number']}"] = str(part.get("short") or
                                                            f"reading {rid} part {part['number']}")
        else:
            found[rid] = str(reading.get("short") or f"reading {rid}")
    found[COURSE] = "the course"
    return tuple(found.items())


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def attribution(claim: Claim) -> str:
    """'Saeed and Raypole; opinion' (empty for the course's own unlabelled statements)."""
    names = speakers()
    who = [names.get(s, s) for s in claim.said_by if s != COURSE]
    if COURSE in claim.said_by and (who or claim.label):
        who.append("the course")
    parts = [_join(who)] if who else []
    if claim.label:
        parts.append(f"kind: {claim.label}")
    return "; ".join(parts)


def render(claim: Claim, *, markdown: bool = True) -> str:
    """The claim as a learner reads it, with who says it: 'Text *(Saeed and Raypole; ...)*'
    (plain brackets, no Markdown, for text a widget shows as it is)."""
    note = attribution(claim)
    if not note:
        return claim.text
    first = note[0].upper() + note[1:]
    said = f"(Who says so: {first}.)"
    return f"{claim.text} *{said}*" if markdown else f"{claim.text} {said}"


# -- the linter ---------------------------------------------------------------------------------


def _lesson_scope(data: dict, known: dict[str, str]) -> tuple[str, ...]:
    """The readings a lesson speaks for: its reading (or parts), or all of them."""
    reading = data.get("reading")
    if reading is None:
        return tuple(s for s in known if s != COURSE)
    reading = str(reading)
    parts = data.get("reading_parts") or []
    if parts:
        return tuple(f"{reading}-part{n}" for n in parts)
    if reading in known:
        return (reading,)
    return tuple(s for s in known if s.startswith(f"{reading}-part"))


def _narrow(text: str, scope: tuple[str, ...]) -> tuple[str, ...]:
    """A statement about "the articles" or "all five" speaks for the collection's parts only."""
    parts = tuple(s for s in scope if "-part" in s)
    if parts and re.search(r"\b(five|articles?)\b", text, re.I):
        return parts
    return scope


def _references() -> dict[str, dict]:
    path = config.assets_dir() / "references.yml"
    data = yamlio.load_file(path) or {}
    return {str(r["id"]): r for r in data.get("references") or []}


#: Which reading (or part) each reading reference stands for: "000" or "001-part2".
def _reading_refs(refs: dict[str, dict]) -> dict[str, dict]:
    return {str(r["reading"]): r for r in refs.values() if r.get("reading")}


def claim_problems(claim: Claim, where: str, scope: tuple[str, ...],
                   known: dict[str, str], refs: dict[str, dict]) -> list[str]:
    """Every problem with one claim, each one sentence naming the place and the fix."""
    found = []
    unknown = [s for s in claim.said_by if s not in known]
    if unknown:
        found.append(f"{where}: said_by names {unknown[0]!r}, which is no reading; use one of "
                     f"{', '.join(known)}")
    claim = Claim(plain(claim.text), claim.said_by, claim.label, claim.speaks_for, claim.study)
    if AGREEMENT.search(claim.text):
        speaks_for = claim.speaks_for if claim.speaks_for is not None else _narrow(
            claim.text, scope)
        missing = [s for s in speaks_for if s not in claim.said_by]
        if missing:
            found.append(
                f"{where}: {AGREEMENT.search(claim.text).group(0)!r} states an agreement of "
                f"{_join([known.get(s, s) for s in speaks_for])}, but said_by does not name "
                f"{_join([known.get(s, s) for s in missing])}; name only the readings that say it "
                "(\"Saeed and Raypole say...\") or add each one that does to said_by")
    count = claimed_count(claim.text)
    readings = [s for s in dict.fromkeys(claim.said_by) if s != COURSE]
    if count is not None and len(readings) < count and not any(
            "states an agreement of" in f for f in found):  # one sentence for one mistake
        said = _join([known.get(s, s) for s in readings]) or "none of the readings"
        found.append(
            f"{where}: {(COUNTED.search(claim.text) or AGREEMENT.search(claim.text)).group(0)!r}"
            f" speaks for {count} readings, but said_by names {len(readings)} ({said}); say "
            "only what those readings say (\"Saeed and Raypole say...\"), or name every reading "
            "that says it")
    if claim.label == "research":
        study = refs.get(claim.study or "")
        if not study or study.get("kind") != "research":
            found.append(f"{where}: the label research needs study: naming a research entry of "
                         "assets/references.yml (a named study you can look up); label it by "
                         "what the text gives instead (an unnamed study is opinion)")
        by_reading = _reading_refs(refs)
        for speaker in claim.said_by:
            if speaker == COURSE:
                continue
            named = (by_reading.get(speaker) or {}).get("cites") or []
            if claim.study not in named:
                found.append(f"{where}: labelled research, but {known.get(speaker, speaker)} "
                             f"does not name the study {claim.study!r} (its reference lists no "
                             "such cites:); label it opinion, or say the course brings the study "
                             "(said_by: [course])")
    return found


def _lesson_claims(data: dict) -> list[tuple[str, Any]]:
    items = [(f"key point {i}", raw) for i, raw in enumerate(data.get("key_points") or [], 1)]
    items += [(f"comparison {i}", raw) for i, raw in enumerate(data.get("comparisons") or [], 1)]
    for t, table in enumerate(data.get("evidence") or [], 1):  # each row: claim and support
        for r, row in enumerate((table or {}).get("rows") or [], 1):
            if isinstance(row, dict):
                row = {**row, "text": f"{row.get('claim', '')}. {row.get('support', '')}. "
                                      f"{row.get('kind', '')}".rstrip(". ")}
            items.append((f"evidence table {t}, row {r}", row))
    return items


def problems(root: Path | None = None) -> list[str]:
    """The provenance linter over lessons, question banks and lesson guides."""
    known = speakers()
    refs = _references()
    found: list[str] = []
    assets = config.assets_dir()
    scopes: dict[str, tuple[str, ...]] = {}
    for path in sorted((assets / "lessons").glob("[0-9][0-9].yml")):
        data = yamlio.load_file(path) or {}
        scope = _lesson_scope(data, known)
        scopes[path.stem] = scope
        for place, raw in _lesson_claims(data):
            where = f"{path.relative_to(assets.parent)}: {place}"
            try:
                claim = claim_from(raw, where)
            except ContentError as exc:
                found.append(str(exc))
                continue
            found += claim_problems(claim, where, scope, known, refs)
    for path in sorted((assets / "questions").glob("[0-9][0-9].yml")):
        data = yamlio.load_file(path) or {}
        scope = scopes.get(str(data.get("lesson")), tuple(s for s in known if s != COURSE))
        for q in data.get("questions") or []:
            text = q.get("explanation") or ""
            if not text:
                continue
            where = f"{path.relative_to(assets.parent)}: question {q.get('id')!r} explanation"
            claim = Claim(text, tuple(str(s) for s in q.get("said_by") or ()), q.get("label"),
                          None if q.get("speaks_for") is None
                          else tuple(str(s) for s in q["speaks_for"]), q.get("study"))
            found += claim_problems(claim, where, scope, known, refs)
    found += guide_problems()
    return found


def guide_problems() -> list[str]:
    """Text without said_by (hand-typed lesson cells, session scripts, self-check option
    feedback, glossary entries) that says several readings hold a view without naming them."""
    import json

    found = []
    studies = [str(r.get("citation", "")).split(",")[0].strip() for r in _references().values()
               if r.get("kind") == "research"]  # first authors' surnames
    for path in sorted(config.lessons_dir().glob("[0-9][0-9]-*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb.get("cells") or []):
            if cell.get("cell_type") != "markdown":
                continue
            if (cell.get("metadata", {}).get("coursekit") or {}).get("generated"):
                continue
            source = cell.get("source")
            text = "".join(source) if isinstance(source, list) else source or ""
            for row in (ln for ln in text.splitlines() if ln.startswith("|")):
                cells = [c.strip() for c in row.strip().strip("|").split("|")]
                if len(cells) > 2 and cells[-1].lower().startswith("**research**") and not any(
                        s and s in row for s in studies):
                    found.append(f"{path.name}: cell {i + 1}: the row {cells[0][:40]!r} is "
                                 "labelled research but names no study of the references; name "
                                 "it (assets/references.yml, kind: research) or label the row "
                                 "by what the text gives (an unnamed study is opinion)")
            if _KIND_HEADER.search(text):
                found.append(f"{path.name}: cell {i + 1} holds an evidence table typed by hand; "
                             "move its rows to evidence: in the lesson's YAML, each with said_by: "
                             "and label: (coursekit.evidencetable), and put the generated "
                             "evidence-table cell in its place (`coursekit lessons sync` fills it)")
            for claim in _unnamed_agreements(text):
                found.append(f"{path.name}: cell {i + 1} says {claim!r} in hand-typed text; "
                             "name the readings that hold it (\"Saeed and Raypole...\"), or "
                             "state it under comparisons: in the lesson's YAML with said_by, "
                             "where the linter checks who says it")
    # a lesson's own text outside its claims: the content note (also printed in the safety
    # protocol and the handouts), the objectives and the reflection prompts (its guiding
    # questions and belief statements ask or voice views for the learner to weigh)
    for path in sorted((config.assets_dir() / "lessons").glob("[0-9][0-9].yml")):
        data = yamlio.load_file(path) or {}
        texts = [("content note", data.get("content_note"))]
        texts += [(f"objective {i}", o) for i, o in enumerate(data.get("objectives") or [], 1)]
        texts += [(f"prompt {p.get('id')!r}", p.get("text")) for p in data.get("prompts") or []
                  if isinstance(p, dict)]
        for place, said in texts:
            for claim in _unnamed_agreements(str(said or "")):
                found.append(f"assets/lessons/{path.name}: {place} says {claim!r}; name the "
                             "readings that hold it (\"Saeed and Raypole...\")")
    kit = config.assets_dir().parent
    sessions = kit / "facilitator" / "sessions"
    for path in sorted(sessions.glob("*.yml")):
        for claim in _unnamed_agreements(path.read_text(encoding="utf-8")):
            found.append(f"facilitator/sessions/{path.name}: the script says {claim!r}; "
                         "say which readings hold each point (\"Saeed and Raypole...\"), as "
                         "the lessons' comparisons: do")
    # the pages written by hand: the facilitator's guides and the browser edition's pages
    for path in sorted([*kit.glob("README.md"), *kit.glob("facilitator/*.md"),
                        *kit.glob("site/files/*.md")]):
        for claim in _unnamed_agreements(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(kit).as_posix()} says {claim!r}; name the "
                         "readings that hold it (\"Saeed and Raypole...\")")
    for path in sorted((config.assets_dir() / "questions").glob("[0-9][0-9].yml")):
        for q in (yamlio.load_file(path) or {}).get("questions") or []:
            # what the course asserts: the prompt (a true statement when its answer is
            # True) and every keyed option; a wrong option may voice a false consensus
            asserted = [("prompt", q.get("prompt"))] if (
                q.get("type") != "true_false" or q.get("answer") is True) else []
            asserted += [(f"option {o.get('id')!r}", o.get("text"))
                         for o in q.get("options") or [] if o.get("correct")]
            for place, said in asserted:
                for claim in _unnamed_agreements(str(said or "")):
                    found.append(f"assets/questions/{path.name}: question {q.get('id')!r} "
                                 f"{place} says {claim!r}, which the course keys as right; "
                                 "name the readings that hold it (\"Saeed and Raypole...\")")
            for option in q.get("options") or []:
                for claim in _unnamed_agreements(str(option.get("feedback") or "")):
                    found.append(f"assets/questions/{path.name}: question {q.get('id')!r} option "
                                 f"{option.get('id')!r} feedback says {claim!r}; name the "
                                 "readings that hold it (\"Saeed and Raypole...\")")
    glossary = yamlio.load_file(config.assets_dir() / "glossary.yml") or {}
    for entry in glossary.get("terms") or glossary.get("entries") or []:
        for claim in _unnamed_agreements(str(entry.get("definition") or "")):
            found.append(f"assets/glossary.yml: {entry.get('slug')!r} says {claim!r}; name the "
                         "readings that hold it (\"Saeed and Raypole...\")")
    return found


#: The header row of an evidence table (its last column the kind of support).
_KIND_HEADER = re.compile(r"^\|.*\|\s*Kind\s*\|\s*$", re.M)


def _reading_names() -> dict[str, re.Pattern]:
    """Each reading's names in prose: its short name and its author's surname ("Saeed")."""
    names: dict[str, list[str]] = {}
    for reading in _readings():
        rid = str(reading["id"])
        for part in reading.get("parts") or [reading]:
            key = f"{rid}-part{part['number']}" if reading.get("parts") else rid
            found = [str(part.get("short") or "")]
            author = re.sub(r"\(.*?\)", "", str(part.get("author") or "")).split()
            if author and author[-1][:1].isupper() and "named" not in str(part.get("author")):
                found.append(author[-1])
            names[key] = [n for n in found if n]
    names.setdefault("001-part4", []).append("therapist's column")
    return {k: re.compile(r"\b(?:" + "|".join(re.escape(n) for n in v) + r")\b", re.I)
            for k, v in names.items() if v}


def _unnamed_agreements(text: str) -> list[str]:
    """Each sentence stating that several readings hold a view without naming two of them
    (all of them, for a claim about every reading that gives no count)."""
    names = _reading_names()
    found = []
    flat = " ".join(plain(text).split())
    for sentence in re.split(r"(?<=[.!?])\s+|\s+-\s+", flat):
        m = GUIDE_AGREEMENT.search(sentence)
        if not m:
            continue
        named = sum(1 for p in names.values() if p.search(sentence))
        count = claimed_count(sentence) or (len(names) if UNIVERSAL.search(m.group(0)) else 2)
        if named < count:
            counted = COUNTED.search(sentence)
            found.append(counted.group(0) if counted and named >= 2 else m.group(0))
    return found


def agreement_table() -> list[tuple[str, str, str]]:
    """(place, statement, who says it) for every statement of agreement in the course."""
    known = speakers()
    rows = []
    assets = config.assets_dir()
    for path in sorted((assets / "lessons").glob("[0-9][0-9].yml")):
        data = yamlio.load_file(path) or {}
        for place, raw in _lesson_claims(data):
            claim = claim_from(raw, place)
            readings = [s for s in claim.said_by if s != COURSE]
            if AGREEMENT.search(claim.text) or place.startswith("comparison") or len(readings) > 1:
                rows.append((f"lesson {path.stem} {place}", claim.text,
                             _join([known.get(s, s) for s in claim.said_by])))
    for path in sorted((assets / "questions").glob("[0-9][0-9].yml")):
        data = yamlio.load_file(path) or {}
        for q in data.get("questions") or []:
            text = q.get("explanation") or ""
            readings = [s for s in q.get("said_by") or () if s != COURSE]
            if AGREEMENT.search(text) or len(readings) > 1:
                rows.append((f"question {data.get('lesson')}.{q.get('id')}", text.strip(),
                             _join([known.get(s, s) for s in q.get("said_by") or ()])))
    return rows

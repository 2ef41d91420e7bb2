"""One evidence scale (assets/evidence.yml), and no other label anywhere in the content.

Every place the course labels a kind of support is checked against the scale: the "Kind"
column of every lesson table, evidence sorts, bank questions that ask for a kind of support,
the references' ``kind:``, and the session plans. A label not on the scale fails here.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from coursekit import ContentError, config, evidence, references
from coursekit.course import Prompt, lessons
from coursekit.journal import Journal
from coursekit.questionbank import load_banks
from coursekit.widgets.sorter import Sorter

SCALE = evidence.load()
BOLD = re.compile(r"\*\*([^*]+)\*\*")
#: Labels the course used before it had one scale. None may come back, in any file.
RETIRED = re.compile(
    r"clinical (model|advice|opinion|theory|reasoning|ideas)|secondhand research|"
    r"expert opinion|theoretical opinion|self-help advice|backed by research|literary image|"
    r"popular-science|mainstream advice|reputable source|author experience|"
    r"clinician-commentator|partly research|experience and observation", re.I)


@pytest.fixture
def journal(data_dir):
    j = Journal.open_default()
    yield j
    j.close()


def body_markdown(path):
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "markdown"
            and not (c.metadata.get("coursekit") or {}).get("generated")]


def evidence_tables(path):
    """The lesson's rendered evidence tables (generated from evidence: in its YAML)."""
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells
            if (c.metadata.get("coursekit") or {}).get("generated") == "evidence-table"]


def lesson_paths():
    return sorted(config.lessons_dir().glob("[0-9][0-9]-*.ipynb"))


def kind_cells(markdown: str):
    """(header, cell) for every cell in a table column headed "Kind" (or "Main kind ...")."""
    out = []
    header: list[str] | None = None
    column = None
    for line in markdown.splitlines():
        if not line.startswith("|"):
            header = column = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            column = next((i for i, h in enumerate(cells)
                           if re.fullmatch(r"(main )?kind( of support)?", h, re.I)), None)
        elif column is not None and not set(line) <= set("|-: "):
            out.append((header[column], cells[column]))
    return out


def test_the_scale_has_about_five_levels_each_defined_once():
    assert 5 <= len(SCALE.levels) <= 7
    assert len({x.label.lower() for x in SCALE.levels}) == len(SCALE.levels)
    for level in SCALE.levels:
        assert len(level.definition.split()) >= 12, level.id
    assert SCALE.labels[0] == "research"
    assert {"theory", "clinical experience", "opinion", "metaphor"} <= set(SCALE.labels)


def test_unknown_label_is_refused_with_the_defined_ones_named(tmp_path):
    assert evidence.label("Clinical-Experience") == "clinical experience"
    with pytest.raises(ContentError, match=r"'clinical model' is not a kind .* research, theory"):
        evidence.label("clinical model")
    bad = tmp_path / "evidence.yml"
    bad.write_text("levels:\n  - {id: a, label: A, definition: d}\n  - {id: b, label: a, definition: e}\n")
    with pytest.raises(ContentError, match="used twice"):
        evidence.load(bad)


def test_every_kind_column_in_every_lesson_uses_the_scale():
    checked = {}
    for path in lesson_paths():
        for text in body_markdown(path) + evidence_tables(path):
            for header, cell in kind_cells(text):
                labels = BOLD.findall(cell)
                assert cell.startswith("**") and labels, (
                    f"{path.name}: the {header!r} cell {cell!r} should start with a bold label "
                    f"from the evidence scale")
                for label in labels:
                    SCALE.label(label, f"{path.name}, {header!r} column")
                checked[path.name[:2]] = checked.get(path.name[:2], 0) + 1
    readings = {x.id for x in lessons() if x.reading}
    assert readings and all(checked.get(x, 0) >= 5 for x in readings), checked


def test_the_kind_checker_catches_an_undefined_label():
    table = "| Claim | Kind |\n|---|---|\n| x | **clinical model** |\n"
    [(_, cell)] = kind_cells(table)
    with pytest.raises(ContentError):
        SCALE.label(BOLD.findall(cell)[0])


def test_lesson_00_shows_the_whole_scale():
    nb = nbformat.read(lesson_paths()[0], as_version=4)
    cells = [c.source for c in nb.cells
             if (c.metadata.get("coursekit") or {}).get("generated") == "evidence-scale"]
    assert len(cells) == 1
    for level in SCALE.levels:
        assert f"**{level.label}**" in cells[0] and level.definition in cells[0]


def test_evidence_sorts_use_the_scale_itself(journal):
    sorts = [p for info in lessons() for p in info.prompts if p.kind == "sort"]
    evidence_sorts = [p for p in sorts if p.options.get("categories") == evidence.SCALE]
    assert evidence_sorts, "lesson 05 sorts claims by their kind of support"
    for p in sorts:
        cats = p.options.get("categories")
        if cats != evidence.SCALE:
            overlap = {str(c).lower() for c in cats} & {x.lower() for x in SCALE.labels}
            assert not overlap, f"{p.id} lists kinds of support by hand; use categories: evidence"
    widget = Sorter(evidence_sorts[0], journal=journal)
    assert widget.categories == list(SCALE.labels)
    with pytest.raises(ContentError, match="categories should be a list"):
        Sorter(Prompt("05.x", "05", "sort", "?", {"statements": ["a"], "categories": "kinds"}),
               journal=journal)


def test_bank_questions_about_a_kind_of_support_answer_with_scale_labels():
    asked = 0
    for bank in load_banks():
        for q in bank.questions:
            if not re.search(r"kind of (support|evidence)", q.prompt, re.I) or q.type == "short":
                continue
            texts = [o.text for o in q.options] if q.options else [right for _, right in q.pairs]
            for text in texts:
                head = re.split(r"[:,(]| only\b", re.sub(r"^(an?|the) ", "", text, flags=re.I))[0]
                SCALE.label(head.split(" by ")[0].strip(), q.key)
            asked += 1
    assert asked >= 5


def test_references_take_their_kind_from_the_scale():
    refs = references.load()
    assert {r.kind for r in refs.values()} <= {references.READING, *(x.id for x in SCALE.levels)}
    for theory_book in ("kris-1952", "balint-1968", "dabrowski-1964", "mahler-1975"):
        assert refs[theory_book].kind == "theory", f"{theory_book} is a theory book, not research"
    assert "\n## Theory\n" in references.render(refs)


def test_no_retired_label_anywhere_in_the_content():
    assets = config.assets_dir()
    root = assets.parent
    files = [*sorted((assets / "lessons").glob("*.yml")), *sorted((assets / "questions").glob("*.yml")),
             assets / "glossary.yml", assets / "references.yml", assets / "course.yml",
             *sorted((root / "facilitator" / "sessions").glob("*.yml"))]
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in files]
    texts += [(p.name, t) for p in lesson_paths() for t in body_markdown(p)]
    found = [(name, m.group(0)) for name, text in texts for m in RETIRED.finditer(text)]
    assert not found, f"labels that are not on the evidence scale: {found}"


def test_session_activities_built_on_the_scale_name_all_of_it():
    from coursekit import sessions

    ladders = [a for plan in sessions.plans() for a in plan.activities
               if "evidence scale" in a.instructions]
    assert ladders, "session 05's evidence ladder uses the course's scale as its rungs"
    for activity in ladders:
        for label in SCALE.labels:
            assert label in activity.instructions.lower(), f"{activity.name} never names {label!r}"

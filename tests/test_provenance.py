"""Who says so: the provenance linter passes on the shipped data and fails on seeded mistakes.

Each seeded mistake is written into a copy of the kit (``COURSEKIT_ROOT``): a false consensus
in a key point, a comparison or a question explanation, research claimed for an unnamed
study, a speaker that is no reading, and an agreement of all the readings typed by hand
into a lesson guide.
"""

from __future__ import annotations

import json

import pytest
from provenancecases import edit

from coursekit import config, provenance
from coursekit.course import lesson

from conftest import copy_of_kit

ROOT = config.assets_dir().parent


@pytest.fixture
def kit(tmp_path, monkeypatch):
    return copy_of_kit(tmp_path, monkeypatch, "assets", "lessons", "facilitator/sessions")


def test_the_shipped_course_passes():
    assert provenance.problems() == []


def test_every_reading_and_part_has_a_short_name():
    names = provenance.speakers()
    assert names["001-part2"] == "Saeed" and names["001-part5"] == "Raypole"
    assert names["000"] == "the talk" and names[provenance.COURSE] == "the course"
    assert len(names) == 8  # the talk, five parts, the healing article, the course


def test_lessons_render_who_says_each_key_point_and_comparison():
    info = lesson("05")
    assert any("Who says so: Saeed and Raypole" in c for c in info.comparisons)
    assert all("Who says so:" in k for k in lesson("01").key_points[:5])
    safety = next(c for c in info.comparisons if "safety" in c.split("(Who says so")[0][:60])
    assert "Part 1" not in safety.split("Who says so:")[1]


def test_a_seeded_false_consensus_in_a_key_point_fails(kit):
    edit(kit / "assets" / "lessons" / "05.yml",
         "  - Whether someone else can change is a separate question",
         "  - text: All five articles put the partner's safety first.\n"
         "    said_by: [001-part2, 001-part5]\n    label: opinion\n"
         "  - Whether someone else can change is a separate question")
    found = provenance.problems()
    assert len(found) == 1, found
    assert "05.yml: key point" in found[0] and "'All five'" in found[0]
    # it names exactly the readings that do not say it
    assert "Part 1, Ni and the column" in found[0]


def test_naming_every_reading_it_speaks_for_makes_an_agreement_pass(kit):
    edit(kit / "assets" / "lessons" / "03.yml", "  - id: hopeful.hardest-key",
         "  - id: hopeful.hardest-key")
    edit(kit / "assets" / "lessons" / "03.yml", "comparisons:\n",
         "comparisons:\n  - text: Each article in this lesson offers a route to change.\n"
         "    said_by: [001-part3, 001-part4]\n    label: opinion\n")
    found = provenance.problems()
    assert len(found) == 1 and "Raypole" in found[0], found
    edit(kit / "assets" / "lessons" / "03.yml", "said_by: [001-part3, 001-part4]\n",
         "said_by: [001-part3, 001-part4, 001-part5]\n")
    assert provenance.problems() == []


def test_a_false_consensus_in_a_question_explanation_fails(kit):
    edit(kit / "assets" / "questions" / "05.yml",
         "      Part 1 and Saeed reject love as a cure, and only Saeed and Raypole speak of the partner's\n"
         "      safety.",
         "      The articles agree that the partner's safety comes first.")
    edit(kit / "assets" / "questions" / "05.yml",
         "    said_by: [001-part1, 001-part2, 001-part3, 001-part4, 001-part5]\n    label: opinion\n\n"
         "  - id: plate-support",
         "    said_by: [001-part2, 001-part5]\n    label: opinion\n\n  - id: plate-support")
    found = provenance.problems()
    assert len(found) == 1 and "common-ground" in found[0], found


def test_research_for_an_unnamed_study_fails(kit):
    edit(kit / "assets" / "lessons" / "03.yml",
         "    said_by: [001-part5]\n    label: opinion\n",
         "    said_by: [001-part5]\n    label: research\n    study: wetzel-2020\n")
    found = provenance.problems()
    assert len(found) == 1 and "Raypole does not name the study" in found[0], found


def test_research_without_a_study_in_the_references_fails(kit):
    edit(kit / "assets" / "lessons" / "05.yml", "    study: wetzel-2020\n", "")
    found = provenance.problems()
    assert len(found) == 1 and "needs study:" in found[0], found
    edit(kit / "assets" / "lessons" / "05.yml", "    label: research\n",
         "    label: research\n    study: dutton-painter-1981\n")
    assert "needs study:" in provenance.problems()[0]  # a theory book is not research


def test_a_speaker_that_is_no_reading_fails(kit):
    edit(kit / "assets" / "lessons" / "01.yml", 'said_by: ["000"]', "said_by: [the-talk]")
    found = provenance.problems()
    assert len(found) == 1 and "'the-talk', which is no reading" in found[0], found


def test_an_agreement_typed_into_a_lesson_guide_fails(kit):
    path = next((kit / "lessons").glob("03-*.ipynb"))
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"].insert(3, {"cell_type": "markdown", "metadata": {},
                           "source": "Where all five agree: safety comes first."})
    path.write_text(json.dumps(nb), encoding="utf-8")
    found = provenance.problems()
    assert len(found) == 1 and "03-change-is-possible.ipynb: cell 4" in found[0], found


def test_the_agreement_table_lists_each_statement_with_its_speakers():
    rows = provenance.agreement_table()
    places = [place for place, _text, _who in rows]
    assert "lesson 05 comparison 3" in places
    who = dict((place, w) for place, _t, w in rows)
    assert who["lesson 05 comparison 3"] == "Saeed and Raypole"


def test_a_session_script_that_says_every_article_puts_safety_first_fails(kit):
    edit(kit / "facilitator" / "sessions" / "03.yml",
         "        Do not argue their decision. Say that",
         "        Do not argue their decision. Reflect that every article here puts safety first.\n"
         "        Say that")
    found = provenance.problems()
    assert len(found) == 1 and "sessions/03.yml" in found[0], found
    assert "'every article here puts'" in found[0]


@pytest.mark.parametrize("page", ["facilitator/grading.md", "site/files/about-this-edition.md"])
def test_a_hand_written_page_that_says_the_readings_agree_fails(tmp_path, monkeypatch, page):
    kit = copy_of_kit(tmp_path, monkeypatch, "assets", "lessons", "facilitator", "site/files")
    assert provenance.problems() == []
    with (kit / page).open("a", encoding="utf-8") as out:
        out.write("\nAll five readings agree that the partner is never to blame.\n")
    found = provenance.problems()
    assert len(found) == 1 and found[0].startswith(page), found
    assert "All five readings agree" in found[0]


def test_an_evidence_table_typed_by_hand_into_a_lesson_fails(kit):
    path = next((kit / "lessons").glob("03-*.ipynb"))
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"].insert(3, {"cell_type": "markdown", "metadata": {},
                           "source": "| Article | Claim | Support | Kind |\n|---|---|---|---|\n"
                                     "| Raypole | Tendencies decline with age | Wetzel and "
                                     "colleagues (2020) | **opinion** |"})
    path.write_text(json.dumps(nb), encoding="utf-8")
    found = provenance.problems()
    assert len(found) == 1 and "cell 4 holds an evidence table typed by hand" in found[0], found
    assert "evidence: in the lesson's YAML" in found[0]


def test_an_evidence_table_row_typed_by_hand_and_labelled_research_names_its_study(kit):
    path = next((kit / "lessons").glob("03-*.ipynb"))
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"].insert(3, {"cell_type": "markdown", "metadata": {},
                           "source": "| Raypole | Tendencies decline with age | \"A 2019 study\", "
                                     "not named | **research** |"})
    path.write_text(json.dumps(nb), encoding="utf-8")
    found = provenance.problems()
    assert len(found) == 1 and "labelled research but names no study" in found[0], found


# -- a statement counting more readings than say it ---------------------------------------

def test_all_five_said_by_three_fails_even_inside_a_three_reading_lesson(kit):
    # lesson 03 presents three parts, so its scope is covered; the sentence still claims five
    edit(kit / "assets" / "lessons" / "03.yml", "comparisons:\n",
         "comparisons:\n  - text: All five articles put the partner's safety first.\n"
         "    said_by: [001-part3, 001-part4, 001-part5]\n    label: opinion\n")
    found = provenance.problems()
    assert len(found) == 1, found
    assert "03.yml: comparison 1" in found[0] and "'All five' speaks for 5 readings" in found[0]
    assert "said_by names 3 (Ni, the column and Raypole)" in found[0]


def test_all_three_said_by_two_fails_even_with_a_narrowed_scope(kit):
    edit(kit / "assets" / "questions" / "02.yml",
         "    said_by: [001-part1]\n    label: metaphor",
         "    said_by: [001-part1, 001-part2]\n    speaks_for: [001-part1, 001-part2]\n"
         "    label: metaphor")
    edit(kit / "assets" / "questions" / "02.yml", "never a whole self, there is nothing",
         "never a whole self (all three agree), there is nothing")
    found = provenance.problems()
    assert len(found) == 1 and "explanation: 'all three' speaks for 3 readings" in found[0], found
    assert "said_by names 2 (Part 1 and Saeed)" in found[0]


def test_both_said_by_one_reading_fails_and_both_said_by_two_passes(kit):
    edit(kit / "assets" / "lessons" / "03.yml", "comparisons:\n",
         "comparisons:\n  - text: Both articles say a therapist's help is needed.\n"
         "    said_by: [001-part3]\n    speaks_for: [001-part3]\n    label: opinion\n")
    found = provenance.problems()
    assert len(found) == 1 and "'Both articles' speaks for 2 readings" in found[0], found
    edit(kit / "assets" / "lessons" / "03.yml", "    said_by: [001-part3]\n    speaks_for",
         "    said_by: [001-part3, 001-part5]\n    speaks_for")
    assert provenance.problems() == []


def test_a_hand_typed_sentence_naming_two_readings_cannot_say_all_five(kit):
    path = next((kit / "lessons").glob("03-*.ipynb"))
    nb = json.loads(path.read_text(encoding="utf-8"))
    cell = {"cell_type": "markdown", "metadata": {},
            "source": "Saeed and Raypole: all five articles agree that safety comes first."}
    nb["cells"].insert(3, cell)
    path.write_text(json.dumps(nb), encoding="utf-8")
    found = provenance.problems()
    assert len(found) == 1 and "cell 4 says 'all five'" in found[0], found
    cell["source"] = "Saeed and Raypole both say that safety comes first."
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert provenance.problems() == []


def test_a_session_script_naming_two_readings_cannot_say_all_three(kit):
    edit(kit / "facilitator" / "sessions" / "03.yml",
         "        Do not argue their decision. Say that",
         "        Do not argue their decision. Reflect that, as Ni and Raypole say, all\n"
         "        three articles put safety first. Say that")
    found = provenance.problems()
    assert len(found) == 1 and "sessions/03.yml" in found[0] and "'all three'" in found[0], found


# -- evidence tables: rows in the lesson's YAML, each with who says it ----------------------

def test_every_reading_lessons_evidence_table_is_rendered_from_its_yaml_rows():
    import nbformat

    from coursekit.course import lessons

    for info in (x for x in lessons() if x.reading):
        rows = [r for t in info.evidence for r in t.rows]
        assert len(rows) >= 5, info.id
        nb = nbformat.read(config.lessons_dir() / info.notebook_name, as_version=4)
        cells = [c.source for c in nb.cells
                 if (c.metadata.get("coursekit") or {}).get("generated") == "evidence-table"]
        assert len(cells) == 1, info.id
        table = cells[0]
        names = provenance.speakers()
        for row in rows:
            line = next(ln for ln in table.splitlines() if f"| {row.claim} |" in ln)
            assert line.endswith(f"| {row.kind_text} |")
            assert row.kind_text.startswith(f"**{row.label}**")
            assert row.said_by and all(s in names for s in row.said_by)
        # who says each row is on the page: its own column, or the name above its table
        for t in info.evidence:
            who = [names[s] for s in t.rows[0].said_by]
            if t.who_column:
                assert all(table.count(f"| {names[r.said_by[0]][:1].upper()}"
                                       f"{names[r.said_by[0]][1:]} | {r.claim} |") == 1
                           for r in t.rows)
            else:
                assert f"**{who[0][:1].upper()}{who[0][1:]}**" in table


def test_lesson_03_table_names_raypole_on_her_rows_and_labels_the_unnamed_studies_opinion():
    info = lesson("03")
    rows = {r.claim: r for t in info.evidence for r in t.rows}
    age = rows["Narcissistic tendencies decline with age"]
    assert age.said_by == ("001-part5",) and age.label == "opinion"
    assert "points to an unnamed study" in age.kind_text


def test_a_false_consensus_in_an_evidence_row_fails(kit):
    edit(kit / "assets" / "lessons" / "02.yml", '- claim: "It can never be made whole"',
         '- claim: "All five articles agree it can never be made whole"')
    found = provenance.problems()
    assert len(found) == 1 and "02.yml: evidence table 1, row 2" in found[0], found
    assert "'All five'" in found[0]


def test_an_evidence_row_labelled_research_without_a_named_study_fails(kit):
    path = kit / "assets" / "lessons" / "03.yml"
    text = path.read_text(encoding="utf-8")
    at = text.index('- claim: "Narcissistic tendencies decline with age"')
    head, tail = text[:at], text[at:]
    tail = tail.replace('label: opinion\n        kind: "**opinion** (points to an unnamed study)"',
                        "label: research", 1)
    path.write_text(head + tail, encoding="utf-8")
    found = provenance.problems()
    assert found and all("03.yml: evidence table 1, row 7" in f for f in found), found
    assert "the label research needs study:" in found[0]


def test_an_evidence_row_with_a_speaker_that_is_no_reading_fails(kit):
    path = kit / "assets" / "lessons" / "04.yml"
    text = path.read_text(encoding="utf-8")
    at = text.index("\nevidence:")
    path.write_text(text[:at] + text[at:].replace('["002"]', '["009"]', 1), encoding="utf-8")
    found = provenance.problems()
    assert len(found) == 1 and "evidence table 1, row 1: said_by names '009'" in found[0], found


def test_an_evidence_table_mixing_speakers_needs_a_who_column():
    from coursekit.errors import ContentError
    from coursekit.evidencetable import load_tables, render_tables

    rows = [{"claim": "A", "support": "B", "said_by": ["001-part2"], "label": "opinion"},
            {"claim": "C", "support": "D", "said_by": ["001-part5"], "label": "opinion"}]
    with pytest.raises(ContentError, match="different said_by, so add who_column"):
        load_tables({"evidence": [{"rows": rows}]}, "x.yml")
    tables = load_tables({"evidence": [{"rows": rows, "who_column": "Article"}]}, "x.yml")
    assert render_tables(tables).splitlines() == [
        "| Article | Claim | What supports it | Kind |", "|---|---|---|---|",
        "| Saeed | A | B | **opinion** |", "| Raypole | C | D | **opinion** |"]
    with pytest.raises(ContentError, match=r"should start with the row's label in bold"):
        load_tables({"evidence": [{"rows": [{**rows[0], "kind": "**metaphor**"}]}]}, "x.yml")

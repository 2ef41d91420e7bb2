"""Seeded false consensus the provenance linter must fail, phrased to slip past it.

Each sentence below claims several readings hold a view; attack found the ones marked in
``coursekit.agreement._EXTRA`` passing (numerals, "all readings" with no article, "each
author, in their own way, puts", "the whole collection", "not one of", "no author
blames", "everyone here", "united", "in accord", "alike", "to a person", "common
ground that", "pessimists and optimists"). Each is tried as a key point said by two
readings (YAML with ``said_by``), as a sentence typed into a lesson guide, and in a
session script; honest sentences the course ships or needs must still pass.
"""

from __future__ import annotations

import json

import pytest
from provenancecases import yaml_problems

from coursekit import config, provenance

from conftest import copy_of_kit

ROOT = config.assets_dir().parent

FALSE_CONSENSUS = [
    "All five agree that the partner's safety comes first.",
    "Both say the partner's safety comes first.",
    "Every reading puts the partner's safety first.",
    "The authors agree that the partner is not responsible.",
    "No reading disputes that change is the person's own work.",
    "Five of five authors put safety first.",
    "5 of 5 authors put safety first.",
    "All 5 articles put safety first.",
    "The readings are united in putting safety first.",
    "Not one of the readings blames the partner.",
    "All readings put safety first.",
    "All the authors, pessimist or hopeful, put safety first.",
    "Everyone here puts safety first.",
    "The whole collection puts safety first.",
    "There is agreement among the readings that safety comes first.",
    "Nobody in the readings blames the partner.",
    "No author blames the partner.",
    "None of them blames the partner.",
    "None of the five authors blames the partner.",
    "Neither writer blames the partner.",
    "No one disputes that safety comes first.",
    "The articles are in accord on safety.",
    "The pessimists and the optimists alike put safety first.",
    "Each author, in their own way, puts safety first.",
    "The authors, to a person, put safety first.",
    "It is common ground that safety comes first.",
    "Saeed, like every other author, puts safety first.",
]

HONEST = [
    "Saeed and Raypole both put the partner's safety first.",
    "Part 1 names no author, and Saeed's training is not stated.",
    "Their common ground is narrower than it looks, so the course names who says each point.",
    "These questions ask what each article claims and how it supports its claims.",
    "A promise is not one of the signs Raypole lists.",
    "Why might someone feel drawn back to a person who hurt them?",
]


@pytest.fixture
def kit(tmp_path, monkeypatch):
    return copy_of_kit(tmp_path, monkeypatch, "assets", "lessons", "facilitator/sessions")


@pytest.mark.parametrize("sentence", FALSE_CONSENSUS)
def test_a_false_consensus_said_by_two_readings_fails_in_the_yaml(sentence):
    assert yaml_problems(sentence), sentence


@pytest.mark.parametrize("sentence", FALSE_CONSENSUS)
def test_a_false_consensus_typed_into_a_guide_or_script_fails(sentence):
    assert provenance._unnamed_agreements(sentence), sentence


@pytest.mark.parametrize("sentence", HONEST)
def test_an_honest_sentence_still_passes(sentence):
    assert provenance._unnamed_agreements(sentence) == [], sentence
    assert yaml_problems(sentence) == [], sentence


def test_a_session_question_about_the_readings_is_no_claim_in_a_script():
    question = "What is one question about this subject that none of the readings could answer?"
    assert provenance._unnamed_agreements(question) == []


def test_numerals_count_like_words():
    assert provenance.claimed_count("All 5 articles put safety first.") == 5
    assert provenance.claimed_count("Five of five authors put safety first.") == 5
    every = ("001-part1", "001-part2", "001-part3", "001-part4", "001-part5")
    assert yaml_problems("All 5 articles put safety first.", every[:4])
    assert yaml_problems("All 5 articles put safety first.", every) == []


def test_seeded_phrasings_fail_the_whole_linter_in_a_guide_and_a_script(kit):
    path = kit / "lessons" / "03-change-is-possible.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "markdown", "metadata": {},
                        "source": "Each author, in their own way, puts safety first."})
    path.write_text(json.dumps(nb), encoding="utf-8")
    script = kit / "facilitator" / "sessions" / "03.yml"
    script.write_text(script.read_text(encoding="utf-8") +
                      "# Say: the readings are united in putting safety first.\n",
                      encoding="utf-8")
    found = provenance.problems()
    assert any("03-change-is-possible.ipynb" in f and "Each author" in f for f in found), found
    assert any("sessions/03.yml" in f and "united" in f for f in found), found


def test_an_evidence_rows_kind_cannot_show_research_past_its_label():
    # attack: kind must start with the label, but could go on to show **research** on a row
    # labelled opinion (an unnamed study), which the learner reads as research
    from coursekit.errors import ContentError
    from coursekit.evidencetable import load_tables

    row = {"claim": "Tendencies decline with age", "support": "A 2019 study, not named",
           "said_by": ["001-part5"], "label": "opinion"}
    with pytest.raises(ContentError, match=r"shows \*\*research\*\* on a row labelled opinion"):
        load_tables({"evidence": [{"rows": [
            {**row, "kind": "**opinion**, in fact **research** (2019)"}]}]}, "x.yml")
    honest = "**opinion**, borrowing a **theory**"
    [table] = load_tables({"evidence": [{"rows": [{**row, "kind": honest}]}]}, "x.yml")
    assert table.rows[0].kind_text == honest


def test_a_false_consensus_in_an_evidence_rows_kind_fails(kit):
    # attack: the linter read an evidence row's claim and support, not its kind column
    path = kit / "assets" / "lessons" / "03.yml"
    text = path.read_text(encoding="utf-8")
    old = 'kind: "**opinion** (points to an unnamed study)"'
    assert old in text
    path.write_text(text.replace(
        old, 'kind: "**opinion** (points to an unnamed study all five articles agree with)"', 1),
        encoding="utf-8")
    found = provenance.problems()
    assert found and all("03.yml: evidence table 1, row" in f for f in found), found
    assert "all five" in found[0].lower()


def test_a_keyed_option_or_a_true_statement_stating_a_false_consensus_fails(kit):
    # attack: the linter read question explanations and option feedback, never the text
    # the course keys as right (the shape of the old 05.common-ground, options a and c)
    path = kit / "assets" / "questions" / "05.yml"
    edit_text = path.read_text(encoding="utf-8")
    old = 'text: "Only Saeed and Raypole speak of the partner\'s own safety or wellbeing"'
    assert old in edit_text
    path.write_text(edit_text.replace(
        old, 'text: "Every article puts the partner\'s own safety first"', 1), encoding="utf-8")
    found = provenance.problems()
    assert len(found) == 1 and "'common-ground' option 'b'" in found[0], found
    assert "keys as right" in found[0]
    # a wrong option may voice the false consensus: that is what it is there to catch
    assert "All five articles say that the partner's safety comes first" in edit_text


def test_a_true_statement_stating_a_false_consensus_fails(kit):
    path = kit / "assets" / "questions" / "03.yml"
    text = path.read_text(encoding="utf-8")
    old = 'prompt: "Raypole advises keeping a boundary'
    assert old in text
    path.write_text(text.replace(old, 'prompt: "All the authors advise keeping a boundary', 1),
                    encoding="utf-8")
    found = provenance.problems()
    assert len(found) == 1 and "'no-excuse' prompt" in found[0], found

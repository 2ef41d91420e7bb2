"""False consensus in other words: each phrasing fails wherever a learner or facilitator reads it.

Seeded into a copy of the kit (``COURSEKIT_ROOT``), one phrasing at a time, in a key point of a
lesson's YAML and a question explanation (both with ``said_by`` naming only Ni), a session
script and a glossary entry (which carry no ``said_by``). Each must fail; the same sentence that
names the readings it speaks for passes in a script and a glossary entry.
"""

from __future__ import annotations

import pytest
from provenancecases import edit

from coursekit import config, provenance

from conftest import copy_of_kit

ROOT = config.assets_dir().parent

PHRASINGS = [
    "Each of the authors puts the partner's safety first.",
    "The articles concur that the partner's safety comes first.",
    "There is consensus that the partner's safety comes first.",
    "The readings are unanimous: the partner's safety comes first.",
    "Every reading puts the partner's safety first.",
    "All three put the partner's safety first.",
    "Neither reading doubts that the partner's safety comes first.",
    "The literature agrees that the partner's safety comes first.",
    "They all put the partner's safety first.",
    "Across the readings, the partner's safety comes first.",
    "The authors share the view that the partner's safety comes first.",
    "No article disputes that the partner's safety comes first.",
    "What the articles have in common is that the partner's safety comes first.",
    "Both warn that the partner's safety comes first.",
]


@pytest.fixture
def kit(tmp_path, monkeypatch):
    return copy_of_kit(tmp_path, monkeypatch, "assets", "lessons", "facilitator/sessions")


def seed(kit, place, sentence):
    if place == "lesson key point":
        edit(kit / "assets" / "lessons" / "03.yml", "key_points:\n",
             f'key_points:\n  - text: "{sentence}"\n    said_by: [001-part3]\n'
             "    label: opinion\n")
    elif place == "question explanation":
        edit(kit / "assets" / "questions" / "03.yml",
             "      Ni's keys are written to the person with narcissistic traits,",
             f"      {sentence} Ni's keys are written to the person with narcissistic traits,")
    elif place == "session script":
        edit(kit / "facilitator" / "sessions" / "03.yml", "teaching_points:\n",
             f'teaching_points:\n  - "{sentence}"\n')
    elif place == "option feedback":
        edit(kit / "assets" / "questions" / "03.yml",
             'feedback: "Yes. He writes as if speaking directly',
             f'feedback: "{sentence} He writes as if speaking directly')
    else:
        edit(kit / "assets" / "glossary.yml", "      Kim Saeed's contrast (lesson 02)",
             f"      {sentence} Kim Saeed's contrast (lesson 02)")


PLACES = ["lesson key point", "question explanation", "session script", "glossary entry",
          "option feedback"]


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("sentence", PHRASINGS)
def test_each_phrasing_of_false_consensus_fails(kit, place, sentence):
    seed(kit, place, sentence)
    found = provenance.problems()
    assert len(found) == 1, found
    where = {"lesson key point": "03.yml: key point 1", "question explanation": "ni-audience",
             "session script": "sessions/03.yml", "glossary entry": "glossary.yml",
             "option feedback": "'ni-audience' option 'a' feedback"}[place]
    assert where in found[0], found


@pytest.mark.parametrize("place", ["session script", "glossary entry", "option feedback"])
def test_the_same_point_naming_its_readings_passes(kit, place):
    seed(kit, place, "Saeed and Raypole both put the partner's safety first.")
    assert provenance.problems() == []


def test_an_explanation_that_names_its_kind_agrees_with_its_label():
    """"This is the speaker's opinion" under label: theory tells a learner two different kinds."""
    import re

    from coursekit import yamlio

    kinds = "research|theory|opinion|metaphor|anecdote|clinical experience"
    clash = []
    for path in sorted((ROOT / "assets" / "questions").glob("*.yml")):
        for q in yamlio.load_file(path)["questions"]:
            text = " ".join(str(q.get("explanation") or "").split())
            for m in re.finditer(rf"\bThis is (?:the|one) (?:\w+ ){{0,2}}?(?:speaker|author|"
                                 rf"writer|article|talk)'s (?:own )?({kinds})\b", text):
                if q.get("label") and m.group(1) != q["label"]:
                    clash.append((path.name, q["id"], m.group(0), q["label"]))
    assert not clash, clash


def test_research_on_post_traumatic_growth_is_named_where_a_question_reports_it():
    from coursekit import yamlio

    for path in sorted((ROOT / "assets" / "questions").glob("*.yml")):
        for q in yamlio.load_file(path)["questions"]:
            text = " ".join(str(q.get("explanation") or "").split())
            if "research on post-traumatic growth" in text:
                assert "Tedeschi and Calhoun" in text, (path.name, q["id"])

"""False consensus a sceptic found slipping past the linter (attack s3), and honest text that
must still pass.

Each phrasing in ``MISSED`` passed ``coursekit lessons lint`` before the patterns in
``coursekit.provenance`` were extended for it: typed into a hand-written page (no ``said_by``)
and as a key point said by two readings. ``IN_MARKDOWN`` puts a plain false consensus where a
page's Markdown hid it (emphasis, a link) or where it sits in a list, a table, a heading or a
quote. The seeded tests run the whole linter on a copy of the kit, in the places it now reads
(a facilitator's page, README.md, a lesson's content note, objectives and prompts).
"""

from __future__ import annotations

import pytest
from provenancecases import edit, yaml_problems

from coursekit import provenance

from conftest import copy_of_kit

#: Each passed the linter before this change, in a page and as a key point said by two.
MISSED = [
    # the lesson 03 content note as it shipped (only Raypole gives these causes)
    "Several of the articles trace narcissistic traits to childhood abuse, neglect, harsh "
    "criticism or a narcissistic parent.",
    "Most readings put the partner's safety first.",
    "The readings never doubt that the partner's safety comes first.",
    "The readings, one and all, put the partner's safety first.",
    "The readings as a whole put the partner's safety first.",
    "The whole set of articles puts the partner's safety first.",
    "Whichever article you read, the partner's safety comes first.",
    "There is no reading that does not put the partner's safety first.",
    "On safety, the readings are in step.",
    "The writers are agreed that the partner's safety comes first.",
    "The readings point the same way on the partner's safety.",
    "All voices here put the partner's safety first.",
    "Every single article puts the partner's safety first.",
    "The course's writers all put the partner's safety first.",
    "Each of the course's texts puts the partner's safety first.",
    "All of the course's readings put the partner's safety first.",
    # issue 20: lesson 02 said the hopeful authors "largely agree" with the pessimists
    "The hopeful and pessimistic authors largely agree that a partner cannot cure anyone.",
    "The readings, pessimistic or hopeful, put the partner's safety first.",
    # lesson 00 and session 02 as they shipped: the column questions the word as a label
    "The readings use the word narcissist freely.",
    "The articles use labels that can feel harsh.",
    "The authors call the partner a mother figure.",
    # lesson 05's "what the readings leave out" as it shipped (the column and Raypole do not)
    "The articles often write as if every narcissist were the same.",
    "The articles mostly assume one answer.",
    # a claim for every reading, with two names beside it: the names do not cover the rest
    "From part 1 to Raypole, every writer puts the partner's safety first.",
    "Saeed and Raypole, like every other author, put the partner's safety first.",
    "None of the five articles, from part 1 to Raypole, doubts that safety comes first.",
    # agreement without a group word, or as the absence of dissent
    "All agree that the partner's safety comes first.",
    "Everyone agrees that the partner's safety comes first.",
    "The writers, without a dissenting voice, put the partner's safety first.",
    "On the partner's safety there is no disagreement.",
    "The readings do not disagree on the partner's safety.",
    "Nobody disagrees that the partner's safety comes first.",
    "What unites the articles is a focus on the partner's safety.",
    "The partner's safety is a point of agreement.",
    "The partner's safety is a shared conclusion.",
    "The articles echo each other on the partner's safety.",
    "The readings are on the same page about the partner's safety.",
    "The articles take the same line on the partner's safety.",
    "The readings are consistent on the partner's safety.",
    "It is widely held among the readings that the partner's safety comes first.",
    "Raypole agrees with the others that the partner's safety comes first.",
    "Like the others, Ni puts the partner's safety first.",
    "Part 1 and Saeed, like all the others, put the partner's safety first.",
    "The readings (all five) put the partner's safety first.",
    "The articles overlap on the partner's safety.",
    "The readings coincide on the partner's safety.",
]

#: A false consensus in Markdown: each must fail in a page.
IN_MARKDOWN = [
    "*The readings* agree that the partner's safety comes first.",
    "**The authors** put the partner's safety first.",
    "The [readings](../assets/references.md) agree that the partner's safety comes first.",
    "_The sources_ concur: the partner's safety comes first.",
    "- **All the readings** say the partner's safety comes first.",
    "| Safety first | what all the readings say |",
    "## Where the readings agree",
    "> Across the readings, the partner's safety comes first.",
]

#: Honest sentences (several from the kit's own pages) that must never be flagged.
HONEST = [
    "Some people in your group will have lived through the kind of abuse this course "
    "discusses.",
    "Support for people who lived through what the course discusses.",
    "Saeed and Raypole both put the partner's safety first.",
    "Crystal Raypole traces narcissistic traits to childhood abuse, neglect, harsh criticism "
    "or a narcissistic parent, and the therapist's column to an early life in which "
    "vulnerability felt dangerous.",
    "Where do the hopeful and pessimistic articles actually disagree, and which articles "
    "share which points?",
    "How can you weigh the hopeful and the pessimistic views against each other, and what "
    "would change your mind?",
    "The course explains three published readings and teaches you to weigh their claims.",
    "Mark the reasoning about the readings only.",
    "Talk about the readings and ideas; you never need to share your own story.",
    "Which reading did you find most convincing, and why?",
    "Part 1 and Saeed say love cannot cure a narcissist; the column and Raypole give a "
    "partner some part in change, without a study behind it.",
    "Set `said_by:` in the lesson's YAML and run `make sync`.",
    "Open [the safety protocol](safety-protocol.md) before session 1.",
    "Where a lesson says narcissist, it reports the word of the reading it discusses.",
    "Part 1 and Saeed use labels that can feel harsh.",
    "Learners use the journal controls in lesson 00 to export or erase.",
    # a quoted slogan the course takes apart, and a view held outside the readings
    "\"Everyone agrees\" names no study or expert, so the claim is opinion.",
    "Stated without a citation; a widely held view among clinicians.",
    "Hopeful and pessimistic articles contradict each other on everything.",
    "Check that everyone agrees to the group agreements before you begin.",
    "Unlike the others, the column gives someone close a part in change.",
    # lesson 05's heading over statements that each name their articles
    "### Where the views meet, and where they do not",
    "Despite their different answers, some pairs of articles overlap.",
]

#: Honest in a page, which carries no said_by (in the YAML, said_by must name all five).
HONEST_IN_A_PAGE = [
    "Part 1, Saeed, Ni, the column and Raypole: all five tie change to the person's own work.",
    "What is one question about this subject that none of the readings could answer?",
    # lesson 04's matching prompt (a keyed prompt, read as text without said_by)
    "Match each of the article's steps to the link this lesson draws with the talk.",
]


@pytest.fixture
def kit(tmp_path, monkeypatch):
    return copy_of_kit(tmp_path, monkeypatch, "assets", "lessons", "facilitator/sessions")


@pytest.mark.parametrize("sentence", HONEST_IN_A_PAGE)
def test_a_sentence_that_names_every_reading_it_counts_passes_in_a_page(sentence):
    assert provenance._unnamed_agreements(sentence) == [], sentence


@pytest.mark.parametrize("sentence", MISSED)
def test_a_missed_phrasing_fails_in_a_page(sentence):
    assert provenance._unnamed_agreements(sentence), sentence


@pytest.mark.parametrize("sentence", MISSED)
def test_a_missed_phrasing_said_by_two_readings_fails_in_the_yaml(sentence):
    assert yaml_problems(sentence), sentence


@pytest.mark.parametrize("sentence", IN_MARKDOWN)
def test_a_false_consensus_in_markdown_fails_in_a_page(sentence):
    assert provenance._unnamed_agreements(sentence), sentence


def test_emphasis_cannot_hide_a_false_consensus_in_a_key_point():
    assert yaml_problems("**The authors** share the view that safety comes first.")
    assert yaml_problems("**Saeed and Raypole** say safety comes first.") == []


@pytest.mark.parametrize("sentence", HONEST)
def test_an_honest_sentence_passes(sentence):
    assert provenance._unnamed_agreements(sentence) == [], sentence
    assert yaml_problems(sentence) == [], sentence


def test_the_shipped_kit_passes(kit):
    assert provenance.problems() == []


@pytest.mark.parametrize("page", ["facilitator/README.md", "site/files/about.md", "README.md"])
def test_a_false_consensus_in_markdown_fails_the_linter_on_a_hand_written_page(kit, page):
    path = kit / page
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# A page\n\n" + "\n\n".join(HONEST) + "\n\n- Before session 1, read "
                    "the protocol; *the readings* agree that safety comes first.\n",
                    encoding="utf-8")
    found = provenance.problems()
    assert len(found) == 1 and found[0].startswith(page), found
    assert "the readings agree" in found[0]


@pytest.mark.parametrize("field, old", [
    ("content note", "Discusses therapy for narcissistic traits"),
    ("objective 4", "Compare the five articles by claim"),
    ("prompt 'hopeful.hardest-key'", "Which of Ni's six keys looks hardest"),
])
def test_a_false_consensus_in_a_lessons_own_text_fails_the_linter(kit, field, old):
    edit(kit / "assets" / "lessons" / "03.yml", old,
          f"Several of the articles trace the traits to childhood. {old}")
    found = provenance.problems()
    assert len(found) == 1, found
    assert found[0].startswith(f"assets/lessons/03.yml: {field} says"), found
    assert "Several of the articles trace" in found[0]

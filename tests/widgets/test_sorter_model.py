"""The sorter's model reasoning: shown once every statement is placed, beside the learner's own."""

from __future__ import annotations

import pytest

from coursekit import ContentError
from coursekit.course import Prompt, lessons
from coursekit.widgets import Sorter


@pytest.fixture
def modelled():
    return Prompt("01.kinds", "01", "sort", "Sort each description.", {
        "statements": ["A painter plays <freely>", "A partner is kept needy"],
        "categories": ["positive regression", "instrumentalized regression"],
        "model": [{"category": "positive regression", "why": "It serves the painter's growth."},
                  {"category": "instrumentalized regression", "why": "Someone else drives it."}]})


def test_reasoning_appears_only_when_every_statement_is_placed(journal, modelled):
    w = Sorter(modelled, journal=journal)
    before = len(w.children)
    assert w.reasoning is None
    w.place(0, "instrumentalized regression")
    assert w.reasoning is None  # one statement still unsorted: nothing given away
    w.place(1, "instrumentalized regression")
    assert w.reasoning is not None and w.children[-1] is w.reasoning
    text = w.reasoning.value
    assert "you chose <em>instrumentalized regression</em>" in text
    assert "the same as yours" in text and "Someone else drives it." in text
    assert "&lt;freely&gt;" not in text and "<freely>" not in text  # reasons, not statements, shown
    assert 'aria-live="polite"' in text
    w.place(0, "positive regression")
    assert w.reasoning.value.count("the same as yours") == 2  # updated, not rebuilt
    assert len(w.children) == before + 1


def test_reasoning_is_shown_again_when_the_lesson_is_reopened(journal, modelled):
    w = Sorter(modelled, journal=journal)
    w.place(0, "positive regression")
    w.place(1, "positive regression")
    again = Sorter(modelled, journal=journal)
    assert again.reasoning is not None and "you chose <em>positive regression</em>" in again.reasoning.value


def test_a_model_that_does_not_fit_its_prompt_is_refused(journal, modelled):
    one = modelled.options["model"][:1]
    short = Prompt(modelled.id, "01", "sort", "?", {**modelled.options, "model": one})
    with pytest.raises(ContentError, match="one entry per statement"):
        Sorter(short, journal=journal)
    wrong = [{"category": "negative regression", "why": "x"}, modelled.options["model"][1]]
    with pytest.raises(ContentError, match="not one of"):
        Sorter(Prompt(modelled.id, "01", "sort", "?", {**modelled.options, "model": wrong}), journal=journal)
    bare = Prompt(modelled.id, "01", "sort", "?", {k: v for k, v in modelled.options.items() if k != "model"})
    with pytest.raises(ValueError, match="no model"):
        Sorter(bare, journal=journal).show_reasoning()


def test_every_sort_in_the_course_has_a_model_reasoning(journal):
    sorts = [p for info in lessons() for p in info.prompts if p.kind == "sort"]
    assert len(sorts) >= 3
    for prompt in sorts:
        w = Sorter(prompt, journal=journal)
        assert len(w.model) == len(w.statements), prompt.id
        for n in range(len(w.statements)):
            w.place(n, w.categories[0])
        assert w.reasoning is not None and len(w.reasoning.value) > 200, prompt.id

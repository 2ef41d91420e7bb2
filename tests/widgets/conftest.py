"""Fixtures for the widget tests: a journal in the test's private data folder, a lesson."""

from __future__ import annotations

import pytest

from coursekit.course import Prompt, lesson
from coursekit.journal import Journal


@pytest.fixture
def journal(data_dir):
    j = Journal.open_default()
    yield j
    j.close()


@pytest.fixture
def info():
    return lesson("00")


@pytest.fixture
def text_prompt():
    return Prompt("01.which-kind", "01", "text", "Which kind of regression <em>fits</em>?")


@pytest.fixture
def sort_prompt():
    return Prompt("01.evidence", "01", "sort", "Sort each statement by its evidence.",
                  {"statements": ["A claim from a study", "A story from a friend"],
                   "categories": ["research", "clinical experience", "opinion", "anecdote"]})

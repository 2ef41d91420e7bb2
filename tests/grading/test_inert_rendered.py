"""Attacks on inert learner work judged where the marker sees it: in the HTML nbconvert
renders (feedback and hand-back pages have no Content-Security-Policy), not in the text."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbconvert import HTMLExporter

from coursekit.grading.inert import MakeInert

#: Links whose scheme only appears once markdown has undone its escapes and references.
HIDDEN_SCHEMES = [
    r"[a](javascript\:alert(1))",
    r"[b](javascript\&#58;alert(1))",
    "[c](&#x6A;avascript:alert(1))",
    "[d]\n\n[d]: javascript\\:alert(1)",
    "[e](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[f](JaVaScRiPt&colon;alert(1))",
]
#: Remote images fetched by the marker's browser on opening the page (tracking the marker).
TRACKERS = ["![seen](https://tracker.example/p.png)", "![r][t]\n\n[t]: https://tracker.example/q"]


def _rendered(cell) -> str:
    nb = nbformat.v4.new_notebook(cells=[cell])
    MakeInert()(nb, {})
    MakeInert()(nb, {})  # feedback of an autograded notebook: twice
    body, _ = HTMLExporter(template_name="classic").from_notebook_node(nb)
    return body[body.find('id="notebook-container"'):]


def _urls(body: str) -> list[str]:
    return [u.lower() for u in re.findall(r'(?:href|src)="([^"]*)"', body)]


def _fetched(body: str) -> list[str]:
    """What the page loads by itself on opening (an ``href`` waits for a click)."""
    return [u.lower() for u in re.findall(r'\bsrc="([^"]*)"', body)]


def _written_answer(text: str):
    cell = nbformat.v4.new_markdown_cell(f"My answer. {text}")
    cell.metadata["nbgrader"] = {"solution": True, "grade": True, "grade_id": "w1", "points": 1}
    return cell


@pytest.mark.parametrize("attack", HIDDEN_SCHEMES + TRACKERS)
def test_written_answer_renders_no_live_or_remote_url(attack):
    body = _rendered(_written_answer(attack))
    assert "My answer." in body
    for url in _urls(body):
        assert not url.startswith(("javascript:", "vbscript:", "data:")), (attack, url)
    assert not _fetched(body), attack


@pytest.mark.parametrize("attack", HIDDEN_SCHEMES)
def test_a_learner_cell_claiming_to_be_locked_renders_no_script_url(attack):
    cell = nbformat.v4.new_markdown_cell(f"Instructions. {attack}")
    cell.metadata["nbgrader"] = {"locked": True, "solution": False, "grade": False,
                                 "grade_id": "fake"}
    for url in _urls(_rendered(cell)):
        assert not url.startswith(("javascript:", "vbscript:", "data:")), (attack, url)


def test_the_checks_own_links_and_a_learners_emphasis_survive():
    cell = nbformat.v4.new_markdown_cell("See [the guide](https://example.org/guide).")
    cell.metadata["nbgrader"] = {"locked": True, "solution": False, "grade_id": "intro"}
    assert "https://example.org/guide" in _urls(_rendered(cell))
    body = _rendered(_written_answer("**Bold** and a list:\n\n- one\n- [two] \\[three]"))
    assert "<strong>Bold</strong>" in body and "[two]" in body and "[three]" in body

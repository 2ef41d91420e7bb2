"""nbgrader's pages for a course load nothing from another host, and stay nbgrader's pages.

nbgrader's feedback and Formgrader templates load MathJax from a public CDN; the course's
config puts the kit's template folder first (grading/offline.py). That must not change
which page nbgrader renders: the Formgrader's grading page keeps its score boxes.

The real pipeline on real files: generate, one submission, autograde; then the feedback
files ``coursekit grade feedback`` hands back, and the grading page the Formgrader (set up
as ``coursekit grade formgrader`` starts it, in the course folder) renders for a marker.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursekit.cli import main
from coursekit.grading.cohort import GRADED, autograde_cohort
from coursekit.questionbank import load_bank

from .factories import ASSIGNMENT, make_course, nbgrader, right_answers, submission
from offline import remote_loads

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory) -> Path:
    """A course with one autograded submission (learner L01)."""
    os.environ["COURSEKIT_ROOT"] = str(Path(__file__).resolve().parents[2])
    course = make_course(tmp_path_factory.mktemp("offline"))
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    submission(course, "L01", right_answers(load_bank("00")))
    outcomes = autograde_cohort(course, ASSIGNMENT, workers=1)
    assert [o.status for o in outcomes] == [GRADED]
    return course


def test_feedback_pages_load_nothing_from_another_host(graded_course, tmp_path):
    out = tmp_path / "hand-back"
    run = CliRunner().invoke(main, ["grade", "feedback", ASSIGNMENT, "--course",
                                    str(graded_course), "--out", str(out)])
    assert run.exit_code == 0, run.output
    page = out / f"L01-{ASSIGNMENT}-feedback.html"
    text = page.read_text(encoding="utf-8")
    assert "cdnjs" not in text and "MathJax.Hub" not in text
    assert remote_loads(page) == []
    # still nbgrader's page: the score and the question explanations are there
    assert ASSIGNMENT in text and "Score" in text, text[:2000]
    assert os.path.getsize(page) > 10_000


def test_the_formgrader_grading_page_keeps_its_score_boxes_and_loads_nothing_remote(
        graded_course, tmp_path, monkeypatch):
    """The Formgrader reads the course's nbgrader_config.py after its own settings: a
    template name set there would replace its grading page by a feedback page."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader.formgrader import FormgradeExtension

    monkeypatch.chdir(graded_course)
    formgrader = FormgradeExtension()
    try:
        formgrader.root_dir = str(graded_course)
        formgrader.initialize([])
        exporter = HTMLExporter(config=formgrader.config)  # as init_tornado_settings does
    finally:
        FormgradeExtension.clear_instance()
    assert exporter.template_name == "formgrade"
    notebook = graded_course / "autograded" / "L01" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    html, _ = exporter.from_filename(str(notebook), resources={
        "assignment_id": ASSIGNMENT, "notebook_id": ASSIGNMENT, "submission_id": "x",
        "index": 0, "total": 1, "base_url": "", "student": "L01", "last_name": None,
        "first_name": None, "notebook_path": f"autograded/L01/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"})
    page = tmp_path / "formgrade.html"
    page.write_text(html, encoding="utf-8")
    # a score box for each written answer, as the marker needs
    shorts = [q for q in load_bank("00") if q.type == "short"]
    assert shorts and html.count('<input class="score') >= len(shorts), html[:2000]
    assert "cdnjs" not in html and remote_loads(page) == []

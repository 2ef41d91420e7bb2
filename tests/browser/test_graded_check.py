"""The graded check in a real JupyterLab in Chromium: answered by clicking only, then graded.

1. A learner opens the released check, runs it, answers every question with the mouse
   (radio buttons, check boxes, drop-downs; a written answer typed into its text box),
   and saves with Ctrl+S. The kit's save hook writes the clicked answers into the file.
   The notebook is then collected (route 2), autograded by nbgrader and given feedback:
   the score is the expected one and neither the notebook nor the feedback shows a
   traceback.
2. The Formgrader, opened with the documented command (``coursekit grade formgrader``),
   lists the check and shows each written answer's rubric to the marker.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

import pytest
from grading.factories import ASSIGNMENT, make_course, nbgrader, right_answers, submission

from .labdriver import LabServer, NotebookPage, free_port
from .test_lessons import expect_text

pytestmark = [pytest.mark.browser, pytest.mark.slow]
A = ASSIGNMENT
ROOT = Path(__file__).resolve().parents[2]
WRITTEN = "The course explains published readings and weighs their claims; it diagnoses no one."


def _wrong_letter(q) -> str:
    key = q.expected()
    return next(chr(97 + i) for i in range(len(q.options)) if chr(97 + i) != key)


@pytest.fixture(scope="module")
def check_course(tmp_path_factory):
    os.environ["COURSEKIT_ROOT"] = str(ROOT)
    course = make_course(tmp_path_factory.mktemp("graded-check"))
    nbgrader(course, "generate_assignment", A, "--force")
    return course


def _click(cell, q, value) -> None:
    from coursekit.questionbank import labelled

    if q.type == "single":
        text = dict(labelled([o.text for o in q.options_shown()]))[value]
        cell.get_by_role("radio", name=f"{value}. {text}", exact=True).check()
    elif q.type == "true_false":
        cell.get_by_role("radio", name=str(value), exact=True).check()
    elif q.type == "multiple":
        for letter, o in labelled(q.options_shown()):
            if letter in value:
                cell.get_by_role("checkbox", name=f"{letter}. {o.text}", exact=True).check()
    else:
        shown = q.matching_rights() if q.type == "matching" else q.ordering_shown()
        texts = dict(labelled(shown))
        selects = cell.locator("select")
        assert selects.count() == len(value)
        for i, letter in enumerate(value):
            selects.nth(i).select_option(label=f"{letter}. {texts[letter]}")


def test_a_whole_check_answered_by_clicking_is_graded(page, lab, check_course, tmp_path):
    from coursekit.grading.cohort import GRADED, autograde_cohort
    from coursekit.grading.collect import collect
    from coursekit.grading.feedback import hand_back
    from coursekit.questionbank import load_bank

    bank = load_bank("00")
    folder = lab.kit / "checks" / A
    folder.mkdir(parents=True, exist_ok=True)
    release = check_course / "release" / A / f"{A}.ipynb"
    (folder / f"{A}.ipynb").write_text(release.read_text(encoding="utf-8"), encoding="utf-8")

    nb = NotebookPage(page, lab, f"checks/{A}/{A}.ipynb").open()
    nb.run_all()
    singles = [q for q in bank.choice_questions if q.type == "single"]
    wrong = singles[-1]  # one deliberate mistake, so the score says something
    answers = {q.id: q.expected() for q in bank.choice_questions}
    answers[wrong.id] = _wrong_letter(wrong)
    for q in bank.choice_questions:
        index = nb.cell_index(f'show("{q.key}"')
        cell = nb.cell(index)
        expect_text(cell, "Not answered yet")
        cell.scroll_into_view_if_needed()
        _click(cell, q, answers[q.id])
        expect_text(cell, "Your answer:")
    for q in bank:
        if q.type != "short":
            continue
        cell = nb.cell(nb.cell_index(f'write("{q.key}")'))
        cell.scroll_into_view_if_needed()
        expect_text(cell, "Nothing written yet")
        cell.locator("textarea").fill(WRITTEN)
        expect_text(cell, f"{len(WRITTEN.split())} words")
    nb.save()
    assert nb.errors() == []

    saved = json.loads((folder / f"{A}.ipynb").read_text(encoding="utf-8"))
    sources = {c["id"]: "".join(c["source"]) for c in saved["cells"]}
    for q in bank.choice_questions:
        value = answers[q.id]
        literal = repr(value) if isinstance(value, bool) else json.dumps(value)
        assert sources[f"answer-{q.id}"].startswith(f"{q.variable} = {literal}  #"), q.id
    for q in bank:
        if q.type == "short":
            assert sources[f"answer-{q.id}"].strip() == WRITTEN
    outputs = [o for c in saved["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert "widgets" not in saved["metadata"]

    # hand it back (route 2), autograde with nbgrader, make the feedback
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / f"clicker_{A}.ipynb").write_text(json.dumps(saved), encoding="utf-8")
    report = collect(check_course, A, inbox)
    assert report.collected == {"clicker": f"clicker_{A}.ipynb"}
    (outcome,) = autograde_cohort(check_course, A, students=["clicker"], workers=1)
    expected = sum(q.points for q in bank.choice_questions) - wrong.points
    assert (outcome.status, outcome.score) == (GRADED, float(expected))
    result = hand_back(check_course, A, tmp_path / "back")
    page_html = result.written["clicker"].read_text(encoding="utf-8")
    body = page_html[page_html.find("<body"):]
    for leak in ("Traceback", "AssertionError", "NameError", "HIDDEN TESTS"):
        assert leak not in body
    assert "Not this time" in body and "Correct." in body


def _start_formgrader(course: Path, base: Path):
    """``coursekit grade formgrader`` exactly as documented, on a free port with a token."""
    server = LabServer(base)
    server.prepare()
    server.port = free_port()
    coursekit = Path(sys.executable).with_name("coursekit")
    log = open(base / "formgrader.log", "ab")  # noqa: SIM115 - closed by the caller
    proc = subprocess.Popen(
        [str(coursekit), "grade", "formgrader", "--course", str(course), "--no-browser",
         "--port", str(server.port), f"--IdentityProvider.token={server.token}",
         "--ip=127.0.0.1", "--ServerApp.port_retries=0"],
        cwd=base, env=server.env(), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((base / "formgrader.log").read_text(errors="replace")[-4000:])
        try:
            server.api("GET", "/api/status")
            return server, proc, log
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    raise RuntimeError("the Formgrader did not start:\n" +
                       (base / "formgrader.log").read_text(errors="replace")[-4000:])


def test_formgrader_opens_on_the_course_and_shows_rubrics(browser, tmp_path):
    from nbgrader.api import Gradebook

    from coursekit.grading.cohort import GRADED, autograde_cohort
    from coursekit.questionbank import load_bank

    os.environ["COURSEKIT_ROOT"] = str(ROOT)
    bank = load_bank("00")
    shorts = [q for q in bank if q.type == "short"]
    course = make_course(tmp_path / "c")
    nbgrader(course, "generate_assignment", A, "--force")
    submission(course, "marker-test", right_answers(bank))
    (outcome,) = autograde_cohort(course, A, workers=1)
    assert outcome.status == GRADED, outcome
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub_id = gb.find_submission_notebook(A, A, "marker-test").id
    server, proc, log = _start_formgrader(course, tmp_path / "fg")
    context = browser.new_context(viewport={"width": 1366, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/formgrader/manage_assignments?token={server.token}")
        expect_text(page.locator("body"), A)
        assert "does not exist" not in page.locator("body").inner_text()
        page.goto(f"{server.url}/formgrader/submissions/{sub_id}/?token={server.token}")
        for q in shorts:
            rubric = page.get_by_text(" ".join(q.rubric.split())[:60], exact=False).first
            rubric.wait_for(state="visible", timeout=30_000)
            assert rubric.is_visible()
        expect_text(page.locator("body"), "Rubric for the marker")
        # the written answer stays a manually graded cell with its score box
        assert page.locator("input.score").count() >= len(shorts)
    finally:
        context.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()

"""Issue 18: learner work is inert in the real Formgrader, opened in Chromium.

Two submissions carry script: one in its written answer (markdown a learner types), one in
an output its answer cell displays (a check with code, graded in the sandbox). The payload,
run by the page, would set a window flag and, with the marker's session, write a file into
the course folder and append to ``nbgrader_config.py`` through the Jupyter API (a control
run of the same payload from the page's console shows that it can). Opened in the
Formgrader: nothing runs, no file is written, ``nbgrader_config.py`` is unchanged, the
answer shows as text, and the page carries a Content-Security-Policy with no inline script
but nbgrader's own, under which the Formgrader's own scripts still work.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from grading.factories import ASSIGNMENT, make_course, nbgrader, right_answers, submission

from .test_graded_check import _start_formgrader

pytestmark = [pytest.mark.browser, pytest.mark.slow]
A = ASSIGNMENT
ROOT = Path(__file__).resolve().parents[2]

#: What the script would do as the marker: a flag, a planted file, code in the config.
PAYLOAD = (
    "window.__ckPwned = (window.__ckPwned || 0) + 1;"
    "fetch('/lab', {credentials: 'same-origin'}).then(() => {"  # sets the _xsrf cookie
    "var x = (document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || '';"
    "var h = {'Content-Type': 'application/json', 'X-XSRFToken': x};"
    "fetch('/api/contents/planted.txt', {method: 'PUT', headers: h, credentials: 'same-origin',"
    " body: JSON.stringify({type: 'file', format: 'text', content: 'planted'})});"
    "fetch('/api/contents/nbgrader_config.py?content=1', {credentials: 'same-origin'})"
    ".then(r => r.json()).then(m => fetch('/api/contents/nbgrader_config.py', {method: 'PUT',"
    " headers: h, credentials: 'same-origin', body: JSON.stringify({type: 'file',"
    " format: 'text', content: m.content + '\\nopen(\"pwned\", \"w\")\\n'})}));});"
)
#: The same steps, run by the test from the page (not by the page): they do write.
CONTROL = """async () => {
    await fetch('/lab', {credentials: 'same-origin'});
    var x = (document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || '';
    var r = await fetch('/api/contents/planted.txt', {method: 'PUT',
        headers: {'Content-Type': 'application/json', 'X-XSRFToken': x},
        credentials: 'same-origin',
        body: JSON.stringify({type: 'file', format: 'text', content: 'planted'})});
    return r.status; }"""
#: The payload as a learner would hide it from markdown (no quote, underscore or star).
RUN = f"eval(atob('{base64.b64encode(PAYLOAD.encode()).decode()}'))"
WRITTEN = (f"My answer <img src=x onerror={RUN}> and <script>{RUN}</script> "
           f"[click](javascript:{RUN})")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _written(text):
    def mutate(nb):
        for cell in nb["cells"]:
            gid = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
            if cell["cell_type"] == "markdown" and gid.startswith("answer-"):
                cell["source"] = text
    return mutate


def test_script_in_answers_and_outputs_never_runs_in_the_formgrader(browser, tmp_path):
    from nbgrader.api import Gradebook

    from coursekit.grading.cohort import autograde_cohort
    from coursekit.grading.sandbox import sandbox_problem
    from coursekit.questionbank import load_bank

    os.environ["COURSEKIT_ROOT"] = str(ROOT)
    bank = load_bank("00")
    right = right_answers(bank)
    first = bank.choice_questions[0]
    course = make_course(tmp_path / "c")
    nbgrader(course, "generate_assignment", A, "--force")
    submission(course, "xss-written", right, mutate=_written(WRITTEN))
    autograde_cohort(course, A, students=["xss-written"], workers=1)
    students = ["xss-written"]
    if sandbox_problem() is None or os.environ.get("CI"):
        shown = (f"from IPython.display import HTML, display\n"
                 f"display(HTML({('<img src=x onerror=' + RUN + '>')!r}))\n"
                 f"display({{'text/html': {('<script>' + RUN + '</script>')!r}, "
                 f"'application/javascript': {RUN!r}}}, raw=True)")
        submission(course, "xss-output", {**right, first.id: right[first.id] + "\n" + shown})
        autograde_cohort(course, A, students=["xss-output"], workers=1, as_data=False)
        students.append("xss-output")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        ids = {s: gb.find_submission_notebook(A, A, s).id for s in students}
    config_before = sha(course / "nbgrader_config.py")
    server, proc, log = _start_formgrader(course, tmp_path / "fg")
    context = browser.new_context(viewport={"width": 1366, "height": 1000})
    try:
        page = context.new_page()
        # the marker logs in as usual: the page's requests then carry the login cookie
        page.goto(f"{server.url}/login")
        page.fill("input[name=password]", server.token)
        page.locator("#login_submit, button[type=submit]").first.click()
        page.wait_for_url(lambda url: "/login" not in url, timeout=30_000)
        for student, sub_id in ids.items():
            response = page.goto(f"{server.url}/formgrader/submissions/{sub_id}/")
            csp = response.headers.get("content-security-policy", "")
            page.locator("input.score").first.wait_for(timeout=30_000)
            time.sleep(2)  # time for an image error, a script or a fetch to happen
            assert page.evaluate("window.__ckPwned") is None, student
            assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split(
                "script-src")[1].split(";")[0], csp
            # nbgrader's own inline script ran (allowed by its hash) and so did its files
            assert page.evaluate("typeof submission_id") == "string", student
            assert page.evaluate("typeof jQuery") == "function", student
            if student == "xss-written":  # the answer is shown as the text typed
                assert "My answer <img src=x onerror=" in page.locator("body").inner_text()
        assert not (course / "planted.txt").exists()
        assert sha(course / "nbgrader_config.py") == config_before
        # control: the same payload, run by the page itself, can write into the course
        status = page.evaluate(CONTROL)
        assert (course / "planted.txt").exists(), f"the control payload could not write ({status})"
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

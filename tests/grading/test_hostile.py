"""A hostile cohort graded in one batch beside honest learners.

Every attack from issue 10 is a submission built in code from the released check:
answers that try to read the answer key, the gradebook, the facilitator's journal and
files outside the sandbox, to rewrite other learners' files, to kill or stop the
grader, to exhaust time, memory, processes, output and disk, to outlive grading, and
notebooks whose test cells or grading metadata were tampered with. The test asserts
that honest learners keep full marks and untouched files, that each hostile
submission gets its own precise status, that feedback leaks nothing, and that no
process outlives the batch.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

import psutil
import pytest

from coursekit.grading.cohort import GRADED, autograde_cohort
from coursekit.grading.sandbox import sandbox_problem
from coursekit.questionbank import load_bank

from . import corpus
from .corpus import LIMITS, SECRET, survivors
from .factories import ASSIGNMENT, make_course, nbgrader, right_answers, submission


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sandbox_problem() is not None and not os.environ.get("CI"),
                       reason=f"no sandbox here: {sandbox_problem()}"),
]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    os.environ["COURSEKIT_ROOT"] = str(Path(__file__).resolve().parents[2])
    built = corpus.build(tmp_path_factory.mktemp("hostile"))
    course, expect, data = built["course"], built["expect"], built["data"]
    gradebook = built["gradebook"]
    hashes = {s: sha(course / "submitted" / s / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
              for s in expect if s.startswith("honest")}
    gradebook_before = sha(gradebook)
    env_before = os.environ.get("COURSEKIT_DATA_DIR")
    os.environ["COURSEKIT_DATA_DIR"] = str(data)
    start = time.monotonic()
    try:
        # the sandboxed path (a check with code questions): clicked answers alone would be
        # graded as data, with none of this code run (test_hostile_data.py)
        outcomes = autograde_cohort(course, ASSIGNMENT, workers=2, limits=LIMITS,
                                    as_data=False)
    finally:
        if env_before is None:
            os.environ.pop("COURSEKIT_DATA_DIR", None)
        else:
            os.environ["COURSEKIT_DATA_DIR"] = env_before
    seconds = time.monotonic() - start
    left = survivors()
    for proc in left:  # do not leave them running, whatever the assertions say
        proc.kill()
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--force", check=False)
    return dict(built, seconds=seconds, left=left, outcomes={o.student: o for o in outcomes},
                hashes=hashes, gradebook_before=gradebook_before)


def test_the_corpus_is_large_enough(batch):
    hostile = [s for s in batch["expect"] if not s.startswith("honest")]
    assert len(hostile) >= 15


def test_every_submission_gets_its_precise_status(batch):
    got = {s: (o.status, o.detail) for s, o in batch["outcomes"].items()}
    wrong = {s: got[s] for s, want in batch["expect"].items() if got[s][0] != want}
    assert wrong == {}
    for s, o in batch["outcomes"].items():
        assert "traceback" not in o.detail.lower() and "nbgrader update" not in o.detail, s
        if o.status != GRADED:
            assert o.detail, s


def test_honest_learners_keep_full_marks_and_untouched_files(batch):
    course, outcomes = batch["course"], batch["outcomes"]
    for student, digest in batch["hashes"].items():
        assert outcomes[student].score == batch["points"], student
        assert sha(course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb") == digest
    graded = [course / "autograded" / s / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
              for s in batch["hashes"]]
    def without_timing(path: Path) -> str:  # nbgrader records when each cell ran
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            cell["metadata"].pop("execution", None)
        return json.dumps(nb, sort_keys=True)

    assert len({without_timing(p) for p in graded}) == 1  # the same answers, the same file


def test_nothing_outside_the_sandbox_was_touched(batch):
    course = batch["course"]
    assert not (course / "exchange" / "planted.txt").exists()
    assert not (Path(sys.prefix) / "planted-by-h-remount").exists()
    assert (batch["data"] / "journal.db").read_text() == SECRET
    # the gradebook is still a working database holding every learner
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert {s.id for s in gb.students} >= set(batch["hashes"])
    # attacks that failed inside the sandbox left their traces only in their own outputs
    out = (course / "autograded" / "h-passwd" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "root:x:0:0" not in out and "FileNotFoundError" in out


def test_limits_keep_files_small(batch):
    course = batch["course"]
    for folder in ("autograded", "feedback"):
        for path in (course / folder / "h-print").rglob("*.*"):
            assert path.stat().st_size < 2 * LIMITS.notebook_output + 500_000, path


def test_feedback_holds_no_answer_key_hidden_test_or_grader_data(batch):
    course, bank = batch["course"], batch["bank"]
    source = json.loads((course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    hidden = []
    for cell in source["cells"]:
        text = "".join(cell["source"])
        if "BEGIN HIDDEN TESTS" in text:
            region = text.split("BEGIN HIDDEN TESTS", 1)[1].split("END HIDDEN TESTS", 1)[0]
            hidden += [ln.strip() for ln in region.splitlines()[1:] if len(ln.strip()) > 12]
    assert hidden
    pages = sorted((course / "feedback").glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.html"))
    assert {p.parent.parent.name for p in pages} >= set(batch["hashes"]) | {"h-spy"}
    import html as html_lib

    for page in pages:
        text = html_lib.unescape(page.read_text(encoding="utf-8"))
        for line in hidden:
            assert line not in text, (page, line)
        for leak in (SECRET, "root:x:0:0", "BEGIN SOLUTION", "HIDDEN TESTS", "SQLite format"):
            assert leak not in text, (page, leak)
    del bank


def test_remote_images_in_outputs_fetch_nothing_where_a_marker_looks(batch):
    course = batch["course"]
    assert batch["outcomes"]["h-remote-image"].score == batch["points"]
    graded = course / "autograded" / "h-remote-image" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    page = course / "feedback" / "h-remote-image" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    html = ["".join(o["data"]["text/html"]) for c in json.loads(graded.read_text())["cells"]
            if c["cell_type"] == "code" for o in c["outputs"] if "text/html" in o.get("data", {})]
    assert html and all("tracker.example" not in h for h in html)
    assert any(f'src="{corpus.PIXEL}"' in h for h in html)  # an inline image stays
    assert any('alt="chart"' in h for h in html)
    # the feedback page: the learner's code shows the address as text, but no element loads it
    from html.parser import HTMLParser

    found: list[str] = []

    class Sources(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.extend(v or "" for k, v in attrs if k in ("src", "srcset", "href"))

    Sources().feed(page.read_text(encoding="utf-8"))
    assert found and not [v for v in found if "tracker.example" in v]


def test_no_process_outlives_the_batch(batch):
    assert batch["left"] == []
    mine = psutil.Process().children(recursive=True)
    assert [p for p in mine if "bwrap" in " ".join(p.cmdline())] == []


def test_the_batch_finishes_within_its_deadline(batch):
    n = len(batch["expect"])
    assert batch["seconds"] < 60 + LIMITS.deadline() * (n / 2) * 1.5
    assert batch["seconds"] < 180, batch["seconds"]


def test_refuses_without_a_sandbox_unless_the_risk_is_accepted(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from coursekit.cli import main
    from coursekit.grading import sandbox

    course = make_course(tmp_path)
    (course / "submitted" / "someone" / ASSIGNMENT).mkdir(parents=True)
    monkeypatch.setenv("PATH", str(tmp_path / "no-bwrap-here"))
    sandbox.sandbox_problem.cache_clear()
    try:
        assert "bubblewrap" in sandbox.sandbox_problem()
        run = CliRunner().invoke(main, ["grade", "autograde", ASSIGNMENT, "--course",
                                        str(course), "--run-answers"])
        assert run.exit_code != 0
        assert "Grading refused" in str(run.output) + str(run.exception)
        assert "--no-sandbox-i-accept-the-risk" in str(run.output) + str(run.exception)
        assert sandbox.check_sandbox(allow_unsandboxed=True) is False
        with pytest.raises(sandbox.SandboxUnavailable):
            autograde_cohort(course, ASSIGNMENT, workers=1, as_data=False)
    finally:
        sandbox.sandbox_problem.cache_clear()


def test_without_the_sandbox_a_killed_or_stopped_worker_costs_only_its_learner(
        tmp_path, monkeypatch):
    """With the risk accepted (no bwrap), an answer can reach its grading process: killing
    or stopping it costs that learner only; the worker is replaced and the rest graded."""
    import sys

    from click.testing import CliRunner

    from coursekit.cli import main
    from coursekit.grading import sandbox
    from coursekit.grading.cohort import STOPPED

    bank = load_bank("00")
    right = right_answers(bank)
    first = bank.choice_questions[0].id
    # without the sandbox the answer cells import the kit's widgets: slow on a busy machine
    course = make_course(tmp_path, timeout=30)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    submission(course, "a-kills", {**right, first: right[first] + "\nimport os\n"
                                   "os.kill(os.getppid(), 9)"})
    submission(course, "b-stops", {**right, first: right[first] + "\nimport os, signal\n"
                                   "os.kill(os.getppid(), signal.SIGSTOP)"})
    submission(course, "c-honest", right)
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))  # no bwrap on it
    import tempfile

    system_tmp = Path(tempfile.gettempdir())
    strays = set(system_tmp.glob("ck-*"))
    scratch = tmp_path / "scratch"  # where the cohort's workers keep their temporary files
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    sandbox.sandbox_problem.cache_clear()
    try:
        run = CliRunner().invoke(main, ["grade", "autograde", ASSIGNMENT, "--course",
                                        str(course), "--workers", "2", "--seconds", "60",
                                        "--no-sandbox-i-accept-the-risk", "--run-answers"])
    finally:
        sandbox.sandbox_problem.cache_clear()
    assert run.exit_code == 0, run.output
    assert "WITHOUT a sandbox" in run.output
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {s.student.id: s.score for s in gb.find_assignment(ASSIGNMENT).submissions}
    points = sum(q.points for q in bank.choice_questions)
    assert scores["c-honest"] == points
    lines = {ln.split()[1]: ln for ln in run.output.splitlines()
             if ln.startswith("│") and len(ln.split()) > 3}
    for learner in ("a-kills", "b-stops"):
        assert STOPPED in lines[learner], run.output
    assert "stopped or hung the grader" in run.output
    # killed workers' folders removed too (pymp-*: multiprocessing's own, for this process)
    assert [p.name for p in scratch.iterdir() if not p.name.startswith("pymp-")] == []
    assert set(system_tmp.glob("ck-*")) - strays == set()


def test_every_status_has_a_sentence_and_a_next_step():
    from coursekit.grading.cohort import EXPLAIN, STATUSES

    assert set(EXPLAIN) == set(STATUSES)
    for status, (what, todo) in EXPLAIN.items():
        assert what.endswith(".") and "traceback" not in what.lower(), status
        assert todo or status == GRADED, status

"""A classroom on a real JupyterHub: one instructor, three learners, one graded check.

What is a real hub interaction here: the hub (deploy/jupyterhub_config.py, loaded as
shipped, with a dummy authenticator and a test spawner swapped in), its proxy
(configurable-http-proxy from npm), the hub REST API creating users and starting
their servers, and every step after that going through the proxy to each user's
own single-user server: nbgrader's Formgrader API on the instructor's server
(generate, release, collect, autograde, scores) and nbgrader's assignment-list API
on each learner's (fetch, submit), the Jupyter contents API to answer the notebook,
and a kernel in the learner's server to write reflections through the kit.

What is set up by hand, as a teacher would at a terminal: the instructor's course
folder (a copy of facilitator/nbgrader) and their ~/nbgrader_config.py (from deploy/).

Honest limit: CI runs everything as root with no system users, so every server runs
as root and "a learner cannot read another learner's journal" is checked through the
journal's modes (folder 0700, files 0600) and ownership, not by a denied read.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from pathlib import Path
from secrets import token_hex

import pytest

from .hubdriver import CHP, ROOT, Hub
from conftest import NPM_HINT, missing

pytestmark = [pytest.mark.slow]

INSTRUCTOR = "instructor"
LEARNERS = ["learner1", "learner2", "learner3"]
COURSE = "coursekit"
ASSIGNMENT = "00-check"
SOURCE = ROOT / "facilitator" / "nbgrader"
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)\n### END SOLUTION", re.S)


def answer_key() -> list[dict]:
    """From the instructor's source: each autograded answer's id, correct line and points."""
    nb = json.loads((SOURCE / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    cells = nb["cells"]
    key = []
    for i, cell in enumerate(cells):
        meta = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] != "code" or not meta.get("solution"):
            continue
        test = cells[i + 1]["metadata"].get("nbgrader", {})
        assert test.get("grade"), f"no test cell after {meta['grade_id']}"
        line = SOLUTION.search("".join(cell["source"])).group(1).strip()
        key.append({"grade_id": meta["grade_id"], "line": line, "points": test["points"]})
    assert len(key) >= 3, "the check needs at least three autograded questions"
    return key


def wrong(line: str) -> str:
    """A wrong but well-formed answer: flip a True/False, else another letter."""
    name, value = (s.strip() for s in line.split("=", 1))
    if value in ("True", "False"):
        return f"{name} = {value == 'False'}"
    letters = "abcde"
    first = next(ch for ch in value if ch in letters)
    other = next(ch for ch in letters if ch != first)
    return f"{name} = {value.replace(first, other, 1)}"


def plan(key: list[dict]) -> dict[str, tuple[dict[str, str], float]]:
    """Each learner's answers (grade id -> line) and the score those answers must get."""
    full = {k["grade_id"]: k["line"] for k in key}
    partial = {k["grade_id"]: k["line"] for k in key[::2]}
    partial[key[1]["grade_id"]] = wrong(key[1]["line"])
    return {
        "learner1": (full, sum(k["points"] for k in key)),
        "learner2": (partial, sum(k["points"] for k in key[::2])),
        "learner3": ({key[0]["grade_id"]: wrong(key[0]["line"])}, 0),
    }


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    if not CHP.exists():
        missing(f"{CHP.relative_to(ROOT)} (JupyterHub's proxy, for the hub test)", NPM_HINT)
    pytest.importorskip("jupyterhub")
    base = tmp_path_factory.mktemp("classroom")
    hub = Hub(base, instructors=[INSTRUCTOR], learners=LEARNERS)
    # The instructor's set-up, as deploy/README.md describes it.
    course = hub.home(INSTRUCTOR) / "coursekit-course"
    course.mkdir(parents=True)
    shutil.copy(SOURCE / "nbgrader_config.py", course / "nbgrader_config.py")
    # Every server here runs as one OS user, as on a shared volume: deploy/README.md says
    # to let the collector skip the owner check there (links, pipes, times still checked).
    with (course / "nbgrader_config.py").open("a") as f:
        f.write("\nc.ExchangeCollect.check_owner = False\n")
    shutil.copytree(SOURCE / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    shutil.copy(ROOT / "deploy" / "instructor_nbgrader_config.py",
                hub.home(INSTRUCTOR) / "nbgrader_config.py")
    hub.start()
    try:
        hub.start_servers([INSTRUCTOR, *LEARNERS])
        yield hub
    finally:
        hub.stop()


def test_classroom_release_fetch_submit_collect_autograde(hub):
    key = answer_key()
    answers = plan(key)
    fg = f"/formgrader/api/assignment/{ASSIGNMENT}"

    # Instructor: generate the student version and release it into the shared exchange.
    for step in ("assign", "release"):
        result = hub.user(INSTRUCTOR, "POST", f"{fg}/{step}")
        assert result["success"], f"{step}: {result.get('error') or result}"
    outbound = hub.exchange / COURSE / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    released = outbound.read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in released and "HIDDEN TESTS" not in released

    # One learner writes reflections through the kit, in their own kernel and journal.
    marker = f"ck-hub-marker-{token_hex(6)}"
    printed = hub.run_in_kernel("learner1", f"""
from coursekit import config
from coursekit.lesson import Lesson
from coursekit.widgets import widget_for_prompt
n = 0
for lid in ("00", "01"):
    lesson = Lesson(lid)
    for p in lesson.info.prompts:
        if p.kind == "text":
            w = widget_for_prompt(p, journal=lesson.journal)
            w.type({marker!r} + " " + p.id)
            assert w.flush(), "not saved"
            n += 1
print(config.data_dir().resolve(), n)
""")
    data_dir, count = printed.split()
    assert Path(data_dir) == (hub.home("learner1") / ".local/share/coursekit").resolve()
    assert int(count) >= 2
    hub.run_in_kernel("learner2", """
from coursekit.journal import Journal
Journal.open_default().save("00.hopes", "learner two's own words", lesson="00")
""")

    # Learners: fetch, answer in the notebook (contents API), submit.
    for learner, (lines, _score) in answers.items():
        listing = hub.user(learner, "POST", "/assignments/fetch",
                           form={"course_id": COURSE, "assignment_id": ASSIGNMENT})
        assert listing["success"], listing
        path = f"/api/contents/{COURSE}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
        model = hub.user(learner, "GET", f"{path}?content=1")
        for cell in model["content"]["cells"]:
            grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if grade_id in lines:
                cell["source"] = lines[grade_id] + "\n"
        hub.user(learner, "PUT", path, body={"type": "notebook", "format": "json",
                                             "content": model["content"]})
        result = hub.user(learner, "POST", "/assignments/submit",
                          form={"course_id": COURSE, "assignment_id": ASSIGNMENT})
        assert result["success"], result

    # Instructor: collect, autograde each submission, read the scores.
    result = hub.user(INSTRUCTOR, "POST", f"{fg}/collect")
    assert result["success"], result
    for learner in LEARNERS:
        result = hub.user(INSTRUCTOR, "POST",
                          f"/formgrader/api/submission/{ASSIGNMENT}/{learner}/autograde")
        assert result["success"], f"autograde {learner}: {result.get('error')}"
    submissions = hub.user(INSTRUCTOR, "GET", f"/formgrader/api/submissions/{ASSIGNMENT}")
    scores = {s["student"]: s["score"] for s in submissions}
    assert scores == {name: float(score) for name, (_a, score) in answers.items()}

    # The reflection text is in learner1's journal folder and in no other file at all:
    # not in the submission, the exchange, the gradebook, the instructor's home, the hub.
    journal_dir = hub.home("learner1") / ".local" / "share" / "coursekit"
    found = [p for p in hub.base.rglob("*") if p.is_file() and marker.encode() in p.read_bytes()]
    assert found, "the marker was written nowhere: the journal did not save"
    outside = [str(p) for p in found if journal_dir not in p.parents]
    assert outside == [], f"reflection text outside the learner's journal: {outside}"
    instructor_files = [p for p in hub.home(INSTRUCTOR).rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" for p in instructor_files), "no gradebook was written"

    # Each learner's journal is theirs alone: folder 0700, files 0600, owned by the user
    # their server runs as (root in CI, so ownership is all that can be compared).
    for learner in ("learner1", "learner2"):
        folder = hub.home(learner) / ".local" / "share" / "coursekit"
        assert mode(folder) == 0o700, f"{folder} is {oct(mode(folder))}"
        files = [p for p in folder.iterdir() if p.is_file()]
        assert any(p.name == "journal.db" for p in files), files
        for p in files:
            assert mode(p) == 0o600, f"{p} is {oct(mode(p))}"
            assert p.stat().st_uid == os.geteuid()

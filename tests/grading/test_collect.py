"""Route 2, no shared machine: 20 learners' notebooks in an LMS-style zip, end to end.

collect (nbgrader zip_collect with the kit's collector and a mapping CSV) -> autograde ->
hand-back feedback files -> nbgrader release_feedback, on real files in a temp course.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursekit.cli import main
from coursekit.errors import GradingError
from coursekit.grading.cohort import GRADED, autograde_cohort
from coursekit.grading.collect import collect, read_mapping
from coursekit.grading.lms import identify, learner_id
from coursekit.questionbank import load_bank

from .factories import ASSIGNMENT, make_course, nbgrader, right_answers, submission, wrong_answer

pytestmark = pytest.mark.slow
A = ASSIGNMENT


def _names(n: int) -> tuple[str, str, str]:
    """(learner id, the name an LMS puts in file names, the file name inside the zip)."""
    first, last = f"Learner{n:02d}", ["Lima", "Okafor", "Tanaka", "Novak", "Haddad"][n % 5]
    lms = n % 4
    if lms == 0:  # Moodle, as files or as one folder per learner
        key = f"{first} {last}"
        name = (f"{key}_{4000 + n}_assignsubmission_file_{A}.ipynb" if n % 8 else
                f"{key}_{4000 + n}_assignsubmission_file_/{A}.ipynb")
    elif lms == 1:  # Canvas (a late one too)
        key = f"{last}{first}".lower()
        late = "LATE_" if n == 5 else ""
        name = f"{key}_{late}{7000 + n}_{9100 + n}_{A}.ipynb"
    elif lms == 2:  # Blackboard
        key = f"{first[0]}{last}".lower() + f"{n}"
        name = f"{A}_{key}_attempt_2026-11-20-10-{n:02d}-00_{A}.ipynb"
    else:  # plain names a laptop gives: id_check, check_id, id/check, a browser's " (1)"
        key = f"{first}-{last}".lower()
        name = [f"{key}_{A}.ipynb", f"{A}_{key}.ipynb", f"{key}/{A}.ipynb",
                f"{key}_{A} (1).ipynb"][n // 4 % 4]
    return f"L{n:02d}", key, name


@pytest.fixture(scope="module")
def route2(tmp_path_factory):
    os.environ["COURSEKIT_ROOT"] = str(Path(__file__).resolve().parents[2])
    tmp = tmp_path_factory.mktemp("route2")
    bank = load_bank("00")
    course = make_course(tmp)
    nbgrader(course, "generate_assignment", A, "--force")
    qs = bank.choice_questions
    right = right_answers(bank)
    scratch = tmp / "scratch"
    archive = tmp / "lms-download.zip"
    mapping = tmp / "learners.csv"
    expected: dict[str, float] = {}
    with zipfile.ZipFile(archive, "w") as zf, mapping.open("w", newline="") as mf:
        writer = csv.writer(mf)
        writer.writerow(["in_file_name", "learner_id", "note"])
        for n in range(20):
            learner, key, name = _names(n)
            writer.writerow([key, learner, "any other column is ignored"])
            k = n % (len(qs) + 1)  # learner n answers the first k questions right
            answers = {q.id: (right[q.id] if i < k else wrong_answer(q))
                       for i, q in enumerate(qs)}
            expected[learner] = float(sum(q.points for q in qs[:k]))
            path = _learner_file(course, scratch, learner, answers)
            zf.write(path, name, compress_type=zipfile.ZIP_DEFLATED)
        # learner L02 handed in twice on Blackboard: the later attempt counts
        learner, key, _ = _names(2)
        older = _learner_file(course, scratch, "older", {q.id: wrong_answer(q) for q in qs})
        zf.write(older, f"{A}_{key}_attempt_2026-11-19-09-00-00_{A}.ipynb")
        # files that say nothing about who handed them in, and an LMS receipt
        zf.write(older, "Untitled.ipynb")
        # a learner the mapping leaves out keeps their LMS identity (the mapping is partial)
        zf.writestr("Stray Person_9999_assignsubmission_file_" + A + ".ipynb",
                    older.read_text(encoding="utf-8"))
        expected["stray-person-9999"] = 0.0
        zf.writestr("receipt.txt", "downloaded from the LMS")
    report = collect(course, A, archive, mapping=mapping)
    outcomes = {o.student: o for o in autograde_cohort(course, A, workers=2)}
    return course, bank, expected, report, outcomes, tmp


def _learner_file(course: Path, scratch: Path, learner: str, answers: dict) -> Path:
    tmp_course = scratch / learner
    (tmp_course / "release").mkdir(parents=True, exist_ok=True)
    if not (tmp_course / "release" / A).exists():
        shutil.copytree(course / "release" / A, tmp_course / "release" / A)
    return submission(tmp_course, learner, answers)


def test_every_lms_name_is_matched_through_the_mapping(route2):
    course, _, expected, report, _, _ = route2
    assert sorted(report.collected) == sorted(expected)
    for learner in expected:
        folder = course / "submitted" / learner / A
        assert (folder / f"{A}.ipynb").is_file()
        assert (folder / "timestamp.txt").read_text().startswith("2026-")  # from the zip / name
        assert len((folder / "submission_secret.txt").read_text()) == 128


def test_unmatched_and_duplicate_files_are_reported(route2):
    _, _, _, report, _, _ = route2
    unmatched = dict(report.unmatched)
    assert set(unmatched) == {"Untitled.ipynb"}
    assert report.collected["stray-person-9999"] == \
        f"Stray Person_9999_assignsubmission_file_{A}.ipynb"
    assert list(report.duplicates) == ["L02"]
    kept, dropped = report.duplicates["L02"]
    assert "2026-11-20" in kept and "2026-11-19" in dropped
    text = "\n".join(report.lines())
    assert "several notebooks: L02 (ltanaka2) handed in 2" in text and "not matched: Untitled.ipynb" in text


def test_collected_learners_get_their_exact_scores(route2):
    _, _, expected, _, outcomes, _ = route2
    got = {s: (o.status, o.score) for s, o in outcomes.items()}
    assert got == {s: (GRADED, score) for s, score in expected.items()}
    assert expected["L02"] > 0  # the newer attempt; the older one had every answer wrong


def test_feedback_files_to_hand_back_and_release_feedback(route2):
    course, _, expected, _, _, tmp = route2
    out = tmp / "to-send"
    run = CliRunner().invoke(main, ["grade", "feedback", A, "--course", str(course),
                                    "--out", str(out)])
    assert run.exit_code == 0, run.output
    assert "21 feedback file(s)" in run.output
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(f"{s}-{A}-feedback.html" for s in expected)
    page = (out / f"L00-{A}-feedback.html").read_text(encoding="utf-8")
    body = page[page.find("<body"):]
    for leak in ("Traceback", "AssertionError", "NameError", "HIDDEN TESTS"):
        assert leak not in body
    assert "Not this time" in body
    # nbgrader's own release step works on zip-collected submissions too
    (course / "exchange").mkdir(exist_ok=True)
    done = nbgrader(course, "release_feedback", A)
    released = list((course / "exchange").rglob("*.html"))
    assert len(released) == len(expected), done.stdout + done.stderr


def test_plain_names_without_a_mapping_and_friendly_errors(tmp_path):
    assert learner_id(identify(f"ana-lima_{A}.ipynb", A)) == "ana-lima"
    assert learner_id(identify(f"Ana Lima/{A}.ipynb", A)) == "ana-lima"
    assert identify(f"Ana Lima_12_assignsubmission_file_{A} (2).ipynb", A).lms == "Moodle"
    assert identify("01-check_ana.ipynb", A) is None  # another check
    bad = tmp_path / "m.csv"
    bad.write_text("name,id\nAna,a1\n", encoding="utf-8")
    with pytest.raises(GradingError, match="in_file_name, learner_id"):
        read_mapping(bad)
    bad.write_text("in_file_name,learner_id\nAna,a1\nana,b2\n", encoding="utf-8")
    with pytest.raises(GradingError, match="both"):
        read_mapping(bad)
    run = CliRunner().invoke(main, ["grade", "collect", A, str(tmp_path), "--course",
                                    str(tmp_path / "nowhere")])
    assert run.exit_code != 0 and "the course folder" in run.output
    assert "does not exist" in run.output and "--course" in run.output
    assert "Traceback" not in run.output


def test_folder_route_keeps_the_newest_copy(route2, tmp_path):
    course, _, _, _, _, _ = route2
    folder = tmp_path / "inbox"
    folder.mkdir()
    src = course / "submitted" / "L01" / A / f"{A}.ipynb"
    for name, age in ((f"zoe_{A}.ipynb", 100), (f"zoe_{A} (1).ipynb", 0)):
        shutil.copy(src, folder / name)
        stamp = time.time() - age
        os.utime(folder / name, (stamp, stamp))
    json.loads(src.read_text(encoding="utf-8"))  # a real notebook
    report = collect(course, A, folder)
    assert report.collected == {"zoe": f"zoe_{A} (1).ipynb"}
    assert report.duplicates["zoe"][0] == f"zoe_{A} (1).ipynb"

"""The grading commands' likely mistakes, each reported as its own sentence, exit 1, no
traceback (the style of tests/test_broken_assets.py, for what a facilitator types).

A temporary course (the kit's nbgrader config, the 00 check generated and released) and
the mistakes a facilitator makes: a mistyped assignment name, a --course folder that is
not there or is no nbgrader course, an LMS download cut short, a file that is no zip at
all. The real ``coursekit`` command runs as a subprocess for each.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursekit.cli import main
from coursekit.cli.base import first_sentence, summary

from conftest import ROOT

TRACEBACK = re.compile(r"Traceback|File \"|line \d+, in ", re.M)
ASSIGNMENT = "00-check"


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]  # {course}, {tmp} are filled in
    expect: tuple[str, ...]  # what the one sentence must say


CASES = [
    Case("autograde-unknown-assignment", ("grade", "autograde", "01check", "--course", "{course}"),
         ("unknown assignment '01check'", "did you mean 01-check?", "these exist: 00-check")),
    Case("feedback-unknown-assignment", ("grade", "feedback", "check-01", "--course", "{course}"),
         ("unknown assignment 'check-01'", "these exist: 00-check, 01-check")),
    Case("summary-unknown-assignment", ("grade", "summary", "lesson1", "--course", "{course}"),
         ("unknown assignment 'lesson1'", "these exist:")),
    Case("rubric-unknown-assignment", ("grade", "rubric", "01chek", "--course", "{course}"),
         ("unknown assignment '01chek'", "did you mean 01-check?")),
    Case("collect-unknown-assignment",
         ("grade", "collect", "0-check", "{tmp}/returned", "--course", "{course}"),
         ("unknown assignment '0-check'", "these exist:")),
    Case("autograde-missing-course", ("grade", "autograde", ASSIGNMENT, "--course", "{tmp}/nope"),
         ("the course folder {tmp}/nope does not exist", "leave --course out")),
    Case("feedback-missing-course", ("grade", "feedback", ASSIGNMENT, "--course", "{tmp}/nope"),
         ("the course folder {tmp}/nope does not exist",)),
    Case("summary-not-a-course", ("grade", "summary", ASSIGNMENT, "--course", "{tmp}/returned"),
         ("{tmp}/returned holds no nbgrader_config.py", "not an nbgrader course folder")),
    Case("collect-truncated-zip",
         ("grade", "collect", ASSIGNMENT, "{tmp}/cut-short.zip", "--course", "{course}"),
         ("{tmp}/cut-short.zip is a damaged zip file", "download it again")),
    Case("collect-not-a-zip",
         ("grade", "collect", ASSIGNMENT, "{tmp}/login-page.zip", "--course", "{course}"),
         ("{tmp}/login-page.zip is not a zip file", "its name ends in .zip")),
    Case("collect-some-other-file",
         ("grade", "collect", ASSIGNMENT, "{tmp}/notes.txt", "--course", "{course}"),
         ("{tmp}/notes.txt is not a zip file", "give the folder of notebooks")),
    # what a first-time facilitator also meets (attack-21)
    Case("autograde-path-as-assignment",
         ("grade", "autograde", "../00-check", "--course", "{course}"),
         ("unknown assignment '../00-check'", "did you mean 00-check?")),
    Case("feedback-empty-assignment", ("grade", "feedback", "", "--course", "{course}"),
         ("unknown assignment ''", "these exist: 00-check")),
    Case("autograde-course-is-a-file",
         ("grade", "autograde", ASSIGNMENT, "--course", "{tmp}/notes.txt"),
         ("{tmp}/notes.txt is a file, not a course folder",)),
    Case("generate-course-is-a-file", ("grade", "generate", "--course", "{tmp}/notes.txt"),
         ("{tmp}/notes.txt is a file, not a course folder",)),
    Case("collect-a-pdf-named-zip",
         ("grade", "collect", ASSIGNMENT, "{tmp}/handout.zip", "--course", "{course}"),
         ("{tmp}/handout.zip is not a zip file",)),
    Case("collect-zero-byte-zip",
         ("grade", "collect", ASSIGNMENT, "{tmp}/zero.zip", "--course", "{course}"),
         ("{tmp}/zero.zip is empty (0 bytes)", "download it again")),
    Case("collect-empty-zip",
         ("grade", "collect", ASSIGNMENT, "{tmp}/empty.zip", "--course", "{course}"),
         ("{tmp}/empty.zip holds no notebook (.ipynb)", "it is empty")),
    Case("collect-zip-of-folders",
         ("grade", "collect", ASSIGNMENT, "{tmp}/folders.zip", "--course", "{course}"),
         ("{tmp}/folders.zip holds no notebook (.ipynb)", "only folders")),
    Case("collect-zip-without-notebooks",
         ("grade", "collect", ASSIGNMENT, "{tmp}/receipts.zip", "--course", "{course}"),
         ("{tmp}/receipts.zip holds no notebook (.ipynb)", "2 other file(s)")),
    Case("collect-empty-folder",
         ("grade", "collect", ASSIGNMENT, "{tmp}/nothing-yet", "--course", "{course}"),
         ("{tmp}/nothing-yet holds no notebook (.ipynb)", "it is empty")),
]


@pytest.fixture(scope="module")
def setting(tmp_path_factory) -> tuple[Path, Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("grading-mistakes")
    course = tmp / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        (ROOT / "facilitator" / "nbgrader" / "nbgrader_config.py").read_text(encoding="utf-8"),
        encoding="utf-8")
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    (course / "release" / ASSIGNMENT).mkdir(parents=True)
    returned = tmp / "returned"
    returned.mkdir()
    (returned / f"L01_{ASSIGNMENT}.ipynb").write_text("{}", encoding="utf-8")
    whole = tmp / "whole.zip"
    with zipfile.ZipFile(whole, "w", zipfile.ZIP_DEFLATED) as zf:
        for n in range(5):
            zf.writestr(f"L0{n}_{ASSIGNMENT}.ipynb", '{"cells": []}' * 400)
    data = whole.read_bytes()
    (tmp / "cut-short.zip").write_bytes(data[: len(data) // 2])  # a download cut short
    (tmp / "login-page.zip").write_text("<html><body>Please log in</body></html>",
                                        encoding="utf-8")
    (tmp / "notes.txt").write_text("not notebooks", encoding="utf-8")
    (tmp / "handout.zip").write_bytes(b"%PDF-1.7\n%\xe2\xe3\n1 0 obj << >> endobj\n%%EOF\n")
    (tmp / "zero.zip").write_bytes(b"")  # a download that failed at once
    zipfile.ZipFile(tmp / "empty.zip", "w").close()
    with zipfile.ZipFile(tmp / "folders.zip", "w") as zf:
        zf.writestr("Ana Lima_1234_assignsubmission_file_/", "")
        zf.writestr("__MACOSX/", "")
    with zipfile.ZipFile(tmp / "receipts.zip", "w") as zf:
        zf.writestr("receipt.txt", "submitted")
        zf.writestr("__MACOSX/._00-check.ipynb", "resource fork")
        zf.writestr("ana/answers.py", "x = 1")
    (tmp / "nothing-yet" / ".ipynb_checkpoints").mkdir(parents=True)
    bin_dir = str(Path(sys.executable).parent)
    env = {**{k: v for k, v in os.environ.items() if k != "COURSEKIT_DEBUG"},
           "COURSEKIT_ROOT": str(ROOT), "PATH": bin_dir + os.pathsep + os.environ["PATH"],
           "NO_COLOR": "1", "COLUMNS": "200"}
    return tmp, course, env


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_grading_mistake_gets_its_own_sentence(case, setting):
    tmp, course, env = setting
    args = [a.format(course=course, tmp=tmp) for a in case.args]
    done = subprocess.run(["coursekit", *args], cwd=tmp, env=env, capture_output=True,
                          text=True, timeout=300)
    shown = f"`coursekit {' '.join(args)}`:\n{done.stdout}{done.stderr}"
    assert done.returncode == 1, shown
    assert not TRACEBACK.search(done.stdout + done.stderr), shown
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, shown
    sentence = re.sub(r"^(?:Error|error): ", "", lines[0])
    for part in case.expect:
        assert part.format(tmp=tmp) in sentence, shown
    # not the old advice, which sent a facilitator to collect or generate instead
    assert "neither a folder nor a zip" not in sentence and "collect them first" not in sentence


def test_a_sound_zip_and_a_folder_pass_the_source_check(setting):
    from coursekit.grading.arguments import check_source

    tmp, _, _ = setting
    assert check_source(tmp / "whole.zip") == tmp / "whole.zip"
    assert check_source(tmp / "returned") == tmp / "returned"


def _groups(command, path=("coursekit",)):
    import click

    if isinstance(command, click.Group):
        yield path, command
        for name, sub in command.commands.items():
            yield from _groups(sub, (*path, name))


def test_first_sentence_is_not_cut_at_an_abbreviation_or_inside_brackets():
    assert first_sentence("Autograde each one (e.g. 01-check) on every core. Then more.") == (
        "Autograde each one (e.g. 01-check) on every core.")
    assert first_sentence("Put files (a folder, e.g. an LMS download) here.\n\nMore.") == (
        "Put files (a folder, e.g. an LMS download) here.")


def test_every_help_summary_ends_at_a_sentence():
    runner = CliRunner()
    checked = 0
    for path, group in _groups(main):
        narrow = runner.invoke(main, [*path[1:], "--help"], terminal_width=80)
        assert narrow.exit_code == 0, narrow.output
        assert "..." not in narrow.output.split("Commands:", 1)[1], narrow.output
        result = runner.invoke(main, [*path[1:], "--help"], terminal_width=200)
        listing = result.output.split("Commands:", 1)[1]
        entries = re.split(r"\n  (?=\S)", "\n" + listing.rstrip())
        for entry in filter(str.strip, entries):
            name, text = entry.strip().split(None, 1)
            text = " ".join(text.split())
            assert not text.endswith("..."), (path, name, text)
            assert text[-1] in ".?!", (path, name, text)
            assert text == summary(group.commands[name]), (path, name, text)
            assert len(text) <= 100, (path, name, text)
            checked += 1
    assert checked >= 20

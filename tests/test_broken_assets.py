"""Twenty-odd ways an author breaks assets/, each reported as one sentence, exit 1, no traceback.

The kit is copied to a temporary folder once; each case breaks one file there the way an
author might (a wrong type, a missing or misspelt field, a key given twice, a YAML slip, a
name that points nowhere), runs the real commands (``coursekit lessons lint``, ``coursekit
grade generate``, ``coursekit handouts check``) as subprocesses, and, for the data a lesson
reads, the lesson's own cell in a real kernel. Every one must name the file and the place,
exit 1 (or show an error in the cell) and print no traceback. The file is restored after.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

pytestmark = pytest.mark.slow

COMMANDS = (("lessons", "lint"), ("grade", "generate"), ("handouts", "check"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")
TRACEBACK = re.compile(r"Traceback|File \"|line \d+, in |^\s+\^+$", re.M)


@dataclass(frozen=True)
class Case:
    id: str
    file: str  # relative to the kit
    edit: Callable[[str], str]  # the file's text -> the broken text
    expect: str  # what the sentence must say (besides the file)
    cell: str | None = None  # the lesson whose cell must show it, if a lesson reads the file


def replace(old: str, new: str, count: int = 1) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, f"the case no longer fits the file: {old!r} not found"
        return text.replace(old, new, count)
    return edit


def regex(pattern: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        changed, n = re.subn(pattern, new, text, count=1, flags=re.M)
        assert n == 1, f"the case no longer fits the file: {pattern!r} not found"
        return changed
    return edit


def data(change: Callable[[dict], None]) -> Callable[[str], str]:
    """Edit the parsed YAML (the file is written back without its comments)."""
    def edit(text: str) -> str:
        parsed = yaml.safe_load(text)
        change(parsed)
        return yaml.safe_dump(parsed, sort_keys=False, allow_unicode=True, width=1000)
    return edit


def prompt_of(kind: str) -> Callable[[dict], dict]:
    return lambda d: next(p for p in d["prompts"] if p.get("kind") == kind)


def first_wrong_option(d: dict) -> dict:
    q = next(q for q in d["questions"] if q["type"] == "single")
    return next(o for o in q["options"] if not o.get("correct"))


def first_of(type_: str) -> Callable[[dict], dict]:
    return lambda d: next(q for q in d["questions"] if q["type"] == type_)


CASES = [
    Case("reading-parts-a-number", "assets/lessons/02.yml",
         regex(r"^reading_parts: .*$", "reading_parts: 5"),
         "the field 'reading_parts' should be a list", cell="02"),
    Case("reading-parts-words", "assets/lessons/02.yml",
         regex(r"^reading_parts: .*$", "reading_parts: [one]"),
         "item 1 of 'reading_parts' should be a whole number, not text ('one')", cell="02"),
    Case("reading-part-that-does-not-exist", "assets/lessons/02.yml",
         regex(r"^reading_parts: .*$", "reading_parts: [1, 9]"),
         "reading_parts lists part 9, which reading 001 does not have"),
    Case("sort-without-categories", "assets/lessons/01.yml",
         data(lambda d: prompt_of("sort")(d).pop("categories")),
         "the field 'categories' is missing", cell="01"),
    Case("rating-low-a-list", "assets/lessons/01.yml",
         regex(r"^    low: .*$", "    low: [1, 2]"),
         "the field 'low' should be text, not a list ([1, 2])", cell="01"),
    Case("key-given-twice", "assets/lessons/03.yml",
         regex(r"^(title: .*)$", r"\1\ntitle: Another title"),
         "the key 'title' appears twice in one mapping", cell="03"),
    Case("prompt-kind-misspelt", "assets/lessons/03.yml",
         replace("kind: rating", "kind: ratting"),
         "the field 'kind': 'ratting' is not one of the allowed values", cell="03"),
    Case("minutes-in-words", "assets/lessons/00.yml",
         regex(r"^minutes: .*$", "minutes: fifty"),
         "the field 'minutes' should be a whole number, not text ('fifty')", cell="00"),
    Case("field-misspelt", "assets/lessons/04.yml",
         regex(r"^objectives:", "objectivs:"),
         "the field 'objectivs' is not allowed here; did you mean 'objectives'", cell="04"),
    Case("yaml-syntax-slip", "assets/lessons/05.yml",
         regex(r"^(title: .*)$", r"\1\n  stray: [unclosed"),
         "cannot be read as YAML (line", cell="05"),
    Case("reading-that-does-not-exist", "assets/lessons/04.yml",
         regex(r"^reading: .*$", 'reading: "009"'),
         "reading '009' is not in"),
    Case("wrong-option-without-misconception", "assets/questions/01.yml",
         data(lambda d: first_wrong_option(d).pop("misconception")),
         "names no misconception", cell="01"),
    Case("question-type-unknown", "assets/questions/02.yml",
         data(lambda d: d["questions"][0].update(type="essay")),
         "the field 'type': 'essay' is not one of the allowed values", cell="02"),
    Case("two-correct-options", "assets/questions/03.yml",
         data(lambda d: [o.update(correct=True) for o in first_of("single")(d)["options"][:2]]),
         "mark exactly one option correct: true", cell="03"),
    Case("points-zero", "assets/questions/04.yml",
         data(lambda d: d["questions"][0].update(points=0)),
         "the field 'points' should be above 0, not 0", cell="04"),
    Case("bank-lesson-unquoted", "assets/questions/00.yml",
         regex(r"^lesson: .*$", "lesson: 0"),
         "the field 'lesson' should be a two-digit lesson id in quotes", cell="00"),
    Case("see-also-names-no-term", "assets/glossary.yml",
         data(lambda d: d["terms"][0].update(see_also=["no-such-term"])),
         "sees also 'no-such-term', which is no term"),
    Case("reference-kind-off-the-scale", "assets/references.yml",
         data(lambda d: d["references"][-1].update(kind="blog")),
         "kind 'blog' should be 'reading' or a kind of support on the evidence scale"),
    Case("support-resource-without-contact", "assets/support.yml",
         data(lambda d: d["resources"][0].pop("contact")),
         "resource 1 ('Emergency services'): the field 'contact' is missing"),
    Case("segment-kind-unknown", "facilitator/sessions/02.yml",
         data(lambda d: d["formats"]["series"]["segments"][0].update(kind="lecture")),
         "formats.series: segment 1"),
    Case("session-minutes-in-words", "facilitator/sessions/formats.yml",
         data(lambda d: d["formats"][0].update(session_minutes="three hours")),
         "the field 'session_minutes' should be a whole number"),
    Case("course-beliefs-one-string", "assets/course.yml",
         regex(r"^beliefs:\n(?:  - .*\n)+", "beliefs: \"one belief\"\n"),
         "the field 'beliefs' should be a list"),
    Case("evidence-label-twice", "assets/evidence.yml",
         data(lambda d: d["levels"][1].update(label=d["levels"][0]["label"].upper())),
         "the label 'research' is used twice"),
    Case("reading-part-number-words", "assets/readings.yml",
         data(lambda d: next(r for r in d["readings"] if r.get("parts"))["parts"][0].update(
             number="one")),
         "part 1 ('Narcissists Cannot Heal or Get Better'): the field 'number' should be a "
         "whole number"),
]


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("broken-kit")
    for part in ("assets", "lessons"):
        shutil.copytree(ROOT / part, root / part)
    shutil.copytree(ROOT / "facilitator", root / "facilitator", ignore=shutil.ignore_patterns(
        "release", "submitted", "autograded", "feedback", "gradebook.db", "exchange", "*.png"))
    return root


@pytest.fixture(scope="module")
def env(kit) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {**{k: v for k, v in os.environ.items() if k not in ("COURSEKIT_DEBUG",)},
            "COURSEKIT_ROOT": str(kit), "PATH": bin_dir + os.pathsep + os.environ["PATH"],
            "NO_COLOR": "1", "COLUMNS": "200"}


@pytest.fixture(scope="module")
def kernel(env, tmp_path_factory):
    """One real kernel, started in the broken kit with its own data folder."""
    from jupyter_client.manager import start_new_kernel

    kenv = {**env, "COURSEKIT_DATA_DIR": str(tmp_path_factory.mktemp("kernel-data"))}
    manager, client = start_new_kernel(kernel_name="python3", env=kenv,
                                       cwd=env["COURSEKIT_ROOT"])
    yield client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def run_cell(client, code: str) -> tuple[str, list[str]]:
    """(status, the error output's lines without colour codes) of one executed cell."""
    msg_id = client.execute(code)
    errors: list[str] = []
    while True:
        try:
            msg = client.get_iopub_msg(timeout=120)
        except queue.Empty:
            raise AssertionError("the kernel did not answer within 120 s") from None
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "error":
            errors = [ANSI.sub("", line) for line in msg["content"]["traceback"]]
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    while True:
        reply = client.get_shell_msg(timeout=120)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]["status"], errors


@pytest.fixture
def broken(request, kit):
    case: Case = request.param
    path = kit / case.file
    original = path.read_text(encoding="utf-8")
    path.write_text(case.edit(original), encoding="utf-8")
    yield case
    path.write_text(original, encoding="utf-8")


def test_the_unbroken_copy_passes(kit, env):
    done = subprocess.run(["coursekit", "handouts", "check"], cwd=kit, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("broken", CASES, ids=[c.id for c in CASES], indirect=True)
def test_each_command_names_the_mistake_in_one_sentence(broken, kit, env):
    case = broken
    where = str(kit / case.file)
    for command in COMMANDS:
        done = subprocess.run(["coursekit", *command], cwd=kit, env=env, capture_output=True,
                              text=True, timeout=600)
        shown = f"`coursekit {' '.join(command)}`:\n{done.stdout}{done.stderr}"
        assert done.returncode == 1, shown
        assert not TRACEBACK.search(done.stdout + done.stderr), shown
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        if command == ("grade", "generate"):
            assert len(lines) == 1 and lines[0].startswith("Error: "), shown
            sentence = lines[0].removeprefix("Error: ")
        else:  # a list of problems, then how many
            assert len(lines) == 2 and lines[1].startswith("1 problem(s)"), shown
            sentence = lines[0]
        assert sentence.startswith(where), shown
        assert case.expect in sentence, shown


@pytest.mark.parametrize("broken", [c for c in CASES if c.cell],
                         ids=[c.id for c in CASES if c.cell], indirect=True)
def test_the_lesson_cell_shows_the_mistake_in_one_sentence(broken, kernel, kit):
    case = broken
    code = (f"from coursekit import Lesson\nlesson = Lesson({case.cell!r})\n"
            + ("lesson.self_check()" if "questions" in case.file else "lesson.start()"))
    status, shown = run_cell(kernel, code)
    assert status == "error", "the cell ran although its data is broken"
    text = "\n".join(shown)
    assert len(shown) == 1 and "\n" not in text.strip(), text
    assert not TRACEBACK.search(text), text
    assert str(kit / case.file) in text and case.expect in text, text


def test_the_lesson_cell_runs_once_the_file_is_restored(kernel):
    status, shown = run_cell(kernel, 'from coursekit import Lesson\nLesson("01").start()')
    assert status == "ok", shown

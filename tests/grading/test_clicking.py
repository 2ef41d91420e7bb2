"""Answering by clicking: the controls, the save hook, and nbgrader grading the result.

No browser here (tests/browser/test_graded_check.py clicks in a real JupyterLab): the
controls are driven as a click would drive them, the notebook is saved through Jupyter
Server's real FileContentsManager with the kit's hook, then nbgrader grades it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from jupyter_server.services.contents.filemanager import FileContentsManager

from coursekit.grading.answers import fill_before_save, read_answers, write_answer
from coursekit.grading.cohort import GRADED, autograde_cohort
from coursekit.grading.rubrics import BEGIN
from coursekit.questionbank import load_bank

from .factories import ASSIGNMENT, make_course, nbgrader

A = ASSIGNMENT


def click_to(widget, value) -> None:
    """Set the controls as clicks would (each control's value, one at a time)."""
    import ipywidgets as W

    q = widget.question
    controls = widget._controls
    if q.type in ("single", "true_false"):
        controls[0].value = value
    elif q.type == "multiple":
        for box in controls:
            letter = box.description.split(".", 1)[0]
            if box.value != (letter in value):
                box.value = letter in value
    else:
        for dropdown, letter in zip(controls, value, strict=True):
            assert isinstance(dropdown, W.Dropdown)
            dropdown.value = letter


def wrong(q):
    key = q.expected()
    if q.type == "single":
        return next(chr(97 + i) for i in range(len(q.options)) if chr(97 + i) != key)
    if q.type == "multiple":
        return key[:-1] or [next(chr(97 + i) for i in range(len(q.options))
                                 if chr(97 + i) not in key)]
    if q.type == "true_false":
        return not key
    return key[::-1]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(folder))
    return folder


def test_controls_give_the_cell_values_and_record_each_click(tmp_path, data_dir):
    from coursekit.gradedcheck import GradedQuestion

    bank = load_bank("00")
    folder = tmp_path / "learner"
    folder.mkdir()
    ns: dict = {}
    for n, q in enumerate(bank.choice_questions, 1):
        w = GradedQuestion(q, number=n, folder=str(folder), namespace=ns)
        assert w.answer is None and "Not answered yet" in w.note.value
        click_to(w, q.expected())
        assert w.answer == q.expected()
        assert ns[q.variable] == q.expected()
        assert read_answers(folder, "00")[q.id] == q.expected()
        assert "Your answer" in w.note.value
        # nothing on screen says whether it is right
        assert "orrect" not in w.note.value and q.explanation[:30] not in w.note.value
        w.clear()
        assert w.answer is None and read_answers(folder, "00")[q.id] is None
    # The kit keeps its files in its own folder inside COURSEKIT_DATA_DIR.
    assert (data_dir / "coursekit" / "checks").stat().st_mode & 0o777 == 0o700


def test_written_answer_box_fills_the_graded_text_cell(tmp_path, data_dir):
    from coursekit.gradedcheck import WrittenAnswer
    from coursekit.grading.answers import fill_notebook
    from coursekit.grading.generate import build_notebook

    bank = load_bank("00")
    q = next(q for q in bank if q.type == "short")
    box = WrittenAnswer(q, number=3, folder=str(tmp_path))
    assert "Nothing written yet" in box.note.value
    box.set("It explains readings; it diagnoses no one.")
    assert "7 words" in box.note.value
    assert "diagnoses" not in repr(box) and "diagnoses" not in repr(box.box)
    answers = read_answers(tmp_path, "00")
    assert answers[q.id] == "It explains readings; it diagnoses no one."
    nb = build_notebook(bank)
    assert fill_notebook(nb, answers) == 1
    cell = next(c for c in nb["cells"] if c["id"] == f"answer-{q.id}")
    assert cell["source"] == answers[q.id] and cell["cell_type"] == "markdown"


def test_show_and_status_never_raise(tmp_path, data_dir, capsys, monkeypatch):
    from coursekit.gradedcheck import show, status

    monkeypatch.chdir(tmp_path)
    assert show("00.no-such-question") is None
    assert "could not be shown" in capsys.readouterr().out
    status("00.what-it-is", None)
    assert "not answered yet" in capsys.readouterr().out
    widget = show("00.what-it-is", "b ")  # a hand-typed value is shown as chosen
    assert widget is not None and widget.answer == "b"
    status("00.what-it-is")
    assert "is answered (b)" in capsys.readouterr().out


@pytest.fixture(scope="module")
def clicked(tmp_path_factory):
    os.environ["COURSEKIT_ROOT"] = str(Path(__file__).resolve().parents[2])
    tmp = tmp_path_factory.mktemp("clicked")
    course = make_course(tmp)
    nbgrader(course, "generate_assignment", A, "--force")
    bank = load_bank("00")
    qs = bank.choice_questions
    home = tmp / "home"
    plans = {
        "all-right": {q.id: q.expected() for q in qs},
        "one-wrong": {**{q.id: q.expected() for q in qs}, qs[1].id: wrong(qs[1])},
        "half": {q.id: q.expected() for q in qs[::2]},
        "none": {},
    }
    old = os.environ.get("COURSEKIT_DATA_DIR")
    os.environ["COURSEKIT_DATA_DIR"] = str(tmp / "data")
    try:
        for learner, answers in plans.items():
            folder = home / learner / A
            folder.mkdir(parents=True)
            shutil.copy(course / "release" / A / f"{A}.ipynb", folder / f"{A}.ipynb")
            for qid, value in answers.items():
                write_answer(folder, "00", qid, value)  # what each click does
            # the learner saves: the browser sends the notebook it shows (answer lines
            # still None), the server's hook writes the clicked answers into it
            cm = FileContentsManager(root_dir=str(home))
            cm.register_pre_save_hook(fill_before_save)
            path = f"{learner}/{A}/{A}.ipynb"
            model = cm.get(path, content=True)
            cm.save({"type": "notebook", "format": "json", "content": model["content"]},
                    path)
            target = course / "submitted" / learner / A
            target.mkdir(parents=True)
            shutil.copy(folder / f"{A}.ipynb", target / f"{A}.ipynb")
    finally:
        if old is None:
            os.environ.pop("COURSEKIT_DATA_DIR", None)
        else:
            os.environ["COURSEKIT_DATA_DIR"] = old
    outcomes = {o.student: o for o in autograde_cohort(course, A, workers=2)}
    return course, bank, plans, home, outcomes


def test_saved_notebook_holds_plain_answer_lines(clicked):
    _, bank, plans, home, _ = clicked
    nb = json.loads((home / "one-wrong" / A / f"{A}.ipynb").read_text(encoding="utf-8"))
    sources = {c["id"]: "".join(c["source"]) for c in nb["cells"]}
    for q in bank.choice_questions:
        first = sources[f"answer-{q.id}"].split("\n")[0]
        value = plans["one-wrong"][q.id]
        literal = json.dumps(value) if not isinstance(value, bool) else repr(value)
        assert first.startswith(f"{q.variable} = {literal}  # "), first
    assert "widgets" not in nb["metadata"]
    untouched = json.loads((home / "none" / A / f"{A}.ipynb").read_text(encoding="utf-8"))
    assert all("".join(c["source"]).startswith(f"{q.variable} = None")
               for q in bank.choice_questions for c in untouched["cells"]
               if c["id"] == f"answer-{q.id}")


def test_nbgrader_grades_the_clicked_answers(clicked):
    _, bank, plans, _, outcomes = clicked
    points = {q.id: q.points for q in bank.choice_questions}
    for learner, answers in plans.items():
        q_right = [q for q in bank.choice_questions
                   if q.id in answers and answers[q.id] == q.expected()]
        assert outcomes[learner].status == GRADED, outcomes[learner]
        assert outcomes[learner].score == float(sum(points[q.id] for q in q_right)), learner


def test_rubrics_reach_the_marker_not_the_learner(clicked):
    course, bank, _, _, _ = clicked
    shorts = [q for q in bank if q.type == "short"]
    assert shorts
    release = (course / "release" / A / f"{A}.ipynb").read_text(encoding="utf-8")
    graded = nbformat.read(course / "autograded" / "all-right" / A / f"{A}.ipynb", 4)
    cells = {c.id: c for c in graded.cells}
    for q in shorts:
        assert " ".join(q.rubric.split())[:50] not in release
        assert BEGIN not in release
        shown = cells[f"question-{q.id}"].source
        assert "Rubric for the marker" in shown and " ".join(q.rubric.split())[:50] in shown
        answer = cells[f"answer-{q.id}"]
        assert answer.metadata.nbgrader["grade"] and not answer.metadata.nbgrader.get("locked")


def test_unanswered_check_runs_without_a_traceback(clicked, tmp_path):
    """The learner's view: running the untouched check shows notes, never an error."""
    from nbclient import NotebookClient

    course, bank, _, _, _ = clicked
    nb = nbformat.read(course / "release" / A / f"{A}.ipynb", 4)
    env_before = os.environ.get("COURSEKIT_DATA_DIR")
    os.environ["COURSEKIT_DATA_DIR"] = str(tmp_path / "data")
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        if env_before is None:
            os.environ.pop("COURSEKIT_DATA_DIR", None)
        else:
            os.environ["COURSEKIT_DATA_DIR"] = env_before
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    texts = {c.id: "".join(o.get("text", "") for o in c.get("outputs", []))
             for c in nb.cells if c.cell_type == "code"}
    for n, q in enumerate(bank, 1):
        if q.is_choice:
            assert f"Question {n} is not answered yet" in texts[f"test-{q.id}"]
    widgets = [o for c in nb.cells for o in c.get("outputs", [])
               if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == len(bank)  # buttons for each choice question, a box per written one

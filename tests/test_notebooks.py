"""The shared-cell generator and the content linter, on notebooks built in code."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from coursekit import notebooks
from coursekit.course import lesson

from conftest import lesson_notebooks


def body_cells(reading: bool = False) -> list:
    guide = "## Reading guide\n\nHow to read."
    if reading:
        guide += "\n\n" + "\n\ntext\n\n".join(notebooks.READING_GUIDE_SECTIONS)
    return [
        new_markdown_cell(guide),
        new_markdown_cell("## Reflections"),
        new_code_cell('lesson.reflect("hopes")'),
        new_markdown_cell("## Self-check"),
        new_code_cell("lesson.self_check()"),
    ]


def make_lesson(tmp_path, lesson_id="00", cells=None, name=None):
    """A lesson notebook with the generated cells in place, written to ``tmp_path``."""
    info = lesson(lesson_id)
    nb = notebooks.synced(new_notebook(cells=cells if cells is not None else body_cells(
        bool(info.reading))), info)
    path = tmp_path / (name or info.notebook_name)
    notebooks.write(nb, path)
    return path


def messages(path) -> list[str]:
    return [p.message for p in notebooks.lint_notebook(path)]


def test_well_formed_lesson_passes(tmp_path):
    assert messages(make_lesson(tmp_path)) == []


def test_reading_lesson_needs_every_guide_section(tmp_path):
    cells = body_cells(reading=True)
    cells[0].source = cells[0].source.replace("### What it leaves out", "### Other")
    found = messages(make_lesson(tmp_path, "01", cells))
    assert found == ["the reading guide section '### What it leaves out' is missing"]


@pytest.mark.parametrize("heading,part", [
    ("## Reading guide", "reading guide"),
    ("## Reflections", "reflections"),
    ("## Self-check", "self-check"),
])
def test_missing_part_is_named(tmp_path, heading, part):
    cells = [c for c in body_cells() if not c.source.startswith(heading)]
    found = messages(make_lesson(tmp_path, cells=cells))
    assert any(f"the part {part!r} is missing" in m for m in found), found


def test_part_out_of_order_is_named(tmp_path):
    cells = body_cells()
    cells.insert(0, cells.pop(3))  # Self-check before the reading guide
    found = messages(make_lesson(tmp_path, cells=cells))
    assert any("'self-check' is out of order" in m for m in found), found


def test_outputs_and_counts_are_refused(tmp_path):
    path = make_lesson(tmp_path)
    nb = nbformat.read(path, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [new_output("stream", name="stdout", text="hi")]
    code.execution_count = 3
    nbformat.write(nb, path)
    found = messages(path)
    assert any("saved with outputs" in m for m in found)
    assert any("execution count" in m for m in found)


def test_long_code_cell_is_refused(tmp_path):
    cells = [*body_cells(), new_code_cell("a = 1\nb = 2\nc = 3\nd = 4")]
    found = messages(make_lesson(tmp_path, cells=cells))
    assert any("has 4 lines" in m for m in found), found


def test_bad_file_name(tmp_path):
    found = messages(make_lesson(tmp_path, name="Start Here.ipynb"))
    assert any("NN-title-words.ipynb" in m for m in found)


def test_hand_edited_shared_cell_is_stale(tmp_path):
    path = make_lesson(tmp_path)
    nb = nbformat.read(path, as_version=4)
    nb.cells[-2].source += "\n\nA support line typed by hand."
    nbformat.write(nb, path)
    assert any("coursekit lessons sync" in m for m in messages(path))


def test_missing_shared_cell(tmp_path):
    path = make_lesson(tmp_path)
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if notebooks._generated_name(c) != "support"]
    nbformat.write(nb, path)
    found = messages(path)
    assert any("shared cells are" in m for m in found)
    assert any("'support' is missing" in m for m in found)


def test_invalid_json(tmp_path):
    path = tmp_path / "00-start-here.ipynb"
    path.write_text("{not json")
    assert messages(path)[0].startswith("is not a valid notebook")


def test_widget_state_is_refused(tmp_path):
    path = make_lesson(tmp_path)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nbformat.write(nb, path)
    assert any("widget state" in m for m in messages(path))


def test_sync_is_idempotent_and_keeps_body(tmp_path):
    path = make_lesson(tmp_path)
    before = path.read_text()
    assert notebooks.sync([path]) == []
    assert path.read_text() == before
    nb = nbformat.read(path, as_version=4)
    # The body is kept; widget cells gain the line that lets them run on their own.
    assert [c.source for c in nb.cells if not notebooks._generated_name(c)] == [
        notebooks.standalone(c.source, "00") if c.cell_type == "code" else c.source
        for c in body_cells()]


def test_widget_cells_work_alone_and_every_cell_is_locked(tmp_path):
    path = make_lesson(tmp_path)
    nb = nbformat.read(path, as_version=4)
    reflect = next(c for c in nb.cells if 'reflect("hopes")' in c.source)
    assert reflect.source == ('from coursekit import Lesson; lesson = Lesson("00")\n'
                              'lesson.reflect("hopes")')
    assert notebooks.standalone(reflect.source, "00") == reflect.source  # idempotent
    assert notebooks.standalone("x = 1\nprint(x)", "00") == "x = 1\nprint(x)"
    assert all(c.metadata.get("editable") is False and c.metadata.get("deletable") is False
               for c in nb.cells)
    # A hand-typed cell without the line is caught by the linter as out of sync.
    reflect.source = 'lesson.reflect("hopes")'
    nbformat.write(nb, path)
    assert any("run `coursekit lessons sync`" in m for m in messages(path))


def test_shared_cells_render_support_list_from_one_file(tmp_path):
    from coursekit.course import support_resources

    path = make_lesson(tmp_path)
    support = next(c for c in nbformat.read(path, as_version=4).cells
                   if notebooks._generated_name(c) == "support")
    for resource in support_resources()["resources"]:
        assert resource["name"] in support.source


# -- the real lessons ---------------------------------------------------------------
@pytest.mark.parametrize("path", lesson_notebooks(), ids=lambda p: p.name)
def test_committed_lesson_passes_the_linter(path):
    assert [str(p) for p in notebooks.lint_notebook(path)] == []


def test_course_is_complete():
    assert [str(p) for p in notebooks.lint()] == []


def test_pause_is_in_reach_at_least_every_800_words_of_every_lesson():
    for path in lesson_notebooks():
        nb = nbformat.read(path, as_version=4)
        gaps = notebooks.pause_gaps(nb)
        assert max(gaps) <= notebooks.PAUSE_EVERY_WORDS, (path.name, gaps)
    # lesson 01's long reading guide has a bar inside it, before a subheading
    nb = nbformat.read(next(p for p in lesson_notebooks() if p.name.startswith("01")), 4)
    bars = [nb.cells[i + 1].source.splitlines()[0] for i, c in enumerate(nb.cells)
            if (c.metadata.get("coursekit") or {}).get("generated") == "pause"]
    assert any(b.startswith("### ") for b in bars), bars


def test_sync_puts_a_bar_before_a_subheading_in_a_long_section():
    info = lesson("01")
    long_part = "### One\n\n" + "word " * 700
    cells = [new_markdown_cell("## Reading guide\n\nIntro."), new_markdown_cell(long_part),
             new_markdown_cell("### Two\n\n" + "word " * 200), new_markdown_cell("### Three")]
    nb = notebooks.synced(new_notebook(cells=cells), info)
    order = [((c.metadata.get("coursekit") or {}).get("generated") or c.source[:7]) for c in nb.cells]
    i = order.index("### Two")
    assert order[i - 1] == "pause" and order[order.index("### One") - 1] != "pause"
    assert order[order.index("### Thr") - 1] != "pause"  # not needed again so soon

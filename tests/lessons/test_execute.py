"""Every lesson runs top to bottom headless, with no error and no traceback in any output."""

from __future__ import annotations

import os

import nbclient
import nbformat
import pytest

from conftest import ROOT, lesson_notebooks

pytestmark = pytest.mark.slow


def execute(path, env_overrides: dict[str, str]) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    old = {k: os.environ.get(k) for k in env_overrides}
    os.environ.update(env_overrides)
    try:
        client = nbclient.NotebookClient(
            nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
            allow_errors=False,
        )
        client.execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return nb


def normalised_outputs(nb) -> list[tuple[int, str, str]]:
    """(cell, output type, text) for every output, with volatile parts removed."""
    out = []
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            text = o.get("text", "") or "".join(
                str(v) for k, v in o.get("data", {}).items() if k.startswith("text/")
            )
            out.append((i, o["output_type"], text))
    return out


@pytest.mark.parametrize("path", lesson_notebooks(), ids=lambda p: p.name)
def test_lesson_runs_headless(path, data_dir):
    nb = execute(path, {"COURSEKIT_DATA_DIR": str(data_dir), "COURSEKIT_ROOT": str(ROOT)})
    outputs = normalised_outputs(nb)
    errors = [(i, t) for i, kind, t in outputs if kind == "error" or "Traceback" in t]
    assert not errors, f"{path.name}: errors in cells {errors}"
    stderr = [(i, t) for i, kind, t in outputs if kind == "stream" and t and "Warning" in t]
    assert not stderr, f"{path.name}: warnings printed: {stderr}"
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert code_cells and all(c.execution_count for c in code_cells), "a code cell did not run"
    widget_outputs = [o for c in code_cells for o in c.outputs
                      if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widget_outputs, f"{path.name} displayed no widget"


@pytest.mark.parametrize("path", [p for p in lesson_notebooks() if p.name[:2] in ("01", "02", "03", "04")],
                         ids=lambda p: p.name)
def test_reading_lesson_finds_its_reading(path, data_dir, shared_readings):
    """With COURSEKIT_READINGS_DIR set, each reading lesson shows its full text."""
    nb = execute(path, {"COURSEKIT_DATA_DIR": str(data_dir), "COURSEKIT_ROOT": str(ROOT),
                        "COURSEKIT_READINGS_DIR": str(shared_readings)})
    texts = " ".join(t for _, _, t in normalised_outputs(nb))
    assert "ReadingPanel(" in texts, f"{path.name} shows no reading panel"
    assert "installed=False" not in texts, f"{path.name} did not find its reading"
    assert "installed=True" in texts

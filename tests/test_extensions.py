"""nbgrader and ipywidgets load into this JupyterLab: extensions listed, enabled and OK.

nbgrader has broken before under newer JupyterLab 4.x releases; this catches it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

JUPYTER = str(Path(sys.executable).with_name("jupyter"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _run(*args: str) -> str:
    done = subprocess.run([JUPYTER, *args], capture_output=True, text=True, timeout=120)
    return ANSI.sub("", done.stdout + done.stderr)


@pytest.fixture(scope="module")
def lab_extensions() -> str:
    return _run("labextension", "list")


@pytest.fixture(scope="module")
def server_extensions() -> str:
    return _run("server", "extension", "list")


@pytest.mark.parametrize("name", ["@jupyter-widgets/jupyterlab-manager", "@jupyter/nbgrader",
                                  "anywidget"])
def test_lab_extension_enabled_and_ok(lab_extensions, name):
    line = next((ln for ln in lab_extensions.splitlines() if name in ln), None)
    assert line is not None, f"{name} is not installed:\n{lab_extensions}"
    assert "enabled" in line and "OK" in line, f"{name} is not enabled and OK: {line.strip()}"


@pytest.mark.parametrize("name", [
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
    "nbgrader.server_extensions.validate_assignment",
    "jupyterlab",
    "coursekit.serverext",
])
def test_server_extension_enabled_and_ok(server_extensions, name):
    assert re.search(rf"^\s*{re.escape(name)} enabled\s*$", server_extensions, re.M), (
        f"{name} is not enabled:\n{server_extensions}"
    )
    validating = server_extensions.split(f"Validating {name}...", 1)
    assert len(validating) == 2, f"{name} was not validated"
    assert re.match(rf"\s*{re.escape(name)}\s+[\w.]*\s*OK", validating[1]), (
        f"{name} did not validate OK: {validating[1][:300]}"
    )


def test_jupyterlab_is_46(lab_extensions):
    assert re.search(r"JupyterLab v4\.6\.\d+", lab_extensions), lab_extensions.splitlines()[0]

"""The kit's wheel carries assets/ and needs only the lesson core; the extras hold the rest.

A real wheel is built from the clone (pip, with build isolation, as a publisher would)
and installed into an empty folder; a fresh interpreter with no clone in sight then
loads the course metadata, the question bank and the glossary from inside the package.
"""

from __future__ import annotations

import email
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow

# anywidget carries the page script every lesson loads (keyboard, names, focus; both editions)
CORE = {"anywidget", "ipywidgets", "platformdirs", "pyyaml"}
SERVER_ONLY = {"jupyterlab", "nbgrader", "nbconvert", "nbclient", "nbformat", "matplotlib",
               "jinja2", "click", "rich"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w",
                    str(out), str(ROOT)], check=True, capture_output=True, text=True)
    (found,) = out.glob("coursekit-*.whl")
    return found


def _tracked_assets() -> set[str]:
    listed = subprocess.run(["git", "ls-files", "assets"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.split()
    return {p.removeprefix("assets/") for p in listed if (ROOT / p).is_file()}


def test_wheel_carries_every_asset(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    packed = {n.removeprefix("coursekit/assets/") for n in names
              if n.startswith("coursekit/assets/")}
    tracked = _tracked_assets()
    assert tracked, "git lists no assets"
    assert tracked <= packed, f"missing from the wheel: {sorted(tracked - packed)}"
    assert not any(n.startswith("assets/") for n in names), "assets must sit inside the package"


def test_core_requirements_are_the_lesson_core(wheel):
    with zipfile.ZipFile(wheel) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(zf.read(meta_name))
    core, extras = set(), {}
    for req in meta.get_all("Requires-Dist"):
        name = req.split(";")[0].split("[")[0].split("<")[0].split(">")[0].split("=")[0]
        name = name.strip().lower()
        if "extra ==" in req:
            extra = req.split("extra ==")[1].strip().strip("'\"")
            extras.setdefault(extra, set()).add(name)
        else:
            core.add(name)
    assert core == CORE
    assert {"lab", "facilitator", "test"} <= set(meta.get_all("Provides-Extra"))
    assert {"jupyterlab", "click", "rich"} <= extras["lab"]
    assert {"nbgrader", "nbconvert", "matplotlib", "coursekit"} <= extras["facilitator"]
    assert not (core & SERVER_ONLY)


def test_installed_wheel_finds_its_assets_without_the_clone(wheel, tmp_path):
    target = tmp_path / "site-packages"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(wheel)], check=True, capture_output=True)
    code = (
        "import coursekit, sys\n"
        "from coursekit import config, course, questionbank, glossary\n"
        "assert coursekit.__file__.startswith(sys.argv[1]), coursekit.__file__\n"
        "print(config.assets_dir())\n"
        "print(len(course.lessons()), len(questionbank.load_bank('01').questions))\n"
        "print(len(glossary.load()))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "COURSEKIT_ROOT"}
    env["PYTHONPATH"] = str(target)
    run = subprocess.run([sys.executable, "-c", code, str(target)], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assets, counts, terms = run.stdout.splitlines()
    assert Path(assets) == target / "coursekit" / "assets"
    n_lessons, n_questions = map(int, counts.split())
    assert n_lessons == len(list((ROOT / "assets" / "lessons").glob("*.yml")))
    assert n_questions > 0 and int(terms) > 0

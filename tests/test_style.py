"""Ruff is on: the package, the tests and the benchmarks pass its checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_ruff_passes():
    ruff = Path(sys.executable).with_name("ruff")
    done = subprocess.run([str(ruff), "check", "src", "tests", "benchmarks"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_init_modules_only_reexport():
    """__init__.py files re-export with __all__; logic lives in modules."""
    import ast

    for init in (ROOT / "src" / "coursekit").rglob("__init__.py"):
        tree = ast.parse(init.read_text())
        names = {t.id for node in tree.body if isinstance(node, ast.Assign)
                 for t in node.targets if isinstance(t, ast.Name)}
        assert "__all__" in names, f"{init.relative_to(ROOT)} has no __all__"
        classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
        assert not classes, f"{init.relative_to(ROOT)} defines classes {classes}; move them"


def test_journal_imports_nothing_from_jupyter():
    """The journal stands alone; widgets depend on it, never the reverse."""
    import ast

    journal = ROOT / "src" / "coursekit" / "journal.py"
    paths = [journal] if journal.exists() else sorted((ROOT / "src/coursekit/journal").rglob("*.py"))
    assert paths, "the journal module is missing"
    banned = ("ipywidgets", "IPython", "jupyter", "nbformat", "nbclient", "traitlets",
              "coursekit.widgets", "matplotlib")
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mods = [("." * node.level) + (node.module or "")]
            else:
                continue
            for mod in mods:
                assert not mod.lstrip(".").startswith(banned) and "widgets" not in mod, (
                    f"{path.name} imports {mod}"
                )

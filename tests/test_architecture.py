"""The package's shape, as docs/ARCHITECTURE.md promises it: no module holds several jobs
(past ~600 lines), no import circle between coursekit's modules, and the journal imports
nothing from Jupyter or from the widgets (the widgets depend on the journal, never the
reverse). Imports are read from the source: every ``import``, also those inside functions,
but not those under ``if TYPE_CHECKING:``, which never run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "coursekit"
MAX_LINES = 600
JUPYTER = ("ipywidgets", "IPython", "ipykernel", "jupyter_server", "jupyterlab", "nbformat",
           "nbgrader", "nbclient", "nbconvert", "anywidget", "comm", "traitlets")


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> set[str]:
    """The modules ``name`` imports: coursekit's by their full name, others by their top."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(block.test)
                   for n in ast.walk(block)}  # annotations only: never run
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")
                up = up[:len(up) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES}
    return {m for m in found if m in MODULES or not m.startswith("coursekit")}


def own(name: str) -> set[str]:
    return {m for m in imports(name) if m in MODULES and m != name}


def test_no_module_is_past_600_lines():
    long = {n: len(p.read_text(encoding="utf-8").splitlines()) for n, p in MODULES.items()}
    assert {n: k for n, k in long.items() if k > MAX_LINES} == {}, (
        "a module this long holds several jobs: split it by job")


def test_no_import_circle():
    # a package's __init__ re-exporting its modules is not a circle: its modules are
    # looked at on their own, each importing others by their full name
    graph = {n: {m for m in own(n) if MODULES[m].name != "__init__.py"} for n in MODULES}
    done, path, circles = set(), [], []

    def visit(n):
        if n in path:
            circles.append([*path[path.index(n):], n])
            return
        if n in done:
            return
        path.append(n)
        for m in sorted(graph[n]):
            visit(m)
        path.pop()
        done.add(n)

    for n in sorted(graph):
        visit(n)
    assert circles == [], "import circles: " + "; ".join(" -> ".join(c) for c in circles)


@pytest.mark.parametrize("name", ["coursekit.journal", "coursekit.journaltext"])
def test_the_journal_imports_nothing_from_jupyter_or_the_widgets(name):
    if name not in MODULES:
        pytest.skip(f"{name} is not a module of this package")
    seen, todo = set(), [name]
    while todo:  # the journal and everything of coursekit it imports
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        todo += [m for m in own(n) if MODULES[m].name != "__init__.py"]
    jupyter = {(n, m) for n in seen for m in imports(n) if m.split(".")[0] in JUPYTER}
    widgets = {n for n in seen if n.startswith("coursekit.widgets")}
    assert jupyter == set() and widgets == set(), (jupyter, widgets)


def test_the_module_reader_sees_real_imports():
    # the checks above would pass on nothing if the reader found no imports
    assert "coursekit.grading.worker" in own("coursekit.grading.cohort")
    assert "coursekit.journal" in {m for n in MODULES if n.startswith("coursekit.widgets")
                                   for m in own(n)}

"""Each lesson creates few widget models: a deterministic guard for its start-up time.

Every ipywidgets model costs a comm message when a lesson runs (about 0.7 ms each in a
kernel), and so does every change to a model after it is sent (``add_class`` after
creation, a value set just after building), so a lesson that creates hundreds of models
starts visibly slower than a bare kernel (see ``benchmarks/bench_lessons.py`` for the
timings). Here each lesson's code cells run in one in-process IPython shell and the
models they create and the update messages they send are counted; a change that builds
hidden parts eagerly again, or shows every self-check question at once, goes over the
budget and fails.

The budgets were set after the lazy-building work with about 20% headroom (measured:
00 = 85, 01 = 84, 02 = 87, 03 = 97, 04 = 89, 05 = 125 models, shared ones included;
13 to 19 update messages per lesson). Every section's safety bar (Pause and Quick exit,
``lesson.pause()``) adds four models; lesson 00 has five sections (measured 107), so its
budget is 125. The front-end probe that keeps a learner's words from scripts that run a
lesson (``coursekit.widgets._base.ensure_probe``: one Layout and one link per kernel)
adds two models to every lesson (measured with it: 02 = 107, 03 = 117).
"""

from __future__ import annotations

import contextlib
import io

import ipywidgets as W
import nbformat
import pytest
from ipywidgets.widgets.widget import _instances

from conftest import lesson_notebooks

BUDGET = {"00": 125, "01": 108, "02": 108, "03": 118, "04": 108, "05": 150}
DEFAULT_BUDGET = 120  # a lesson added later
#: Safety bars each budget above was set with; sync adds a bar (four models) before a
#: subheading when ~800 words pass without one, and the budget grows by four for each.
BARS = {"00": 4, "01": 3, "02": 3, "03": 3, "04": 3, "05": 3}
PER_BAR = 4
PER_CELL = 30  # no one-line cell needs more (the self-check shows one question at a time)
UPDATES = 25  # update messages per lesson, after the models were sent


@pytest.fixture(scope="module")
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.instance()


@pytest.fixture
def updates(monkeypatch) -> list[tuple[str, tuple[str, ...]]]:
    """(model class, changed keys) of every update message widgets send from now on."""
    sent: list[tuple[str, tuple[str, ...]]] = []
    original = W.Widget._send

    def counting_send(self, msg, buffers=None):
        if msg.get("method") == "update":
            sent.append((type(self).__name__, tuple(msg.get("state", {}))))
        return original(self, msg, buffers)

    monkeypatch.setattr(W.Widget, "_send", counting_send)
    return sent


def run_counting(shell, path) -> list[tuple[str, int]]:
    """Run the notebook's code cells; (cell source, models it created) for each."""
    W.Widget.close_all()  # shared models (stylesheet, layouts) are counted in every lesson
    counts = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        before = len(_instances)
        with contextlib.redirect_stdout(io.StringIO()):
            result = shell.run_cell(cell.source, store_history=False, silent=False)
        assert result.success, f"{path.name}: {cell.source!r} failed: " \
                               f"{result.error_before_exec or result.error_in_exec!r}"
        counts.append((cell.source, len(_instances) - before))
    return counts


@pytest.mark.parametrize("path", lesson_notebooks(), ids=lambda p: p.name)
def test_lesson_stays_within_its_widget_budget(path, shell, data_dir, updates):
    lesson_id = path.name[:2]
    counts = run_counting(shell, path)
    assert 0 < len(updates) <= UPDATES, (
        f"{path.name} sent {len(updates)} update messages after creating its widgets (budget "
        f"{UPDATES}); give classes and first values when a widget is built: {updates}")
    total = sum(n for _source, n in counts)
    bars = sum(1 for c in nbformat.read(path, as_version=4).cells
               if (c.metadata.get("coursekit") or {}).get("generated") == "pause")
    budget = BUDGET.get(lesson_id, DEFAULT_BUDGET) + PER_BAR * max(0, bars - BARS.get(lesson_id, 3))
    detail = "\n".join(f"  {n:4d}  {source.splitlines()[-1]}" for source, n in counts)
    assert total > 0 and all(n > 0 for _s, n in counts[1:]), f"a cell built no widget:\n{detail}"
    assert total <= budget, (f"{path.name} created {total} widget models, over its budget of "
                             f"{budget}; build hidden parts on first use:\n{detail}")
    heavy = [(s, n) for s, n in counts if n > PER_CELL]
    assert not heavy, f"{path.name}: cells over {PER_CELL} models:\n{detail}"


def test_the_budget_can_fail(shell, data_dir, updates):
    """The counters see models and updates: all questions at once, classes added late."""
    W.Widget.close_all()
    before = len(_instances)
    shell.run_cell('from coursekit.selfcheck import SelfCheck\n'
                   'SelfCheck.for_lesson("03").items', store_history=False)
    assert len(_instances) - before > PER_CELL * 3
    shell.run_cell("import ipywidgets\n"
                   "for _i in range(30): ipywidgets.HTML('x').add_class('late')",
                   store_history=False)
    assert len(updates) >= 30 and ("HTML", ("_dom_classes",)) in updates

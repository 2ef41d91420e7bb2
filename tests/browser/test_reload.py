"""A page reload on a running kernel: Run All gives working widgets at once, every time.

Before, the kit's shared models (layouts, styles, the stylesheet, Quick exit) were
made once per kernel; after a reload, the first widgets of Run All named models the
new page was still fetching from the kernel: "widget model not found" error boxes,
and JupyterLab's message queue stalled behind them (the kernel looked busy for a
minute or more). 20 cycles of reload and Run All, each timed and printed.
"""

from __future__ import annotations

import time

import pytest

from .labdriver import NotebookPage

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSON = "lessons/01-shared-fantasy-and-regression.ipynb"
CYCLES = 20


def test_reload_and_run_all_on_a_running_kernel(page, lab):
    nb = NotebookPage(page, lab, LESSON).open()
    nb.run_all()
    first = nb.wait_widgets_rendered()
    assert first["errors"] == [] and first["rendered"] == first["expected"] > 0, first
    kernel = nb.kernel_id()
    times = []
    for cycle in range(1, CYCLES + 1):
        nb.reload()
        assert nb.kernel_id() == kernel, "the reload started a new kernel (the test needs the old one)"
        start = time.monotonic()
        nb.run_all(timeout=120)
        status = nb.wait_widgets_rendered(timeout=30)
        took = time.monotonic() - start
        times.append(took)
        print(f"cycle {cycle:2}: Run All to working widgets {took:5.1f} s  {status}")
        assert nb.errors() == [], nb.errors()
        assert status["errors"] == [], f"cycle {cycle}: {status['errors']}"
        assert status["rendered"] == status["expected"] == first["expected"], status
        not_found = [m for m in nb.console if "model not found" in m]
        assert not_found == [], f"cycle {cycle}: {not_found[:2]}"
        nb.console.clear()
    print(f"{CYCLES} reloads: median {sorted(times)[len(times) // 2]:.1f} s, "
          f"slowest {max(times):.1f} s")

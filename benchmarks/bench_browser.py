"""Time from opening a lesson in JupyterLab to all its widgets rendered, against a bare notebook.

One JupyterLab (on a temporary copy of the kit, as in tests/browser) and Debian's
Chromium. For each lesson, and for a bare notebook holding one ipywidgets slider, in
the same run and interleaved: open the page (fresh browser context), wait for the
kernel, run all cells, wait until every widget output has rendered. Prints the median
of ``--rounds`` rounds for each phase and the ratio of each lesson to the bare
notebook. Usage: ``python benchmarks/bench_browser.py [--rounds 3] [--lessons 00 01]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser.labdriver import LabServer, NotebookPage, launch_chromium  # noqa: E402

BARE = {
    "nbformat": 4, "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}},
    "cells": [{"cell_type": "code", "id": "bare", "metadata": {}, "execution_count": None,
               "outputs": [], "source": "import ipywidgets as W\nW.IntSlider(description='x')"}],
}


def measure(browser, server: LabServer, path: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1366, "height": 1000})
    page = context.new_page()
    try:
        t0 = time.perf_counter()
        nb = NotebookPage(page, server, path).open()
        t1 = time.perf_counter()
        nb.run_all()
        status = nb.wait_widgets_rendered()
        t2 = time.perf_counter()
        if status["errors"] or status["rendered"] != status["expected"]:
            raise RuntimeError(f"{path}: widgets did not all render: {status}")
        return {"open": t1 - t0, "run+render": t2 - t1, "total": t2 - t0,
                "widgets": status["rendered"]}
    finally:
        context.close()
        server.shutdown_kernels()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lessons", nargs="*", default=None,
                        help="lesson numbers (default: every lessons/NN-*.ipynb)")
    args = parser.parse_args()
    lessons = sorted((ROOT / "lessons").glob("[0-9][0-9]-*.ipynb"))
    if args.lessons:
        lessons = [p for p in lessons if p.name[:2] in args.lessons]

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp, sync_playwright() as pw:
        server = LabServer(Path(tmp)).start()
        browser = launch_chromium(pw)
        try:
            server.api("PUT", "/api/contents/bare-one-widget.ipynb",
                       {"type": "notebook", "content": BARE})
            targets = {"bare (1 widget)": "bare-one-widget.ipynb"}
            targets.update({p.stem: f"lessons/{p.name}" for p in lessons})
            results: dict[str, list[dict]] = {name: [] for name in targets}
            measure(browser, server, targets["bare (1 widget)"])  # warm-up, not counted
            for _ in range(args.rounds):
                for name, path in targets.items():
                    results[name].append(measure(browser, server, path))
        finally:
            browser.close()
            server.stop()

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in results[name])

    base = med("bare (1 widget)", "total")
    print(f"JupyterLab in Chromium, median of {args.rounds} round(s); times in seconds")
    print(f"{'notebook':<40} {'widgets':>7} {'open':>7} {'run+render':>11} {'total':>7} "
          f"{'x bare':>7}")
    for name in results:
        print(f"{name:<40} {results[name][0]['widgets']:>7} {med(name, 'open'):>7.2f} "
              f"{med(name, 'run+render'):>11.2f} {med(name, 'total'):>7.2f} "
              f"{med(name, 'total') / base:>7.2f}")


if __name__ == "__main__":
    main()

"""Print the installed environment's size and each lesson's headless run time.

Each lesson's time is also given as a ratio to executing an empty notebook in the
same run (goal: at most 1.5 times a bare kernel run per lesson). Figures, not a test:
these machines are shared and noisy, so compare the ratios.

    python benchmarks/bench_lessons.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbclient
import nbformat

ROOT = Path(__file__).resolve().parents[1]
GOAL = 1.5


def folder_size(path: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def run(nb: nbformat.NotebookNode, cwd: Path) -> float:
    start = time.perf_counter()
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}}).execute()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per notebook (median kept)")
    args = parser.parse_args()
    os.environ["COURSEKIT_DATA_DIR"] = tempfile.mkdtemp(prefix="coursekit-bench-")
    os.environ["COURSEKIT_ROOT"] = str(ROOT)
    logging.disable(logging.WARNING)  # the kernels' "running over TCP" warnings are noise here

    print(f"environment {sys.prefix}: {folder_size(Path(sys.prefix)) / 2**20:,.0f} MiB installed")
    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    lessons = sorted((ROOT / "lessons").glob("[0-9][0-9]-*.ipynb"))
    rows = []
    bare = []
    # Warm up (imports and disk caches), untimed, so the first timed run is not penalised.
    run(nbformat.from_dict(empty), ROOT / "lessons")
    run(nbformat.read(lessons[0], as_version=4), lessons[0].parent)
    for _ in range(args.repeat):
        for path in lessons:
            # A bare run beside every lesson run, so drift in machine load hits both alike.
            bare.append(run(nbformat.from_dict(empty), ROOT / "lessons"))
            rows.append((path.name, run(nbformat.read(path, as_version=4), path.parent)))
    base = statistics.median(bare)
    print(f"empty notebook (bare kernel run): {base:.2f} s (median of {len(bare)})")
    print(f"{'lesson':40} {'seconds':>8} {'ratio':>6}  goal <= {GOAL}")
    worst = 0.0
    for path in lessons:
        t = statistics.median(s for name, s in rows if name == path.name)
        worst = max(worst, t / base)
        flag = "" if t / base <= GOAL else "  over goal"
        print(f"{path.name:40} {t:8.2f} {t / base:6.2f}{flag}")
    print(f"worst ratio: {worst:.2f} ({'meets' if worst <= GOAL else 'misses'} the goal of {GOAL})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

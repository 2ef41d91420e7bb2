"""Print the installed environment's size and each lesson's headless run time.

Each lesson's time is also given as a ratio to executing an empty notebook in the
same run (goal: at most 1.5 times a bare kernel run per lesson). Figures, not a test:
these machines are shared and noisy, so the runs are interleaved (a bare run beside
every lesson run, so drift in load hits both alike), medians are kept, and the
kernels' CPU time (less sensitive to other people's load than the clock) and the load
average are printed too.

    python benchmarks/bench_lessons.py [--repeat 5] [--compare /path/to/other/clone]

``--compare`` runs the same lessons from another clone of the kit (its ``src/`` put
first on the kernel's path, its ``assets/`` used), interleaved with this one, so a
before/after comparison comes from one run on one machine load.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import resource
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(nb: nbformat.NotebookNode, cwd: Path, env: dict[str, str] | None = None
        ) -> tuple[float, float]:
    """(wall seconds, kernel CPU seconds) of one headless run in a fresh kernel."""
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        cpu, start = _children_cpu(), time.perf_counter()
        nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": str(cwd)}}).execute()
        # The kernel is a child process reaped at shutdown: its CPU time lands here.
        return time.perf_counter() - start, _children_cpu() - cpu
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per notebook (median kept)")
    parser.add_argument("--compare", type=Path, default=None,
                        help="another clone whose lessons run interleaved with this one's")
    args = parser.parse_args()
    os.environ["COURSEKIT_DATA_DIR"] = tempfile.mkdtemp(prefix="coursekit-bench-")
    os.environ["COURSEKIT_ROOT"] = str(ROOT)
    # Kernels compile and cache bytecode as a learner's Python does (some shells here set
    # PYTHONDONTWRITEBYTECODE, which would make every kernel compile the kit from source);
    # the cache goes to a temporary folder, not into the clones.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="coursekit-bench-pyc-")
    logging.disable(logging.WARNING)  # the kernels' "running over TCP" warnings are noise here

    print(f"environment {sys.prefix}: {folder_size(Path(sys.prefix)) / 2**20:,.0f} MiB installed")
    print(f"load average at start: {_load()} ({os.cpu_count()} cores)")
    with contextlib.suppress(ImportError):  # an older clone (--compare) may have no bundle
        from coursekit import bundlebuild

        print("data bundle (parsed YAML the lessons read): "
              + ("OUT OF STEP, lessons parse YAML: run `make sync`"
                 if bundlebuild.stale(ROOT / "assets") else "in step"))
    trees = {"this": (ROOT, None)}
    if args.compare is not None:
        other = args.compare.resolve()
        trees["other"] = (other, {"COURSEKIT_ROOT": str(other),
                                  "PYTHONPATH": os.pathsep.join(
                                      [str(other / "src"), os.environ.get("PYTHONPATH", "")])})
        print(f"other = {other}; this = {ROOT}")
    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    lessons = sorted((ROOT / "lessons").glob("[0-9][0-9]-*.ipynb"))
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    bare: list[tuple[float, float]] = []
    # Warm up (bytecode and disk caches), untimed, so no timed run pays for them.
    run(nbformat.from_dict(empty), ROOT / "lessons")
    for root, env in trees.values():
        for path in lessons:
            run(nbformat.read(root / "lessons" / path.name, as_version=4), root / "lessons", env)
    for _ in range(args.repeat):
        for path in lessons:
            bare.append(run(nbformat.from_dict(empty), ROOT / "lessons"))
            for tree, (root, env) in trees.items():
                nb = nbformat.read(root / "lessons" / path.name, as_version=4)
                times.setdefault((tree, path.name), []).append(
                    run(nb, root / "lessons", env))
    base = statistics.median(w for w, _c in bare)
    base_cpu = statistics.median(c for _w, c in bare)
    print(f"load average at end: {_load()}")
    print(f"empty notebook (bare kernel run): {base:.2f} s wall, {base_cpu:.2f} s kernel CPU "
          f"(medians of {len(bare)})")
    print(f"{'lesson':40} {'tree':>5} {'wall s':>7} {'ratio':>6} {'cpu s':>6} {'ratio':>6}"
          f"  goal <= {GOAL} (wall ratio)")
    worst = {tree: 0.0 for tree in trees}
    for path in lessons:
        for tree in trees:
            runs = times[(tree, path.name)]
            wall = statistics.median(w for w, _c in runs)
            cpu = statistics.median(c for _w, c in runs)
            worst[tree] = max(worst[tree], wall / base)
            flag = "" if wall / base <= GOAL else "  over goal"
            print(f"{path.name:40} {tree:>5} {wall:7.2f} {wall / base:6.2f} {cpu:6.2f} "
                  f"{cpu / base_cpu:6.2f}{flag}")
    for tree, ratio in worst.items():
        print(f"worst ratio ({tree}): {ratio:.2f} "
              f"({'meets' if ratio <= GOAL else 'misses'} the goal of {GOAL})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

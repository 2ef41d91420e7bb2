"""The safe intake and identity plan of `coursekit grade collect`, against a plain unzip.

Builds, in a temporary folder, a Moodle-style download of ``--learners`` folders (one
real-size check notebook each, renamed freely), then times in the same run, interleaved:
``zipfile.ZipFile.extractall`` (what an unchecked collect did), and the kit's
:func:`coursekit.grading.intake.bring_in` (regular files only, size caps) followed by
:func:`coursekit.grading.collect.plan` (identity from the LMS names, notebook check).
Prints the median of ``--rounds`` rounds of each and their ratio. nbgrader's own
zip_collect, which both routes run after this, is left out.
Usage: ``python benchmarks/bench_collect.py [--learners 200] [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

from coursekit.grading.collect import CollectReport, plan
from coursekit.grading.intake import bring_in

A = "01-check"
NAMES = ["final", "v2", "Copy of 01-check", "01-check (1)", "01-check", "mine"]


def notebook(n: int) -> str:
    cells = [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None,
              "outputs": [], "source": f"answer_{i} = {n % 5!r}\n" + "# pad\n" * 40}
             for i in range(40)]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        archive = tmp / "download.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for n in range(args.learners):
                folder = f"Learner Ñame {n}_{5000 + n}_assignsubmission_file_"
                zf.writestr(f"{folder}/{NAMES[n % len(NAMES)]}.ipynb", notebook(n))
        plain, kit = [], []
        for r in range(args.rounds):
            for label, times in (("plain", plain), ("kit", kit)):
                out = tmp / f"{label}-{r}"
                t0 = time.perf_counter()
                if label == "plain":
                    with zipfile.ZipFile(archive) as zf:
                        zf.extractall(out)
                else:
                    bring_in(archive, out)
                    chosen = plan(out, A, None, CollectReport(A))
                    assert len(chosen) == args.learners, len(chosen)
                times.append(time.perf_counter() - t0)
                shutil.rmtree(out)
    a, b = statistics.median(plain), statistics.median(kit)
    print(f"{args.learners} learners, {args.rounds} rounds (median seconds)")
    print(f"  plain extractall:        {a:.3f}")
    print(f"  kit intake + plan:       {b:.3f}")
    print(f"  ratio kit / plain:       {b / a:.2f}")


if __name__ == "__main__":
    main()

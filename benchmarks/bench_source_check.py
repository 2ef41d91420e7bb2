"""The source check of `coursekit grade collect` on a zip bomb: reading the zip's table of
contents only (:func:`coursekit.grading.arguments.check_source`) against reading every
entry (``zipfile.ZipFile.testzip``, what the check did before).

Builds, in a temporary folder, a zip of ``--entries`` entries of ``--mb`` MB of zeros each
(a few hundred kB on disk), then times both in the same run, interleaved, and prints the
median of ``--rounds`` rounds of each and their ratio.
Usage: ``python benchmarks/bench_source_check.py [--entries 16] [--mb 32] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

from coursekit.grading.arguments import check_source

MB = 1024 * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--entries", type=int, default=16)
    parser.add_argument("--mb", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bomb = Path(tmp) / "bomb.zip"
        with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for n in range(args.entries):
                zf.writestr(f"Bomb Ber_{4000 + n}_assignsubmission_file_/01-check.ipynb",
                            b"\0" * (args.mb * MB))
        times: dict[str, list[float]] = {"testzip": [], "table of contents": []}
        for _ in range(args.rounds):
            start = time.perf_counter()
            with zipfile.ZipFile(bomb) as zf:
                zf.testzip()
            times["testzip"].append(time.perf_counter() - start)
            start = time.perf_counter()
            check_source(bomb)
            times["table of contents"].append(time.perf_counter() - start)
    old, new = (statistics.median(times[k]) for k in ("testzip", "table of contents"))
    print(f"{args.entries} entries x {args.mb} MB (expanding to {args.entries * args.mb} MB), "
          f"{args.rounds} rounds (median seconds)")
    print(f"  every entry read (testzip): {old:.4f}")
    print(f"  table of contents only:     {new:.4f}")
    print(f"  ratio testzip / kit:        {old / new:.0f}")


if __name__ == "__main__":
    main()

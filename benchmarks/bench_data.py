"""Course data benchmark: reading every YAML file, and the schema pass over the whole kit.

Goals, as ratios measured in this one run (the machines are shared and noisy):
- the kit's loader (libyaml's C parser, refusing duplicate keys) reads the data at most
  1.3 times as long as plain ``yaml.CSafeLoader``, and well under the pure-Python parser;
- ``coursekit.schema.validate_all`` (every file parsed and validated, plus the checks that
  span files) takes at most 3 times as long as parsing alone.
Prints figures; it is not a timed test. Run: python benchmarks/bench_data.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 20


def best_of(fns: dict, rounds: int = ROUNDS) -> dict[str, float]:
    """The least CPU time of ``rounds`` runs of each function, taken in turn (CPU time of
    this process, so the other work on a shared machine counts little)."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.process_time()
            fn()
            times[name].append(time.process_time() - start)
    return {name: min(values) for name, values in times.items()}


def main() -> int:
    from coursekit import schema, yamlio

    texts = [p.read_text(encoding="utf-8") for _, p in schema._files(ROOT) if p.exists()]
    size = sum(len(t) for t in texts)

    def load_with(loader):
        return lambda: [yaml.load(t, Loader=loader) for t in texts]

    schema.validate_all(ROOT)  # build the schemas once (they are built on first use)
    t = best_of({
        "plain": load_with(getattr(yaml, "CSafeLoader", yaml.SafeLoader)),
        "kit": lambda: [yamlio.safe_load(t) for t in texts],
        "full": lambda: schema.validate_all(ROOT),
    })
    plain_c, kit, full = t["plain"], t["kit"], t["full"]
    pure = best_of({"pure": load_with(yaml.SafeLoader)}, rounds=3)["pure"]

    print(f"{len(texts)} data files, {size / 1024:.0f} KiB")
    print("CPU time, best of the runs:")
    print(f"plain CSafeLoader        {plain_c * 1000:7.1f} ms")
    print(f"kit loader (no dup keys) {kit * 1000:7.1f} ms  ratio {kit / plain_c:.2f}  goal <= 1.3")
    print(f"pure-Python SafeLoader   {pure * 1000:7.1f} ms  ratio {pure / plain_c:.2f}")
    print(f"validate_all             {full * 1000:7.1f} ms  ratio to kit loader "
          f"{full / kit:.2f}  goal <= 3")
    ok = kit / plain_c <= 1.3 and full / kit <= 3
    print("meets the goals" if ok else "misses a goal")
    return 0


if __name__ == "__main__":
    sys.exit(main())

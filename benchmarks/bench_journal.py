"""Journal benchmark: save latency with 10,000 entries, and restoring the largest lesson.

Goal: p99 save latency at most 20 ms on a 2-core machine (synchronous=FULL, WAL).
Prints figures; it is not a timed test. Run: python benchmarks/bench_journal.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="coursekit-bench-"))
    os.environ["COURSEKIT_DATA_DIR"] = str(folder)  # never the learner's own journal
    from coursekit.course import lessons
    from coursekit.journal import Journal

    infos = lessons()
    j = Journal.open_default()
    prompt_ids = [p.id for i in infos for p in i.prompts] or ["00.bench"]
    text = "A reflection of a few sentences, as a learner might write it. " * 8

    # Fill to 10,000 entries (timed too: every one of these is a real durable save).
    fill: list[float] = []
    for n in range(10_000):
        pid = prompt_ids[n % len(prompt_ids)]
        t0 = time.perf_counter()
        j.save(pid, f"{text} #{n}", lesson=pid[:2], prompt="benchmark prompt")
        fill.append(time.perf_counter() - t0)
    # Then measure saves against the full journal.
    lat: list[float] = []
    for n in range(1_000):
        pid = prompt_ids[n % len(prompt_ids)]
        t0 = time.perf_counter()
        j.save(pid, f"{text} later #{n}", lesson=pid[:2], prompt="benchmark prompt")
        lat.append(time.perf_counter() - t0)
    ms = [x * 1000 for x in lat]
    print(f"journal: {folder / 'journal.db'} ({(folder / 'journal.db').stat().st_size / 1e6:.1f} MB"
          f" + WAL), 10,000 entries before measuring")
    print(f"save latency over 1,000 saves: p50 {percentile(ms, 50):.2f} ms, "
          f"p99 {percentile(ms, 99):.2f} ms, max {max(ms):.2f} ms, "
          f"mean {statistics.mean(ms):.2f} ms (goal: p99 <= 20 ms)")
    fill_ms = [x * 1000 for x in fill]
    print(f"while filling 0 -> 10,000: p50 {percentile(fill_ms, 50):.2f} ms, "
          f"p99 {percentile(fill_ms, 99):.2f} ms")

    # Restore every widget of the largest lesson (most prompts) from this journal.
    t0 = time.perf_counter()
    from coursekit import widgets as W  # ipywidgets import counted separately

    import_s = time.perf_counter() - t0
    largest = max(infos, key=lambda i: len(i.prompts))
    j.close()
    runs = []
    for _ in range(5):
        fresh = Journal.open_default()  # a new kernel opens the file again
        t0 = time.perf_counter()
        built = [W.LessonStart(largest, journal=fresh)]
        built += [W.widget_for_prompt(p, journal=fresh) for p in largest.prompts]
        if largest.beliefs:
            built.append(W.BeliefTracker.for_lesson(largest, phase="start", journal=fresh))
        built.append(W.CourseProgress(journal=fresh))
        runs.append(time.perf_counter() - t0)
        fresh.close()
    print(f"restore lesson {largest.id} ({len(largest.prompts)} prompts, {len(built)} widgets): "
          f"median {statistics.median(runs) * 1000:.1f} ms, worst {max(runs) * 1000:.1f} ms "
          f"over 5 runs (importing the widgets first took {import_s * 1000:.0f} ms)")
    print("p99 goal met" if percentile(ms, 99) <= 20 else "p99 goal NOT met")
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

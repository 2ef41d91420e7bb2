"""Durability: SIGKILL at random moments never loses a confirmed save; four writers lose nothing."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from coursekit.journal import Journal

WRITER = textwrap.dedent("""
    import sys
    from coursekit.journal import Journal
    path, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    j = Journal(path)
    for n in range(count):
        j.save(f"{tag}.p{n % 7}", f"{tag}-{n}", lesson="01", prompt="P")
        print(n, flush=True)   # printed only after the save returned: it is confirmed
""")


def start_writer(path: Path, tag: str, count: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag, str(count)],
                            stdout=subprocess.PIPE, text=True, env=os.environ.copy())


def readable(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


@pytest.mark.slow
def test_sigkill_never_loses_a_confirmed_save(data_dir):
    rng = random.Random(20240611)
    trials, lost, confirmed_total = 200, [], 0
    path = data_dir / "journal.db"
    for trial in range(trials):
        if trial % 20 == 0:  # sometimes kill while the file is being created
            path = data_dir / f"fresh-{trial}" / "journal.db"
        tag = f"t{trial}"
        proc = start_writer(path, tag, 10_000)
        time.sleep(rng.uniform(0.0, 0.25))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        confirmed = [int(line) for line in out.split()]
        confirmed_total += len(confirmed)
        if not path.exists():
            assert not confirmed
            continue
        readable(path)
        j = Journal(path)
        stored = {e.text for pid in {f"{tag}.p{k}" for k in range(7)} for e in j.history(pid)}
        j.close()
        lost += [f"{tag}-{n}" for n in confirmed if f"{tag}-{n}" not in stored]
    assert lost == []
    assert confirmed_total > trials  # the kills did land mid-writing, not only at start-up


@pytest.mark.slow
def test_four_writers_at_once_lose_nothing(data_dir):
    path = data_dir / "journal.db"
    Journal(path).save("warm", "up", lesson="00", prompt="P")  # create before the race
    procs = [start_writer(path, f"w{i}", 500) for i in range(4)]
    for proc in procs:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0
        assert len(out.split()) == 500
    readable(path)
    j = Journal(path)
    for i in range(4):
        texts = [e.text for k in range(7) for e in j.history(f"w{i}.p{k}")]
        assert sorted(texts) == sorted(f"w{i}-{n}" for n in range(500))

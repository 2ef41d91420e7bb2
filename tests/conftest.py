"""Shared fixtures. No test ever touches a real learner's data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
SHARED_READINGS = ROOT.parent / "shared" / "readings"

# Set before any test module imports coursekit, so even import-time code is safe.
os.environ.setdefault("COURSEKIT_DATA_DIR", str(Path(os.environ.get("TMPDIR", "/tmp"))
                                              / f"coursekit-test-data-{os.getpid()}"))


@pytest.fixture(autouse=True)
def data_dir(tmp_path_factory, monkeypatch) -> Path:
    """A fresh private-data folder per test; COURSEKIT_DATA_DIR points at it."""
    path = tmp_path_factory.mktemp("coursekit-data")
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(path))
    monkeypatch.delenv("COURSEKIT_READINGS_DIR", raising=False)
    monkeypatch.setenv("COURSEKIT_ROOT", str(ROOT))
    return path


@pytest.fixture
def shared_readings() -> Path:
    """The facilitator-supplied readings in ../shared/readings; skip cleanly without them."""
    if not SHARED_READINGS.is_dir() or not any(SHARED_READINGS.glob("*.txt")):
        pytest.skip(f"no readings at {SHARED_READINGS} (a facilitator-supplied folder)")
    return SHARED_READINGS


def lesson_notebooks() -> list[Path]:
    return sorted(LESSONS.glob("[0-9][0-9]-*.ipynb"))

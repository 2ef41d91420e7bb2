"""Shared fixtures. No test ever touches a real learner's data folder.

Some tests need parts of the system pip does not install: Debian's Chromium (browser tests,
PDF handouts), npm packages in ``node_modules/`` (axe-core, configurable-http-proxy,
reveal.js; ``make test`` runs ``npm ci`` when npm is present). Where one is missing such a
test skips with one line saying what to install, except in CI (``CI=true`` or
``COURSEKIT_REQUIRE_BROWSER=1``, set by ``.ci/run``), where it fails: CI must run them all.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
SHARED_READINGS = ROOT.parent / "shared" / "readings"
NODE_MODULES = ROOT / "node_modules"
NPM_HINT = ("run `npm ci` in the kit's folder (`make test` does it when npm is installed; "
            "install Node.js and npm first, e.g. apt-get install npm)")


def in_ci() -> bool:
    """True in CI, where a missing system part fails a test instead of skipping it."""
    return (os.environ.get("COURSEKIT_REQUIRE_BROWSER") == "1"
            or os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"))


def missing(what: str, install: str) -> None:
    """Skip the running test (fail it in CI) because ``what`` is missing: one line that
    says what to install."""
    reason = f"{what} is missing: {install}"
    if in_ci():
        pytest.fail(f"{reason} (CI runs every test, so this is an error there)", pytrace=False)
    pytest.skip(reason)


def require_npm_package(name: str, used_for: str, file: str = "") -> Path:
    """``node_modules/<name>/<file>``, or skip (fail in CI) saying how to install it."""
    path = NODE_MODULES / name / file if file else NODE_MODULES / name
    if not path.exists():
        missing(f"node_modules/{name} ({used_for})", NPM_HINT)
    return path

# Set before any test module imports coursekit, so even import-time code is safe.
os.environ.setdefault("COURSEKIT_DATA_DIR", str(Path(os.environ.get("TMPDIR", "/tmp"))
                                              / f"coursekit-test-data-{os.getpid()}"))
os.environ.setdefault("COURSEKIT_CACHE_DIR", str(Path(os.environ.get("TMPDIR", "/tmp"))
                                               / f"coursekit-test-cache-{os.getpid()}"))


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


@pytest.fixture(scope="session")
def playwright_session():
    """One Playwright for the whole run: the sync API refuses a second one started while
    the first is still open (the browser tests' and the site tests' would collide)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright Python package", "pip install -e '.[test]' (make test does it)")
    with sync_playwright() as pw:
        yield pw


def copy_of_kit(root: Path, monkeypatch, *parts: str) -> Path:
    """Copy ``parts`` of the kit (``"assets"``, ``"facilitator/sessions"``...) under ``root``
    and point ``COURSEKIT_ROOT`` at the copy, for a test that edits course files."""
    for part in parts:
        shutil.copytree(ROOT / part, root / part)
    monkeypatch.setenv("COURSEKIT_ROOT", str(root))
    return root


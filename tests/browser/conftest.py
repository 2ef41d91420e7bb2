"""Fixtures for the browser tests: one JupyterLab per session, one Chromium, a page per test.

The server runs on a temporary copy of the kit with its own ``COURSEKIT_DATA_DIR``
(see :mod:`browser.labdriver`), so nothing a test types or saves reaches the
repository or a real learner's journal. Chromium is Debian's (``/usr/bin/chromium``);
the tests never download a browser. Without Chromium the tests skip with one line saying
what to install, except in CI (``CI=true`` or ``COURSEKIT_REQUIRE_BROWSER=1``), where a
missing browser fails (see :func:`conftest.missing`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .labdriver import ROOT, LabServer, chromium_executable, launch_chromium
from conftest import missing

ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
VIEWPORT = {"width": 1366, "height": 1000}


def lesson_paths() -> list[Path]:
    return sorted((ROOT / "lessons").glob("[0-9][0-9]-*.ipynb"))


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = chromium_executable()
    if not path or not Path(path).exists():
        missing("Chromium (the browser tests drive it)",
                "apt-get install chromium, or set COURSEKIT_CHROMIUM to a Chromium executable")
    return path


@pytest.fixture(scope="session")
def browser(playwright_session, chromium_path):
    browser = launch_chromium(playwright_session, chromium_path)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def lab(tmp_path_factory) -> LabServer:
    """JupyterLab on 127.0.0.1, a free port, a token, a temporary kit and data folder."""
    server = LabServer(tmp_path_factory.mktemp("jupyterlab"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(browser, lab):
    """A fresh browser context and page; afterwards the lab is reset (kernels shut down,
    journal emptied, lessons as shipped), so no test depends on what an earlier one did."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()
    lab.reset()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS

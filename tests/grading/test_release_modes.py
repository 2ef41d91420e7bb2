"""The inbound folder a real ``nbgrader release_assignment`` leaves in the shared exchange:
learners drop work in, never list it, never remove another learner's entry."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from coursekit.grading.exchange import configure
from coursekit.grading.release import INBOUND_MODE

from .accounts import open_folder, run_as
from .factories import ASSIGNMENT, make_course, nbgrader

pytestmark = pytest.mark.slow

NOBODY = 65534


@pytest.fixture
def base():
    """A folder every account can enter (pytest's own tmp folders are the owner's only)."""
    with open_folder("coursekit-release-") as folder:
        yield folder


def test_release_leaves_inbound_write_only_for_others_with_the_sticky_bit(base, monkeypatch):
    if os.geteuid() != 0:
        pytest.skip("needs root to act as a second account")
    tmp_path = base
    assert INBOUND_MODE == 0o3733
    prefix = tmp_path / "env"
    configure(tmp_path / "exchange", course_id="coursekit", prefix=prefix)
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(prefix / "etc" / "jupyter"))
    course = make_course(tmp_path)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    nbgrader(course, "release_assignment", ASSIGNMENT)
    inbound = tmp_path / "exchange" / "coursekit" / "inbound"
    assert stat.S_IMODE(inbound.stat().st_mode) == 0o3733
    os.chmod(inbound, 0o777)  # widened by hand: the next release narrows it again
    nbgrader(course, "release_assignment", ASSIGNMENT, "--force")
    mode = stat.S_IMODE(inbound.stat().st_mode)
    assert mode == 0o3733, oct(mode)
    assert not mode & (stat.S_IRGRP | stat.S_IROTH)  # no one else lists it

    facilitator_entry = inbound / f"ana+{ASSIGNMENT}+2026-01-01 10:00:00.000000 UTC+x1"
    facilitator_entry.mkdir()  # stands for another learner's entry, owned by someone else
    mine = inbound / f"nobody+{ASSIGNMENT}+2026-01-01 10:05:00.000000 UTC+y2"

    def submit() -> bool:
        mine.mkdir()
        (mine / "timestamp.txt").write_text("2026-01-01 10:05:00.000000 UTC")
        return True

    assert run_as(NOBODY, submit) == 0  # a learner can hand in
    assert mine.owner() == "nobody" and (mine / "timestamp.txt").exists()
    assert run_as(NOBODY, lambda: bool(os.listdir(inbound))) == 2  # ... not list
    assert run_as(NOBODY, lambda: facilitator_entry.rmdir() or True) == 2  # ... nor remove
    assert run_as(NOBODY, lambda: facilitator_entry.rename(inbound / "gone") or True) == 2
    assert facilitator_entry.is_dir()


def test_the_course_config_releases_with_the_kits_releaser():
    from traitlets.config import Config, PyFileConfigLoader

    here = Path(__file__).resolve().parents[2] / "facilitator" / "nbgrader"
    config = Config()
    loader = PyFileConfigLoader("nbgrader_config.py", path=str(here))
    config.merge(loader.load_config())
    assert config.ExchangeFactory.release_assignment == \
        "coursekit.grading.release.InboundRelease"

"""Feedback to hand back: one HTML file per learner, in one flat folder.

:func:`hand_back` runs nbgrader's own ``generate_feedback`` (with the kit's feedback
preprocessors from the course's ``nbgrader_config.py``) and copies each learner's page
to ``<out>/<learner id>-<assignment>-feedback.html``, ready to e-mail or upload to an
LMS. Learners without an autograded submission are listed, never skipped silently.
On a shared machine, ``nbgrader release_feedback`` works on the same pages.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GradingError
from .collect import _nbgrader_env

__all__ = ["HandBack", "hand_back"]


@dataclass
class HandBack:
    out: Path
    written: dict[str, Path] = field(default_factory=dict)  # learner -> file
    missing: list[str] = field(default_factory=list)  # submitted but no feedback

    def lines(self) -> list[str]:
        out = [f"{len(self.written)} feedback file(s) in {self.out}"]
        if self.missing:
            out.append("no feedback (not autograded yet, or the notebook could not be read): "
                       + ", ".join(self.missing))
        return out


def hand_back(course: Path, assignment: str, out: Path | None = None) -> HandBack:
    course = Path(course).resolve()
    submitted = sorted(p.parent.name for p in (course / "submitted").glob(f"*/{assignment}")
                       if p.is_dir())
    if not submitted:
        raise GradingError(f"no submissions of {assignment} in {course / 'submitted'}; "
                           "collect them first (`coursekit grade collect` or "
                           f"`nbgrader collect {assignment}`)")
    if not (course / "autograded").is_dir():
        raise GradingError(f"nothing is autograded yet; run `coursekit grade autograde "
                           f"{assignment}` first")
    done = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", assignment,
                           "--force"], cwd=course, env=_nbgrader_env(), capture_output=True,
                          text=True, timeout=1800)
    if done.returncode != 0 and not (course / "feedback").is_dir():
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise GradingError(f"nbgrader generate_feedback failed for {assignment}: "
                           + " / ".join(tail))
    out = Path(out) if out else course / "hand-back" / assignment
    out.mkdir(parents=True, exist_ok=True)
    result = HandBack(out.resolve())
    for learner in submitted:
        pages = sorted((course / "feedback" / learner / assignment).glob("*.html"))
        if not pages:
            result.missing.append(learner)
            continue
        for page in pages:
            suffix = "" if page.stem == assignment else f"-{page.stem}"
            target = out / f"{learner}-{assignment}{suffix}-feedback.html"
            shutil.copyfile(page, target)
            result.written[learner] = target
    return result

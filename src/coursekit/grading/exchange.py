"""Route 1, one shared machine: the nbgrader exchange every learner's account uses.

``coursekit grade exchange --root /srv/nbgrader/exchange`` (run once, by whoever
administers the machine) creates the exchange folder with the mode nbgrader's own
documentation asks for (everyone may write; the sticky bit keeps files owned) and
writes, into the environment every learner runs, an ``nbgrader_config.py`` naming that
folder and the course id. Then ``nbgrader fetch_assignment 01-check`` and the
Assignments panel work for every learner with no settings of their own, and the
facilitator's course (``facilitator/nbgrader/nbgrader_config.py``) releases into and
collects from the same folder (:func:`shared_exchange`).

Each learner needs their own account: nbgrader tells learners apart by their system
user name, so learners sharing one account overwrite each other's submissions.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from ..errors import GradingError

__all__ = ["SETTINGS_FILE", "configure", "shared_exchange"]

#: Written beside the generated nbgrader_config.py; read by the course's config.
SETTINGS_FILE = "coursekit_exchange.json"

_CONFIG = '''"""Written by `coursekit grade exchange`: the shared nbgrader exchange on this machine."""

c = get_config()  # noqa: F821 (provided by nbgrader)
c.Exchange.root = {root!r}
c.Exchange.path_includes_course = True
c.CourseDirectory.course_id = {course_id!r}
c.ExchangeFactory.submit = "coursekit.grading.submit.PrivateSubmit"
'''


def _config_dir(prefix: Path | None) -> Path:
    return Path(prefix or sys.prefix) / "etc" / "jupyter"


def configure(root: Path, *, course_id: str = "coursekit", prefix: Path | None = None
              ) -> list[Path]:
    """Create the exchange folder and point nbgrader at it for the environment ``prefix``."""
    root = Path(root).resolve()
    if not course_id or not all(ch.isalnum() or ch in "-_" for ch in course_id):
        raise GradingError(f"course id {course_id!r} should be letters, digits, '-' or '_'")
    try:
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o1777)  # everyone writes, only owners delete (like /tmp)
    except PermissionError:
        raise GradingError(f"cannot create or open up {root}: run this as the machine's "
                           "administrator (e.g. with sudo)") from None
    folder = _config_dir(prefix)
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "nbgrader_config.py"
    if config.exists() and SETTINGS_FILE not in config.read_text(encoding="utf-8") and \
            "coursekit grade exchange" not in config.read_text(encoding="utf-8"):
        raise GradingError(f"{config} exists and was not written by the kit; add "
                           f"c.Exchange.root = {str(root)!r} and c.CourseDirectory.course_id "
                           f"= {course_id!r} to it yourself")
    config.write_text(_CONFIG.format(root=str(root), course_id=course_id), encoding="utf-8")
    settings = folder / SETTINGS_FILE
    settings.write_text(json.dumps({"root": str(root), "course_id": course_id}, indent=1)
                        + "\n", encoding="utf-8")
    for path in (config, settings):
        os.chmod(path, 0o644)
    return [config, settings]


def shared_exchange() -> dict[str, str] | None:
    """The exchange set up by :func:`configure` for this environment (None: none)."""
    from jupyter_core.paths import jupyter_config_path

    for folder in jupyter_config_path():
        path = Path(folder) / SETTINGS_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("root"):
            return {"root": str(data["root"]), "course_id": str(data.get("course_id") or
                                                                "coursekit")}
    return None

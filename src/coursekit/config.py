"""Settings the whole kit shares, read from the environment each time they are asked for.

``COURSEKIT_DATA_DIR``
    A folder in which the kit keeps a learner's private data (the reflection journal):
    the kit makes its own folder ``coursekit/`` inside it (owner-only) and never changes
    the folder you named. Default: the user data folder that :mod:`platformdirs` names
    for "coursekit" (the kit's own folder).
``COURSEKIT_READINGS_DIR``
    A facilitator-supplied folder of the full reading texts. Default: none.
``COURSEKIT_ROOT``
    The kit's folder (the one holding ``lessons/`` and ``assets/``). Default: found
    from this package's location in the clone.

An installed wheel (the browser edition, or ``pip install``) carries the assets inside
the package as ``coursekit/assets`` (see setup.py); :func:`assets_dir` uses that copy
when ``COURSEKIT_ROOT`` is not set.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ConfigError

DATA_DIR_ENV = "COURSEKIT_DATA_DIR"
READINGS_DIR_ENV = "COURSEKIT_READINGS_DIR"
ROOT_ENV = "COURSEKIT_ROOT"


#: The kit's own folder inside ``COURSEKIT_DATA_DIR``.
KIT_FOLDER = "coursekit"


def data_root() -> Path:
    """The folder ``COURSEKIT_DATA_DIR`` names (the kit keeps its files in :func:`data_dir`)."""
    value = os.environ.get(DATA_DIR_ENV, "").strip()
    if value:
        return Path(value).expanduser()
    return data_dir()


def data_dir() -> Path:
    """The kit's own folder for the learner's private data (not created here).

    With ``COURSEKIT_DATA_DIR`` set, ``$COURSEKIT_DATA_DIR/coursekit``: the kit creates
    that folder owner-only and leaves the folder you named exactly as it was (pointed
    at a shared folder, it locks no one out). Otherwise the user data folder
    :mod:`platformdirs` names for "coursekit".
    """
    value = os.environ.get(DATA_DIR_ENV, "").strip()
    if value:
        return Path(value).expanduser() / KIT_FOLDER
    import platformdirs

    return Path(platformdirs.user_data_dir("coursekit", appauthor=False))


def readings_dir() -> Path | None:
    """The facilitator's folder of full reading texts, or None when none is set."""
    value = os.environ.get(READINGS_DIR_ENV, "").strip()
    return Path(value).expanduser() if value else None


#: This package's folder, resolved once: every lookup of ``assets/`` starts here, and a
#: lesson asks for it hundreds of times (each claim rendered, each question loaded).
_PACKAGE = Path(__file__).resolve().parent


def kit_root() -> Path:
    """The kit's own folder: ``lessons/``, ``assets/`` and ``facilitator/`` live here."""
    value = os.environ.get(ROOT_ENV, "").strip()
    root = Path(value).expanduser() if value else _PACKAGE.parents[1]
    if not (root / "assets").is_dir():
        raise ConfigError(
            f"{root} does not hold the kit's assets/ folder; set {ROOT_ENV} to the folder "
            "you cloned the course into (the one with lessons/ and assets/)."
        )
    return root


def packaged_assets_dir() -> Path:
    """Where a built wheel keeps the assets (absent in a clone's editable install)."""
    return _PACKAGE / "assets"


def assets_dir() -> Path:
    """The kit's ``assets/``: ``COURSEKIT_ROOT``'s, else the wheel's copy, else the clone's."""
    if not os.environ.get(ROOT_ENV, "").strip() and packaged_assets_dir().is_dir():
        return packaged_assets_dir()
    return kit_root() / "assets"


def lessons_dir() -> Path:
    return kit_root() / "lessons"

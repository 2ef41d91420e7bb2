"""Checking one parsed data file against its typed schema, where pydantic is installed.

The loaders (:mod:`coursekit.course`, :mod:`coursekit.sessions`, ...) read a file with
:mod:`coursekit.yamlio` and then call :func:`validate`; this module sits between the two
so that reading YAML never imports the schemas (which read YAML themselves).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import ContentError

__all__ = ["validate"]


def validate(kind: str, data: Any, path: Path | str, *, error: type[ContentError] = ContentError):
    """Check a parsed document against its typed schema (:func:`coursekit.schema.check`):
    a mistake raises ``error`` in one sentence naming the file and the place.

    The schemas need pydantic, which the server edition installs. The browser edition
    (Pyodide) runs without it: its data was validated when the site was built, and the
    loaders' own checks still apply."""
    try:
        from . import schema
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] in ("pydantic", "pydantic_core"):
            return None
        raise
    return schema.check(kind, data, path, error=error)

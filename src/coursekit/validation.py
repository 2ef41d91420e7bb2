"""Checking one parsed data file against its typed schema, where pydantic is installed.

The loaders (:mod:`coursekit.course`, :mod:`coursekit.sessions`, ...) read a file with
:mod:`coursekit.yamlio` and then call :func:`validate`; this module sits between the two
so that reading YAML never imports the schemas (which read YAML themselves).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from .errors import ContentError

__all__ = ["CACHE_ENV", "validate"]

#: Where :func:`validate` remembers documents it has already checked (hashes only):
#: ``$COURSEKIT_CACHE_DIR``, else the user cache folder that platformdirs names.
CACHE_ENV = "COURSEKIT_CACHE_DIR"
SCHEMAS = Path(__file__).with_name("schema")
_CHECKED: dict[str, set[str]] = {}
_CHECKED_LOCK = threading.Lock()
_SCHEMA_HASH: list[bytes] = []


def _cache_file() -> Path | None:
    explicit = os.environ.get(CACHE_ENV, "").strip()
    if explicit:
        return Path(explicit) / "validated.json"
    try:
        import platformdirs
    except ImportError:  # pragma: no cover - platformdirs is a core dependency
        return None
    return Path(platformdirs.user_cache_dir("coursekit", appauthor=False)) / "validated.json"


def _schema_hash() -> bytes:
    """The schemas' source code, hashed (read once per process, without importing them)."""
    if not _SCHEMA_HASH:
        digest = hashlib.sha256()
        files = sorted(SCHEMAS.glob("*.py")) if SCHEMAS.is_dir() else [SCHEMAS.with_suffix(".py")]
        for path in files:
            with contextlib.suppress(OSError):
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
        _SCHEMA_HASH.append(digest.digest())
    return _SCHEMA_HASH[0]


def _fingerprint(kind: str, data: Any) -> str:
    """The schemas' source, the kind and the parsed document, hashed together."""
    digest = hashlib.sha256(_schema_hash())
    digest.update(kind.encode())
    digest.update(json.dumps(data, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _checked(cache: Path | None) -> set[str]:
    key = str(cache)
    with _CHECKED_LOCK:
        if key not in _CHECKED:
            found: set[str] = set()
            if cache is not None:
                with contextlib.suppress(OSError, ValueError, TypeError):
                    found = set(json.loads(cache.read_text(encoding="utf-8")))
            _CHECKED[key] = found
        return _CHECKED[key]


def _remember(cache: Path | None, fingerprint: str) -> None:
    seen = _checked(cache)
    with _CHECKED_LOCK:
        seen.add(fingerprint)
        if cache is None:
            return
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(sorted(seen)[-2000:]), encoding="utf-8")
            os.replace(tmp, cache)


def validate(kind: str, data: Any, path: Path | str, *, error: type[ContentError] = ContentError):
    """Check a parsed document against its typed schema (:func:`coursekit.schema.check`):
    a mistake raises ``error`` in one sentence naming the file and the place.

    The schemas need pydantic, which the server edition installs. The browser edition
    (Pyodide) runs without it: its data was validated when the site was built, and the
    loaders' own checks still apply.

    A document that passed once (same text, same schemas) is not checked again: its
    hash is kept in a small cache (:data:`CACHE_ENV`), so a lesson's kernel starts
    without importing pydantic at all (about half a second of every lesson's start).
    Returns None when the check was skipped."""
    cache = _cache_file()
    fingerprint = _fingerprint(kind, data)
    if fingerprint in _checked(cache):
        return None
    try:
        from . import schema
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] in ("pydantic", "pydantic_core"):
            return None
        raise
    result = schema.check(kind, data, path, error=error)
    _remember(cache, fingerprint)
    return result

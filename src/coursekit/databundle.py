"""The data bundle: the course's YAML data, parsed ahead of time, as one JSON file.

A lesson's kernel reads several YAML files as it starts (the lesson's metadata, the
readings' names, the course settings, the evidence scale, the question bank). Importing
PyYAML and parsing them is a visible part of a lesson's start, so ``coursekit lessons
sync`` (``make sync``) also writes ``assets/data-bundle.json``: each YAML file of
``assets/`` with the SHA-256 of its text and the document parsed from it.

The YAML files stay the only source of truth. :func:`lookup` gives a file's document
only when the file's current text has exactly the hash recorded, so a file edited since
(a facilitator's own support list, say) is parsed from its YAML as before; a missing or
damaged bundle only costs time. ``coursekit lessons sync --check`` and a test report a
bundle that is out of step with the YAML. This module reads the bundle (a lesson's kernel
needs only that); :mod:`coursekit.bundlebuild` writes it.

JSON has no dates, so YAML dates (and timestamps) are kept as ``{"$date": "2026-11-28"}``
(``{"$datetime": ...}``); a document JSON cannot hold exactly (keys that are not text,
say) is left out of the bundle and always parsed from its YAML.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from . import config

__all__ = ["BUNDLE_NAME", "MISSING", "PATTERNS", "bundle_path", "decode", "digest", "encode",
           "lookup"]

BUNDLE_NAME = "data-bundle.json"
#: The files bundled, relative to ``assets/``.
PATTERNS = ("*.yml", "lessons/*.yml", "questions/*.yml")
FORMAT = 1
MISSING: Any = object()

_LOCK = threading.Lock()
_LOADED: dict[str, tuple[tuple, dict[str, dict]]] = {}


class Unrepresentable(ValueError):
    """A parsed YAML document that JSON cannot hold exactly."""


def bundle_path(assets: Path | None = None) -> Path:
    return (assets or config.assets_dir()) / BUNDLE_NAME


def digest(raw: bytes) -> str:
    """The SHA-256 of a YAML file's text, its CRLF line ends read as LF: YAML itself reads
    them so (the parsed document is the same), and a Windows checkout (git's
    ``core.autocrlf``) writes every file with them. A lone CR still counts."""
    return hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest()


# -- encoding --------------------------------------------------------------------------------
def encode(value: Any) -> Any:
    """``value`` (a parsed YAML document) as plain JSON data; raises Unrepresentable."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise Unrepresentable("a mapping key that is not text")
        if len(value) == 1 and next(iter(value)) in ("$date", "$datetime"):
            raise Unrepresentable("a mapping that looks like an encoded date")
        return {k: encode(v) for k, v in value.items()}
    raise Unrepresentable(f"a value of type {type(value).__name__}")


def _decode_object(obj: dict) -> Any:
    if len(obj) == 1:
        if "$date" in obj:
            return dt.date.fromisoformat(obj["$date"])
        if "$datetime" in obj:
            return dt.datetime.fromisoformat(obj["$datetime"])
    return obj


def decode(text: str) -> Any:
    return json.loads(text, object_hook=_decode_object)


# -- reading ---------------------------------------------------------------------------------
def _entries(path: Path) -> dict[str, dict]:
    """The bundle's entries ({relative path: {"sha256", "text"}}), read once per version."""
    try:
        st = path.stat()
    except OSError:
        return {}
    stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
    key = str(path)
    with _LOCK:
        cached = _LOADED.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    entries: dict[str, dict] = {}
    with contextlib.suppress(OSError, ValueError, TypeError, AttributeError, KeyError):
        data = json.loads(path.read_bytes())
        if data.get("format") == FORMAT:
            entries = {rel: {"sha256": e["sha256"], "data": e["data"]}
                       for rel, e in data["files"].items()}
    with _LOCK:
        _LOADED[key] = (stamp, entries)
    return entries


def lookup(path: Path, raw: bytes) -> Any:
    """The document parsed from ``path`` when the bundle holds exactly the text ``raw``
    (a fresh copy each time: callers may change it), else :data:`MISSING`. Never raises."""
    try:
        assets = config.assets_dir()
        rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(assets)).as_posix()
        entry = _entries(bundle_path(assets)).get(rel)
        if entry is None or entry["sha256"] != digest(raw):
            return MISSING
        text = entry.get("text")
        if text is None:
            text = entry["text"] = json.dumps(entry["data"])
        return decode(text)
    except Exception:  # the bundle is only a shortcut: anything odd means "parse the YAML"
        return MISSING

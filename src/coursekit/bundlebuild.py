"""Write the data bundle (:mod:`coursekit.databundle`) from the YAML files of ``assets/``.

``coursekit lessons sync`` (``make sync``) calls :func:`write`; ``--check`` and a test call
:func:`stale`. Reading the bundle needs none of this (nor PyYAML): a lesson's kernel only
reads it.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from . import config, yamlio
from .databundle import FORMAT, PATTERNS, bundle_path, decode, digest, encode

__all__ = ["build", "sources", "stale", "write"]


def sources(assets: Path | None = None) -> list[Path]:
    assets = assets or config.assets_dir()
    found = {p for pattern in PATTERNS for p in assets.glob(pattern) if p.is_file()}
    return sorted(found, key=lambda p: p.relative_to(assets).as_posix())


def build(assets: Path | None = None) -> str:
    """The bundle's text for the YAML files in ``assets`` now (files that cannot be parsed,
    or held exactly in JSON, are left out: loading them names the problem as before)."""
    assets = assets or config.assets_dir()
    files: dict[str, dict] = {}
    for path in sources(assets):
        raw = path.read_bytes()
        try:
            data = yamlio.safe_load(raw.decode("utf-8"))
            encoded = encode(data)
        except Exception:  # a broken file is reported by its own loader, as before
            continue
        if decode(json.dumps(encoded)) != data:
            continue
        files[path.relative_to(assets).as_posix()] = {"sha256": digest(raw), "data": encoded}
    doc = {"about": "Written by `coursekit lessons sync` from the YAML files beside it, which "
                    "stay the source: never edit this file; run `make sync` after editing them.",
           "format": FORMAT, "files": files}
    return json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def stale(assets: Path | None = None) -> bool:
    """Whether ``assets/data-bundle.json`` differs from what :func:`build` makes now."""
    path = bundle_path(assets)
    try:
        return path.read_text(encoding="utf-8") != build(assets)
    except OSError:
        return True


def write(assets: Path | None = None) -> bool:
    """Write the bundle when it is out of step; True when it was written."""
    path = bundle_path(assets)
    text = build(assets)
    with contextlib.suppress(OSError):
        if path.read_text(encoding="utf-8") == text:
            return False
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return True

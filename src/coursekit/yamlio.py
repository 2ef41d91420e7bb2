"""Reading the kit's YAML files: safe loading, with libyaml's C parser when present.

The C parser is several times faster than the pure-Python one, which matters because
a lesson reads its metadata and question bank as it starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import ContentError

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """Like :func:`yaml.safe_load` (same errors), but with the C parser when available."""
    return yaml.load(text, Loader=SafeLoader)


def load_file(path: Path) -> Any:
    """The YAML document in ``path``; any reason it cannot be read is a ContentError that
    names the file and the fix."""
    try:
        return safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ContentError(
            f"{path} cannot be read as YAML ({exc}); fix it, or restore it with git checkout"
        ) from exc

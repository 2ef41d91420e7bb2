"""Reading the kit's YAML files: safe loading, with libyaml's C parser when present.

The C parser is several times faster than the pure-Python one, which matters because
a lesson reads its metadata and question bank as it starts.
"""

from __future__ import annotations

from typing import Any

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """Like :func:`yaml.safe_load` (same errors), but with the C parser when available."""
    return yaml.load(text, Loader=SafeLoader)

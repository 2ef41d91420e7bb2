"""Keep a learner's words out of the notebooks they save.

Two layers, both installed by ``coursekit setup`` into the environment that runs
JupyterLab:

1. JupyterLab settings (``assets/jupyter/overrides.json``): the widget manager does
   not save widget state into notebooks.
2. A Jupyter server pre-save hook (:func:`scrub_before_save`, registered by the
   server extension :mod:`coursekit.serverext`): whatever a browser sends, a
   notebook is written without widget state, and a widget output keeps only its
   placeholder text. The reflection text then lives in the journal alone.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from . import config

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
PLACEHOLDER = "[interactive widget: run this cell in JupyterLab to show it]"
HOOK = "coursekit.privacy.scrub_before_save"
EXTENSION = "coursekit.serverext"


def scrub_notebook(nb: dict) -> int:
    """Remove widget state and widget text fallbacks from a notebook dict, in place.

    Returns how many things were removed.
    """
    removed = 0
    metadata = nb.get("metadata") or {}
    if metadata.pop("widgets", None) is not None:
        removed += 1
    for cell in nb.get("cells") or []:
        for output in cell.get("outputs") or []:
            data = output.get("data") or {}
            if WIDGET_VIEW in data:
                for key in list(data):
                    if key != WIDGET_VIEW:
                        del data[key]
                        removed += 1
                data["text/plain"] = PLACEHOLDER
    return removed


def scrub_before_save(model: dict, **_kwargs) -> None:
    """Jupyter server pre-save hook (``ContentsManager.pre_save_hook``)."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        scrub_notebook(model["content"])


def install(prefix: Path | None = None) -> list[Path]:
    """Install the kit's JupyterLab settings and server hook into ``prefix``.

    ``prefix`` is the environment JupyterLab runs from (default: this Python's).
    Returns the files written.
    """
    prefix = Path(prefix or sys.prefix)
    written = []
    settings = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(config.assets_dir() / "jupyter" / "overrides.json", settings)
    written.append(settings)
    server = prefix / "etc" / "jupyter" / "jupyter_server_config.d" / "coursekit.json"
    server.parent.mkdir(parents=True, exist_ok=True)
    # Jupyter Server reads only the list of extensions from *.d folders; the extension
    # (coursekit.serverext) registers the pre-save hook when the server loads it.
    server.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {EXTENSION: True}}},
                                 indent=2) + "\n", encoding="utf-8")
    written.append(server)
    return written

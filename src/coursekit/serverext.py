"""A tiny Jupyter server extension: every notebook is saved without widget state.

Enabled by ``coursekit setup`` (``ServerApp.jpserver_extensions``); it registers
:func:`coursekit.privacy.scrub_before_save` as a pre-save hook and
:func:`coursekit.privacy.scrub_after_save` as a post-save hook of the server's
contents manager, so whatever a browser or script sends (a notebook model, a file
model in text or base64, a chunked upload, a copy), the ``.ipynb`` on disk carries
no widget state and no widget text. It also registers the graded check's answer
filler (:func:`coursekit.grading.answers.fill_before_save`).

A lesson opens clean: the lessons are stored with the bare minimum of kernel metadata
(``language_info: {name: python}``), and JupyterLab, on connecting the kernel,
replaces it with the kernel's full description, which marks the notebook changed
("unsaved changes" before the learner did anything). When the server hands out such
a notebook, :func:`fill_kernel_metadata` gives it the description this environment's
kernel will report, so nothing changes when the kernel connects.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

from .grading.answers import fill_before_save
from .privacy import scrub_after_save, scrub_before_save

_BARE = {"name": "python"}


def kernel_language_info() -> dict[str, Any]:
    """What this environment's Python kernel (ipykernel) reports as ``language_info``.

    Written out rather than read from ``ipykernel.ipkernel``: importing that module
    replaces the ``comm`` package's functions in the importing process (the server).
    A browser test checks that a lesson opens unchanged.
    """
    major = sys.version_info[0]
    return {"name": "python", "version": sys.version.split()[0], "mimetype": "text/x-python",
            "codemirror_mode": {"name": "ipython", "version": major},
            "pygments_lexer": f"ipython{major}", "nbconvert_exporter": "python",
            "file_extension": ".py"}


def fill_kernel_metadata(model: dict, display_names: dict[str, str] | None = None,
                         language_info: dict | None = None) -> bool:
    """Give a notebook stored with bare kernel metadata what its kernel will report.

    Only a notebook whose ``language_info`` is exactly ``{"name": "python"}`` (how the
    kit stores its lessons) is touched; returns True when something was filled in.
    """
    content = model.get("content") if isinstance(model, dict) else None
    if model.get("type") != "notebook" or not isinstance(content, dict):
        return False
    metadata = content.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("language_info") != _BARE:
        return False
    metadata["language_info"] = dict(language_info or kernel_language_info())
    spec = metadata.get("kernelspec")
    if isinstance(spec, dict) and display_names and spec.get("name") in display_names:
        spec["display_name"] = display_names[spec["name"]]
    return True


def _display_names(serverapp) -> dict[str, str]:
    try:
        specs = serverapp.kernel_spec_manager.get_all_specs()
    except Exception:  # no kernel specs: the display names stay as stored
        return {}
    return {name: (s.get("spec") or {}).get("display_name", name) for name, s in specs.items()}


def _wrap_get(cm, serverapp) -> None:
    """Fill kernel metadata into every notebook the contents manager hands out."""
    original = cm.get
    names: dict[str, str] = {}

    def fill(model: Any) -> Any:
        if not names:
            names.update(_display_names(serverapp))
        try:
            fill_kernel_metadata(model, names)
        except Exception:  # never stand between a learner and their notebook
            serverapp.log.debug("coursekit: kernel metadata not filled", exc_info=True)
        return model

    if inspect.iscoroutinefunction(original):
        async def get(*args: Any, **kwargs: Any) -> Any:
            return fill(await original(*args, **kwargs))
    else:
        def get(*args: Any, **kwargs: Any) -> Any:
            return fill(original(*args, **kwargs))
    cm.get = get


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "coursekit.serverext"}]


def _load_jupyter_server_extension(serverapp) -> None:
    cm = serverapp.contents_manager
    cm.register_pre_save_hook(scrub_before_save)
    # A graded check's clicked answers are written into its answer cells on every save.
    cm.register_pre_save_hook(fill_before_save)
    cm.register_post_save_hook(scrub_after_save)
    _wrap_get(cm, serverapp)
    # The Formgrader's pages run no inline script but nbgrader's own (defence in depth
    # beside coursekit.grading.inert); first, so that it reads the page before any gzip.
    from .grading.csp import FormgraderPolicy

    serverapp.web_app.transforms.insert(0, FormgraderPolicy)
    serverapp.log.info("coursekit: notebooks are saved without widget state or widget text")

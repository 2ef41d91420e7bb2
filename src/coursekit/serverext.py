"""A tiny Jupyter server extension: every notebook is saved without widget state.

Enabled by ``coursekit setup`` (``ServerApp.jpserver_extensions``); it registers
:func:`coursekit.privacy.scrub_before_save` as a pre-save hook and
:func:`coursekit.privacy.scrub_after_save` as a post-save hook of the server's
contents manager, so whatever a browser or script sends (a notebook model, a file
model in text or base64, a chunked upload, a copy), the ``.ipynb`` on disk carries
no widget state and no widget text. It also registers the graded check's answer
filler (:func:`coursekit.grading.answers.fill_before_save`).
"""

from __future__ import annotations

from .grading.answers import fill_before_save
from .privacy import scrub_after_save, scrub_before_save


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "coursekit.serverext"}]


def _load_jupyter_server_extension(serverapp) -> None:
    cm = serverapp.contents_manager
    cm.register_pre_save_hook(scrub_before_save)
    # A graded check's clicked answers are written into its answer cells on every save.
    cm.register_pre_save_hook(fill_before_save)
    cm.register_post_save_hook(scrub_after_save)
    serverapp.log.info("coursekit: notebooks are saved without widget state or widget text")

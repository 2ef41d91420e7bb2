"""A tiny Jupyter server extension: every notebook is saved without widget state.

Enabled by ``coursekit setup`` (``ServerApp.jpserver_extensions``); it registers
:func:`coursekit.privacy.scrub_before_save` as a pre-save hook of the server's
contents manager, so whatever a browser sends, the file on disk carries no widget
state and no widget text.
"""

from __future__ import annotations

from .grading.answers import fill_before_save
from .privacy import scrub_before_save


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "coursekit.serverext"}]


def _load_jupyter_server_extension(serverapp) -> None:
    serverapp.contents_manager.register_pre_save_hook(scrub_before_save)
    # A graded check's clicked answers are written into its answer cells on every save.
    serverapp.contents_manager.register_pre_save_hook(fill_before_save)
    serverapp.log.info("coursekit: notebooks are saved without widget state or widget text")

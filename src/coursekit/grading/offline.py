"""nbgrader pages that load nothing from another host.

nbgrader renders feedback pages (``generate_feedback``) and the Formgrader's grading pages
with nbconvert templates whose ``mathjax`` macro loads MathJax from a public CDN (called
without a URL, so ``HTMLExporter.mathjax_url`` cannot change it). :func:`configure_feedback`,
called from the course's ``nbgrader_config.py``, puts the kit's template folder first: its
``base/mathjax.html.j2`` shadows nbconvert's and renders nothing (the course's checks hold
no formulas). A learner opening their feedback offline sees the whole page, and no third
party learns that they did.

It sets no template *name*: nbgrader picks ``feedback`` for feedback and the Formgrader
``formgrade`` for grading only when the course's config names none (a name set here would
turn the Formgrader's grading page into a feedback page, without score boxes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["TEMPLATES_DIR", "configure_feedback", "nbgrader_templates"]

#: The kit's nbconvert template folders: ``base/`` overrides nbconvert's ``mathjax`` macro.
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def nbgrader_templates() -> Path:
    """nbgrader's own template folder (``feedback/`` and ``formgrade/`` live there)."""
    import nbgrader

    return Path(nbgrader.__file__).resolve().parent / "server_extensions" / "formgrader" / "templates"


def configure_feedback(c: Any) -> None:
    """Make nbgrader's feedback and Formgrader pages load nothing from another host.

    ``c`` is the config object of an ``nbgrader_config.py``. The kit's templates come first,
    then nbgrader's own (where both ``feedback`` and ``formgrade`` are found)."""
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES_DIR), str(nbgrader_templates())]

"""Feedback pages that load nothing from another host.

nbgrader renders feedback with its own ``feedback`` template, whose page loads MathJax
from a public CDN (nbconvert's ``mathjax`` macro, called without a URL, so
``HTMLExporter.mathjax_url`` cannot change it). :func:`configure_feedback`, called from
the course's ``nbgrader_config.py``, points nbgrader at the kit's ``coursekit-feedback``
template instead: nbgrader's page as it is, with maths rendering left out (the course's
checks hold no formulas). A learner opening their feedback offline sees the whole page,
and no third party learns that they did.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["FEEDBACK_TEMPLATE", "TEMPLATES_DIR", "configure_feedback", "nbgrader_templates"]

#: The kit's nbconvert templates for pages it hands out.
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
FEEDBACK_TEMPLATE = "coursekit-feedback"


def nbgrader_templates() -> Path:
    """nbgrader's own template folder (``feedback/`` lives there)."""
    import nbgrader

    return Path(nbgrader.__file__).resolve().parent / "server_extensions" / "formgrader" / "templates"


def configure_feedback(c: Any) -> None:
    """Make ``nbgrader generate_feedback`` use the kit's offline feedback template.

    ``c`` is the config object of an ``nbgrader_config.py``; nbgrader keeps a
    ``template_name`` set there (it only fills in its own when none is given)."""
    c.HTMLExporter.template_name = FEEDBACK_TEMPLATE
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES_DIR), str(nbgrader_templates())]

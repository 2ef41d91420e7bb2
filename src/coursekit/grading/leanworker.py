"""Imported first by the grading workers' process, before nbformat and nbgrader.

:mod:`jsonschema` imports the optional ``rfc3987_syntax`` when it is installed (it comes
with Jupyter's event schemas), and that module builds an Earley parser for the "iri" string
format as it is imported: about a second of CPU in every process that imports nbformat,
more than grading a whole class as data. Nothing in grading checks string formats:
nbformat, nbconvert and nbgrader validate notebooks and metadata without a format checker.
So in the grading workers' own process (never in a learner's kernel, never in the
facilitator's JupyterLab) the optional module is marked absent and jsonschema skips it.
"""

from __future__ import annotations

import sys

__all__: list[str] = []

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

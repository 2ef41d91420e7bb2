"""nbgrader assignments from the question bank, cohort autograding, feedback, class summary.

This package only re-exports; import the submodules for the rest. The re-exports are
loaded when first used, so importing a submodule (the grading workers' cohort, the
inspection) does not import nbgrader and nbformat through :mod:`.generate`.
"""

from __future__ import annotations

__all__ = ["assignment_name", "course_dir", "render", "stale", "write_sources"]


def __getattr__(name: str):
    if name in __all__:
        from . import generate

        return getattr(generate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""nbgrader assignments from the question bank, cohort autograding, feedback, class summary.

This package only re-exports; import the submodules for the rest.
"""

from .generate import assignment_name, course_dir, render, stale, write_sources

__all__ = ["assignment_name", "course_dir", "render", "stale", "write_sources"]

"""coursekit: the package a course notebook imports. This module only re-exports."""

from .errors import (
    ConfigError,
    ContentError,
    CourseKitError,
    JournalCorrupted,
    JournalError,
    JournalUnavailable,
    ReadingError,
)
from .lesson import Lesson

__all__ = [
    "BeliefTracker",
    "Checklist",
    "ConfigError",
    "ContentError",
    "CourseKitError",
    "CourseProgress",
    "Journal",
    "JournalControls",
    "JournalCorrupted",
    "JournalError",
    "JournalUnavailable",
    "Lesson",
    "LessonStart",
    "RatingScale",
    "ReadingError",
    "Reflection",
    "Sorter",
    "widget_for_prompt",
]

__version__ = "0.1.0"

# Heavy names load on first use, so `import coursekit` stays light for the CLI.
_LAZY = {
    "Journal": "coursekit.journal",
    "BeliefTracker": "coursekit.widgets",
    "Checklist": "coursekit.widgets",
    "CourseProgress": "coursekit.widgets",
    "JournalControls": "coursekit.widgets",
    "LessonStart": "coursekit.widgets",
    "RatingScale": "coursekit.widgets",
    "Reflection": "coursekit.widgets",
    "Sorter": "coursekit.widgets",
    "widget_for_prompt": "coursekit.widgets",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'coursekit' has no attribute {name!r}")

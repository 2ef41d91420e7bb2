"""coursekit: the package a course notebook imports. This module only re-exports."""

from .errors import ConfigError, ContentError, CourseKitError, ReadingError
from .lesson import Lesson

__all__ = [
    "ConfigError",
    "ContentError",
    "CourseKitError",
    "Lesson",
    "ReadingError",
]

__version__ = "0.1.0"

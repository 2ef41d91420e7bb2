"""The kit's ipywidgets: reflections, check-in, beliefs, progress and journal controls."""

from ._base import PLACEHOLDER, KitWidget, flush_all, live
from .beliefs import BeliefTracker
from .checklist import Checklist
from .controls import JournalControls, export_journal
from .dispatch import widget_for_prompt
from .lesson_start import LessonStart
from .progress import CourseProgress
from .rating import RatingScale
from .reflection import Reflection
from .sorter import Sorter

__all__ = [
    "PLACEHOLDER",
    "BeliefTracker",
    "Checklist",
    "CourseProgress",
    "JournalControls",
    "KitWidget",
    "LessonStart",
    "RatingScale",
    "Reflection",
    "Sorter",
    "export_journal",
    "flush_all",
    "live",
    "widget_for_prompt",
]

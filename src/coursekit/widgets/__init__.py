"""The kit's ipywidgets: reflections, check-in, beliefs, progress and journal controls.

Names load on first use, so a lesson imports only the widgets it shows.
"""

from __future__ import annotations

import importlib

__all__ = [
    "PLACEHOLDER",
    "BeliefTracker",
    "Checklist",
    "CourseProgress",
    "JournalControls",
    "KitWidget",
    "LessonStart",
    "RatingScale",
    "ReadingPanel",
    "Reflection",
    "SafetyBar",
    "Sorter",
    "export_journal",
    "flush_all",
    "live",
    "widget_for_prompt",
]

_LAZY = {
    "PLACEHOLDER": "._base",
    "KitWidget": "._base",
    "flush_all": "._base",
    "live": "._base",
    "BeliefTracker": ".beliefs",
    "Checklist": ".checklist",
    "JournalControls": ".controls",
    "export_journal": ".controls",
    "widget_for_prompt": ".dispatch",
    "LessonStart": ".lesson_start",
    "SafetyBar": ".lesson_start",
    "CourseProgress": ".progress",
    "RatingScale": ".rating",
    "ReadingPanel": ".reading",
    "Reflection": ".reflection",
    "Sorter": ".sorter",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'coursekit.widgets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)

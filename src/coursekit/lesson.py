"""The one object a lesson notebook talks to: ``lesson = Lesson("01")``.

Each method builds a widget from the lesson's metadata and displays it, so a
lesson's code cells stay one line long. Heavy modules are imported only when a
method needs them, which keeps a lesson's start-up close to a bare kernel's.

Every widget cell starts with ``from coursekit import Lesson; lesson = Lesson("NN")``
(written by ``coursekit lessons sync``), so it works when run alone or out of order;
all ``Lesson`` objects in a kernel share one journal per data folder.
"""

from __future__ import annotations

import threading

from . import config
from .course import LessonInfo, lesson

_JOURNALS: dict[str, object] = {}
_JOURNALS_LOCK = threading.Lock()


def shared_journal():
    """The kernel's one journal object for the current data folder (opened lazily)."""
    from .journal import Journal

    key = str(config.data_dir())
    with _JOURNALS_LOCK:
        journal = _JOURNALS.get(key)
        if journal is None:
            journal = _JOURNALS[key] = Journal.open_default()
        return journal


class Lesson:
    """Facade over the widgets, the journal, the reading loader and the question bank."""

    def __init__(self, lesson_id: str):
        self.id = lesson_id
        self.info: LessonInfo = lesson(lesson_id)

    def __repr__(self) -> str:
        return f"Lesson({self.id!r})"

    @property
    def journal(self):
        """The learner's private journal (opened on first use, never printed)."""
        return shared_journal()

    def _show(self, widget):
        from IPython.display import display

        display(widget)
        return None

    # -- the opening cell ------------------------------------------------------------
    def start(self):
        """Opening check-in, with the pause and grounding option always at hand."""
        from .widgets import LessonStart

        return self._show(LessonStart(self.info, journal=self.journal))

    def pause(self):
        """The safety bar each section starts with: Pause (grounding and support, opened in
        place) and Quick exit (hides the lesson at once and opens a neutral page)."""
        from .widgets import SafetyBar

        return self._show(SafetyBar(self.info, journal=self.journal))

    # -- reflections -----------------------------------------------------------------
    def reflect(self, prompt_id: str):
        """The reflection widget for one prompt of this lesson (text, rating, list, sort)."""
        from .widgets import widget_for_prompt

        return self._show(widget_for_prompt(self.info.prompt(prompt_id), journal=self.journal))

    def beliefs(self, phase: str, scope: str = "lesson"):
        """Rate this lesson's (or the course's) belief statements; ``phase`` is start or end."""
        from .widgets import BeliefTracker

        return self._show(BeliefTracker.for_lesson(self.info, phase=phase, scope=scope,
                                                    journal=self.journal))

    # -- reading ---------------------------------------------------------------------
    def full_text(self):
        """The full reading in a collapsible panel, when a facilitator has installed it."""
        from .widgets.reading import reading_panel

        return self._show(reading_panel(self.info))

    # -- self-check ------------------------------------------------------------------
    def self_check(self, **options):
        """The lesson's self-check questions, from the question bank."""
        from .selfcheck import SelfCheck

        return self._show(SelfCheck.for_lesson(self.id, journal=self.journal, **options))

    # -- the learner's controls --------------------------------------------------------
    def progress(self):
        """Lessons and reflections done, as a progress bar."""
        from .widgets import CourseProgress

        return self._show(CourseProgress(journal=self.journal))

    def journal_controls(self):
        """Export the journal to Markdown or HTML, or erase it, after a confirmation."""
        from .widgets import JournalControls

        return self._show(JournalControls(journal=self.journal))

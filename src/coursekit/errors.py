"""Every error the kit raises on purpose. Messages name the value and the fix.

Such an error is a mistake to fix in the course data or in what was asked, not a bug,
so it is shown as its message alone: the ``coursekit`` command prints it on one line and
exits 1, and a notebook cell (IPython asks an exception for ``_render_traceback_``)
shows it in place of a traceback. Set ``COURSEKIT_DEBUG=1`` to see tracebacks again.
"""

from __future__ import annotations

import os

DEBUG_ENV = "COURSEKIT_DEBUG"


def debugging() -> bool:
    """True when ``COURSEKIT_DEBUG`` asks for full tracebacks."""
    return os.environ.get(DEBUG_ENV, "").strip() not in ("", "0")


class CourseKitError(Exception):
    """Base class: anything the kit raises on purpose derives from this."""

    @property
    def _render_traceback_(self):
        """What a notebook cell shows for this error: the message, no traceback.

        IPython looks this attribute up; while debugging it is absent, so IPython falls
        back to its full traceback."""
        if debugging():
            raise AttributeError("_render_traceback_")
        return self._one_sentence

    def _one_sentence(self) -> list[str]:
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


class ConfigError(CourseKitError):
    """A setting (environment variable or file location) is wrong."""


class ContentError(CourseKitError):
    """A content file (lesson metadata, notebook, glossary, support list) is malformed."""


class ReadingError(CourseKitError):
    """A facilitator-supplied reading is missing, empty or cannot be decoded."""


class QuestionBankError(ContentError):
    """A question bank file is malformed; the message names the file, question and field."""


class GradingError(CourseKitError):
    """The nbgrader course folder, an assignment or a submission cannot be processed."""


class SessionPlanError(ContentError):
    """A facilitator's session plan is malformed; the message names the file, format and field."""


class HandoutBuildError(CourseKitError):
    """A handout or slide deck cannot be built (a template, nbconvert or the PDF printer failed)."""


class JournalError(CourseKitError):
    """The private journal could not do what was asked; the message says what to do."""


class JournalCorrupted(JournalError):
    """The journal file could not be read as a database; it was moved aside (never deleted)."""

    def __init__(self, message: str, *, broken: object = None, fresh: object = None):
        super().__init__(message)
        self.broken = broken
        self.fresh = fresh


class JournalUnavailable(JournalError):
    """The journal cannot be written now: locked, read-only, full disk or missing folder."""

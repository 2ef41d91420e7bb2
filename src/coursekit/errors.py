"""Every error the kit raises on purpose. Messages name the value and the fix."""

from __future__ import annotations


class CourseKitError(Exception):
    """Base class: anything the kit raises on purpose derives from this."""


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

"""Every status a submission can get from autograding, its sentence, and the outcome record.

A submission's status is the most serious of its flags (:data:`STATUSES` is ordered); the
command-line table and the facilitator guide both use :data:`EXPLAIN`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import sandbox
from .dataanswers import ADDED_CODE, UNEXPECTED_CODE

__all__ = ["ADDED_CODE", "EXPLAIN", "GRADEBOOK_LOCKED", "GRADED", "STATUSES", "UNEXPECTED_CODE", "Outcome"]

GRADED = "graded"
STOPPED = "grading stopped"
INVALID = "not a notebook"
OLD_FORMAT = "old notebook format"
MALFORMED = "notebook format broken"
KERNEL_DIED = "kernel died"
FAILED = "failed"
DELETED = "test cell deleted"
DUPLICATED = "test cell duplicated"
MOVED = "test cell moved"
MARKDOWN = "test cell made markdown"
METADATA = "grading metadata edited"
CHECKSUM = "checksum edited"
TAMPERED = "test cell changed"
TIMED_OUT = sandbox.TIMED_OUT
MEMORY = sandbox.MEMORY
PROCESSES = sandbox.PROCESSES
DISK = sandbox.DISK
OUTPUT_CUT = sandbox.OUTPUT_CUT
NOT_REACHED = "not graded"
#: The detail of a learner not graded because another program kept the gradebook locked.
GRADEBOOK_LOCKED = (
    "the gradebook stayed locked by another program (a Formgrader saving a grade, another "
    "grading command or a database tool) through every retry, so this submission was not "
    "graded and its earlier grades, if any, are unchanged; close that program and run "
    "`coursekit grade autograde` again")
#: Every status, most serious first; a submission's status is the first that applies.
#: Every status, most serious first; a submission's status is the first that applies.
STATUSES = (STOPPED, NOT_REACHED, INVALID, OLD_FORMAT, MALFORMED, KERNEL_DIED, FAILED, DELETED,
            DUPLICATED, MOVED, MARKDOWN, METADATA, CHECKSUM, TAMPERED, UNEXPECTED_CODE,
            ADDED_CODE, TIMED_OUT, MEMORY, PROCESSES, DISK, OUTPUT_CUT, GRADED)
#: For every status: what happened, in one sentence, and what to do next.
EXPLAIN = {
    STOPPED: ("The answer's code stopped or hung the grader, so this submission was not "
              "scored; no other learner was affected.",
              "Open the submission, look for code that stops processes, and grade it by hand."),
    NOT_REACHED: ("The batch ran out of its time before this submission was graded.",
                  "Run `coursekit grade autograde` again; graded learners are kept."),
    INVALID: ("The file handed in is not a notebook the grader can open.",
              "Ask the learner to hand in the .ipynb file again, exported from Jupyter."),
    OLD_FORMAT: ("The notebook is saved in an old format nbgrader cannot grade.",
                 "Open and save it in a current Jupyter (or run `nbgrader update` on a copy), "
                 "then grade again."),
    MALFORMED: ("The notebook breaks the notebook format in a small way (the details say "
                "where); it was still scored if nbgrader could read it.",
                "Check the score against the notebook; if the details say it was not scored, "
                "ask the learner to save it again in Jupyter and hand it in again."),
    KERNEL_DIED: ("Python stopped while running an answer, so later answers were not run.",
                  "Look at the answer named in the details; grade the rest by hand."),
    FAILED: ("nbgrader could not grade this submission.",
             "Read the reason in the details; grade by hand if it is not yours to fix."),
    DELETED: ("A test cell was deleted, so nbgrader could not check that question.",
              "Give the learner a fresh copy of the check, or grade that question by hand."),
    DUPLICATED: ("A test or answer cell appears more than once (a copied cell keeps its "
                 "grading id), which nbgrader cannot grade.",
                 "Delete the copies in the submission (keep the first) and grade again."),
    MOVED: ("A test cell was moved above the answer it checks, so it ran too early.",
            "Move the test cell back under its answer and grade again, or grade by hand."),
    MARKDOWN: ("A test cell was turned into a text cell, so its check never ran.",
               "Give the learner a fresh copy of the check, or grade that question by hand."),
    METADATA: ("The hidden grading settings of a cell (grade flag, points or id) were edited.",
               "Scores follow the source notebook, not the edit; check that question by hand."),
    CHECKSUM: ("A cell's checksum was edited, which only happens on purpose.",
               "Scores follow the source notebook; talk with the learner about it."),
    TAMPERED: ("A test cell's code was changed; the original test was run instead.",
               "The score is from the original test; talk with the learner about it."),
    UNEXPECTED_CODE: ("The answer cell holds code the check did not put there; it was not run; "
                      "look at it.",
                      "That question earned nothing. Open the submission: if the code is "
                      "harmless, grade the question by hand."),
    ADDED_CODE: ("A code cell the check does not have was added; it was not run and changes "
                 "no score.",
                 "Nothing to do unless it holds an answer; then grade that question by hand."),
    TIMED_OUT: ("An answer ran out of time and was stopped.",
                "Check the answer named in the details; raise --seconds if it was honest."),
    MEMORY: ("An answer tried to use more memory than allowed and was stopped.",
             "Check the answer; raise --memory-mb if it was honest."),
    PROCESSES: ("An answer started more processes than allowed and was stopped.",
                "Check the answer; raise --processes if it was honest."),
    DISK: ("An answer wrote more to disk than allowed and was stopped.",
           "Check the answer; raise --disk-mb if it was honest."),
    OUTPUT_CUT: ("An answer printed more than is kept; the rest was cut from the files.",
                 "Nothing to do unless you need the full output."),
    GRADED: ("Graded.", ""),
}


@dataclass
class Outcome:
    """What happened to one learner's submission."""

    student: str
    status: str = GRADED
    flags: list[str] = field(default_factory=list)
    score: float | None = None
    max_score: float | None = None
    seconds: float = 0.0
    detail: str = ""

    def flag(self, status: str, detail: str = "") -> None:
        if status not in self.flags:
            self.flags.append(status)
        if detail and detail not in self.detail:
            self.detail = "; ".join(filter(None, [self.detail, detail]))
        self.status = min(self.flags, key=STATUSES.index)


"""The graded check's controls: a learner answers each question by clicking.

Each answer cell of a generated check (``coursekit grade generate``) starts with a plain
line, ``answer_x = None``, and then calls :func:`show`, which displays the question's
controls, the same kinds the self-check uses (radio buttons, check boxes, a drop-down
per item to match or to place in order) with the letters printed in the question.
Nothing here says whether an answer is right: marking happens after submission.

A click records the answer for the server's save hook
(:mod:`coursekit.grading.answers`), which writes it into the ``answer_x = ...`` line
whenever the notebook is saved, and sets the variable in the kernel at once. The test
cell's :func:`status` says, in words, whether the question is answered: a learner never
meets a traceback. Both functions swallow every error and show a short note instead,
so a check can never break because of them (while nbgrader grades, they may not even
be importable: the answer cells guard the import).
"""

from __future__ import annotations

import contextlib
import html
import os
from typing import Any

import ipywidgets as widgets

from .questionbank import Question, labelled, load_bank
from .widgets._base import ChoiceDropdown, PrivateTextarea, Styled, buttons
from .widgets._shared import button, lean
from .widgets._shared import html as html_widget

__all__ = ["GradedQuestion", "WrittenAnswer", "show", "status", "write"]

_PLACEHOLDER = "(choose)"
#: Set (to "1") by the course's nbgrader_config.py for every kernel nbgrader runs: while
#: grading there is no one to click, so the controls are not built at all.
GRADING_ENV = "COURSEKIT_GRADING"


def _grading() -> bool:
    return os.environ.get(GRADING_ENV) == "1"
_SHOWN: dict[str, GradedQuestion] = {}  # question key -> its controls in this kernel


def _p(text: str, tag: str = "p", **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{html.escape(v)}"' for k, v in attrs.items())
    return f"<{tag}{extra}>{html.escape(text)}</{tag}>"


class GradedQuestion(Styled, widgets.VBox):
    """One graded question's controls, a *Clear my answer* button and a status line."""

    css_class = "coursekit-graded-question"

    def __init__(self, question: Question, *, number: int | None = None, value: Any = None,
                 folder: str | None = None, namespace: dict | None = None):
        if not question.is_choice:
            raise ValueError(f"{question.key} is a written question; answer it in the text "
                             "cell below it")
        self.question = question
        self.number = number
        self.folder = folder if folder is not None else os.getcwd()
        self._namespace = namespace
        self._quiet = True
        self._controls = self._build()
        self.clear_button = button("Clear my answer", icon="undo", layout={},
                                   tooltip="Remove your answer to this question")
        self.clear_button.on_click(lambda _b: self.clear())
        self.note = html_widget("", classes=("coursekit-graded-status",))
        for control in self._controls:
            control.observe(self._changed, names="value")
        label = f"Question {number}" if number else "This question"
        heading = html_widget(_p(f"{label}: your answer", "strong"))
        super().__init__(children=[heading, *self._controls, buttons(self.clear_button),
                                   self.note])
        if value is not None:
            # a hand-typed value the controls cannot show is kept (the cell holds it)
            with contextlib.suppress(ValueError, KeyError, TypeError):
                self.set(value)
        self._quiet = False
        self._show_status(self.answer if self.answer is not None else value)

    def __repr__(self) -> str:
        return f"GradedQuestion({self.question.key!r})"

    # -- controls -------------------------------------------------------------------------
    def _build(self) -> list[widgets.Widget]:
        q = self.question
        if q.type == "single":
            options = [(f"{letter}. {o.text}", letter)
                       for letter, o in labelled(q.options_shown())]
            return [lean(widgets.RadioButtons, options=options, value=None,
                         description="Your answer", layout={"width": "auto"})]
        if q.type == "true_false":
            return [lean(widgets.RadioButtons, options=[("True", True), ("False", False)],
                         value=None, description="Your answer", layout={"width": "auto"})]
        if q.type == "multiple":
            return [lean(widgets.Checkbox, value=False, description=f"{letter}. {o.text}",
                         indent=False, layout={"width": "auto"})
                    for letter, o in labelled(q.options_shown())]
        shown = q.matching_rights() if q.type == "matching" else q.ordering_shown()
        choices = [(f"{letter}. {text}", letter) for letter, text in labelled(shown)]
        labels = ([f"{n}. {left}" for n, (left, _) in enumerate(q.pairs, 1)]
                  if q.type == "matching" else
                  [f"Place {n}" for n in range(1, len(q.items) + 1)])
        return [lean(ChoiceDropdown, placeholder=_PLACEHOLDER, options=choices,
                     description=label, classes=("coursekit-match",)) for label in labels]

    @property
    def answer(self) -> Any:
        """The answer as nbgrader's answer cell holds it (None while unanswered)."""
        q, c = self.question, self._controls
        if q.type in ("single", "true_false"):
            return c[0].value
        if q.type == "multiple":
            letters = [letter for (letter, _), box in zip(labelled(q.options_shown()), c,
                                                          strict=True) if box.value]
            return sorted(letters) or None
        chosen = [d.value for d in c]
        return None if None in chosen else "".join(chosen)

    def set(self, value: Any) -> None:
        """Choose an answer as a learner would by clicking (the same values as the cell)."""
        q, c = self.question, self._controls
        if value is None:
            self.clear()
            return
        if q.type == "single":
            c[0].value = str(value).strip().lower()
        elif q.type == "true_false":
            if not isinstance(value, bool):
                raise ValueError(f"{q.key} takes True or False")
            c[0].value = value
        elif q.type == "multiple":
            chosen = {str(v).strip().lower() for v in value}
            letters = [letter for letter, _ in labelled(q.options_shown())]
            if not chosen <= set(letters):
                raise ValueError(f"{q.key} takes letters among {letters}")
            for letter, box in zip(letters, c, strict=True):
                box.value = letter in chosen
        else:
            letters = str(value).replace(" ", "").replace(",", "").lower()
            if len(letters) != len(c):
                raise ValueError(f"{q.key} takes {len(c)} letters")
            for dropdown, letter in zip(c, letters, strict=True):
                dropdown.value = letter

    def clear(self) -> None:
        """Remove the answer (recorded as cleared, so the saved line goes back to None)."""
        quiet, self._quiet = self._quiet, True
        try:
            for control in self._controls:
                control.value = False if isinstance(control, widgets.Checkbox) else None
        finally:
            self._quiet = quiet
        self._changed()

    # -- recording --------------------------------------------------------------------------
    def _changed(self, _change: Any = None) -> None:
        if self._quiet:
            return
        value = self.answer
        try:
            from .grading.answers import write_answer

            write_answer(self.folder, self.question.lesson, self.question.id, value)
        except Exception as exc:  # the click still counts in this session; say what to do
            self.note.value = _p(
                f"Your answer could not be recorded for saving ({type(exc).__name__}). "
                "Ask your facilitator; until then, keep this notebook open.", "div",
                role="alert")
            return
        if self._namespace is not None:
            self._namespace[self.question.variable] = value
        self._show_status(value)

    def _show_status(self, value: Any) -> None:
        if value is None:
            text = "Not answered yet. Choose above; your answer is saved with the notebook."
        else:
            text = (f"Your answer: {_words(value)}. It is written into this notebook when "
                    "the notebook is saved (File, Save Notebook, or Ctrl+S); it is marked "
                    "after you submit.")
        self.note.value = _p(text, "div", role="status", aria_live="polite")


class WrittenAnswer(Styled, widgets.VBox):
    """A text box for a written answer; its text goes into the answer cell below on save."""

    css_class = "coursekit-graded-question"

    def __init__(self, question: Question, *, number: int | None = None, value: str = "",
                 folder: str | None = None):
        if question.type != "short":
            raise ValueError(f"{question.key} is answered with the buttons, not in writing")
        self.question = question
        self.folder = folder if folder is not None else os.getcwd()
        label = f"Question {number}" if number else "This question"
        self.box = lean(PrivateTextarea, value=value or "", placeholder="Type your answer here",
                        description="Your answer", continuous_update=True,
                        layout={"width": "100%", "height": "8em"})
        self.note = html_widget("", classes=("coursekit-graded-status",))
        self.box.observe(self._changed, names="value")
        super().__init__(children=[html_widget(_p(f"{label}: your written answer", "strong")),
                                   self.box, self.note])
        self._show_status(self.box.value)

    def __repr__(self) -> str:
        return f"WrittenAnswer({self.question.key!r})"

    @property
    def answer(self) -> str:
        return self.box.value

    def set(self, text: str) -> None:
        """Type ``text`` into the box (replacing what was there)."""
        self.box.value = text

    def _changed(self, _change: Any = None) -> None:
        try:
            from .grading.answers import write_answer

            write_answer(self.folder, self.question.lesson, self.question.id, self.box.value)
        except Exception as exc:
            self.note.value = _p(
                f"Your answer could not be recorded for saving ({type(exc).__name__}). "
                "Copy it into the text cell below the box instead.", "div", role="alert")
            return
        self._show_status(self.box.value)

    def _show_status(self, text: str) -> None:
        if not text.strip():
            message = ("Nothing written yet. Your answer is copied into the cell below when "
                       "you save the notebook.")
        else:
            message = (f"{len(text.split())} words. They are copied into the cell below when "
                       "you save the notebook (File, Save Notebook, or Ctrl+S).")
        self.note.value = _p(message, "div", role="status", aria_live="polite")


def write(key: str) -> WrittenAnswer | None:
    """Display the text box of written question ``key`` (never raises)."""
    if _grading():
        return None
    from IPython.display import display

    try:
        from .grading.answers import read_answers

        q, number = _question(key)
        folder = os.getcwd()
        recorded = read_answers(folder, q.lesson).get(q.id)
        widget = WrittenAnswer(q, number=number, folder=folder,
                               value=recorded if isinstance(recorded, str) else "")
        display(widget)
        return widget
    except Exception as exc:
        print(f"The answer box could not be shown here ({type(exc).__name__}). Type your "
              "answer into the text cell below instead (double-click it).")
        return None


def _words(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def _question(key: str) -> tuple[Question, int]:
    lesson, _, qid = key.partition(".")
    bank = load_bank(lesson)
    q = bank.question(qid)
    return q, [x.key for x in bank].index(q.key) + 1


def show(key: str, value: Any = None) -> GradedQuestion | None:
    """Display the controls of question ``key`` (e.g. ``"01.three-kinds"``), preset to
    the recorded answer or, failing that, to ``value`` (the line in the answer cell)."""
    if _grading():
        return None
    from IPython.display import display

    try:
        from .grading.answers import read_answers

        q, number = _question(key)
        folder = os.getcwd()
        recorded = read_answers(folder, q.lesson)
        current = recorded.get(q.id, value)
        namespace = _user_namespace()
        widget = GradedQuestion(q, number=number, value=current, folder=folder,
                                namespace=namespace)
        if namespace is not None and q.id in recorded:  # clicked since the last save
            namespace[q.variable] = widget.answer
        _SHOWN[q.key] = widget
        display(widget)
        return widget
    except Exception as exc:
        print(f"The answer buttons could not be shown here ({type(exc).__name__}). "
              "Run every cell from the top (Run, Run All Cells); if this stays, ask your "
              "facilitator.")
        return None


def status(key: str, value: Any = None) -> None:
    """Print, in words, whether question ``key`` is answered (never raises)."""
    if _grading():
        return
    try:
        widget = _SHOWN.get(key)
        if widget is not None:
            value = widget.answer
        number = _question(key)[1]
        if value is None:
            print(f"Question {number} is not answered yet: choose your answer with the "
                  "buttons above, then save the notebook.")
        else:
            print(f"Question {number} is answered ({_words(value)}). It is marked after "
                  "you submit.")
    except Exception:
        print("This check cell could not read your answer; it is still marked after you "
              "submit.")


def _user_namespace() -> dict | None:
    try:
        from IPython import get_ipython

        shell = get_ipython()
        return shell.user_ns if shell is not None else None
    except Exception:
        return None

"""The self-check at the end of each lesson: the lesson's bank questions as widgets.

The learner picks an answer, presses *Check*, and gets feedback in words (never by
colour alone) with the question's explanation; *Try again* clears the choice. Nothing
the front end receives says which answer is right before the learner has tried:
options travel as labels and positions, and the correct positions, the option
feedback and the explanation stay in the kernel until :meth:`QuestionCheck.check`.

One question is shown at a time, with *Previous question* and *Next question*, a
"Question 3 of 10" label and a summary line of how many are answered right; each
question's controls are built when it is first shown (or first used from code), so a
lesson with many questions starts as fast as one with few.

Short-answer questions are left to the graded nbgrader check; the self-check only says
how many there are. Every attempt is recorded in the learner's private journal as
``journal.record("selfcheck", "<lesson>.<question>", lesson=..., data=...)``.
Every action has a public method (``select``, ``check``, ``retry``, ``explain``,
``next``, ``previous``, ``go_to``), and works for any question, shown or not.
"""

from __future__ import annotations

import html
import random
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from .browserstore import in_browser
from .questionbank import Question, QuestionBank, load_bank
from .widgets._base import ChoiceDropdown, Styled, buttons, when_front_end
from .widgets._base import front_end_seen as _seen
from .widgets._shared import button, lean, shared_layout
from .widgets._shared import html as html_widget

__all__ = ["QuestionCheck", "SelfCheck"]

_PLACEHOLDER = "(choose)"


def _p(text: str, tag: str = "p", **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{html.escape(v)}"' for k, v in attrs.items())
    return f"<{tag}{extra}>{html.escape(text)}</{tag}>"


#: Radio groups named by their question in the page (see coursekit/widgets/page.js).
ASKS = ("coursekit-asks",)

class QuestionCheck(widgets.VBox):
    """One choice question: its controls, a Check and a Try-again button, and feedback."""

    def __init__(self, question: Question, *, number: int = 1, journal: Any = None,
                 shuffle: bool = False, seed: int | None = None,
                 on_result: Callable[[QuestionCheck], Any] | None = None, **kwargs):
        if not question.is_choice:
            raise ValueError(f"{question.key} is a {question.type} question; the self-check "
                             "shows choice questions only")
        self.question = question
        self.number = number
        self._journal = journal
        self._on_result = on_result
        self._attempts = 0
        self._correct: bool | None = None
        rng = random.Random(seed)
        q = question
        if q.type in ("single", "multiple"):
            self._order = list(q.options_shown())  # the bank's seeded order, as graded
            if shuffle:
                rng.shuffle(self._order)
        elif q.type == "matching":
            self._order = list(q.matching_rights())
            if shuffle:
                rng.shuffle(self._order)
        elif q.type == "ordering":
            self._order = list(q.ordering_shown())
            if shuffle:
                rng.shuffle(self._order)
        else:  # true_false
            self._order = [True, False]
        self._restoring = False
        self._controls = self._build_controls()
        self.check_button = button("Check answer", icon="check", layout={},
                                   tooltip=f"Check your answer to question {number}")
        self.retry_button = button("Try again", icon="undo", disabled=True, layout={},
                                   tooltip=f"Clear your answer to question {number}")
        self.explain_button = button(
            "Show explanation", disabled=True, layout={},
            tooltip=f"Show the explanation for question {number} (after a first try)")
        self.feedback = html_widget("", classes=("coursekit-feedback",))
        self.check_button.on_click(lambda _: self.check())
        self.retry_button.on_click(lambda _: self.retry())
        self.explain_button.on_click(lambda _: self.explain())
        heading = html_widget(_p(f"Question {number}", "h3") + _p(q.prompt),
                              classes=("coursekit-prompt",))
        row = buttons(self.check_button, self.retry_button, self.explain_button)
        kwargs.setdefault("layout", shared_layout())
        kwargs["_dom_classes"] = (*kwargs.get("_dom_classes", ()), "coursekit-selfcheck-question")
        super().__init__(children=[heading, *self._controls, row, self.feedback], **kwargs)

    # -- earlier answers ---------------------------------------------------------------
    def restore(self, record: Any) -> bool:
        """Show an earlier answer from the journal (``selfcheck`` record) as it was marked.

        Returns False (and shows nothing) when the answer no longer fits the question,
        say after the bank changed; nothing new is recorded.
        """
        data = getattr(record, "data", None) or {}
        answer = data.get("answer")
        if answer is None or self._attempts:
            return False
        try:
            self._restoring = True
            self.select(answer)
        except (ValueError, KeyError, TypeError, IndexError):
            self.retry()
            return False
        finally:
            self._restoring = False
        self._attempts = int(data.get("attempt") or 1)
        self._show_result(answer, self._is_correct(answer), earlier=getattr(
            record, "saved_at", None))
        return True

    def __repr__(self) -> str:
        return f"QuestionCheck({self.question.key!r}, attempts={self._attempts})"

    # -- controls ------------------------------------------------------------------------
    def _build_controls(self) -> list[widgets.Widget]:
        q = self.question
        if q.type == "single":
            return [lean(widgets.RadioButtons,
                         options=[(o.text, i) for i, o in enumerate(self._order)],
                         value=None, description="Your answer", layout={"width": "auto"},
                         classes=ASKS)]
        if q.type == "true_false":
            return [lean(widgets.RadioButtons, options=[("True", 0), ("False", 1)], value=None,
                         description="Your answer", layout={"width": "auto"}, classes=ASKS)]
        if q.type == "multiple":
            return [lean(widgets.Checkbox, value=False, description=o.text, indent=False,
                         layout={"width": "auto"})
                    for o in self._order]
        choices = [(text, i) for i, text in enumerate(self._order)]
        labels = ([left for left, _ in q.pairs] if q.type == "matching"
                  else [f"Position {n}" for n in range(1, len(q.items) + 1)])
        controls = []
        for label in labels:
            dropdown = lean(ChoiceDropdown, placeholder=_PLACEHOLDER, options=choices,
                            description=label, classes=("coursekit-match",))
            controls.append(dropdown)
        return controls

    def _current(self) -> Any:
        """The learner's answer in the bank's terms (option ids, True/False, texts)."""
        q, c = self.question, self._controls
        if q.type == "single":
            return None if c[0].value is None else self._order[c[0].value].id
        if q.type == "true_false":
            return None if c[0].value is None else self._order[c[0].value]
        if q.type == "multiple":
            return sorted(o.id for o, box in zip(self._order, c, strict=True) if box.value)
        return [None if d.value is None else self._order[d.value] for d in c]

    def select(self, answer: Any) -> None:
        """Choose an answer, as a learner would with the controls.

        single: an option id (``"b"``); multiple: a list of ids; true_false: ``True`` or
        ``False``; matching: the right-hand texts, one per left item in order (or a
        ``{left: right}`` dict); ordering: the item texts in order.
        """
        q, c = self.question, self._controls
        if q.type == "single":
            ids = [o.id for o in self._order]
            c[0].value = ids.index(answer)
        elif q.type == "true_false":
            c[0].value = self._order.index(bool(answer))
        elif q.type == "multiple":
            chosen = set(answer)
            for o, box in zip(self._order, c, strict=True):
                box.value = o.id in chosen
        else:
            if isinstance(answer, dict):
                answer = [answer[left] for left, _ in q.pairs]
            if len(answer) != len(c):
                raise ValueError(f"{q.key} needs {len(c)} answers, got {len(answer)}")
            for dropdown, text in zip(c, answer, strict=True):
                dropdown.value = None if text is None else self._order.index(text)

    # -- actions --------------------------------------------------------------------------
    def _is_correct(self, answer: Any) -> bool:
        q = self.question
        if q.type == "single":
            return answer in q.correct_ids()
        if q.type == "multiple":
            return set(answer) == q.correct_ids()
        if q.type == "true_false":
            return answer is q.answer
        if q.type == "matching":
            return list(answer) == [right for _, right in q.pairs]
        return list(answer) == list(q.items)

    def check(self) -> bool | None:
        """Mark the current answer, show feedback, record the attempt; None if nothing chosen."""
        q = self.question
        answer = self._current()
        unanswered = answer is None or answer == [] or (isinstance(answer, list)
                                                        and None in answer)
        if unanswered:
            self.feedback.value = _p("Choose an answer first, then press Check answer.",
                                     "div", role="status")
            return None
        self._attempts += 1
        self._show_result(answer, self._is_correct(answer))
        if self._journal is not None:
            self._journal.record("selfcheck", q.key, lesson=q.lesson, data={
                "answer": answer if not isinstance(answer, bool) else bool(answer),
                "attempt": self._attempts, "correct": self._correct, "type": q.type})
        self._report()
        return self._correct

    def _show_result(self, answer: Any, correct: bool, earlier: Any = None) -> None:
        q = self.question
        self._correct = correct
        parts = []
        if earlier is not None:
            when = earlier.astimezone().strftime("%Y-%m-%d %H:%M")
            parts.append(_p(f"Your earlier answer, from your journal ({when}):", "em"))
        if self._correct:
            parts.append(_p("✓ Correct.", "strong"))
        else:
            parts.append(_p("✗ Not yet.", "strong"))
            if q.type == "single":
                parts.append(_p(q.option(answer).feedback or "That is not the best answer."))
            elif q.type == "multiple":
                picked_wrong = [q.option(i).feedback for i in answer
                                if not q.option(i).correct and q.option(i).feedback]
                parts += [_p(f) for f in picked_wrong] or [
                    _p("Some options that apply are missing from your choice.")]
            else:
                parts.append(_p("Look again at the reading guide, then try again."))
        if self._correct:
            parts.append(_p(q.explanation))
        result = "coursekit-result-yes" if self._correct else "coursekit-result-notyet"
        self.feedback.value = (f'<div role="status" aria-live="polite" class="{result}">'
                               f'{"".join(parts)}</div>')
        self.retry_button.disabled = False
        self.explain_button.disabled = bool(self._correct)
        self.check_button.disabled = True

    def _report(self) -> None:
        if self._on_result is not None:
            self._on_result(self)

    def explain(self) -> None:
        """Show the explanation (allowed once the learner has tried at least once)."""
        if not self._attempts:
            raise RuntimeError("the explanation is shown only after a first attempt; "
                               "call check() first")
        self.feedback.value += (f'<div role="status">{_p("Explanation.", "strong")}'
                                f"{_p(self.question.explanation)}</div>")
        self.explain_button.disabled = True

    def retry(self) -> None:
        """Clear the answer and the feedback for another try."""
        for c in self._controls:
            c.value = False if isinstance(c, widgets.Checkbox) else None
        self.feedback.value = ""
        self._correct = None
        self.check_button.disabled = False
        self.retry_button.disabled = True
        self.explain_button.disabled = True
        self._report()

    @property
    def attempts(self) -> int:
        return self._attempts

    @property
    def correct(self) -> bool | None:
        """The last check's result (None before a check or after a retry)."""
        return self._correct


class SelfCheck(Styled, widgets.VBox):
    """A lesson's choice questions, one at a time, each with its own Check and Try again.

    *Previous question* and *Next question* move through them (after the last comes the
    first again, so the focused button never vanishes); a label says "Question 3 of 10"
    and a summary line how many are answered right. A question's controls are built
    when it is first shown or used, so :meth:`select`, :meth:`check`, :meth:`retry`,
    :meth:`explain` and :meth:`item` work for any question, shown or not.
    """

    css_class = "coursekit-selfcheck"

    def __init__(self, bank: QuestionBank, *, journal: Any = None, shuffle: bool = False,
                 seed: int | None = None, **kwargs):
        self.bank = bank
        self.questions: list[Question] = list(bank.choice_questions)
        self._journal, self._shuffle, self._seed = journal, shuffle, seed
        self._built: dict[str, QuestionCheck] = {}
        self._earlier = self._earlier_answers()
        self.position = 0
        n_short = len(bank) - len(self.questions)
        intro = "Check your understanding. Choose an answer and press Check answer; you can "\
                "try again as often as you like. Your results stay in your private journal."
        if not self.questions:
            children = [html_widget(_p("This lesson has no self-check questions yet."))]
        else:
            first = self._build(0)
            # Label and summary get their text at creation (a later change is a message).
            self.label = html_widget(self._position_html(),
                                     classes=("coursekit-selfcheck-position",))
            self.previous_button = button(
                "Previous question", icon="arrow-left",
                tooltip="Show the previous question (before the first comes the last)")
            self.next_button = button(
                "Next question", icon="arrow-right",
                tooltip="Show the next question (after the last comes the first)")
            self.previous_button.on_click(lambda _: self.previous())
            self.next_button.on_click(lambda _: self.next())
            self.summary = html_widget(self._summary_html())
            self._nav = buttons(self.previous_button, self.label, self.next_button)
            children = [html_widget(_p(intro)), first, self._nav, self.summary]
            if n_short:
                children.append(html_widget(_p(
                    f"This lesson also has {n_short} written question(s), answered in the "
                    "graded check your facilitator may set" + (
                        " (in the course's JupyterLab edition: the graded checks are not "
                        "part of this browser edition)." if in_browser() else "."))))
        super().__init__(children=children, **kwargs)
        if self._earlier and self.questions:
            when_front_end(self._summarise)  # earlier results count once they can be shown

    @classmethod
    def for_lesson(cls, lesson_id: str, *, journal: Any = None, shuffle: bool = False,
                   seed: int | None = None) -> SelfCheck:
        """The self-check for one lesson, from ``assets/questions/<lesson_id>.yml``."""
        return cls(load_bank(lesson_id), journal=journal, shuffle=shuffle, seed=seed)

    def __repr__(self) -> str:
        return f"SelfCheck(lesson={self.bank.lesson!r}, questions={len(self.questions)})"

    # -- questions, built on demand -----------------------------------------------------
    def _build(self, index: int) -> QuestionCheck:
        q = self.questions[index]
        built = self._built.get(q.key)
        if built is None:
            n = index + 1
            built = QuestionCheck(q, number=n, journal=self._journal, shuffle=self._shuffle,
                                  seed=None if self._seed is None else self._seed + n,
                                  on_result=lambda _it: self._summarise())
            self._built[q.key] = built
            record = self._earlier.get(q.key)
            if record is not None:
                when_front_end(lambda b=built, r=record: self._restore(b, r))
        return built

    def _earlier_answers(self) -> dict[str, Any]:
        """The latest self-check record of each question, from the journal (or none)."""
        if self._journal is None:
            return {}
        try:
            records = self._journal.records(kind="selfcheck", lesson=self.bank.lesson)
            return {r.key: r for r in records if isinstance(getattr(r, "data", None), dict)}
        except Exception:  # the self-check works without its history
            return {}

    def _restore(self, item: QuestionCheck, record: Any) -> None:
        if item.restore(record) and hasattr(self, "summary"):
            self._summarise()

    def _index(self, question_id: str) -> int:
        key = self.bank.question(question_id).key
        for i, q in enumerate(self.questions):
            if q.key == key:
                return i
        raise KeyError(f"{question_id} is not a self-check question (short answers are not)")

    def item(self, question_id: str) -> QuestionCheck:
        """One question's widget (built now if it has not been shown yet)."""
        return self._build(self._index(question_id))

    @property
    def items(self) -> list[QuestionCheck]:
        """Every question's widget, in order (builds those not shown yet)."""
        return [self._build(i) for i in range(len(self.questions))]

    @property
    def current(self) -> QuestionCheck | None:
        """The question on show (None when the lesson has no choice questions)."""
        return self._build(self.position) if self.questions else None

    # -- moving between questions -------------------------------------------------------
    def go_to(self, question: str | int) -> QuestionCheck:
        """Show one question: by id, or by its number (1 is the first)."""
        if isinstance(question, int):
            if not 1 <= question <= len(self.questions):
                raise IndexError(f"question number {question} is not between 1 and "
                                 f"{len(self.questions)}")
            index = question - 1
        else:
            index = self._index(question)
        shown = self.current
        self.position = index
        new = self.current
        self.children = [new if child is shown else child for child in self.children]
        self._show_position()
        return new

    def next(self) -> QuestionCheck:
        """Show the next question (after the last, the first)."""
        return self.go_to((self.position + 1) % len(self.questions) + 1)

    def previous(self) -> QuestionCheck:
        """Show the previous question (before the first, the last)."""
        return self.go_to((self.position - 1) % len(self.questions) + 1)

    def _position_html(self) -> str:
        # A span, not a paragraph: it sits on the line of the buttons either side.
        return _p(f"Question {self.position + 1} of {len(self.questions)}", "span",
                  role="status", aria_live="polite")

    def _show_position(self) -> None:
        self.label.value = self._position_html()

    def _summary_html(self) -> str:
        right = tried = 0
        for q in self.questions:
            item = self._built.get(q.key)
            if item is not None and (item.attempts or q.key not in self._earlier):
                right += item.correct is True
                tried += item.attempts > 0
            elif q.key in self._earlier and _seen():
                right += bool(self._earlier[q.key].data.get("correct"))
                tried += 1
        total = len(self.questions)
        return _p(f"Answered right: {right} of {total} questions. "
                  f"Tried so far: {tried} of {total}.")

    def _summarise(self) -> None:
        if getattr(self, "summary", None) is not None:
            self.summary.value = self._summary_html()

    # -- actions on any question --------------------------------------------------------
    def select(self, question_id: str, answer: Any) -> None:
        self.item(question_id).select(answer)

    def check(self, question_id: str) -> bool | None:
        return self.item(question_id).check()

    def retry(self, question_id: str) -> None:
        self.item(question_id).retry()

    def explain(self, question_id: str) -> None:
        self.item(question_id).explain()

    def results(self) -> dict[str, bool | None]:
        """``{question key: last result}`` for this session (None: not checked yet)."""
        return {q.key: (self._built[q.key].correct if q.key in self._built else None)
                for q in self.questions}

"""The class summary: how hard each question was and which wrong answers were chosen most.

Reads the gradebook (scores) and the autograded notebooks (the plain answer values
learners typed). It never names a learner, and it shows no figure for any group
smaller than :data:`MIN_GROUP` (a question answered by fewer learners, or a wrong
answer chosen by fewer), so no single person's answer can be picked out.
"""

from __future__ import annotations

import ast
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GradingError

__all__ = ["MIN_GROUP", "ClassSummary", "QuestionSummary", "WrittenSummary", "class_summary",
           "plot", "short_prompt"]

#: The smallest group the summary reports on.
MIN_GROUP = 5


@dataclass
class QuestionSummary:
    """One question across the class. ``None`` figures were suppressed (group too small)."""

    key: str
    prompt: str
    answered: int
    proportion_correct: float | None
    wrong_answers: list[tuple[str, int]] = field(default_factory=list)  # (value, count), >= MIN
    number: int = 0  # the question's number in the check (as learners saw it)

    @property
    def suppressed(self) -> bool:
        return self.proportion_correct is None

    @property
    def label(self) -> str:
        """``Q3 · Which description fits this…``: the number and a short form of the prompt."""
        return f"Q{self.number} · {short_prompt(self.prompt)}"


def short_prompt(prompt: str, limit: int = 40) -> str:
    """The prompt's first words, cut at a word boundary to at most ``limit`` characters."""
    text = " ".join(prompt.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


@dataclass
class WrittenSummary:
    """One written question across the class: how many answers are marked, and (once at
    least :data:`MIN_GROUP` are) the spread of their marks as shares of the points."""

    key: str
    prompt: str
    number: int
    marked: int
    unmarked: int
    spread: tuple[float, float, float] | None = None  # lowest, median, highest share

    @property
    def label(self) -> str:
        return f"Q{self.number} · {short_prompt(self.prompt)}"

    def line(self) -> str:
        counts = f"{self.marked} marked, {self.unmarked} awaiting marking"
        if self.spread is None:
            return (f"{self.label}: written; {counts}; marks hidden until {MIN_GROUP} or more "
                    "are marked")
        low, mid, high = self.spread
        return (f"{self.label}: written; {counts}; marks from {low:.0%} to {high:.0%} of the "
                f"points (median {mid:.0%})")


@dataclass
class ClassSummary:
    assignment: str
    submissions: int
    questions: list[QuestionSummary]
    written: list[WrittenSummary] = field(default_factory=list)

    @property
    def suppressed(self) -> bool:
        return self.submissions < MIN_GROUP


def _answer_values(nb, variables: set[str]) -> dict[str, object]:
    """The last literal value assigned to each answer variable in the notebook's code cells."""
    found: dict[str, object] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name) and node.targets[0].id in variables:
                try:
                    found[node.targets[0].id] = ast.literal_eval(node.value)
                except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                    found[node.targets[0].id] = "(not a plain value)"
    return found


def _normalise(question, value) -> str:
    if value is None:
        return "(blank)"
    if question.type == "multiple" and isinstance(value, (list, tuple, set)):
        return "+".join(sorted(str(v).strip().lower() for v in value))
    if question.type == "true_false":
        return str(value)
    if isinstance(value, str):
        return value.replace(" ", "").replace(",", "").lower() or "(blank)"
    return f"({type(value).__name__})"


def _expected(question) -> str:
    value = question.expected()
    return "+".join(value) if isinstance(value, list) else str(value)


def class_summary(course: Path, assignment: str) -> ClassSummary:
    """Summarise one assignment from the gradebook and the autograded notebooks."""
    import nbformat
    from nbgrader.api import Gradebook, MissingEntry

    from ..questionbank import load_bank

    course = Path(course)
    db = course / "gradebook.db"
    if not db.is_file():
        raise GradingError(f"{db} does not exist; autograde the assignment first "
                           "(`coursekit grade autograde ASSIGNMENT`)")
    lesson_id = assignment.split("-", 1)[0]
    bank = load_bank(lesson_id)
    numbers = {q.key: n for n, q in enumerate(bank, 1)}  # as numbered in the check
    questions = [q for q in bank if q.is_choice]
    scores: dict[str, list[float]] = {q.id: [] for q in questions}
    chosen: dict[str, Counter] = {q.id: Counter() for q in questions}
    variables = {q.variable: q for q in questions}
    writtens = [q for q in bank if q.type == "short"]
    marked: dict[str, list[float]] = {q.id: [] for q in writtens}
    unmarked: dict[str, int] = {q.id: 0 for q in writtens}
    with Gradebook(f"sqlite:///{db}") as gb:
        try:
            subs = list(gb.find_assignment(assignment).submissions)
        except MissingEntry:
            raise GradingError(f"the gradebook has no assignment {assignment!r}; check the "
                               "name (e.g. 01-check)") from None
        n = 0
        for sub in subs:
            n += 1
            for nb_sub in sub.notebooks:
                for grade in nb_sub.grades:
                    wid = grade.name.removeprefix("answer-")
                    if wid in marked and grade.max_score:
                        if grade.needs_manual_grade or grade.score is None:
                            unmarked[wid] += 1
                        else:  # marked by hand, or left blank (nbgrader scores that 0)
                            marked[wid].append(grade.score / grade.max_score)
                    qid = grade.name.removeprefix("test-")
                    if qid in scores and grade.score is not None and grade.max_score:
                        scores[qid].append(grade.score / grade.max_score)
                path = (course / "autograded" / sub.student.id / assignment
                        / f"{nb_sub.name}.ipynb")
                try:
                    values = _answer_values(nbformat.read(path, as_version=4), set(variables))
                except Exception:  # an unreadable notebook adds no answer values
                    continue
                for var, value in values.items():
                    q = variables[var]
                    given = _normalise(q, value)
                    if given != _expected(q):
                        chosen[q.id][given] += 1
    out = []
    for q in questions:
        answered = len(scores[q.id])
        ok = answered >= MIN_GROUP and n >= MIN_GROUP
        out.append(QuestionSummary(
            key=q.key, prompt=q.prompt, number=numbers[q.key], answered=answered if ok else 0,
            proportion_correct=(sum(scores[q.id]) / answered) if ok else None,
            wrong_answers=[(v, c) for v, c in chosen[q.id].most_common(3)
                           if c >= MIN_GROUP] if ok else [],
        ))
    written = []
    for q in writtens:
        shares = sorted(marked[q.id])
        ok = len(shares) >= MIN_GROUP and n >= MIN_GROUP
        written.append(WrittenSummary(
            key=q.key, prompt=q.prompt, number=numbers[q.key], marked=len(shares),
            unmarked=unmarked[q.id],
            spread=(shares[0], statistics.median(shares), shares[-1]) if ok else None))
    return ClassSummary(assignment, n, out, written)


def plot(summary: ClassSummary):
    """A matplotlib figure: difficulty per question, and the most chosen wrong answers."""
    from matplotlib.figure import Figure  # no pyplot: works headless and in a notebook

    shown = [q for q in summary.questions if not q.suppressed]
    fig = Figure(figsize=(12, max(3, 0.5 * len(summary.questions) + 1)))
    ax1, ax2 = fig.subplots(1, 2)
    fig.suptitle(f"{summary.assignment}: class summary ({summary.submissions} submissions)")
    if not shown:
        for ax in (ax1, ax2):
            ax.axis("off")
        ax1.text(0, 0.5, f"Fewer than {MIN_GROUP} learners answered: nothing is shown, so "
                 "no one's answers can be singled out.", wrap=True)
        return fig
    labels = [q.label for q in shown]
    ax1.barh(labels, [q.proportion_correct for q in shown], color="#4c72b0", hatch="//")
    ax1.set_xlim(0, 1)
    ax1.set_xlabel("share of points earned (lower = harder)")
    ax1.invert_yaxis()
    for i, q in enumerate(shown):
        ax1.text(min(q.proportion_correct + 0.02, 0.9), i, f"{q.proportion_correct:.0%}",
                 va="center")
    rows = [(f"Q{q.number}: {value}", count) for q in shown for value, count in q.wrong_answers]
    if rows:
        ax2.barh([r[0] for r in rows], [r[1] for r in rows], color="#dd8452")
        ax2.invert_yaxis()
        ax2.set_xlabel(f"learners choosing it (groups under {MIN_GROUP} hidden)")
        ax2.set_title("most chosen wrong answers")
    else:
        ax2.axis("off")
        ax2.text(0, 0.5, f"No wrong answer was chosen by {MIN_GROUP} or more learners.")
    fig.tight_layout()
    return fig

"""nbconvert/nbgrader preprocessors the kit plugs into nbgrader's pipeline.

:class:`ExplainGrades` runs inside ``nbgrader generate_feedback`` (after nbgrader's
``GetGrades``): it replaces each autograder test cell, whose source holds the
hidden tests and whose outputs hold their tracebacks, by a plain verdict and the
question's explanation from the bank. nbgrader's own feedback would show both.

This module is imported by ``facilitator/nbgrader/nbgrader_config.py``; it imports
nbgrader's base class only, so loading the config stays quick.
"""

from __future__ import annotations

from pathlib import Path

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

__all__ = ["ExplainGrades"]


class ExplainGrades(NbGraderPreprocessor):
    """Replace hidden tests and their tracebacks in feedback with the bank's explanations."""

    questions_dir = Unicode(
        "",
        help="Folder of the question bank files (NN.yml); empty means the kit's "
             "assets/questions.",
    ).tag(config=True)

    verdict_full = Unicode("Correct.", help="Shown when a question earned full marks.").tag(
        config=True)
    verdict_partial = Unicode(
        "Not this time.", help="Shown when a question earned less than full marks.").tag(
        config=True)
    test_placeholder = Unicode(
        "# This answer was checked automatically. The explanation is shown below.",
        help="Replaces the source of each autograder test cell in the feedback.",
    ).tag(config=True)
    removed_note = Unicode(
        "[This output was removed from your feedback: it showed the grader's hidden tests.]",
        help="Replaces any answer output that shows the hidden tests.").tag(config=True)

    def _bank(self, lesson_id: str | None):
        from ..questionbank import load_bank

        if not lesson_id:
            return None
        try:
            directory = Path(self.questions_dir) if self.questions_dir else None
            return load_bank(lesson_id, directory=directory)
        except Exception as exc:  # feedback must still be produced; say why it is thinner
            self.log.warning("No explanations for lesson %s: %s", lesson_id, exc)
            return None

    def preprocess(self, nb: NotebookNode, resources: dict):
        lesson_id = nb.metadata.get("coursekit", {}).get("lesson")
        self._questions = {}
        bank = self._bank(lesson_id)
        if bank is not None:
            self._questions = {f"test-{q.id}": q for q in bank}
        self._hidden = _hidden_lines(nb)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        nbg = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code":
            return cell, resources
        if not nbg.get("grade") or nbg.get("solution"):
            # an answer's code can watch the hidden tests run and print them later
            cell.outputs = [self._scrubbed(out) for out in cell.get("outputs", [])]
            return cell, resources
        question = self._questions.get(nbg.get("grade_id", ""))
        score, points = nbg.get("score"), nbg.get("points")
        full = score is not None and points is not None and float(score) >= float(points)
        verdict = self.verdict_full if full else self.verdict_partial
        if score is not None and points is not None:
            verdict = f"{verdict} ({_num(score)} of {_num(points)} points)"
        explanation = question.explanation if question else (
            "The explanation for this question is not available; ask your facilitator.")
        text = f"{verdict}\n\n{explanation}\n"
        cell.source = self.test_placeholder
        cell.outputs = [NotebookNode(
            output_type="display_data",
            metadata={},
            data={"text/markdown": f"**{verdict}**\n\n{explanation}", "text/plain": text},
        )]
        return cell, resources

    def _scrubbed(self, out: NotebookNode) -> NotebookNode:
        text = _output_text(out)
        if not any(line in text for line in self._hidden):
            return out
        return NotebookNode(output_type="stream", name="stdout", text=self.removed_note + "\n")


_HIDDEN_BEGIN, _HIDDEN_END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"


def _hidden_lines(nb: NotebookNode) -> list[str]:
    """Every line of the hidden tests (long enough to be telling), and their markers."""
    lines = [_HIDDEN_BEGIN, _HIDDEN_END]
    for cell in nb.cells:
        hidden = False
        for line in str(cell.get("source", "")).splitlines():
            if _HIDDEN_BEGIN in line:
                hidden = True
            elif _HIDDEN_END in line:
                hidden = False
            elif hidden and len(line.strip()) >= 12:
                lines.append(line.strip())
    return lines


def _output_text(out) -> str:
    import json

    parts = [str(out.get("text", "")), str(out.get("evalue", ""))]
    parts += [str(t) for t in out.get("traceback", []) or []]
    data = out.get("data") or {}
    parts += [v if isinstance(v, str) else json.dumps(v) for v in data.values()]
    return "\n".join(parts)


def _num(value) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"

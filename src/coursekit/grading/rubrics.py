"""Rubrics for written answers: visible to the marker, never to the learner before marking.

The source notebook carries each written question's rubric inside its locked question
cell, between :data:`BEGIN` and :data:`END`. :class:`ClearRubrics` runs inside
``nbgrader generate_assignment`` just after nbgrader's ``SaveCells``: the gradebook keeps
the question cell *with* its rubric, the learners' release gets it *without*. When
nbgrader autogrades, its ``OverwriteCells`` puts every locked cell back from the
gradebook, exactly as it does for hidden tests, so the autograded notebook, which the
Formgrader shows, has the rubric right above the learner's answer. (The feedback page is
made from the same notebook, so after marking a learner sees what the marker looked for.)

:func:`rubric_sheet` renders the same rubrics as a printable page per check, for marking
on paper or beside the screen.
"""

from __future__ import annotations

import html
from pathlib import Path

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

__all__ = ["BEGIN", "END", "ClearRubrics", "rubric_block", "rubric_sheet"]

BEGIN = "<!-- BEGIN RUBRIC (for the marker; removed from the learners' version) -->"
END = "<!-- END RUBRIC -->"


def rubric_block(rubric: str, points: int) -> str:
    """The rubric as it sits at the end of a written question's cell."""
    unit = "point" if points == 1 else "points"
    return "\n".join([BEGIN, "", f"> **Rubric for the marker ({points} {unit}):** "
                      + " ".join(rubric.split()), "", END])


def strip_rubrics(source: str) -> tuple[str, bool]:
    """``source`` without its rubric region, and whether there was one."""
    out, inside, found = [], False, False
    for line in source.split("\n"):
        if line.strip() == BEGIN:
            inside = found = True
        elif line.strip() == END and inside:
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise RuntimeError("a rubric region has no end line; regenerate the source notebook "
                           "with `coursekit grade generate`")
    return "\n".join(out).rstrip(), found


class ClearRubrics(NbGraderPreprocessor):
    """Remove rubric regions from the learners' version (after ``SaveCells`` kept them)."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        if cell.cell_type == "markdown" and BEGIN in cell.source:
            cell.source, _ = strip_rubrics(cell.source)
        return cell, resources


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font: 12pt/1.45 Georgia, serif; max-width: 46em; margin: 2em auto; color: #111; }}
h1 {{ font-size: 1.5em; }} h2 {{ font-size: 1.15em; margin-top: 1.6em; }}
.rubric {{ border-left: 4px solid #555; padding: .3em .8em; background: #f4f4f4; }}
.notes {{ border: 1px solid #999; min-height: 7em; margin-top: .6em; padding: .3em .6em;
          color: #666; }}
.small {{ font-size: .9em; color: #333; }}
@media print {{ body {{ margin: 0; }} section {{ break-inside: avoid; }}
               .rubric {{ background: none; }} }}
</style></head><body>
<h1>{title}</h1>
<p class="small">For markers. Mark the reasoning about the readings only; never quote or
record anything personal a learner may have written. {count}</p>
{sections}
</body></html>
"""


def rubric_sheet(bank, assignment: str) -> str:
    """A printable HTML page: every written question of one check with its rubric."""
    sections = []
    for number, q in enumerate(bank, 1):
        if q.type != "short":
            continue
        unit = "point" if q.points == 1 else "points"
        sections.append(
            f"<section><h2>Question {number} ({q.points} {unit})</h2>"
            f"<p>{html.escape(q.prompt.strip())}</p>"
            f'<div class="rubric"><strong>Rubric:</strong> {html.escape(q.rubric.strip())}'
            f'</div><div class="notes">Marker\'s notes</div></section>')
    count = (f"{len(sections)} written question(s); the other questions are marked "
             "automatically." if sections else "This check has no written questions.")
    return _PAGE.format(title=html.escape(f"{assignment}: rubric sheet"), count=count,
                        sections="\n".join(sections))


def write_rubric_sheet(bank, assignment: str, out: Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(rubric_sheet(bank, assignment), encoding="utf-8")
    return out

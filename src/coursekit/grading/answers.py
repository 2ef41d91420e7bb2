"""How a clicked answer reaches the submission: a plain line in the answer cell.

A learner answers the graded check with buttons (:mod:`coursekit.gradedcheck`); nbgrader
needs the answer as code in the notebook it grades. The bridge has two halves:

1. **Kernel side.** Each click writes the learner's current answers to a small JSON
   file in their private data folder (``<data dir>/checks/<folder hash>-<lesson>.json``),
   keyed by the notebook's folder (a kernel runs in its notebook's folder) and lesson.
2. **Server side.** :func:`fill_before_save`, a Jupyter server pre-save hook registered
   by the kit's server extension, reads that file whenever a graded check is saved and
   rewrites each answer cell's first line, ``answer_x = None``, to the chosen value
   (``answer_x = "b"``). The file on disk, and so whatever is submitted, collected,
   zipped or e-mailed, holds the answers as ordinary Python.

nbgrader then grades exactly as before: autograde runs the plain line and the hidden
tests check the variable; checksums still cover every locked and test cell; nothing
here depends on widget state, which the kit's privacy hook strips from every notebook.
This module imports nothing from Jupyter.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from .. import config

__all__ = ["answers_file", "fill_before_save", "fill_notebook", "literal", "read_answers",
           "write_answer"]

#: The marker in a graded check's notebook metadata (``metadata.coursekit.answers``).
CLICKED = "clicked"
_COMMENT = "  # your clicked answer is written here when you save; no typing needed"


def answers_file(folder: Path | str, lesson: str) -> Path:
    """Where the kernel keeps the clicked answers of the check in ``folder``."""
    real = os.path.realpath(str(folder))
    digest = hashlib.sha256(real.encode()).hexdigest()[:16]
    return config.data_dir() / "checks" / f"{digest}-{lesson}.json"


def read_answers(folder: Path | str, lesson: str) -> dict[str, Any]:
    """``{question id: value}`` clicked in the check in ``folder`` ({} when none)."""
    try:
        data = json.loads(answers_file(folder, lesson).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    answers = data.get("answers") if isinstance(data, dict) else None
    return answers if isinstance(answers, dict) else {}


def write_answer(folder: Path | str, lesson: str, question_id: str, value: Any) -> Path:
    """Record one clicked answer (None records "cleared"), atomically, owner-only."""
    path = answers_file(folder, lesson)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    answers = read_answers(folder, lesson)
    answers[question_id] = value
    text = json.dumps({"folder": os.path.realpath(str(folder)), "lesson": lesson,
                       "answers": answers}, indent=1, sort_keys=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".answers-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return path


def literal(value: Any) -> str:
    """The Python literal written into the answer cell (only plain answer values)."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return json.dumps(list(value))
    raise ValueError(f"{value!r} is not an answer value (a letter, letters, True or False)")


def variable(question_id: str) -> str:
    return "answer_" + question_id.replace("-", "_")


def answer_line(question_id: str, value: Any) -> str:
    return f"{variable(question_id)} = {literal(value)}{_COMMENT}"


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def fill_notebook(nb: dict, answers: dict[str, Any]) -> int:
    """Write ``answers`` into the answer cells of a graded-check notebook dict, in place.

    Only the first ``answer_<id> = ...`` line of each code cell whose nbgrader id is
    ``answer-<id>`` changes; a written answer (text from its box) replaces the source of
    its markdown answer cell. Returns how many cells changed.
    """
    changed = 0
    for cell in nb.get("cells") or []:
        gid = ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id", "")
        if not gid.startswith("answer-") or gid.removeprefix("answer-") not in answers:
            continue
        qid = gid.removeprefix("answer-")
        if cell.get("cell_type") == "markdown":  # a written answer typed into its box
            text = answers[qid]
            if isinstance(text, str) and text != _source(cell):
                cell["source"] = text
                changed += 1
            continue
        if cell.get("cell_type") != "code":
            continue
        try:
            line = answer_line(qid, answers[qid])
        except ValueError:
            continue
        pattern = re.compile(rf"^{re.escape(variable(qid))}\s*=.*$", re.MULTILINE)
        source = _source(cell)
        new, n = pattern.subn(lambda _m, line=line: line, source, count=1)
        if n and new != source:
            cell["source"] = new
            changed += 1
    return changed


def is_graded_check(nb: dict) -> bool:
    meta = (nb.get("metadata") or {}).get("coursekit") or {}
    return meta.get("answers") == CLICKED and bool(meta.get("lesson"))


def fill_before_save(model: dict, path: str = "", contents_manager: Any = None,
                     **_kwargs: Any) -> None:
    """Jupyter server pre-save hook: put the clicked answers into a graded check's cells."""
    nb = model.get("content") if model.get("type") == "notebook" else None
    if not isinstance(nb, dict) or not is_graded_check(nb):
        return
    os_path = None
    getter = getattr(contents_manager, "_get_os_path", None)
    if getter is not None:
        with contextlib.suppress(Exception):
            os_path = getter(path)
    if os_path is None:
        root = getattr(contents_manager, "root_dir", "") or os.getcwd()
        os_path = os.path.join(root, path.lstrip("/"))
    lesson = nb["metadata"]["coursekit"]["lesson"]
    answers = read_answers(Path(os_path).parent, lesson)
    if answers:
        fill_notebook(nb, answers)

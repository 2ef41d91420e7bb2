"""Inspect a submission before grading, reading files only (runs nothing the learner wrote).

What plain nbgrader lets pass silently: a notebook that is not valid JSON, test cells the
learner deleted (nbgrader leaves those questions ungraded) and test cells changed from the
released version (nbgrader restores them, but the facilitator should know).
"""

from __future__ import annotations

from pathlib import Path

from .statuses import (
    CHECKSUM,
    DELETED,
    DUPLICATED,
    INVALID,
    MALFORMED,
    MARKDOWN,
    METADATA,
    MOVED,
    OLD_FORMAT,
    TAMPERED,
    Outcome,
)

__all__ = ["MAX_NOTEBOOK_BYTES", "inspect_submission", "submissions"]

_HIDDEN_BEGIN, _HIDDEN_END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
#: A submitted notebook larger than this is not opened.
MAX_NOTEBOOK_BYTES = 50 * 1024 ** 2


def submissions(course: Path, assignment: str) -> list[str]:
    """The learners who submitted ``assignment``, sorted."""
    root = Path(course) / "submitted"
    return sorted(p.parent.name for p in root.glob(f"*/{assignment}") if p.is_dir())


def _visible(source: str) -> str:
    """A test cell's source without its hidden-test region (what the learner received)."""
    out, hidden = [], False
    for line in source.split("\n"):
        if _HIDDEN_BEGIN in line:
            hidden = True
        elif _HIDDEN_END in line:
            hidden = False
        elif not hidden:
            out.append(line)
    return "\n".join(out).strip()


def _nbg(cell) -> dict:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbg if isinstance(nbg, dict) else {}


def _is_test(cell) -> bool:
    nbg = _nbg(cell)
    return bool(nbg.get("grade")) and not nbg.get("solution") and cell.get("cell_type") == "code"


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


_TOO_NESTED = ("{name} holds JSON nested deeper than any notebook (more levels than the "
               "grader reads); it was not graded: ask the learner to submit the notebook "
               "again from JupyterLab")


def _read_json(path: Path, outcome: Outcome) -> dict | None:
    """The submitted notebook as JSON, or ``None`` after flagging why it is not one."""
    import json

    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        outcome.flag(INVALID, f"{path.name} is {size // 1024 ** 2} MB, larger than any notebook "
                              f"this check produces ({MAX_NOTEBOOK_BYTES // 1024 ** 2} MB)")
        return None
    raw = path.read_bytes()
    if not raw.strip():
        outcome.flag(INVALID, f"{path.name} is empty")
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        outcome.flag(INVALID, f"{path.name} is not text (perhaps a PDF, zip or image renamed)")
        return None
    except json.JSONDecodeError as exc:
        outcome.flag(INVALID, f"{path.name} is not valid JSON (line {exc.lineno}: {exc.msg}); "
                              "it may be cut short or edited in a text editor")
        return None
    except RecursionError:
        outcome.flag(INVALID, _TOO_NESTED.format(name=path.name))
        return None
    if not isinstance(data, dict) or not isinstance(data.get("cells", data.get("worksheets")),
                                                    list):
        outcome.flag(INVALID, f"{path.name} is JSON but not a notebook (it has no cells)")
        return None
    major = data.get("nbformat")
    if not isinstance(major, int):
        outcome.flag(INVALID, f"{path.name} does not say which notebook format it uses")
        return None
    if major < 4:
        outcome.flag(OLD_FORMAT, f"{path.name} uses notebook format {major}; nbgrader needs 4")
        return None
    if not isinstance(data.get("cells"), list) or not all(
            isinstance(c, dict) for c in data["cells"]):
        outcome.flag(INVALID, f"{path.name} has cells that are not notebook cells")
        return None
    old = sorted({_nbg(c).get("schema_version") for c in data["cells"]
                  if _nbg(c) and isinstance(_nbg(c).get("schema_version"), int)
                  and _nbg(c)["schema_version"] < 3})
    if old:
        outcome.flag(OLD_FORMAT, f"{path.name} has nbgrader metadata version {old[0]}; "
                                 "nbgrader needs 3")
        return None
    import nbformat

    try:
        nbformat.validate(nbformat.from_dict(data))
    except nbformat.ValidationError as exc:
        # nbgrader may still score it: say so, and keep checking its grading cells
        outcome.flag(MALFORMED, f"{path.name} breaks the notebook format: "
                                f"{str(exc.message)[:160]}")
    except RecursionError:
        outcome.flag(INVALID, _TOO_NESTED.format(name=path.name))
        return None
    return data


def _compare(name: str, source: dict, sub: dict, outcome: Outcome) -> None:
    """Flag every way the submission's grading cells differ from the source's."""
    from nbgrader.utils import compute_checksum

    src_cells, cells = source["cells"], sub["cells"]
    by_gid: dict[str, list[int]] = {}
    by_id = {c.get("id"): c for c in cells if c.get("id")}
    for i, c in enumerate(cells):
        gid = _nbg(c).get("grade_id")
        if gid:
            by_gid.setdefault(gid, []).append(i)
    src_gids = {_nbg(c).get("grade_id") for c in src_cells if _nbg(c).get("grade_id")}
    answer_of: dict[str, str] = {}
    last_answer = None
    for c in src_cells:
        nbg = _nbg(c)
        if nbg.get("solution"):
            last_answer = nbg.get("grade_id")
        elif _is_test(c) and last_answer:
            answer_of[nbg["grade_id"]] = last_answer
    for c in src_cells:
        gid = _nbg(c).get("grade_id")
        if gid and not _is_test(c) and len(by_gid.get(gid, [])) > 1:
            # a copied cell keeps its grading metadata (JupyterLab's copy and paste does);
            # nbgrader then strips both copies' metadata and stops with a schema error
            outcome.flag(DUPLICATED, f"the {c.get('cell_type')} cell {gid} appears "
                                     f"{len(by_gid[gid])} times (a copied cell keeps its "
                                     "grading id)")
    for c in src_cells:
        if not _is_test(c):
            continue
        gid, want = _nbg(c)["grade_id"], _nbg(c)
        where = by_gid.get(gid, [])
        if not where:
            same = by_id.get(c.get("id"))
            if same is not None and _nbg(same) != {}:
                got = _nbg(same)
                if not got.get("grade"):
                    outcome.flag(METADATA, f"{gid}: its grade flag was removed")
                elif got.get("grade_id") != gid:
                    outcome.flag(METADATA, f"{gid}: its grade id was changed to "
                                           f"{str(got.get('grade_id'))[:40]!r}")
                else:
                    outcome.flag(METADATA, f"{gid}: its grading settings were changed")
            else:
                outcome.flag(DELETED, f"{gid} deleted")
            continue
        if len(where) > 1:
            outcome.flag(DUPLICATED, f"{gid} appears {len(where)} times")
        got_cell = cells[where[0]]
        got = _nbg(got_cell)
        if got_cell.get("cell_type") != "code":
            outcome.flag(MARKDOWN, f"{gid} is a {got_cell.get('cell_type')} cell")
            continue
        for key, label in (("grade", "grade flag"), ("solution", "answer flag"),
                           ("points", "points"), ("locked", "lock")):
            if got.get(key) != want.get(key):
                outcome.flag(METADATA, f"{gid}: {label} changed from {want.get(key)!r} to "
                                       f"{str(got.get(key))[:20]}")
        answer = answer_of.get(gid)
        if answer and by_gid.get(answer) and by_gid[answer][0] > where[0]:
            outcome.flag(MOVED, f"{gid} is above {answer}")
        if "checksum" in got:
            try:
                real = compute_checksum(_as_node(got_cell))
            except Exception:  # a cell too broken to checksum is reported as edited
                real = None
            if got.get("checksum") != real and _visible(_source(got_cell)) == _visible(
                    _source(c)):
                outcome.flag(CHECKSUM, f"{gid}: checksum does not match its code")
        if _visible(_source(got_cell)) != _visible(_source(c)):
            outcome.flag(TAMPERED, f"{gid} changed")
    extra = sorted(g for g in by_gid if g not in src_gids)
    for gid in extra[:3]:
        outcome.flag(METADATA, f"a cell claims the grade id {str(gid)[:40]!r}, which the check "
                               "does not have")
    del name


def _as_node(cell: dict):
    from nbformat import from_dict

    node = from_dict(cell)
    # A notebook file stores source as a list of lines; nbgrader checksums the joined text.
    node["source"] = _source(cell)
    return node


def inspect_submission(course: Path, assignment: str, student: str,
                       outcome: Outcome | None = None) -> Outcome:
    """Check a submission against the source before grading: that it is a notebook nbgrader
    can read, and every way its test cells and grading metadata were changed. Reads files
    only; runs nothing the learner wrote."""
    import json

    outcome = outcome or Outcome(student)
    course = Path(course)
    for source_path in sorted((course / "source" / assignment).glob("*.ipynb")):
        sub_path = course / "submitted" / student / assignment / source_path.name
        if not sub_path.is_file() or sub_path.is_symlink():
            outcome.flag(DELETED, f"{source_path.name} is missing")
            continue
        try:
            data = _read_json(sub_path, outcome)
        except OSError as exc:
            outcome.flag(INVALID, f"{source_path.name} cannot be read ({exc.strerror})")
            continue
        if data is None:
            continue
        source = json.loads(source_path.read_text(encoding="utf-8"))
        _compare(source_path.name, source, data, outcome)
    return outcome


"""What the grading commands are given, checked before any work starts: the course folder,
the assignment's name and the file of returned notebooks.

Each mistake is one sentence that names the value and the fix, and the likely mistakes
each get their own: a course folder that does not exist (or is no nbgrader course), an
assignment name the course does not have (with the names it does have), a zip file that
is damaged (a download cut short), an empty file (a download that failed), a file that is
no zip at all, and a folder or zip that holds no notebook.
"""

from __future__ import annotations

import difflib
import zipfile
from pathlib import Path

from .. import config
from ..errors import GradingError

__all__ = ["check_assignment", "check_course", "check_source", "known_assignments"]


def check_course(course: Path) -> Path:
    """``course`` if it is an nbgrader course folder (it holds ``nbgrader_config.py``)."""
    course = Path(course)
    if not course.exists():
        raise GradingError(
            f"the course folder {course} does not exist; give --course the nbgrader course "
            "folder (the one holding nbgrader_config.py), or leave --course out to use the "
            "kit's facilitator/nbgrader")
    if not course.is_dir():
        raise GradingError(f"{course} is a file, not a course folder; give --course the folder "
                           "that holds nbgrader_config.py")
    if not (course / "nbgrader_config.py").is_file():
        raise GradingError(
            f"{course} holds no nbgrader_config.py, so it is not an nbgrader course folder; "
            "give --course the folder that holds it (the kit's is facilitator/nbgrader)")
    return course


def known_assignments(course: Path) -> list[str]:
    """Every assignment the course has: its source, release and submitted folders, and one
    check for each lesson with a question bank (``NN-check``)."""
    from .generate import assignment_name

    course = Path(course)
    names = {p.name for folder in ("source", "release") if (course / folder).is_dir()
             for p in (course / folder).iterdir() if p.is_dir() and not p.name.startswith(".")}
    names |= {p.name for p in course.glob("submitted/*/*") if p.is_dir()}
    questions = config.assets_dir() / "questions"
    names |= {assignment_name(p.stem) for p in questions.glob("[0-9][0-9].yml")}
    return sorted(names)


def check_assignment(course: Path, assignment: str) -> str:
    """``assignment`` if the course has it; else an error listing the ones it has."""
    known = known_assignments(course)
    if assignment in known:
        return assignment
    close = difflib.get_close_matches(assignment, known, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else ""
    listed = ", ".join(known) if known else "none yet (run `coursekit grade generate`)"
    raise GradingError(f"unknown assignment {assignment!r}{hint}; these exist: {listed}")


#: What an LMS or a Mac adds that is never a learner's notebook.
_NOT_RETURNED = ("__MACOSX", ".ipynb_checkpoints")


def _check_holds_notebooks(source: Path, names: list[str], folders: list[str]) -> None:
    """One sentence when ``names`` (the files in ``source``, relative) hold no notebook."""
    def returned(name: str) -> bool:
        return not any(part in _NOT_RETURNED for part in Path(name).parts)

    files = list(filter(returned, names))
    if any(n.lower().endswith(".ipynb") for n in files):
        return
    if files:
        what = f"it holds {len(files)} other file(s), e.g. {files[0]}"
    elif any(map(returned, folders)):
        what = "it holds only folders"
    else:
        what = "it is empty"
    raise GradingError(f"{source} holds no notebook (.ipynb) file ({what}); give the folder "
                       "or the .zip of the returned notebooks, as your LMS downloads them")


def check_source(source: Path) -> Path:
    """``source`` if it is a folder or a sound zip file holding at least one notebook; else
    the one sentence that fits."""
    source = Path(source)
    if source.is_dir():
        paths = {p.relative_to(source).as_posix(): p.is_dir() for p in source.rglob("*")}
        _check_holds_notebooks(source, [p for p, folder in paths.items() if not folder],
                               [p for p, folder in paths.items() if folder])
        return source
    if not source.exists():
        raise GradingError(f"{source} does not exist; give the folder or zip of returned "
                           "notebooks")
    if source.stat().st_size == 0:
        raise GradingError(f"{source} is empty (0 bytes), as a download that failed leaves "
                           "it; download it again from your LMS")
    with source.open("rb") as f:
        head = f.read(4)
    if zipfile.is_zipfile(source):
        # Only the zip's table of contents (its central directory) is read here: reading
        # every entry (``testzip``) would expand a zip bomb in full before the intake's
        # caps apply, and refuse a whole class for one damaged entry. Each entry is read,
        # capped and refused on its own by coursekit.grading.intake.
        size = source.stat().st_size
        try:
            with zipfile.ZipFile(source) as zf:
                entries = zf.infolist()
                bad = next((i.filename for i in entries
                            if not 0 <= i.header_offset < size), None)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            bad = str(exc) or "unreadable"
        if bad is None:
            _check_holds_notebooks(source, [e.filename for e in entries if not e.is_dir()],
                                   [e.filename for e in entries if e.is_dir()])
            return source
        raise GradingError(f"{source} is a damaged zip file ({bad} cannot be read); download "
                           "it again from your LMS")
    if head.startswith(b"PK"):
        raise GradingError(f"{source} is a damaged zip file: it ends early, as a download cut "
                           "short does; download it again from your LMS")
    what = "its name ends in .zip, but it" if source.suffix.lower() == ".zip" else "it"
    raise GradingError(f"{source} is not a zip file ({what} holds something else, e.g. a web "
                       "page saved in its place); give the folder of notebooks or the .zip your "
                       "LMS downloaded")

"""Who handed a file in, read from the names an LMS gives its downloads (never from the file).

An LMS names the learner in the folder or the file-name prefix it writes, and that is the
only identity the kit trusts: whatever a learner called their notebook (``final``,
``v2``, ``Copy of``, ``(1)``, or another learner's name) stays theirs.

* Moodle, "download all submissions": a folder per learner,
  ``Full Name_<participant id>_assignsubmission_file_/`` (Moodle 4.1 and later may leave
  out the last ``_``), or flat files ``Full Name_<participant id>_assignsubmission_file_<file>``.
  The participant id is the "Identifier" (``Participant <id>``) of the assignment's
  grading worksheet, so marks and feedback files go back to the same person
  (Moodle: mod/assign/feedback/file/importziplib.php reads the same pattern back).
* Canvas, "Download Submissions": ``<lastfirst>_<user id>_<attachment id>_<file>``, with
  ``LATE_`` before the user id for a late submission; the user id is the gradebook's "ID".
  Canvas keeps only word characters of "Last, First" (lib/content_zipper.rb,
  ``sanitize_file_name``), so a name may be empty (only emoji) or hold ``_``; with anonymous
  grading the user id is ``anon_<anonymous id>`` and there is no name.
  A *team* assignment's folder reads the same but carries the **group** id
  (``Team Blue_17_assignsubmission_file``, or ``Default group_assignsubmission_file``):
  :mod:`coursekit.grading.worksheet` tells them apart.
* Blackboard: ``<assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<file>``.
* No LMS (e-mail, a USB stick): a folder per learner (``ana-lima/anything.ipynb``), or a
  name in the file (``ana-lima_01-check.ipynb``, ``01-check_ana-lima.ipynb``).

Learner ids (nbgrader's student ids, used in folder names) are ASCII: the LMS name is
transliterated with `anyascii <https://pypi.org/project/anyascii/>`_ (ISC licence, which
fits the kit's MIT licence; text-unidecode is Artistic/GPL, Unidecode GPL) and the LMS
number is added, so ``Zoë Ortiz`` (4001) and ``Zoé Ortiz`` (4002) are ``zoe-ortiz-4001``
and ``zoe-ortiz-4002``: readable, and never one learner. The exact name is kept beside
the id (:mod:`coursekit.grading.export` writes it back into the LMS).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Identity", "identify", "learner_id", "slug"]

# (a team submission without a group is "Default group_assignsubmission_file/": no number)
_MOODLE_FOLDER = re.compile(
    r"^(?P<name>[^/]+?)(?:_(?P<number>\d+))?_assign(?:submission|feedback)_[a-z]+_?$")
_MOODLE_FILE = re.compile(
    r"^(?P<name>[^/]+?)(?:_(?P<number>\d+))?_assign(?:submission|feedback)_[a-z]+_"
    r"(?P<rest>.+)$")
# Canvas takes ``_<digits>_`` out of names (sanitize_user_name), so the first such pair
# after the name is the user id and the attachment id.
_CANVAS = re.compile(
    r"^(?P<name>[^/ ]*?)_(?:(?P<late>LATE)_)?(?P<number>\d+)_(?P<sub>\d+)_(?P<rest>.+)$")
_CANVAS_ANON = re.compile(
    r"^(?:(?P<late>LATE)_)?anon_(?P<anon>[A-Za-z0-9]+)_(?P<sub>\d+)_(?P<rest>.+)$")
# Words learners put in file names that never name a person.
_NOT_A_NAME = re.compile(
    r"^(?:final|finished|done|v\d*|version\d*|copy|copy of|draft|new|latest|submit(?:ted)?|"
    r"submission|answers?|mine|check|notebook|untitled\d*|\d+)$")
# ...nor do these, when every word of the "name" is one of them ("final final", "copy 2")
_NOT_A_NAME_WORD = re.compile(
    r"^(?:final|finished|done|v\d*|version\d*|copy|of|draft|new|latest|submit(?:ted)?|"
    r"submission|answers?|mine|my|the|check|notebook|untitled\d*|\d+|fixed|corrected|"
    r"revised|resubmit(?:ted)?|resubmission|last|updated|complete(?:d)?|ok|again)$")


@dataclass(frozen=True)
class Identity:
    """A learner as the LMS (or the folder) names them."""

    lms: str  # Moodle, Canvas, Blackboard or plain
    name: str  # exactly as written: "Zoë Ortiz", "ortizzoe", "alima"
    number: str = ""  # Moodle participant id, Canvas user id; "" for the others
    source: str = ""  # the folder or file-name prefix it was read from
    late: bool = False  # Canvas marked the file LATE
    timestamp: str | None = None  # Blackboard's attempt time
    team: str = ""  # Moodle team assignment: the group whose folder the file came from

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.lms, self.name, self.number)


def slug(text: str) -> str:
    """ASCII, lower case, words joined by hyphens: ``José Álvarez-Ruiz`` -> ``jose-alvarez-ruiz``."""
    from anyascii import anyascii

    return re.sub(r"[^a-z0-9]+", "-", anyascii(text).lower()).strip("-")


_ID_NAME_MAX = 64  # letters of the name in a learner id (the whole id stays far under 255)


def learner_id(identity: Identity, *, disambiguate: bool = False) -> str:
    """The nbgrader student id for ``identity``: the readable name, plus the LMS number.

    ``disambiguate`` adds a short hash of the exact name, for two learners without LMS
    numbers whose names read alike in ASCII (``Zoë Ortiz/`` and ``Zoé Ortiz/`` folders).
    """
    base = slug(identity.name) or "learner"
    if identity.lms == "Moodle team":  # a group id, never a participant's: says so
        base += "-group"
    if len(base) > _ID_NAME_MAX:  # a folder name must fit the disk (a name of 40 emoji
        digest = hashlib.sha256(identity.name.encode("utf-8")).hexdigest()[:6]  # is 320
        base = f"{base[:_ID_NAME_MAX - 7].rstrip('-')}-{digest}"  # letters in ASCII)
    if identity.number:
        base = f"{base}-{identity.number}"
    if disambiguate:
        base += "-" + hashlib.sha256(identity.name.encode("utf-8")).hexdigest()[:6]
    return base


def _clean(stem: str) -> str:
    """A file name without the copy marks systems add: " (1)", " copy", "Copy of "."""
    stem = re.sub(r"^(?:copy of\s+)+", "", stem, flags=re.I)
    return re.sub(r"(?:\s*\(\d+\)|\s+copy(?:\s+\d+)?|-\d+)$", "", stem, flags=re.I)


def _plain_name(stem: str, assignment: str) -> str | None:
    """The learner named in a plain file name, ``ana-lima_01-check`` or ``01-check_ana-lima``."""
    stem, a = _clean(stem), re.escape(assignment)
    m = (re.match(rf"^(?P<name>.+?)[ _-]+{a}$", stem, re.I)
         or re.match(rf"^{a}[ _-]+(?P<name>.+)$", stem, re.I))
    if not m:
        return None
    name = m.group("name").strip(" _-")
    words = re.sub(r"[\s_-]+", " ", name).strip().lower()
    if not slug(name) or _NOT_A_NAME.match(words) or not re.search(r"[^\W\d_]", name):
        return None
    if all(_NOT_A_NAME_WORD.match(w) for w in re.split(r"[\s()]+", words) if w):
        return None
    return name


# Words in the name of a folder that holds a whole class's files, never one learner's.
_WRAPPER_WORD = re.compile(
    r"^(?:submissions?|downloads?|download|grading|graded|returned|collected|checks?|"
    r"homework|assignments?|files|exports?|class|course|all|folder|work)$")


def _is_wrapper(folder: str, assignment: str) -> bool:
    """True for a folder named like the check or a class's download (``01-check``,
    ``01-check submissions (2)``, ``grading``), which holds learners, not one learner."""
    words = slug(folder)
    if assignment and slug(assignment):
        words = words.replace(slug(assignment), " ")
    words = [w for w in re.split(r"[-\s]+", words) if w]
    return all(_WRAPPER_WORD.match(w) or _NOT_A_NAME_WORD.match(w) for w in words)


def identify(relative: str, assignment: str) -> Identity | None:
    """Who handed in the file at ``relative`` (a ``/``-separated path in the download).

    A folder an LMS made for a learner wins over anything in the file's own name; None
    when nothing in the path names a learner.
    """
    relative = unicodedata.normalize("NFC", relative)  # a Mac writes names decomposed
    parts = relative.replace("\\", "/").strip("/").split("/")
    folders, filename = parts[:-1], parts[-1]
    for n, folder in enumerate(folders):
        m = _MOODLE_FOLDER.match(folder)
        if m:
            return Identity("Moodle", m["name"].strip(), m["number"] or "",
                            "/".join(folders[:n + 1]) + "/")
    m = _MOODLE_FILE.match(filename)
    if m:
        return Identity("Moodle", m["name"].strip(), m["number"] or "",
                        filename[:len(filename) - len(m["rest"])])
    m = _CANVAS_ANON.match(filename)
    if m:  # anonymous grading: the anonymous id is all there is (no gradebook ID)
        return Identity("Canvas", f"anonymous {m['anon']}", "",
                        filename[:len(filename) - len(m["rest"])], late=bool(m["late"]))
    m = _CANVAS.match(filename)
    if m:
        return Identity("Canvas", m["name"], m["number"],
                        filename[:len(filename) - len(m["rest"])], late=bool(m["late"]))
    m = re.match(rf"^{re.escape(assignment)}_(?P<name>[^_]+)_attempt_"
                 r"(?P<y>\d{4})-(?P<mo>\d\d)-(?P<d>\d\d)-(?P<h>\d\d)-(?P<mi>\d\d)-(?P<s>\d\d)"
                 r"(?:_.*)?$", filename)
    if m:
        stamp = f"{m['y']}-{m['mo']}-{m['d']} {m['h']}:{m['mi']}:{m['s']}"
        return Identity("Blackboard", m["name"], "", filename[:m.end("s")],
                        timestamp=stamp)
    for n, folder in enumerate(folders):  # a folder per learner: its name, whatever the
        if not _is_wrapper(folder, assignment):  # file is called (past folders that hold
            return Identity("plain", folder.strip(), "",  # a class: "01-check/", "grading/")
                            "/".join(folders[:n + 1]) + "/")
    stem = filename.rsplit(".", 1)[0]
    name = _plain_name(stem, assignment)
    return Identity("plain", name, "", filename) if name else None

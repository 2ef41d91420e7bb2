"""Keep a learner's words out of the notebooks they save.

Layers, all installed by ``coursekit setup`` into the environment that runs
JupyterLab:

1. JupyterLab settings (``assets/jupyter/overrides.json``): the widget manager does
   not save widget state into notebooks.
2. Jupyter server save hooks (:func:`scrub_before_save` and :func:`scrub_after_save`,
   registered by the server extension :mod:`coursekit.serverext`): whatever a browser
   or a script sends through the contents API (``type`` notebook or file, ``format``
   json, text or base64, whole or in chunks, or a copy), an ``.ipynb`` is written
   without widget state, and a widget output keeps only its placeholder text.
3. nbconvert and ``jupyter execute`` settings (``assets/jupyter/*.json``): executing a
   lesson headless stores no widget state.

Underneath all three, a reflection box never sends a learner's words to a front end
that has not answered (see :mod:`coursekit.widgets._base`), so even a script that
runs a lesson with ``store_widget_state=True`` captures no journal text.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sys
from pathlib import Path

from . import config
from .errors import ConfigError

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
PLACEHOLDER = "[interactive widget: run this cell in JupyterLab to show it]"
HOOK = "coursekit.privacy.scrub_before_save"
EXTENSION = "coursekit.serverext"
#: Shipped in assets/jupyter/, merged into the environment's etc/jupyter by ``install``:
#: nbconvert stores no widget state; JupyterLab's extension manager is read-only (its PyPI
#: one asks pypi.org about every installed extension when the panel is opened).
EXECUTE_CONFIGS = ("jupyter_nbconvert_config.json", "jupyter_server_config.json")


def scrub_notebook(nb: dict) -> int:
    """Remove widget state and widget text fallbacks from a notebook dict, in place.

    Returns how many things were removed.
    """
    removed = 0
    metadata = nb.get("metadata") or {}
    if metadata.pop("widgets", None) is not None:
        removed += 1
    for cell in nb.get("cells") or []:
        for output in cell.get("outputs") or []:
            data = output.get("data") or {}
            if WIDGET_VIEW in data:
                for key in list(data):
                    if key != WIDGET_VIEW:
                        del data[key]
                        removed += 1
                data["text/plain"] = PLACEHOLDER
    return removed


def _is_notebook_path(path: str | os.PathLike | None) -> bool:
    return str(path or "").lower().endswith(".ipynb")


def _scrub_text(text: str) -> str | None:
    """The scrubbed JSON text of a notebook, or None when ``text`` is not a whole notebook."""
    try:
        nb = json.loads(text)
    except ValueError:
        return None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None
    before = json.dumps(nb, sort_keys=True)
    scrub_notebook(nb)
    if json.dumps(nb, sort_keys=True) == before:
        return text
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def scrub_before_save(model: dict, path: str | None = None, **_kwargs) -> None:
    """Jupyter server pre-save hook: scrub a notebook whatever ``type`` and ``format`` carry it.

    ``type=notebook`` carries a dict; ``type=file`` carries the file's text
    (``format=text``) or its bytes in base64 (``format=base64``). A chunk of a
    chunked upload is not a whole notebook: :func:`scrub_after_save` scrubs the
    file once it is complete.
    """
    content = model.get("content")
    if model.get("type") == "notebook" and isinstance(content, dict):
        scrub_notebook(content)
        return
    if model.get("type") != "file" or not isinstance(content, str):
        return
    if model.get("chunk") is not None:
        return  # a part of a chunked upload: scrub_after_save scrubs the whole file
    fmt = model.get("format")
    if fmt == "base64":
        try:
            text = base64.b64decode(content, validate=False).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return
        clean = _scrub_text(text)
        if clean is not None and clean != text:
            model["content"] = base64.b64encode(clean.encode("utf-8")).decode("ascii")
    else:
        clean = _scrub_text(content)
        if clean is not None and clean != content:
            model["content"] = clean


def scrub_file(os_path: str | os.PathLike) -> bool:
    """Scrub a notebook file on disk in place; True when it had anything to remove."""
    path = Path(os_path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    clean = _scrub_text(text)
    if clean is None or clean == text:
        return False
    tmp = path.with_name(f".{path.name}.coursekit-scrub")
    tmp.write_text(clean, encoding="utf-8")
    os.replace(tmp, path)
    return True


def scrub_after_save(model: dict | None = None, os_path: str | None = None,
                     **_kwargs) -> None:
    """Jupyter server post-save hook: whatever was written as an ``.ipynb``, scrub it on disk.

    This catches what no pre-save hook can see whole: the last chunk of a chunked
    upload, and any file type a future client sends.
    """
    if os_path and _is_notebook_path(os_path) and os.path.isfile(os_path):
        scrub_file(os_path)


def install(prefix: Path | None = None) -> list[Path]:
    """Install the kit's JupyterLab settings and server hook into ``prefix``.

    ``prefix`` is the environment JupyterLab runs from (default: this Python's).
    Returns the files written.
    """
    prefix = Path(prefix or sys.prefix)
    written = []
    settings = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(config.assets_dir() / "jupyter" / "overrides.json", settings)
    written.append(settings)
    server = prefix / "etc" / "jupyter" / "jupyter_server_config.d" / "coursekit.json"
    server.parent.mkdir(parents=True, exist_ok=True)
    # Jupyter Server reads only the list of extensions from *.d folders; the extension
    # (coursekit.serverext) registers the pre-save hook when the server loads it.
    server.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {EXTENSION: True}}},
                                 indent=2) + "\n", encoding="utf-8")
    written.append(server)
    # nbconvert (`jupyter nbconvert --execute`) reads jupyter_nbconvert_config.json from the
    # environment's etc/jupyter: widget state is not stored. Merged into what is there.
    for name in EXECUTE_CONFIGS:
        shipped = json.loads((config.assets_dir() / "jupyter" / name).read_text("utf-8"))
        target = prefix / "etc" / "jupyter" / name
        written.append(_merge_json(target, shipped))
    return written


def _merge_json(target: Path, settings: dict) -> Path:
    """Write ``settings`` into the JSON config ``target``, keeping every other setting."""
    current: dict = {}
    if target.exists():
        try:
            current = json.loads(target.read_text("utf-8")) or {}
        except ValueError as exc:
            raise ConfigError(
                f"{target} is not valid JSON ({exc}); fix or remove it, then run "
                "`coursekit setup` again.") from exc
    for section, values in settings.items():
        current.setdefault(section, {}).update(values)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    return target


# -- What the course says about where the journal is and who else could open it ----------------
#
# The one source of every privacy sentence a learner or facilitator reads: the journal
# widget's line, lesson 00's table (a generated cell), the browser edition's about page and
# the session scripts (tests/test_privacy_wording.py checks they say what is here). Each
# setting says where the journal is kept and who else could read it there; no sentence
# promises that no one else can.

#: Setting id -> (name, where the journal is kept, who else could read it).
SETTINGS: dict[str, tuple[str, str, str]] = {
    "own-computer": (
        "Your own computer, your own account",
        "a file in your account's data folder",
        "anyone who can use your account or your unlocked computer, and anyone with "
        "administrator rights on that computer; backup or cloud-sync software may also copy it"),
    "shared-computer": (
        "A shared or family computer",
        "the same, in the account you are using",
        "anyone else who uses that account, and whoever manages the computer"),
    "jupyterhub": (
        "A course server (JupyterHub)",
        "a file on the server, in your space there",
        "the server's administrators, who can technically read every file on it, and anyone "
        "who can log in as you"),
    "browser": (
        "The browser edition",
        "this browser's own storage (IndexedDB), in this browser profile on this device",
        "anyone who uses the same browser profile on this device; the browser's \"clear site "
        "data\" for this site deletes it"),
}

#: The promise that holds in every setting.
NEVER_COLLECTED = ("The course never collects your journal: it is not in the lesson notebooks, "
                   "in anything you submit, or in anything a facilitator collects.")


def setting() -> str:
    """Where the course is running now: ``browser``, ``jupyterhub`` or ``own-computer``.

    A shared computer cannot be told apart from one's own, so a facilitator or learner can
    say so with ``COURSEKIT_SETTING=shared-computer`` (any id of :data:`SETTINGS`).
    """
    chosen = os.environ.get("COURSEKIT_SETTING", "").strip()
    if chosen:
        if chosen not in SETTINGS:
            raise ConfigError(f"COURSEKIT_SETTING is {chosen!r}; use one of "
                              f"{', '.join(SETTINGS)} (or unset it)")
        return chosen
    if sys.platform == "emscripten":
        return "browser"
    if os.environ.get("JUPYTERHUB_USER") or os.environ.get("JUPYTERHUB_API_TOKEN"):
        return "jupyterhub"
    return "own-computer"


def journal_sentence(where: str | None = None, path: str | os.PathLike | None = None) -> str:
    """The journal widget's sentence for a setting: where it is kept, and who else could read it."""
    where = where or setting()
    _name, kept, who = SETTINGS[where]
    place = f" ({path})" if path and where != "browser" else ""
    return (f"Your reflections are kept in your journal: {kept}{place}. "
            f"Who else could open it here: {who}. {NEVER_COLLECTED}")


#: What hides the course after a Quick exit, per setting (Pause shows it). A private
#: (incognito) window helps where the journal is not in the browser; in the browser edition
#: closing one erases the journal, so there the advice is the opposite.
#: Browsers keep one private session for all their private windows and end it only when the
#: last one closes (Chrome, Edge, Firefox, Safari alike), so "once that window is closed"
#: would be untrue while another private window stays open.
_PRIVATE_ENDS = "once every private window is closed (a browser ends its private session only then)"

#: JupyterLab (and the browser edition's JupyterLite) saves which tabs were open and reopens
#: them the next time it starts, whatever window it is opened in.
_REOPENS = ("JupyterLab also reopens the lessons left open the next time it starts: close a "
            "lesson's tab before you leave if that matters.")

HIDING: dict[str, str] = {
    "own-computer": (
        "Your journal stays in your account on this computer, not in the browser. Next time, "
        "opening the course in a private (incognito) window keeps its pages out of the "
        f"browser's history {_PRIVATE_ENDS}, and your journal is kept. Deleting the course's "
        f"pages from the history helps too. {_REOPENS}"),
    "shared-computer": (
        "Your journal stays in the account you are using on this computer, not in the "
        "browser: anyone else who uses that account could open it. Next time, opening the "
        "course in a private (incognito) window keeps its pages out of the browser's history "
        f"{_PRIVATE_ENDS}, and your journal is kept; log out of the account when you leave. "
        f"{_REOPENS}"),
    "jupyterhub": (
        "Your journal stays on the course server, in your space there, not in the browser. "
        "Next time, logging in through a private (incognito) window keeps the course's pages "
        f"and your login out of this browser {_PRIVATE_ENDS}, and your journal is kept; log "
        f"out of the course server when you leave a shared computer. {_REOPENS}"),
    "browser": (
        "Your journal is kept in this browser's own storage. A private (incognito) or guest "
        "window keeps none of it: when the last private or guest window closes, everything "
        "written there is erased, your journal included, so use one only if you want nothing "
        "kept. In a normal window, to hide the course, delete this site's pages from the "
        "browser's history and choose history only: clearing this site's cookies and site "
        "data erases your journal too (save a copy first with Download as Markdown if you want "
        f"to keep it). {_REOPENS}"),
}

#: Where the setting cannot be told (a mistyped COURSEKIT_SETTING): true in every setting.
HIDING_ANY = ("Before you use a private (incognito) window or clear this site's data, check "
              "where your journal is kept (lesson 00): in the browser edition, closing the last "
              "private window or clearing the site's data erases it.")


def hiding_advice(where: str | None = None) -> str:
    """What hides the course after a Quick exit, true for the setting (now: :func:`setting`)."""
    try:
        where = where or setting()
    except ConfigError:
        return HIDING_ANY
    return HIDING.get(where, HIDING_ANY)


def settings_table() -> str:
    """Lesson 00's table of every setting (a Markdown table)."""
    rows = ["| Where you run the course | Where the journal is kept | Who else could read it |",
            "|---|---|---|"]
    rows += [f"| {name} | {kept} | {who} |" for name, kept, who in SETTINGS.values()]
    return "\n".join(rows)

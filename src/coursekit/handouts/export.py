"""Exporting document notebooks with nbconvert and the kit's templates (HTML, reveal.js)."""

from __future__ import annotations

import os
import re
import shutil
from functools import lru_cache
from pathlib import Path

import nbformat

from .. import config
from ..errors import HandoutBuildError
from .pieces import templates_dir

REVEAL_PREFIX_ENV = "COURSEKIT_REVEAL_PREFIX"
#: What to do when the kit's reveal.js is missing (one line, the way to install it).
REVEAL_MISSING = ("the slides need the kit's own copy of reveal.js, which is not installed: run "
                  "`npm ci` in {root} (`make handouts` does it; install Node.js and npm first, "
                  "e.g. apt-get install npm), or build with --reveal-prefix pointing at an "
                  "unpacked reveal.js folder")


def export_html(nb: nbformat.NotebookNode, template: str = "handout") -> str:
    """HTML from one of the kit's nbconvert templates (``handout`` by default)."""
    folder = templates_dir()
    if not (folder / template / "index.html.j2").exists():
        raise HandoutBuildError(f"the nbconvert template {folder / template} is missing; "
                                "restore facilitator/templates/ from git")
    body, _ = _html_exporter(template, str(folder)).from_notebook_node(nb)
    return body


@lru_cache(maxsize=4)
def _html_exporter(template: str, folder: str):
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name=template, extra_template_basedirs=[folder])


def export_slides(nb: nbformat.NotebookNode, reveal_prefix: str | None = None) -> str:
    """A reveal.js deck (nbconvert's SlidesExporter with the kit's ``slides`` template)."""
    from nbconvert import SlidesExporter

    exporter = SlidesExporter(
        template_name="slides",
        extra_template_basedirs=[str(templates_dir())],
        reveal_url_prefix=reveal_prefix or default_reveal_prefix(),
        reveal_theme="white",
        reveal_transition="none",
    )
    body, _ = exporter.from_notebook_node(nb)
    return body


def local_reveal() -> Path | None:
    """The kit's own reveal.js (``node_modules/reveal.js``, installed by ``npm ci``), if any."""
    folder = config.kit_root() / "node_modules" / "reveal.js"
    return folder if (folder / "dist" / "reveal.js").exists() else None


def default_reveal_prefix() -> str:
    """``COURSEKIT_REVEAL_PREFIX`` if set, else the kit's local reveal.js (copied next to
    the decks, so they work offline). Never a CDN: without a local copy this raises a
    :class:`HandoutBuildError` saying how to install one."""
    explicit = os.environ.get(REVEAL_PREFIX_ENV, "").strip()
    if explicit:
        return explicit
    local = local_reveal()
    if local is None:
        raise HandoutBuildError(REVEAL_MISSING.format(root=config.kit_root()))
    return str(local)


def check_reveal_prefix(prefix: str) -> Path:
    """The local reveal.js folder ``prefix`` names; else the one sentence that fits (a web
    address, no folder, no ``dist/reveal.js``). Checked before a build writes anything."""
    source = Path(prefix).expanduser()
    if re.match(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//", prefix.strip()):
        raise HandoutBuildError(
            f"the reveal prefix {prefix!r} is a web address: decks load nothing from another "
            "host, so give a local reveal.js folder (e.g. node_modules/reveal.js, which "
            "`npm ci` installs)")
    if not source.is_dir():
        raise HandoutBuildError(f"the reveal prefix {prefix!r} is not a folder; give an unpacked "
                                "reveal.js package (e.g. node_modules/reveal.js)")
    if not (source / "dist" / "reveal.js").exists():
        raise HandoutBuildError(f"{source} holds no dist/reveal.js; point the reveal prefix at "
                                "an unpacked reveal.js package (e.g. node_modules/reveal.js)")
    return source


def _vendor_reveal(prefix: str, slides_dir: Path) -> str:
    """A local reveal.js folder is copied next to the decks and used by relative path."""
    source = check_reveal_prefix(prefix)
    target = slides_dir / "reveal.js"
    if source.resolve() != target.resolve():
        shutil.rmtree(target, ignore_errors=True)
        # What a deck loads: the built engine, its theme and the speaker-notes plugin.
        for part in ("dist", "plugin"):
            if (source / part).is_dir():
                shutil.copytree(source / part, target / part,
                                ignore=shutil.ignore_patterns("node_modules", "*.map"))
        for name in ("LICENSE", "package.json"):
            if (source / name).is_file():
                shutil.copy2(source / name, target / name)
    return "reveal.js"

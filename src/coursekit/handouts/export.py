"""Exporting document notebooks with nbconvert and the kit's templates (HTML, reveal.js)."""

from __future__ import annotations

import os
import shutil
from functools import lru_cache
from pathlib import Path

import nbformat

from .. import config
from ..errors import HandoutBuildError
from .pieces import templates_dir

REVEAL_PREFIX_ENV = "COURSEKIT_REVEAL_PREFIX"
#: nbconvert's own default: reveal.js 4 from a CDN (slides then need internet).
DEFAULT_REVEAL_PREFIX = "https://unpkg.com/reveal.js@4.0.2"


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
    the decks, so they work offline), else nbconvert's CDN copy of reveal.js."""
    explicit = os.environ.get(REVEAL_PREFIX_ENV, "").strip()
    if explicit:
        return explicit
    local = local_reveal()
    return str(local) if local else DEFAULT_REVEAL_PREFIX



def _vendor_reveal(prefix: str, slides_dir: Path) -> str:
    """A local reveal.js folder is copied next to the decks and used by relative path."""
    source = Path(prefix).expanduser()
    if "://" in prefix or not source.is_dir():
        return prefix
    if not (source / "dist" / "reveal.js").exists():
        raise HandoutBuildError(f"{source} holds no dist/reveal.js; point the reveal prefix at "
                                "an unpacked reveal.js package (e.g. node_modules/reveal.js)")
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

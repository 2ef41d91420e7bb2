"""Printable handouts, facilitators' run sheets and session slides, built with nbconvert.

Everything here is rendered from the sources the lessons use, so each fact is
written once: lesson metadata (``assets/lessons/NN.yml`` via :mod:`coursekit.course`),
the glossary (``assets/glossary.yml``), the support list (``assets/support.yml``,
through the same ``support.md.j2`` template the lessons use) and the session plans
(``facilitator/sessions/`` via :mod:`coursekit.sessions`).

Each document is first built as an in-memory notebook of Markdown cells, then
exported by nbconvert with the kit's own templates (``facilitator/templates/``):
``handout`` (HTMLExporter; printable, no scripts) and ``slides`` (SlidesExporter;
reveal.js). PDFs are printed from the HTML by a local Chromium (Debian's
``chromium`` package) in headless mode; no browser is ever downloaded.

:func:`build_steps` lists the work for ``coursekit handouts build``; each step
writes its files under the output folder (``build/`` by default).

This package only re-exports: :mod:`.pieces` (shared parts), :mod:`.documents` (handouts,
support list, content notes, run sheets), :mod:`.slides` (decks and fitting slides),
:mod:`.export` (nbconvert), :mod:`.pdf` (Chromium), :mod:`.build` and :mod:`.protocol`.
"""

from .build import BuildStep, build, build_steps, build_support, support_overflow
from .build import _write as _write
from .documents import (
    content_notes_notebook,
    handout_notebook,
    runsheet_notebook,
    support_notebook,
)
from .export import (
    REVEAL_MISSING,
    REVEAL_PREFIX_ENV,
    default_reveal_prefix,
    export_html,
    export_slides,
    local_reveal,
)
from .export import (
    _vendor_reveal as _vendor_reveal,
)
from .pdf import CHROMIUM_ENV, CHROMIUM_FLAGS, CHROMIUM_NAMES, PdfPrinter, find_chromium, print_pdf
from .pieces import (
    agreements,
    agreements_markdown,
    content_notes_markdown,
    glossary_terms,
    lesson_heading,
    support_markdown,
    templates_dir,
)
from .protocol import GENERATED_END, GENERATED_START, protocol_blocks, protocol_path, sync_protocol
from .sheets import (
    JUPYTER_GUIDE,
    card_sets,
    card_sheet_name,
    card_sheet_notebook,
    guide_path,
    jupyter_guide_notebook,
    material_text,
    sheet_file,
)
from .slides import (
    SLIDE_BUDGET,
    SLIDE_HEIGHT,
    SLIDE_WIDTH,
    block_height,
    fit_slides,
    slides_notebook,
    split_slide,
)
from .slides import (
    _agenda as _agenda,
)
from .slides import (
    _blocks as _blocks,
)

__all__ = [
    "CHROMIUM_ENV",
    "CHROMIUM_FLAGS",
    "CHROMIUM_NAMES",
    "GENERATED_END",
    "GENERATED_START",
    "JUPYTER_GUIDE",
    "REVEAL_MISSING",
    "REVEAL_PREFIX_ENV",
    "SLIDE_BUDGET",
    "SLIDE_HEIGHT",
    "SLIDE_WIDTH",
    "BuildStep",
    "PdfPrinter",
    "agreements",
    "agreements_markdown",
    "block_height",
    "build",
    "build_steps",
    "build_support",
    "card_sets",
    "card_sheet_name",
    "card_sheet_notebook",
    "content_notes_markdown",
    "content_notes_notebook",
    "default_reveal_prefix",
    "export_html",
    "export_slides",
    "find_chromium",
    "fit_slides",
    "glossary_terms",
    "guide_path",
    "handout_notebook",
    "jupyter_guide_notebook",
    "lesson_heading",
    "local_reveal",
    "material_text",
    "print_pdf",
    "protocol_blocks",
    "protocol_path",
    "runsheet_notebook",
    "sheet_file",
    "slides_notebook",
    "split_slide",
    "support_markdown",
    "support_notebook",
    "support_overflow",
    "sync_protocol",
    "templates_dir",
]
# _agenda, _blocks, _vendor_reveal and _write stay importable here for the tests.

"""The build: every handout, run sheet and slide deck as steps for the progress bar."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from pathlib import Path

import nbformat

from ..course import lessons
from ..sessions import formats, sessions
from .documents import content_notes_notebook, handout_notebook, runsheet_notebook, support_notebook
from .export import (
    _vendor_reveal,
    check_reveal_prefix,
    default_reveal_prefix,
    export_html,
    export_slides,
)
from .pdf import PdfPrinter, pdf_page_count
from .sheets import JUPYTER_GUIDE, card_sets, card_sheet_name, card_sheet_notebook, jupyter_guide_notebook
from .slides import slides_notebook


@dataclass(frozen=True)
class BuildStep:
    """One unit of work for the progress bar: what it builds and the files it writes."""

    label: str
    outputs: tuple[Path, ...]
    run: Callable[[], None]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def build_steps(out_dir: Path, *, printer: PdfPrinter | None = None,
                reveal_prefix: str | None = None, start: time | None = None) -> list[BuildStep]:
    """Every handout, run sheet and slide deck to build, as steps (HTML then PDF).

    Layout: ``handouts/NN-slug.{html,pdf}``, ``handouts/content-notes.{html,pdf}``,
    ``handouts/support.{html,pdf}``, ``handouts/jupyter-in-five-minutes.{html,pdf}`` and each
    activity's cards, ``handouts/cards-NN-<sheet>.{html,pdf}``;
    ``runsheets/<format>-session-N.{html,pdf}``; ``slides/<format>-session-N.slides.html``.
    """
    out_dir = Path(out_dir)
    # the decks' reveal.js: refused now, before any step writes a file (no half-built folder)
    prefix = reveal_prefix or default_reveal_prefix()
    check_reveal_prefix(prefix)
    steps: list[BuildStep] = []

    def add(label: str, html_path: Path, make_nb: Callable[[], nbformat.NotebookNode],
            template: str = "handout") -> None:
        def run() -> None:
            _write(html_path, export_html(make_nb(), template))
            if printer is not None:
                printer.print(html_path, html_path.with_suffix(".pdf"))

        outs = (html_path, html_path.with_suffix(".pdf")) if printer else (html_path,)
        steps.append(BuildStep(label, outs, run))

    handouts = out_dir / "handouts"
    add("content notes", handouts / "content-notes.html", content_notes_notebook)
    add("support list", handouts / "support.html", support_notebook)
    add("jupyter in five minutes", handouts / f"{JUPYTER_GUIDE}.html", jupyter_guide_notebook)
    for plan, activity in card_sets():
        name = card_sheet_name(plan.lesson, activity.cards.sheet)
        add(f"cards {plan.lesson} {activity.cards.sheet}", handouts / f"{name}.html",
            lambda p=plan, a=activity: card_sheet_notebook(p, a))
    for info in lessons():
        add(f"handout {info.id}", handouts / f"{info.id}-{info.slug}.html",
            lambda info=info: handout_notebook(info))
    slides_dir = out_dir / "slides"
    for fmt in formats():
        for session in sessions(fmt.id):
            add(f"run sheet {session.name}", out_dir / "runsheets" / f"{session.name}.html",
                lambda s=session: runsheet_notebook(s, start))

            def deck(s=session) -> None:
                used = _vendor_reveal(prefix, slides_dir)
                _write(slides_dir / f"{s.name}.slides.html", export_slides(slides_notebook(s, start),
                                                                   used))

            steps.append(BuildStep(f"slides {session.name}",
                                   (slides_dir / f"{session.name}.slides.html",), deck))
    return steps


def build(out_dir: Path, *, pdf: bool = True, reveal_prefix: str | None = None,
          chromium: str | None = None, start: time | None = None,
          on_step: Callable[[BuildStep], None] | None = None) -> list[Path]:
    """Build everything into ``out_dir``; return the files written."""
    written: list[Path] = []
    with contextlib.ExitStack() as stack:
        printer = stack.enter_context(PdfPrinter(chromium)) if pdf else None
        for step in build_steps(out_dir, printer=printer, reveal_prefix=reveal_prefix,
                                start=start):
            step.run()
            written.extend(step.outputs)
            if on_step:
                on_step(step)
    return written



def build_support(out_dir: Path, printer: PdfPrinter | None = None) -> list[Path]:
    """Write the support handout (``handouts/support.html``, and ``.pdf`` with a printer)."""
    path = Path(out_dir) / "handouts" / "support.html"
    _write(path, export_html(support_notebook()))
    if printer is None:
        return [path]
    return [path, printer.print(path, path.with_suffix(".pdf"))]


def support_overflow(out_dir: Path) -> str | None:
    """What to do when the printed support list (sold as one page) runs over one page."""
    pdf = Path(out_dir) / "handouts" / "support.pdf"
    pages = pdf_page_count(pdf) if pdf.is_file() else 1
    if pages <= 1:
        return None
    return (f"{pdf} runs to {pages} pages, but the support list is handed out as one page: "
            "shorten or merge entries in assets/support.yml (a name, a number, when it is "
            "open), then run `make sync`")

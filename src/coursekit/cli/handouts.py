"""``coursekit handouts``: build handouts, run sheets and slides; check the session plans."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from .base import KitGroup


@click.group(cls=KitGroup)
def handouts() -> None:
    """Facilitator's kit: printable handouts, run sheets and session slides."""


@handouts.command()
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("build"), show_default=True,
              help="Folder to write handouts/, runsheets/ and slides/ into.")
@click.option("--pdf/--no-pdf", default=True, show_default=True,
              help="Also print each handout and run sheet to PDF with a local Chromium.")
@click.option("--reveal-prefix", default=None, metavar="DIR",
              help="A local reveal.js folder to copy next to the decks (never a web address: "
                   "decks load nothing from another host). Default: $COURSEKIT_REVEAL_PREFIX, "
                   "else node_modules/reveal.js (`npm ci` installs it).")
@click.option("--start", "start_text", default=None, metavar="HH:MM",
              help="When your sessions start (24-hour clock, e.g. 18:30): run sheets and "
                   "slides then give clock times. Default: times from the session's start.")
def build(out_dir: Path, pdf: bool, reveal_prefix: str | None, start_text: str | None) -> None:
    """Build every handout (HTML and PDF), run sheet and slide deck into OUTPUT."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..errors import CourseKitError
    from ..handouts import PdfPrinter, build_steps
    from ..schema import require_valid
    from ..sessions import parse_start

    require_valid()
    try:
        start = parse_start(start_text) if start_text else None
    except CourseKitError as exc:
        raise click.BadParameter(str(exc), param_hint="--start") from exc
    columns = (TextColumn("{task.description:<34}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    written: list[Path] = []
    try:
        with contextlib.ExitStack() as stack:
            printer = stack.enter_context(PdfPrinter()) if pdf else None
            steps = build_steps(out_dir, printer=printer, reveal_prefix=reveal_prefix,
                                start=start)
            with Progress(*columns, transient=False) as progress:
                task = progress.add_task("building", total=len(steps))
                for step in steps:
                    progress.update(task, description=step.label)
                    try:
                        step.run()
                    except CourseKitError as exc:
                        raise click.ClickException(f"{step.label}: {exc}") from exc
                    written.extend(step.outputs)
                    progress.advance(task)
                progress.update(task, description="done")
    except CourseKitError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Wrote {len(written)} file(s) under {out_dir}/ "
               "(handouts/, runsheets/, slides/).")
    if pdf:
        _warn_support_overflow(out_dir)
    if not pdf:
        click.echo("PDFs skipped (--no-pdf); print the HTML handouts from a browser instead.")


@handouts.command()
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("build"), show_default=True,
              help="Folder to write handouts/support.html (and .pdf) into.")
@click.option("--pdf/--no-pdf", default=None,
              help="Print a PDF too (default: when a local Chromium is found).")
def support(out_dir: Path, pdf: bool | None) -> None:
    """Build the printable support list from assets/support.yml (`make sync` runs this)."""
    from ..errors import CourseKitError
    from ..handouts import PdfPrinter, build_support, find_chromium
    from ..schema import require_valid

    require_valid()
    if pdf is None:
        pdf = find_chromium() is not None
    try:
        with contextlib.ExitStack() as stack:
            printer = stack.enter_context(PdfPrinter()) if pdf else None
            written = build_support(out_dir, printer)
    except CourseKitError as exc:
        raise click.ClickException(str(exc)) from exc
    for path in written:
        click.echo(f"wrote {path}")
    if pdf:
        _warn_support_overflow(out_dir)
    if not pdf:
        click.echo("No PDF (no Chromium found, or --no-pdf): print the HTML page from a browser.")


def _warn_support_overflow(out_dir: Path) -> None:
    from ..handouts import support_overflow

    note = support_overflow(out_dir)
    if note:
        click.echo(f"Warning: {note}", err=True)


@handouts.command()
def check() -> None:
    """Check the session plans: every part present, every session adds up to its length."""
    from ..schema import validate_all
    from ..sessions import check as do_check

    problems = validate_all() or do_check()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(f"{len(problems)} problem(s) in the course data or facilitator/sessions/.")
    click.echo("Every session plan is complete and every session adds up to its length.")


@handouts.command()
@click.argument("format_id", metavar="FORMAT")
@click.argument("number", type=int, default=1)
@click.option("--start", "start_text", default=None, metavar="HH:MM",
              help="When the session starts (e.g. 18:30), to print clock times.")
def plan(format_id: str, number: int, start_text: str | None) -> None:
    """Print the timetable of session NUMBER of FORMAT (workshop, series, classroom)."""
    from ..errors import CourseKitError
    from ..sessions import parse_start, sessions

    try:
        start = parse_start(start_text) if start_text else None
        found = sessions(format_id)
    except CourseKitError as exc:
        raise click.ClickException(str(exc)) from exc
    if not 1 <= number <= len(found):
        have = ("only session 1" if len(found) == 1
                else f"sessions 1 to {len(found)}")
        raise click.ClickException(f"{format_id} has {have}, not {number}")
    session = found[number - 1]
    click.echo(f"{session.format.title}: session {number} (lessons {', '.join(session.lessons)})")
    for begin, end, seg in session.schedule(start):
        click.echo(f"  {begin:>5}–{end:<5}  {seg.minutes:>3} min  [{seg.lesson}] {seg.name} "
                   f"({seg.kind})")
    click.echo(f"  total: {session.minutes} of {session.format.session_minutes} minutes")


@handouts.command()
@click.option("--check", "check_only", is_flag=True,
              help="Only report whether the generated parts are stale (exit 1 if so).")
def protocol(check_only: bool) -> None:
    """Refresh the safety protocol's content notes and group agreements from their sources."""
    from ..errors import CourseKitError
    from ..handouts import protocol_path, sync_protocol
    from ..schema import require_valid

    require_valid()
    try:
        changed = sync_protocol(check=check_only)
    except CourseKitError as exc:
        raise click.ClickException(str(exc)) from exc
    path = protocol_path()
    if check_only and changed:
        raise SystemExit(f"{path} is stale; run `coursekit handouts protocol`.")
    click.echo(f"updated {path}" if changed else f"{path} is up to date.")

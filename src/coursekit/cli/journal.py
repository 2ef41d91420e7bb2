"""``coursekit journal``: show, export or erase the learner's private journal."""

from __future__ import annotations

from pathlib import Path

import click

from .base import KitGroup


def _open():
    from ..journal import Journal

    return Journal.open_default()


def _fail(exc: Exception) -> None:
    raise click.ClickException(str(exc)) from exc


@click.group(cls=KitGroup)
def journal() -> None:
    """Your reflection journal: kept where you run the course, never collected.

    Lesson 00 says who else could open it on a shared computer, a hub or a browser.
    """


@journal.command()
def show() -> None:
    """List each prompt answered, its version count and when it was saved (not the text)."""
    from ..errors import JournalError

    j = _open()
    try:
        entries = j.latest_entries()
        records = j.records()
    except JournalError as exc:
        _fail(exc)
    if j.notice:
        click.echo(j.notice, err=True)
    click.echo(f"Journal: {j.path}")
    if not entries and not records:
        click.echo("The journal is empty.")
    for e in entries:
        state = "skipped" if e.skipped else f"{len(e.text)} characters"
        click.echo(f"  {e.prompt_id}: version {e.version}, {state}, saved "
                   f"{e.saved_at.astimezone():%Y-%m-%d %H:%M}")
    kinds: dict[str, int] = {}
    for r in records:
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
    for kind, n in sorted(kinds.items()):
        click.echo(f"  {n} {kind} result(s)")
    click.echo("Use `coursekit journal history PROMPT_ID` to read one prompt's versions.")


@journal.command()
@click.argument("prompt_id")
def history(prompt_id: str) -> None:
    """Print every saved version of one prompt's answer (to your terminal only)."""
    from ..errors import JournalError

    try:
        versions = _open().history(prompt_id)
    except JournalError as exc:
        _fail(exc)
    if not versions:
        raise click.ClickException(
            f"nothing is saved for {prompt_id!r}; `coursekit journal show` lists the prompt ids")
    for e in versions:
        click.echo(f"--- version {e.version}, saved {e.saved_at.astimezone():%Y-%m-%d %H:%M}")
        click.echo("(skipped)" if e.skipped else e.text)


@journal.command()
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md",
              show_default=True, help="Markdown, or one standalone HTML page.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="File or folder to write to (default: the current folder). Never a "
                   "lesson or assignment folder.")
def export(fmt: str, output: Path | None) -> None:
    """Export the whole journal, grouped by lesson, to a private file (mode 0600)."""
    from ..errors import JournalError
    from ..exports import write_export

    try:
        path = write_export(_open(), fmt, output)
    except (JournalError, OSError) as exc:
        _fail(exc)
    click.echo(f"wrote {path} (an owner-only file, mode 0600)")


@journal.command()
@click.option("--lesson", default=None, metavar="NN", help="Erase one lesson only (e.g. 01).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(lesson: str | None, yes: bool) -> None:
    """Erase everything (with the copies the kit exported), or one lesson, for good."""
    from ..errors import JournalError
    from ..exports import erase_exports, known_exports

    j = _open()
    what = "your whole journal" if lesson is None else f"lesson {lesson} from your journal"
    copies = known_exports(j)
    if not yes:
        extra = (f" and the {len(copies)} exported copy(ies) the kit wrote" if copies and
                 lesson is None else "")
        click.confirm(f"Erase {what}{extra} at {j.path}? This cannot be undone", abort=True)
    try:
        n = j.erase(lesson)
    except JournalError as exc:
        _fail(exc)
    click.echo(f"Erased {n} saved item(s) ({what}).")
    if lesson is None:
        for sentence in erase_exports(j).sentences():
            click.echo(sentence)
    elif copies:
        click.echo("Exported copies still hold this lesson (erase everything to remove them, "
                   "or delete them yourself): " + ", ".join(str(p) for p in copies))
    broken = j.broken_files()
    if lesson is None and broken:
        click.echo("Damaged journal files moved aside earlier are still there (delete them "
                   "yourself if you wish): " + ", ".join(str(p) for p in broken))

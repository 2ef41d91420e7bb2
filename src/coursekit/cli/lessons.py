"""``coursekit lessons``: regenerate shared cells and lint the lesson notebooks."""

from __future__ import annotations

from pathlib import Path

import click

from .base import KitGroup


@click.group(cls=KitGroup)
def lessons() -> None:
    """Work on the lesson notebooks in lessons/."""


@lessons.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Only report notebooks whose shared cells are stale.")
def sync(paths: tuple[Path, ...], check: bool) -> None:
    """Regenerate the lessons' shared cells and the data bundle their kernels read.

    The shared cells are the header, set-up, key points, support and next cells; the
    bundle is assets/data-bundle.json."""
    from ..schema import require_valid

    require_valid()
    from .. import bundlebuild, databundle
    from ..notebooks import sync as do_sync

    changed = do_sync(list(paths) or None, check=check)
    # The data bundle (parsed YAML for the lessons' kernels) follows the YAML files.
    if bundlebuild.stale() if check else bundlebuild.write():
        changed.append(databundle.bundle_path())
    verb = "would change" if check else "updated"
    for path in changed:
        click.echo(f"{verb}: {path}")
    click.echo(f"{len(changed)} file(s) {verb}." if changed else "All lessons are in sync.")
    if check and changed:
        raise SystemExit(1)


@lessons.command(short_help="Check the course data against its schemas, then every lesson.")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def lint(paths: tuple[Path, ...]) -> None:
    """Check the course data (lesson metadata, question bank, glossary, references, support
    list, session plans) against its schemas, then every lesson's shape and cleanliness."""
    from ..schema import validate_all

    problems = [*validate_all()]
    if not problems:  # the notebook checks read the data: only once it is sound
        from ..notebooks import lint as do_lint

        problems = [str(p) for p in do_lint(list(paths) or None)]
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise SystemExit(f"{len(problems)} problem(s) found.")
    click.echo("The course data and all lessons pass the content linter.")

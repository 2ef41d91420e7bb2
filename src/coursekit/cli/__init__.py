"""The ``coursekit`` command. Each group of subcommands lives in its own module."""

from __future__ import annotations

import click

from .grading import grade
from .handouts import handouts
from .journal import journal
from .lessons import lessons
from .setup import setup


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="coursekit")
def main() -> None:
    """Course kit: lessons, the private journal, handouts and nbgrader checks."""


main.add_command(grade)
main.add_command(handouts)
main.add_command(journal)
main.add_command(lessons)
main.add_command(setup)

__all__ = ["main"]

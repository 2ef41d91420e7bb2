"""The ``coursekit`` command. Each group of subcommands lives in its own module.

One error handler serves every subcommand: a mistake in the course data or in what a
user asked for (any :class:`~coursekit.errors.CourseKitError`, a file that cannot be
read) is printed as its one- or two-sentence message on stderr with exit status 1,
never as a traceback. ``coursekit --debug ...`` (or ``COURSEKIT_DEBUG=1``) shows the
traceback instead, for whoever works on the kit itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import DEBUG_ENV
from .base import KitGroup
from .grading import grade
from .handouts import handouts
from .journal import journal
from .lessons import lessons
from .setup import setup


@click.group(cls=KitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="coursekit")
@click.option("--debug", is_flag=True,
              help=f"Show the full traceback of an error (also: {DEBUG_ENV}=1).")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Course kit: lessons, the private journal, handouts and nbgrader checks."""
    ctx.meta["coursekit.debug"] = debug
    # nbgrader runs tools such as `alembic` by name: find them beside this Python even
    # when the environment was not activated (e.g. `.venv/bin/coursekit grade ...`).
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])


main.add_command(grade)
main.add_command(handouts)
main.add_command(journal)
main.add_command(lessons)
main.add_command(setup)

__all__ = ["main"]

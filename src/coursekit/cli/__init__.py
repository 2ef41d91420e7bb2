"""The ``coursekit`` command. Each group of subcommands lives in its own module."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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

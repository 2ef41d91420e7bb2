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

from ..errors import DEBUG_ENV, CourseKitError, debugging
from .grading import grade
from .handouts import handouts
from .journal import journal
from .lessons import lessons
from .setup import setup


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.find_root().meta.get("coursekit.debug")) or debugging()


class KitGroup(click.Group):
    """A click group whose subcommands report the kit's errors in a sentence, exit 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except CourseKitError as exc:
            if _debug(ctx):
                raise
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except OSError as exc:
            if _debug(ctx):
                raise
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            click.echo(f"Error: {exc.strerror or exc}{where}; check the path and its "
                       "permissions.", err=True)
            ctx.exit(1)
        except Exception as exc:  # a bug in the kit, not the user's mistake
            if _debug(ctx):
                raise
            click.echo(f"Error: the kit failed unexpectedly ({type(exc).__name__}: {exc}); run "
                       "the same command with `coursekit --debug ...` and report what it "
                       "prints.", err=True)
            ctx.exit(1)


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

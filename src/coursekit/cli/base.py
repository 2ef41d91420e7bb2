"""The error handler every ``coursekit`` subcommand runs under (see :mod:`coursekit.cli`)."""

from __future__ import annotations

import click

from ..errors import CourseKitError, debugging


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

"""The error handler every ``coursekit`` subcommand runs under (see :mod:`coursekit.cli`),
and the command lists in ``--help``, where each summary is a whole sentence."""

from __future__ import annotations

import re

import click

from ..errors import CourseKitError, debugging


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.find_root().meta.get("coursekit.debug")) or debugging()


#: Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "cf.", "vs.")


def first_sentence(text: str) -> str:
    """The first sentence of a command's help: up to the first full stop (or ? or !) that
    is not part of an abbreviation such as "e.g." nor inside parentheses."""
    flat = " ".join((text or "").strip().split("\n\n")[0].split())
    for match in re.finditer(r"[.!?](?=\s|$)", flat):
        head = flat[: match.end()]
        if head.lower().endswith(_ABBREVIATIONS) or head.count("(") > head.count(")"):
            continue
        return head
    return flat


def summary(command: click.Command) -> str:
    """What ``--help`` shows beside a command: its ``short_help``, else its help's first
    sentence; never cut off mid-sentence (click's default cuts at a width, e.g. "(e.g.")."""
    return " ".join((command.short_help or first_sentence(command.help or "")).split())


class KitGroup(click.Group):
    """A click group whose subcommands report the kit's errors in a sentence, exit 1, and
    whose ``--help`` lists each subcommand with a whole sentence."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, summary(command)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

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

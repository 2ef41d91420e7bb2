"""``coursekit setup``: make this environment's JupyterLab keep reflections private."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--prefix", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Environment to install into (default: the running Python's).")
def setup(prefix: Path | None) -> None:
    """Install the kit's JupyterLab settings and its save hook (no widget state in notebooks)."""
    from ..privacy import install

    for path in install(prefix):
        click.echo(f"wrote {path}")

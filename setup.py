"""Build hook: the wheel carries the kit's ``assets/`` folder as ``coursekit/assets``.

``assets/`` stays where it is in the clone (lessons, the CLI and the authors all use it
there); only a built wheel gets a copy, so an installed kit (the browser edition, a
``pip install``) finds its lesson metadata, question bank and templates without a clone.
An editable install needs no copy: ``coursekit.config.assets_dir`` finds the clone's folder.
All other settings live in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ASSETS = Path(__file__).resolve().parent / "assets"
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


class build_py_with_assets(build_py):  # noqa: N801 - setuptools command naming
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        if not ASSETS.is_dir():
            raise SystemExit(f"cannot build coursekit: {ASSETS} is missing; build from the "
                             "kit's clone or from its sdist")
        target = Path(self.build_lib) / "coursekit" / "assets"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ASSETS, target, ignore=IGNORE)


setup(cmdclass={"build_py": build_py_with_assets})

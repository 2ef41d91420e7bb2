"""environment.yml (conda) and pyproject.toml (pip) name the same packages and bounds."""

from __future__ import annotations

import re
import sys

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")

# conda-forge names that differ from PyPI names
CONDA_NAMES = {"pyyaml": "pyyaml"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_requirements() -> dict[str, SpecifierSet]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs.extend(extra)
    # An extra that includes another ("coursekit[lab]") names the project itself.
    return {_norm(r.name): r.specifier for r in map(Requirement, reqs)
            if _norm(r.name) != _norm(project["name"])}


def conda_requirements() -> dict[str, SpecifierSet]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if not isinstance(dep, str):
            continue
        match = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", dep)
        name, spec = match.group(1), match.group(2).replace(" ", "")
        if name in ("python", "pip"):
            continue
        out[_norm(name)] = SpecifierSet(spec)
    return out


def test_same_packages():
    pip, conda = pip_requirements(), conda_requirements()
    assert sorted(pip) == sorted(conda), (
        f"only in pyproject.toml: {sorted(set(pip) - set(conda))}; "
        f"only in environment.yml: {sorted(set(conda) - set(pip))}"
    )


@pytest.mark.parametrize("name", sorted(pip_requirements()))
def test_same_bounds(name):
    pip, conda = pip_requirements(), conda_requirements()
    assert str(pip[name]) == str(conda.get(name)), (
        f"{name}: pyproject.toml says {pip[name]!s}, environment.yml says {conda.get(name)!s}"
    )


def test_python_floor_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert f"python{project['requires-python']}" in env["dependencies"]


def test_installed_versions_satisfy_bounds():
    from importlib.metadata import PackageNotFoundError, version

    for name, spec in pip_requirements().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            pytest.fail(f"{name} is required but not installed; run make test to install it")
        assert spec.contains(installed, prereleases=True), f"{name} {installed} is outside {spec}"

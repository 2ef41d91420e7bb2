"""Build the browser edition (JupyterLite + the Pyodide kernel) into ``build/site/``.

    python3 site/build.py [--out build/site]          # what `make site` runs

Everything comes from the same sources as the server edition: the lessons in
``lessons/`` and the kit's own wheel (which carries ``assets/``). The build uses only
PyPI and npm packages; the site it writes loads nothing from any other host.

Two stages, one file:

1. With any Python 3.10+: find a Python 3.12 or newer (``pyodide-lock`` needs it), make
   ``build/site-cache/venv`` with the tools in ``site/requirements.txt``, and run stage 2
   in it. Set ``SITE_PYTHON`` to choose the interpreter.
2. Inside that environment: fetch the Pyodide runtime from npm (pinned to the kernel's
   version, checked against its integrity hash), build the kit's wheel and a pure-Python
   PyYAML wheel, lock every package the lessons import to local wheels, run
   ``jupyter lite build``, then drop from the lock any package that would still come
   from a CDN, and check that no file of the site points at one.

Everything fetched or built is cached in ``build/site-cache/``; a second build reuses it.
"""

from __future__ import annotations

import argparse
import base64
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE_SRC = ROOT / "site"
CACHE = ROOT / "build" / "site-cache"
VENV = CACHE / "venv"

#: The Pyodide runtime the kernel (jupyterlite-pyodide-kernel 0.8.6) is built for.
PYODIDE_VERSION = "314.0.6"
PYODIDE_INTEGRITY = ("sha512-BKDTJyIqFxC4BExLqeRS3f5xvXZIjOt8C3zGLN/Cc7tFxSwvKVhVkchQQ2AGLOtR4YrVOIFx"
                     "bV8poyDOOmWwxQ==")
#: PyYAML is compiled in Pyodide's own distribution (served only from its CDN); its sdist
#: builds a pure-Python wheel of the same version.
PYYAML_VERSION = "6.0.3"
#: Packages loaded while the kernel starts, so the first lesson cell finds them ready.
PREFETCH = ("coursekit", "ipywidgets", "pyyaml", "platformdirs")
#: Hosts the finished site must never name as a place to load code from.
CDN_MARKERS = ("cdn.jsdelivr.net", "unpkg.com", "files.pythonhosted.org", "pypi.org/simple")


def say(msg: str) -> None:
    print(f"==> {msg}", flush=True)


def fail(msg: str) -> None:
    print(f"ERROR: {msg}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def run(cmd: list[str], **kw) -> None:
    try:
        subprocess.run(cmd, check=True, **kw)
    except FileNotFoundError:
        fail(f"{cmd[0]} is not installed; it is needed to build the browser edition")
    except subprocess.CalledProcessError as exc:
        fail(f"{' '.join(map(str, cmd[:4]))} ... failed (exit {exc.returncode}); see above")


# -- stage 1: a Python 3.12+ environment with the build tools --------------------------------
def _version(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    major, minor = map(int, out.split())
    return major, minor


def find_python() -> str:
    """A Python 3.12+: SITE_PYTHON, then python3.13/python3.12 on PATH, then pyenv's."""
    chosen = os.environ.get("SITE_PYTHON", "").strip()
    if chosen:
        if (_version(chosen) or (0, 0)) < (3, 12):
            fail(f"SITE_PYTHON={chosen} is not a Python 3.12 or newer")
        return chosen
    candidates = [sys.executable, *(shutil.which(n) or "" for n in ("python3.13", "python3.12"))]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates += sorted(glob.glob(str(pyenv / "3.1[2-9]*/bin/python3")), reverse=True)
    for python in filter(None, candidates):
        if (_version(python) or (0, 0)) >= (3, 12):
            return python
    fail("building the browser edition needs Python 3.12 or newer (pyodide-lock requires it), "
         "and none was found on PATH (python3.13, python3.12) or under ~/.pyenv/versions; "
         "install one, or set SITE_PYTHON=/path/to/python3.12")
    raise AssertionError  # pragma: no cover


def ensure_venv() -> Path:
    requirements = SITE_SRC / "requirements.txt"
    stamp = VENV / ".site-tools"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    python = VENV / "bin" / "python"
    if stamp.is_file() and stamp.read_text() == digest and python.exists():
        return python
    base = find_python()
    say(f"Build tools: a Python {'.'.join(map(str, _version(base)))} environment in "
        f"{VENV.relative_to(ROOT)} (first build only)")
    shutil.rmtree(VENV, ignore_errors=True)
    run([base, "-m", "venv", str(VENV)])
    run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([str(python), "-m", "pip", "install", "--quiet", "-r", str(requirements)])
    stamp.write_text(digest)
    return python


# -- stage 2: inside the tools' environment -------------------------------------------------
def pyodide_runtime(lite_dir: Path) -> Path:
    """The npm package ``pyodide`` at the pinned version, unpacked as ``static/pyodide``."""
    tarball = CACHE / f"pyodide-{PYODIDE_VERSION}.tgz"
    if not tarball.is_file():
        say(f"Pyodide {PYODIDE_VERSION} runtime from npm")
        run(["npm", "pack", f"pyodide@{PYODIDE_VERSION}", "--pack-destination", str(CACHE),
             "--silent"], stdout=subprocess.DEVNULL)
    algo, _, want = PYODIDE_INTEGRITY.partition("-")
    got = base64.b64encode(hashlib.new(algo, tarball.read_bytes()).digest()).decode()
    if got != want:
        tarball.unlink()
        fail(f"{tarball.name} does not match its pinned integrity hash; it was deleted, "
             "run the build again")
    dest = lite_dir / "static" / "pyodide"
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            if not member.isfile() or member.name.endswith(".map"):
                continue
            name = member.name.removeprefix("package/")
            if "/" in name or name.endswith((".d.ts", ".html", ".md")):
                continue
            member.name = name
            tar.extract(member, dest, filter="data")
    return dest / "pyodide-lock.json"


def build_wheels(wheels: Path) -> list[Path]:
    shutil.rmtree(wheels, ignore_errors=True)
    wheels.mkdir(parents=True)
    say("The kit's wheel (with assets/ inside)")
    work = CACHE / "wheel-build"
    shutil.rmtree(work, ignore_errors=True)
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(wheels), str(ROOT)],
        env={**os.environ, "TMPDIR": str(CACHE)})
    for leftover in (ROOT / "build" / "lib", ROOT / "build" / f"bdist.{sys.platform}"):
        shutil.rmtree(leftover, ignore_errors=True)
    yaml_cache = CACHE / "pyyaml"
    if not list(yaml_cache.glob(f"pyyaml-{PYYAML_VERSION}-py3-none-any.whl")):
        say(f"PyYAML {PYYAML_VERSION} as a pure-Python wheel (from its sdist)")
        run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-binary",
             "pyyaml", "-w", str(yaml_cache), f"pyyaml=={PYYAML_VERSION}"],
            env={**os.environ, "PYYAML_FORCE_LIBYAML": "0"})
    found = list(yaml_cache.glob(f"pyyaml-{PYYAML_VERSION}-py3-none-any.whl"))
    if not found:
        fail(f"PyYAML {PYYAML_VERSION} did not build as a pure-Python wheel in {yaml_cache}")
    shutil.copy2(found[0], wheels)
    return sorted(wheels.glob("*.whl"))


def pure_constraints(lock_path: Path) -> list[str]:
    """Pin every pure-Python package to the version Pyodide itself ships."""
    lock = json.loads(lock_path.read_text())
    pins = [f"{name}=={pkg['version']}" for name, pkg in sorted(lock["packages"].items())
            if pkg.get("package_type") == "package"
            and pkg["file_name"].endswith(("py3-none-any.whl", "py2.py3-none-any.whl"))]
    return [*pins, f"pyyaml=={PYYAML_VERSION}"]


def privacy_overrides() -> dict:
    """JupyterLab settings the server edition installs, plus this edition's own."""
    overrides = json.loads((ROOT / "assets" / "jupyter" / "overrides.json").read_text())
    extra = json.loads((SITE_SRC / "overrides.json").read_text())
    for plugin, settings in extra.items():
        overrides.setdefault(plugin, {}).update(settings)
    return overrides


def strip_cdn_packages(lock_path: Path) -> list[str]:
    """Drop lock entries that would load from a CDN; fail if a kept one needs them."""
    lock = json.loads(lock_path.read_text())
    remote = {n for n, p in lock["packages"].items() if "://" in p["file_name"]}
    for name in remote:
        del lock["packages"][name]
    kept = lock["packages"]
    missing = sorted({f"{n} needs {d}" for n, p in kept.items() for d in p.get("depends", [])
                      if d not in kept and d.replace("_", "-").lower() not in kept})
    if missing:
        fail(f"packages in the site need packages only a CDN has: {', '.join(missing)}")
    lock_path.write_text(json.dumps(lock, indent=2))
    return sorted(remote)


def check_offline(out: Path) -> None:
    """The site's configuration (what the page and kernel load from) names no other host."""
    bad = []
    configs = [*out.rglob("jupyter-lite.json"), out / "static" / "pyodide-lock" / "pyodide-lock.json"]
    for path in configs:
        text = path.read_text(errors="replace")
        bad += [f"{path.relative_to(out)}: {m}" for m in CDN_MARKERS if m in text]
    for path in out.rglob("jupyter-lite.json"):
        plugins = json.loads(path.read_text())["jupyter-config-data"].get("litePluginSettings", {})
        url = plugins.get("@jupyterlite/pyodide-kernel-extension:kernel", {}).get("pyodideUrl", "")
        if path.parent == out and not url.startswith("./"):
            bad.append(f"{path.relative_to(out)}: the kernel's pyodideUrl is {url or 'unset'}")
    if bad:
        fail("the site still points at other hosts: " + "; ".join(sorted(bad)[:10]))


def inside(out: Path) -> None:
    started = time.monotonic()
    lite_dir = CACHE / "lite"
    lite_dir.mkdir(parents=True, exist_ok=True)
    lock_in = pyodide_runtime(lite_dir)
    wheels = build_wheels(lite_dir / "wheels")
    (lite_dir / "constraints.txt").write_text("\n".join(pure_constraints(lock_in)) + "\n")
    (lite_dir / "overrides.json").write_text(json.dumps(privacy_overrides(), indent=2))
    shutil.copy2(SITE_SRC / "jupyter-lite.json", lite_dir / "jupyter-lite.json")
    config = {
        "LiteBuildConfig": {
            "contents": [str(ROOT / "lessons"), str(SITE_SRC / "files")],
            "output_dir": str(out),
            "no_sourcemaps": True,
            "ignore_sys_prefix": False,
        },
        "PyodideLockAddon": {
            "enabled": True,
            "wheels": [str(w) for w in wheels],
            # micropip: the kernel loads it while starting (piplite is built on it)
            "specs": ["coursekit", "ipywidgets>=8.1.9,<8.2", "micropip"],
            "constraints": ["-r constraints.txt"],
            "prefetch_extra": list(PREFETCH),
        },
    }
    (lite_dir / "jupyter_lite_config.json").write_text(json.dumps(config, indent=2))
    say(f"jupyter lite build -> {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    shutil.rmtree(out, ignore_errors=True)
    # The output is rebuilt whole, so the task database must not skip any step.
    (lite_dir / ".jupyterlite.doit.db").unlink(missing_ok=True)
    # uv must not fetch a Python build from outside the package registries: it solves for
    # Pyodide's platform and needs no interpreter of that version.
    env = {**os.environ, "UV_CACHE_DIR": str(CACHE / "uv"), "JUPYTERLITE_NO_LIBARCHIVE": "1",
           "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("JUPYTERLITE_PYODIDE_URL", None)
    bin_dir = Path(sys.executable).parent
    run([str(bin_dir / "jupyter"), "lite", "build", "--lite-dir", str(lite_dir)],
        cwd=lite_dir, env={**env, "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"})
    lock_out = out / "static" / "pyodide-lock" / "pyodide-lock.json"
    if not lock_out.is_file():
        fail(f"the build wrote no {lock_out}")
    dropped = strip_cdn_packages(lock_out)
    check_offline(out)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    say(f"Built the browser edition in {out} ({size / 1e6:.1f} MB, {len(dropped)} CDN-only "
        f"packages left out) in {time.monotonic() - started:.0f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site",
                        help="output folder (default: build/site)")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    out = args.out.resolve()
    CACHE.mkdir(parents=True, exist_ok=True)
    if args.inside:
        inside(out)
        return
    python = ensure_venv()
    os.execv(str(python), [str(python), str(Path(__file__).resolve()), "--inside",
                           "--out", str(out)])


if __name__ == "__main__":
    main()

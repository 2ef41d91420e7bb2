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
The tools' own output goes to ``build/site-cache/build.log``; the build prints a short
summary, and the log only when a step fails (or with ``V=1``, as it happens).
"""

from __future__ import annotations

import argparse
import base64
import glob
import hashlib
import json
import os
import posixpath
import re
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
#: micropip, piplite and jedi too: the kernel installs whatever of them is not named here
#: one after another through micropip/piplite (a resolve each) before it says it is ready.
PREFETCH = ("coursekit", "ipywidgets", "pyyaml", "platformdirs", "micropip", "piplite", "jedi")
#: The kernel's own empty stand-in for widgetsnbextension (the classic Notebook's 2.2 MB of
#: JavaScript, which a Pyodide kernel never uses); ipywidgets 8 requires it.
WIDGETSNBEXTENSION_STUB = "widgetsnbextension-4.0.999-py3-none-any.whl"
#: Hosts the finished site must never name as a place to load code from.
CDN_MARKERS = ("cdn.jsdelivr.net", "unpkg.com", "files.pythonhosted.org", "pypi.org/simple")
#: Every tool's output goes here; printed when a step fails, or as it comes with V=1.
LOG = CACHE / "build.log"
#: Relative links in a lesson's Markdown (``[text](target)``, ``src=``/``href=``).
LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|(?:src|href)=[\"']([^\"']+)[\"']")


def say(msg: str) -> None:
    print(f"==> {msg}", flush=True)


def fail(msg: str) -> None:
    print(f"ERROR: {msg}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def verbose() -> bool:
    return os.environ.get("V", "").strip() not in ("", "0")


def run(cmd: list[str], **kw) -> None:
    """Run a build tool; its output goes to :data:`LOG` (and the terminal with V=1)."""
    if verbose():
        out = None
    else:
        kw.pop("stdout", None)
        out = LOG.open("a", encoding="utf-8")
        out.write(f"\n$ {' '.join(map(str, cmd))}\n")
        out.flush()
    try:
        subprocess.run(cmd, check=True, stdout=out or kw.pop("stdout", None),
                       stderr=subprocess.STDOUT if out else None, **kw)
    except FileNotFoundError:
        fail(f"{cmd[0]} is not installed; it is needed to build the browser edition")
    except subprocess.CalledProcessError as exc:
        if out is not None:
            out.close()
            print(LOG.read_text(encoding="utf-8", errors="replace"), file=sys.stderr)
            where = f"its output is above and in {LOG}"
        else:
            where = "see above"
        fail(f"{' '.join(map(str, cmd[:4]))} ... failed (exit {exc.returncode}); {where}")
    finally:
        if out is not None and not out.closed:
            out.close()


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
    # Named first, the stub wins over the 3.6.999 one beside it (which ipywidgets 8 refuses,
    # so the solve would otherwise fetch the real 4.0.x from PyPI).
    stub = (Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyterlite"
            / "pyodide-kernel-extension" / "static" / "pypi" / WIDGETSNBEXTENSION_STUB)
    if not stub.is_file():
        fail(f"{stub} is missing: the kernel's package (jupyterlite-pyodide-kernel) changed; "
             "update WIDGETSNBEXTENSION_STUB in site/build.py")
    shutil.copy2(stub, wheels)
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


def relative_links(text: str) -> list[str]:
    """The relative links of a Markdown text (no scheme, not a bare ``#fragment``)."""
    found = [a or b for a, b in LINK.findall(text)]
    return [u for u in found if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^#|^/", u)]


def in_site(link: str, page: str = "") -> str:
    """Where the site's JupyterLab opens ``link`` from the file ``page`` (paths from the
    site's root; like JupyterLab's URL resolver, ``..`` stops at the root)."""
    path = link.split("#", 1)[0].split("?", 1)[0]
    return posixpath.normpath(posixpath.join("/", posixpath.dirname(page), path)).lstrip("/")


def lesson_markdown(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def linked_files(dest: Path) -> list[str]:
    """Copy every file the lessons link to (and what those files link to) into ``dest``,
    at the path the site resolves the link to; fail on a link to a missing file."""
    shutil.rmtree(dest, ignore_errors=True)
    todo = [(nb, f"{nb.name}", lesson_markdown(nb)) for nb in sorted((ROOT / "lessons").glob("*.ipynb"))]
    copied: dict[str, Path] = {}
    broken = []
    while todo:
        source, page, text = todo.pop()
        for link in relative_links(text):
            target = in_site(link, page)
            if not target or target in copied:
                continue
            origin = (source.parent / link.split("#", 1)[0].split("?", 1)[0]).resolve()
            if (ROOT / "lessons" / target).resolve() == origin:
                continue  # another lesson: the site has it already
            if not origin.is_file() or not origin.is_relative_to(ROOT):
                broken.append(f"{source.relative_to(ROOT)} -> {link}")
                continue
            copied[target] = origin
            if origin.suffix == ".md":
                todo.append((origin, target, origin.read_text(encoding="utf-8")))
    if broken:
        fail("lessons link to files that are not there: " + "; ".join(sorted(broken)[:10]))
    for target, origin in copied.items():
        (dest / target).parent.mkdir(parents=True, exist_ok=True)
        if origin.suffix == ".svg":
            # JupyterLite shows a lesson's image as a data: address made with the browser's
            # btoa(), which fails on characters beyond Latin-1 (a "−" sign, say): written
            # as XML character references, the same drawing has none.
            text = origin.read_text(encoding="utf-8")
            (dest / target).write_text(
                "".join(c if ord(c) < 128 else f"&#x{ord(c):x};" for c in text), encoding="ascii")
        else:
            shutil.copy2(origin, dest / target)
    return sorted(copied)


def precompile(out: Path) -> int:
    """Add bytecode, compiled by the site's own Pyodide, to the site's pure-Python wheels.

    Without it the kernel compiles every module of IPython, the widgets and the kit at
    each start (the bytecode lives only in the page's memory). Compiled wheels are cached
    by the hash of the source wheel and of the compiling script; the lock's hashes are
    updated (Pyodide checks them).
    Returns how many wheels carry bytecode.
    """
    folder = out / "static" / "pyodide-lock"
    lock_path = folder / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text())
    cache = CACHE / "pyc"
    cache.mkdir(exist_ok=True)
    rules = (SITE_SRC / "precompile.mjs").read_bytes()  # a change of rules compiles again
    todo = CACHE / "pyc-todo"
    shutil.rmtree(todo, ignore_errors=True)
    todo.mkdir()
    wheels = {}
    for pkg in lock["packages"].values():
        wheel = folder / pkg["file_name"]
        if wheel.suffix != ".whl" or not wheel.is_file():
            continue
        digest = hashlib.sha256(wheel.read_bytes() + rules).hexdigest()
        wheels[wheel] = cache / f"{digest}-{wheel.name}"
        if not wheels[wheel].is_file():
            shutil.copy2(wheel, todo / wheels[wheel].name)
    if any(todo.iterdir()):
        run(["node", str(SITE_SRC / "precompile.mjs"), str(out / "static" / "pyodide"),
             str(todo)])
        for made in todo.iterdir():
            made.replace(cache / made.name)
    shutil.rmtree(todo, ignore_errors=True)
    for pkg in lock["packages"].values():
        wheel = folder / pkg["file_name"]
        if wheel in wheels:
            shutil.copy2(wheels[wheel], wheel)
            pkg["sha256"] = hashlib.sha256(wheel.read_bytes()).hexdigest()
    lock_path.write_text(json.dumps(lock, indent=2))
    return len(wheels)


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
            "contents": [str(ROOT / "lessons"), str(SITE_SRC / "files"),
                         str(lite_dir / "linked")],
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
    linked = linked_files(lite_dir / "linked")
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    say(f"jupyter lite build -> {shown}")
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
    say("Python bytecode for the site's wheels (compiled by its own Pyodide, with node)")
    precompiled = precompile(out)
    check_offline(out)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    lessons = sorted((out / "files").glob("*.ipynb"))
    wheels_in = json.loads(lock_out.read_text())["packages"]
    print("\n".join([
        f"==> Built the browser edition in {shown} ({size / 1e6:.1f} MB) in "
        f"{time.monotonic() - started:.0f} s:",
        f"    {len(lessons)} lessons, {len(linked)} files they link to "
        f"({', '.join(linked)}),",
        f"    Pyodide {PYODIDE_VERSION} and {len(wheels_in)} Python packages ({precompiled} "
        "with their bytecode), all served by the site itself.",
        "    Build-time sources only: npm (the Pyodide runtime) and PyPI (the wheels). The site",
        "    loads nothing from any other host; the lock's "
        f"{len(dropped)} packages that only Pyodide's CDN has",
        "    were left out (no lesson uses them).",
        f"    Full log: {LOG.relative_to(ROOT) if LOG.is_relative_to(ROOT) else LOG}"
        + ("" if verbose() else " (make site V=1 shows it as it happens)"),
    ]), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site",
                        help="output folder (default: build/site)")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    out = args.out.resolve()
    CACHE.mkdir(parents=True, exist_ok=True)
    if not args.inside:
        LOG.write_text("")
    if args.inside:
        inside(out)
        return
    python = ensure_venv()
    os.execv(str(python), [str(python), str(Path(__file__).resolve()), "--inside",
                           "--out", str(out)])


if __name__ == "__main__":
    main()

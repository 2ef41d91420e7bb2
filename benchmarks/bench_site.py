"""The browser edition's size and start-up time, against the server edition, in one run.

Builds the site (``site/build.py``, reusing ``build/site-cache``) unless ``--site`` names a
built one, serves it on 127.0.0.1 and opens one lesson in Debian's Chromium:

* size: every file of the site, and the same gzipped (what a static host sends);
* cold: a new browser profile (nothing cached) from page open to the lesson's first
  widget on screen (the kernel starts, the first cell runs, its widget renders);
* warm: the same profile opened again (the service worker's cache and the browser's
  HTTP and code caches are warm);
* server edition: the same lesson in JupyterLab (as in tests/browser), page open to the
  first widget, fresh browser context.

Goals (2 cores): at most 25 MB gzipped, 30 s cold and 10 s warm, warm clearly below
cold. Prints each figure with its goal, warm as a share of cold, where the time goes (page
to kernel ready, then to the first widget), and the ratio of each browser-edition time to
the server edition's. The machine's load average is printed too: on shared cores the
absolute times move with it, the ratios measured in one run much less.
With ``--steps`` the browser edition runs from a copy of the site whose kernel worker logs
when each step of its start ends (Pyodide's boot with the lock's packages, the package
manager, the kernel's imports), and the median of each step is printed.
Usage: ``python benchmarks/bench_site.py [--site build/site] [--lesson 00] [--rounds 2]
[--steps]``.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "site"))

from browser.labdriver import (  # noqa: E402
    CHROMIUM_ARGS,
    LabServer,
    NotebookPage,
    chromium_executable,
    launch_chromium,
)
from sitedriver import RequestLog, SiteServer  # noqa: E402

GOAL_GZIP_MB, GOAL_COLD_S, GOAL_WARM_S = 25, 30, 10
VIEWPORT = {"width": 1366, "height": 1000}
FIRST_WIDGET = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.content) return false;
  return w.content.widgets.some(c => c.model.type === 'code' && c.outputArea
    && c.outputArea.node.querySelector('.jupyter-widgets'));
}"""
RUN_FIRST_CODE_CELL = """async () => {
  const app = window.jupyterapp, panel = app.shell.currentWidget;
  const i = panel.content.widgets.findIndex(c => c.model.type === 'code');
  panel.content.activeCellIndex = i;
  await app.commands.execute('notebook:run-cell');
}"""


def site_size(site: Path) -> tuple[float, float]:
    raw = packed = 0
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            raw += len(data)
            packed += len(gzip.compress(data, compresslevel=6))
    return raw / 1e6, packed / 1e6


KERNEL_READY: list[float] = []
STEP_TIMES: list[dict[str, float]] = []
#: The kernel worker's start (jupyterlite-pyodide-kernel 0.8.x, minified): each step is
#: followed by a console line "coursekit-step <name> <epoch ms>" in the copy --steps makes.
STEPS = ("initRuntime", "initFilesystem", "initPackageManager", "initKernel", "initGlobals")
STEP_NAMES = {"start": "the worker starts the kernel",
              "initRuntime": "Pyodide boot + lock packages", "initFilesystem": "file system",
              "initPackageManager": "micropip/piplite", "initKernel": "kernel imports",
              "initGlobals": "kernel objects"}


def with_step_log(site: Path, into: Path) -> Path:
    """A copy of ``site`` whose kernel worker logs the end of each step of its start."""
    shutil.copytree(site, into)
    chain = ",".join(f"await this.{step}(e)" for step in STEPS)
    workers = list((into / "extensions").rglob("comlink.worker.*.js"))
    for worker in workers:
        text = worker.read_text(encoding="utf-8")
        if chain not in text:
            raise SystemExit(f"--steps: {worker.name} does not start its kernel as expected "
                             "(another jupyterlite-pyodide-kernel version?); run without it")
        stamp = "console.log('coursekit-step {} '+(performance.timeOrigin+performance.now()))"
        logged = ",".join([stamp.format("start"),
                           *(f"await this.{step}(e),{stamp.format(step)}" for step in STEPS)])
        worker.write_text(text.replace(chain, logged), encoding="utf-8")
    if not workers:
        raise SystemExit("--steps: the site has no kernel worker to time")
    return into


def first_widget(page, server, lesson: str, timeout: float = 240) -> float:
    """Seconds from page open to the lesson's first widget rendered (the time to the
    kernel being ready is appended to KERNEL_READY)."""
    t0 = time.perf_counter()
    wall0 = time.time() * 1000
    marks: dict[str, float] = {}

    def on_console(msg) -> None:
        parts = msg.text.split()
        if len(parts) == 3 and parts[0] == "coursekit-step":
            marks[parts[1]] = (float(parts[2]) - wall0) / 1000

    page.on("console", on_console)
    NotebookPage(page, server, lesson).open(timeout=timeout)
    STEP_TIMES.append(marks)
    KERNEL_READY.append(time.perf_counter() - t0)
    page.evaluate(RUN_FIRST_CODE_CELL)
    page.wait_for_function(FIRST_WIDGET, timeout=timeout * 1000, polling=100)
    return time.perf_counter() - t0


def browser_edition(pw, server: SiteServer, lesson: str, rounds: int) -> dict[str, list]:
    out: dict[str, list] = {"cold": [], "warm": [], "cold kernel": [], "warm kernel": []}
    requests = RequestLog()
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="bench-site-profile-") as profile:
            for phase in ("cold", "warm"):
                context = pw.chromium.launch_persistent_context(
                    profile, executable_path=chromium_executable(), headless=True,
                    args=CHROMIUM_ARGS, viewport=VIEWPORT)
                requests.attach(context)
                try:
                    out[phase].append(first_widget(context.new_page(), server, lesson))
                    out[f"{phase} kernel"].append(KERNEL_READY[-1])
                    out.setdefault(f"{phase} steps", []).append(STEP_TIMES[-1])
                finally:
                    context.close()
    if requests.outside:
        raise RuntimeError(f"the site made requests off loopback: {requests.outside[:5]}")
    return out


def server_edition(pw, lesson: str, rounds: int) -> list[float]:
    times = []
    with tempfile.TemporaryDirectory(prefix="bench-site-lab-") as tmp:
        lab = LabServer(Path(tmp))
        lab.start()
        browser = launch_chromium(pw)
        try:
            for _ in range(rounds):
                context = browser.new_context(viewport=VIEWPORT)
                try:
                    times.append(first_widget(context.new_page(), lab, f"lessons/{lesson}"))
                finally:
                    context.close()
                    lab.shutdown_kernels()
        finally:
            browser.close()
            lab.stop()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=None,
                        help="a built site (default: build one into build/site)")
    parser.add_argument("--lesson", default="00")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--steps", action="store_true",
                        help="time each step of the kernel's start (from a patched copy)")
    args = parser.parse_args()
    site = args.site
    if site is None:
        site = ROOT / "build" / "site"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "site" / "build.py"), "--out", str(site)],
                       check=True, stdout=subprocess.DEVNULL)
        print(f"site build (cache warm or cold as found): {time.perf_counter() - t0:.1f} s")
    (lesson,) = [p.name for p in (ROOT / "lessons").glob(f"{args.lesson}-*.ipynb")]

    raw, packed = site_size(site)
    print(f"site size: {raw:.1f} MB, gzipped {packed:.1f} MB (goal <= {GOAL_GZIP_MB} MB): "
          f"{'OK' if packed <= GOAL_GZIP_MB else 'OVER'}")

    from playwright.sync_api import sync_playwright

    scratch = tempfile.TemporaryDirectory(prefix="bench-site-steps-")
    if args.steps:
        site = with_step_log(site, Path(scratch.name) / "site")
    with scratch, sync_playwright() as pw, SiteServer(site) as server:
        site_times = browser_edition(pw, server, lesson, args.rounds)
        lab_times = server_edition(pw, lesson, args.rounds)
    lab = statistics.median(lab_times)
    print(f"lesson {lesson}, page open to first widget, median of {args.rounds}:")
    for phase, goal in (("cold", GOAL_COLD_S), ("warm", GOAL_WARM_S)):
        t = statistics.median(site_times[phase])
        print(f"  browser edition, {phase}: {t:5.1f} s (goal <= {goal} s: "
              f"{'OK' if t <= goal else 'OVER'}); {t / lab:.1f}x the server edition "
              f"[{', '.join(f'{x:.1f}' for x in site_times[phase])}]")
    print(f"  server edition (JupyterLab): {lab:5.1f} s [{', '.join(f'{x:.1f}' for x in lab_times)}]")
    cold, warm = (statistics.median(site_times[p]) for p in ("cold", "warm"))
    print(f"  warm / cold: {warm / cold:.2f} (per round: "
          + ", ".join(f"{w / c:.2f}" for c, w in zip(site_times["cold"], site_times["warm"],
                                                     strict=True)) + ")")
    for phase in ("cold", "warm"):
        k = statistics.median(site_times[f"{phase} kernel"])
        t = statistics.median(site_times[phase])
        print(f"  {phase}: page open to kernel ready {k:.1f} s, then first widget {t - k:.1f} s")
    if args.steps:
        for phase in ("cold", "warm"):
            print(f"  {phase}, the kernel's start (median end of each step after page open):")
            last = None
            for step in ("start", *STEPS):
                ends = [m[step] for m in site_times[f"{phase} steps"] if step in m]
                if not ends:
                    continue
                end = statistics.median(ends)
                took = "" if last is None else f" (+{end - last:.1f} s)"
                print(f"    {STEP_NAMES[step]:30s} {end:5.1f} s{took}")
                last = end
    print(f"  load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()

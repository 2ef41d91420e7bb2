"""A real JupyterLab and Debian's Chromium, driven by Playwright, for the browser tests.

Shared by ``tests/browser/`` (through its conftest) and ``benchmarks/bench_browser.py``.

* :class:`LabServer` starts ``jupyter lab`` on 127.0.0.1 on a free port with a token,
  on a temporary copy of the kit (saves never touch the repository's lessons), a
  temporary ``COURSEKIT_DATA_DIR``, private Jupyter config/data/runtime folders, and
  the kit's privacy settings installed by ``coursekit setup --prefix`` into a
  temporary prefix that this server (and only this server) reads.
* :func:`launch_chromium` starts the system Chromium (``/usr/bin/chromium``); it
  never downloads a browser.
* :class:`NotebookPage` drives one notebook through ``window.jupyterapp``
  (exposed with ``--LabApp.expose_app_in_browser=True``), the same object
  JupyterLab's own Galata test framework uses.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from secrets import token_hex

ROOT = Path(__file__).resolve().parents[2]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHROMIUM_ENV = "COURSEKIT_CHROMIUM"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

# Test-only user settings (the shipped settings are installed separately, untouched):
# no news or update checks (no network, no toast over the lesson).
USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def chromium_executable() -> str | None:
    """The system Chromium: ``$COURSEKIT_CHROMIUM``, else ``chromium`` on PATH, else None."""
    explicit = os.environ.get(CHROMIUM_ENV, "").strip()
    if explicit:
        return explicit
    for candidate in ("chromium", "chromium-browser"):
        found = shutil.which(candidate)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def launch_chromium(playwright, executable: str | None = None):
    """Launch the system Chromium headless with the kit's fixed flags (never a download)."""
    executable = executable or chromium_executable()
    if not executable:
        raise RuntimeError(
            "no Chromium found: install Debian's package (apt-get install chromium) or set "
            f"{CHROMIUM_ENV} to a Chromium executable; the tests never download a browser"
        )
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                      headless=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_kit(dest: Path) -> Path:
    """Copy the kit's lessons and assets into ``dest`` (what a learner's clone needs)."""
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("lessons", "assets"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    return dest


def install_privacy(prefix: Path) -> list[Path]:
    """Run the real ``coursekit setup --prefix`` (the shipped settings and save hook)."""
    coursekit = Path(sys.executable).with_name("coursekit")
    command = [str(coursekit)] if coursekit.exists() else [sys.executable, "-m", "coursekit.cli"]
    done = subprocess.run([*command, "setup", "--prefix", str(prefix)], capture_output=True,
                          text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"coursekit setup --prefix {prefix} failed:\n{done.stdout}{done.stderr}")
    return [Path(line.split(" ", 1)[1]) for line in done.stdout.splitlines()
            if line.startswith("wrote ")]


@dataclass
class LabServer:
    """``jupyter lab`` on 127.0.0.1 in its own sandbox folder (see the module docstring)."""

    base: Path
    kit: Path = field(init=False)
    data_dir: Path = field(init=False)
    prefix: Path = field(init=False)
    port: int = 0
    token: str = field(default_factory=lambda: token_hex(24))
    proc: subprocess.Popen | None = None
    log_path: Path = field(init=False)
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.base = Path(self.base)
        self.kit = self.base / "kit"
        self.data_dir = self.base / "coursekit-data"
        self.prefix = self.base / "prefix"
        self.log_path = self.base / "jupyterlab.log"

    # -- lifecycle --------------------------------------------------------------------
    def prepare(self) -> None:
        if not self.kit.exists():
            copy_kit(self.kit)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        install_privacy(self.prefix)
        settings = self.base / "user-settings"
        for rel, value in USER_SETTINGS.items():
            path = settings / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value, indent=2), encoding="utf-8")

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("JUPYTER", "COURSEKIT_", "IPYTHON"))}
        b = self.base
        env.update({
            "COURSEKIT_DATA_DIR": str(self.data_dir),
            "COURSEKIT_ROOT": str(self.kit),
            "JUPYTER_CONFIG_DIR": str(b / "jupyter-config"),
            # The shipped server hook: read from the temporary prefix only.
            "JUPYTER_CONFIG_PATH": str(self.prefix / "etc" / "jupyter"),
            "JUPYTER_DATA_DIR": str(b / "jupyter-data"),
            "JUPYTER_RUNTIME_DIR": str(b / "jupyter-runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(b / "user-settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(b / "workspaces"),
            "IPYTHONDIR": str(b / "ipython"),
            "MPLCONFIGDIR": str(b / "matplotlib"),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "PYTHONUNBUFFERED": "1",
        })
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 90) -> LabServer:
        self.prepare()
        self.port = self.port or free_port()
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            "--ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.kit}",
            "--LabApp.expose_app_in_browser=True",
            # The shipped JupyterLab settings, as `coursekit setup --prefix` wrote them.
            f"--LabApp.app_settings_dir={self.prefix / 'share' / 'jupyter' / 'lab' / 'settings'}",
            "--ServerApp.open_browser=False",
            "--LabApp.news_url=",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(command, cwd=self.kit, env=self.env(), stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}:\n{self.log()}")
            try:
                self.api("GET", "/api/status")
                return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer within {timeout}s:\n{self.log()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-6000:]
        except OSError:
            return "(no log)"

    # -- HTTP -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def lab_url(self, path: str) -> str:
        """Open ``path`` in a fresh workspace (``reset``: no tabs restored from a previous page)."""
        return f"{self.url}/lab/tree/{path}?reset&token={self.token}"

    def api(self, method: str, path: str, body: dict | None = None, timeout: float = 10):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}{path}", data=data, method=method, headers={
            "Authorization": f"token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def shutdown_kernels(self) -> None:
        for kernel in self.api("GET", "/api/kernels") or []:
            with contextlib.suppress(urllib.error.HTTPError):
                self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=30)

    def reset(self) -> None:
        """Shut the kernels down, empty the journal and put the lessons back as shipped.

        Each test then meets the course as a new learner does: a reflection an earlier test
        skipped is not hidden, and a notebook an earlier test saved with outputs is clean.
        """
        self.shutdown_kernels()
        if self.data_dir.exists():
            shutil.rmtree(self.data_dir)
        self.data_dir.mkdir(parents=True)
        ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
        shutil.rmtree(self.kit / "lessons", ignore_errors=True)
        shutil.copytree(ROOT / "lessons", self.kit / "lessons", ignore=ignore)


# -- the page -------------------------------------------------------------------------

_PANEL = """
const app = window.jupyterapp;
const panel = app.shell.currentWidget;
if (!panel || !panel.content || !panel.sessionContext) throw new Error('no notebook is open');
"""


class NotebookPage:
    """One notebook open in JupyterLab, driven through ``window.jupyterapp``."""

    def __init__(self, page, server: LabServer, path: str):
        self.page = page
        self.server = server
        self.path = path
        self.console: list[str] = []
        page.on("console", lambda msg: self.console.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda err: self.console.append(f"pageerror: {err}"))

    # -- open, run, restart, save -------------------------------------------------------
    def open(self, timeout: float = 60) -> NotebookPage:
        self.page.goto(self.server.lab_url(self.path), wait_until="domcontentloaded",
                       timeout=timeout * 1000)
        self.page.wait_for_function(
            """(path) => {
                const app = window.jupyterapp;
                if (!app || !app.shell) return false;
                const w = app.shell.currentWidget;
                return !!(w && w.context && w.context.path === path && w.context.isReady
                          && w.sessionContext && w.sessionContext.isReady
                          && w.sessionContext.session && w.sessionContext.session.kernel
                          && w.sessionContext.session.kernel.status === 'idle');
            }""", arg=self.path, timeout=timeout * 1000, polling=100)
        self.tag_cells()
        return self

    def reload(self, timeout: float = 60) -> NotebookPage:
        """Reload the page (the lesson's kernel keeps running) and wait until it is idle."""
        self.page.reload(wait_until="domcontentloaded", timeout=timeout * 1000)
        self.page.wait_for_function(
            """(path) => {
                const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                return !!(w && w.context && w.context.path === path && w.sessionContext
                          && w.sessionContext.session && w.sessionContext.session.kernel
                          && w.sessionContext.session.kernel.status === 'idle');
            }""", arg=self.path, timeout=timeout * 1000, polling=100)
        self.tag_cells()
        return self

    def kernel_id(self) -> str:
        return self.page.evaluate("() => {" + _PANEL + "return panel.sessionContext.session.kernel.id; }")

    def tag_cells(self) -> int:
        """Mark every cell's DOM node with ``data-ck-cell=<index>`` for locators."""
        return self.page.evaluate("() => {" + _PANEL + """
            panel.content.widgets.forEach((cell, i) => cell.node.setAttribute('data-ck-cell', i));
            return panel.content.widgets.length; }""")

    def run_all(self, timeout: float = 120) -> None:
        """``notebook:run-all-cells``; returns when every cell has finished executing."""
        self.page.evaluate("async () => {" + _PANEL + """
            await app.commands.execute('notebook:run-all-cells');
        }""")
        self.wait_idle(timeout)
        self.tag_cells()

    def wait_idle(self, timeout: float = 120) -> None:
        self.page.wait_for_function(
            "() => {" + _PANEL + """
            const k = panel.sessionContext.session && panel.sessionContext.session.kernel;
            if (!k || k.status !== 'idle') return false;
            // A queued or running cell shows [*]; after an error the rest stay unrun.
            return panel.content.widgets.every(c => c.model.type !== 'code'
                || c.model.executionState !== 'running');
            }""", timeout=timeout * 1000, polling=100)

    def clear_outputs(self) -> None:
        self.page.evaluate("async () => {" + _PANEL + """
            await app.commands.execute('notebook:clear-all-cell-outputs');
        }""")

    def restart_kernel(self, timeout: float = 60) -> None:
        """Restart the kernel through its session (no confirmation dialog), wait until idle."""
        self.page.evaluate("async () => {" + _PANEL + """
            await panel.sessionContext.session.kernel.restart();
        }""")
        self.page.wait_for_function("() => {" + _PANEL + """
            const k = panel.sessionContext.session.kernel;
            return k && k.status === 'idle'; }""", timeout=timeout * 1000, polling=100)

    def save(self) -> None:
        """Save with Ctrl+S, as a learner would, and wait until the file is written."""
        self.page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
        before = self.page.evaluate("() => {" + _PANEL + "return panel.context.contentsModel"
                                    " && panel.context.contentsModel.last_modified; }")
        self.page.keyboard.press("Control+s")
        self.page.wait_for_function("(before) => {" + _PANEL + """
            const m = panel.context.contentsModel;
            return !panel.context.model.dirty && m && m.last_modified !== before; }""",
            arg=before, timeout=30_000, polling=100)

    # -- what is on the page ----------------------------------------------------------
    def cell_sources(self) -> list[str]:
        return self.page.evaluate("() => {" + _PANEL + """
            return panel.content.widgets.map(c => c.model.sharedModel.getSource()); }""")

    def cell(self, index: int):
        return self.page.locator(f'[data-ck-cell="{index}"]')

    def cell_index(self, needle: str) -> int:
        for i, source in enumerate(self.cell_sources()):
            if needle in source:
                return i
        raise LookupError(f"no cell of {self.path} contains {needle!r}")

    def errors(self) -> list[str]:
        """Text of every error output (tracebacks) in the notebook model."""
        return self.page.evaluate("() => {" + _PANEL + """
            const out = [];
            panel.content.widgets.forEach((c, i) => {
              if (c.model.type !== 'code') return;
              const outputs = c.model.outputs;
              for (let j = 0; j < outputs.length; j++) {
                const o = outputs.get(j).toJSON();
                if (o.output_type === 'error') out.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
                if (o.output_type === 'stream' && o.name === 'stderr'
                    && /Traceback|Error/.test(String(o.text))) out.push(`cell ${i}: ${o.text}`);
              }
            });
            return out; }""")

    def widget_outputs_expected(self) -> int:
        """How many widget outputs the kernel produced (from the notebook model)."""
        return self.page.evaluate("(mime) => {" + _PANEL + """
            let n = 0;
            panel.content.widgets.forEach(c => {
              if (c.model.type !== 'code') return;
              for (let j = 0; j < c.model.outputs.length; j++)
                if (mime in (c.model.outputs.get(j).data || {})) n += 1;
            });
            return n; }""", WIDGET_MIME)

    def widget_status(self) -> dict:
        """Rendered, loading and failed widget outputs, matched output by output to the model."""
        return self.page.evaluate("(mime) => {" + _PANEL + """
            const status = {outputs: 0, rendered: 0, loading: 0, errors: []};
            panel.content.widgets.forEach((c, i) => {
              if (c.model.type !== 'code' || !c.outputArea) return;
              for (let j = 0; j < c.model.outputs.length; j++) {
                if (!(mime in (c.model.outputs.get(j).data || {}))) continue;
                const child = c.outputArea.widgets[j];
                if (!child) continue;
                status.outputs += 1;
                const text = child.node.textContent || '';
                if (/Error displaying widget/.test(text)) {
                  status.errors.push(`cell ${i}: ${text.slice(0, 200)}`);
                } else if (/Loading widget\\.\\.\\./.test(text)) {
                  status.loading += 1;
                } else if (child.node.querySelector('.jupyter-widgets')) {
                  status.rendered += 1;
                }
              }
            });
            return status; }""", WIDGET_MIME)

    def wait_widgets_rendered(self, timeout: float = 60) -> dict:
        """Wait until every widget output the kernel produced has rendered; return the counts."""
        expected = self.widget_outputs_expected()
        deadline = time.monotonic() + timeout
        status = self.widget_status()
        while time.monotonic() < deadline:
            status = self.widget_status()
            if status["errors"]:
                break
            if status["outputs"] >= expected and status["rendered"] == status["outputs"]:
                break
            time.sleep(0.1)
        status["expected"] = expected
        return status


# -- screenshots ------------------------------------------------------------------------

def lesson_screenshot(nb: NotebookPage, path: Path, max_height: int = 14_000) -> Path:
    """A screenshot of the whole lesson, top to bottom, with the side panel closed.

    JupyterLab scrolls the notebook inside the page, so the viewport is stretched to
    the notebook's height for the shot (up to ``max_height`` pixels) and then restored.
    """
    page = nb.page
    viewport = page.viewport_size
    height = page.evaluate("() => {" + _PANEL + """
        app.shell.collapseLeft(); app.shell.collapseRight();
        const outer = panel.node.querySelector('.jp-WindowedPanel-outer') || panel.content.node;
        outer.scrollTop = 0;
        return outer.scrollHeight; }""")
    chrome = viewport["height"] - page.evaluate(
        "() => {" + _PANEL + "return panel.content.node.getBoundingClientRect().height; }")
    page.set_viewport_size({"width": viewport["width"],
                            "height": int(min(max_height, height + chrome + 40))})
    try:
        page.wait_for_timeout(400)  # let the layout settle after the resize
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(viewport)
    return path


def is_blank(path: Path, min_stddev: float = 8.0) -> bool:
    """True when an image is (nearly) one flat colour: grey-level deviation below ``min_stddev``."""
    from PIL import Image, ImageStat

    with Image.open(path) as image:
        stat = ImageStat.Stat(image.convert("L"))
    return stat.stddev[0] < min_stddev


def open_and_run(page, lab, lesson: str) -> NotebookPage:
    """Open ``lesson``, Run All, and wait until every widget and the page script are there."""
    nb = NotebookPage(page, lab, lesson).open()
    nb.run_all()
    status = nb.wait_widgets_rendered()
    assert status["errors"] == [] and status["rendered"] == status["expected"], status
    page.wait_for_function("() => window.__coursekitPage === true", timeout=20_000)
    return nb

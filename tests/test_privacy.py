"""Privacy, end to end: a learner's words reach the journal and nothing else.

Every lesson notebook is executed in a real kernel; then, in that kernel, every
reflection widget is filled with a unique marker and saved, and every kit widget is
displayed again (so the outputs show the filled widgets). The notebook is then
saved the ways JupyterLab would save it, and every file produced (notebooks,
checkpoints, the data folder) is searched: the marker is found only in the journal.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from coursekit import privacy

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "lessons").glob("[0-9][0-9]-*.ipynb"))
SEED_ENV = "COURSEKIT_PRIVACY_SEED"

# The probe reads the marker's seed from the environment, so its source holds no marker.
PROBE = """\
import os as _os
from IPython.display import display as _display
from coursekit.widgets import Reflection as _Reflection, live as _live
_seed = _os.environ["COURSEKIT_PRIVACY_SEED"]
_filled = 0
for _w in _live():
    if isinstance(_w, _Reflection):
        if _w.skipped:
            _w.unskip()
        _w.type(f"<b>PRIV{_seed}x{_filled}</b> ✨ my own words")
        assert _w.blur(), _w.status_text
        _filled += 1
for _w in _live():
    _display(_w)
    if isinstance(_w, _Reflection):
        _display(_w.box)
        print(repr(_w), repr(_w.box), _w.status_text)
print("filled", _filled)
"""


def marker_prefix(seed: str) -> bytes:
    return f"PRIV{seed}".encode()


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Run a lesson (once per module) and fill its reflections; returns what was produced."""
    cache: dict[Path, dict] = {}

    def run(notebook: Path) -> dict:
        if notebook in cache:
            return cache[notebook]
        seed = uuid.uuid4().hex
        base = tmp_path_factory.mktemp(f"privacy-{notebook.stem[:2]}")
        data, work = base / "data", base / "work"
        work.mkdir()
        nb = nbformat.read(notebook, as_version=4)
        nb.cells.append(new_code_cell(PROBE))
        env = {**os.environ, "COURSEKIT_DATA_DIR": str(data), SEED_ENV: seed,
               "COURSEKIT_ROOT": str(ROOT)}
        env.pop("COURSEKIT_READINGS_DIR", None)
        client = NotebookClient(nb, timeout=180, kernel_name="python3", allow_errors=True,
                                store_widget_state=True,
                                resources={"metadata": {"path": str(notebook.parent)}})
        client.execute(env=env)
        errors = [f"cell {i}: {o.get('ename')}: {o.get('evalue')}"
                  for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
                  for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        probe_out = "".join(o.get("text", "") for o in nb.cells[-1].outputs
                            if o.get("output_type") == "stream")
        cache[notebook] = {"nb": nb, "seed": seed, "data": data, "work": work,
                           "errors": errors, "probe": probe_out}
        return cache[notebook]

    return run


def files_with(folder: Path, needle: bytes) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes())


def save_like_jupyterlab(nb, root: Path, name: str, *, with_widget_state: bool) -> Path:
    """Save through a Jupyter server ContentsManager configured as `coursekit setup` does."""
    import logging
    from types import SimpleNamespace

    from jupyter_server.services.contents.filemanager import FileContentsManager
    from traitlets.config import Config

    from coursekit import serverext

    cm = FileContentsManager(root_dir=str(root), config=Config())
    # What the server does when it loads the extension `coursekit setup` enables.
    serverext._load_jupyter_server_extension(
        SimpleNamespace(contents_manager=cm, log=logging.getLogger("test")))
    content = json.loads(nbformat.writes(nb))
    if not with_widget_state:  # JupyterLab with saveState false sends no widget state
        content["metadata"].pop("widgets", None)
    cm.save({"type": "notebook", "format": "json", "content": content}, name)
    cm.create_checkpoint(name)
    return root / name


def installed_prefix(tmp_path: Path) -> Path:
    prefix = tmp_path / "prefix"
    privacy.install(prefix)
    return prefix


def test_setup_enables_the_server_extension(tmp_path):
    """The hook is switched on the way Jupyter Server reads *.d folders: as an extension."""
    prefix = installed_prefix(tmp_path)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
           "JUPYTER_CONFIG_PATH": str(prefix / "etc" / "jupyter")}
    done = subprocess.run([sys.executable, "-m", "jupyter", "server", "extension", "list"],
                          capture_output=True, text=True, env=env, timeout=120)
    out = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)
    assert re.search(r"coursekit\.serverext enabled", out), out
    assert re.search(r"coursekit\.serverext\s+OK", out), out
    settings = json.loads((prefix / "share/jupyter/lab/settings/overrides.json").read_text())
    assert settings["@jupyter-widgets/jupyterlab-manager:plugin"]["saveState"] is False


def test_shipped_settings_turn_widget_state_saving_off():
    overrides = json.loads((ROOT / "assets" / "jupyter" / "overrides.json").read_text())
    assert overrides["@jupyter-widgets/jupyterlab-manager:plugin"]["saveState"] is False


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_reflections_reach_only_the_journal(executed, notebook, tmp_path):
    run = executed(notebook)
    assert not run["errors"], (f"{notebook.name} must run cleanly for its privacy to be "
                               f"checked: {run['errors']}")
    filled = int(run["probe"].rsplit("filled", 1)[1])
    text_prompts = nbformat.read(notebook, as_version=4)
    reflects = sum(c.source.count("lesson.reflect(") for c in text_prompts.cells
                   if c.cell_type == "code")
    if reflects:
        assert filled >= 1, f"{notebook.name} calls lesson.reflect but no Reflection was live"
    needle = marker_prefix(run["seed"])
    nb = run["nb"]

    # The marker really is in the kernel's widget state: the checks below can fail.
    assert needle.decode() in json.dumps(nb.metadata.get("widgets", {}))
    # ...and in the journal on disk, where it belongs.
    in_data = files_with(run["data"], needle)
    assert in_data and all(p.name.startswith("journal.db") for p in in_data), in_data

    server_root = tmp_path / "server"
    (server_root / "lessons").mkdir(parents=True)
    # 1. JupyterLab with the shipped settings (no widget state) and the server hook.
    save_like_jupyterlab(nb, server_root / "lessons", "shipped.ipynb", with_widget_state=False)
    # 2. A browser that sends widget state anyway: the server hook strips it.
    save_like_jupyterlab(nb, server_root / "lessons", "state-sent.ipynb",
                         with_widget_state=True)
    # 3. The settings alone, without the hook: the cell outputs carry no words either.
    plain = json.loads(nbformat.writes(nb))
    plain["metadata"].pop("widgets", None)
    (server_root / "lessons" / "no-hook.ipynb").write_text(json.dumps(plain), encoding="utf-8")

    written = sorted(p.relative_to(server_root) for p in server_root.rglob("*.ipynb"))
    assert len(written) == 5  # three notebooks and two checkpoints
    assert files_with(server_root, needle) == []
    assert files_with(server_root, run["seed"].encode()) == []
    outputs = json.dumps([c.get("outputs", []) for c in plain["cells"]])
    assert privacy.PLACEHOLDER in outputs  # the widget outputs are there, as placeholders


@pytest.mark.slow
def test_a_real_jupyter_server_save_strips_widget_state(executed, tmp_path):
    """PUT a notebook carrying widget state through a running Jupyter server's contents API."""
    if not NOTEBOOKS:
        pytest.skip("no lesson notebooks yet")
    run = executed(NOTEBOOKS[0])
    needle = marker_prefix(run["seed"])
    nb = json.loads(nbformat.writes(run["nb"]))
    assert needle.decode() in json.dumps(nb["metadata"].get("widgets", {}))
    root = tmp_path / "root"
    root.mkdir()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = uuid.uuid4().hex
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", f"--port={port}", "--ip=127.0.0.1",
         "--no-browser", "--allow-root", f"--ServerApp.root_dir={root}",
         f"--IdentityProvider.token={token}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        # The configuration `coursekit setup` writes, installed into a fresh prefix.
        env={**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
             "JUPYTER_CONFIG_PATH": str(installed_prefix(tmp_path) / "etc" / "jupyter")})
    try:
        url = f"http://127.0.0.1:{port}/api/contents/lesson.ipynb"
        body = json.dumps({"type": "notebook", "format": "json", "content": nb}).encode()
        deadline = time.monotonic() + 60
        while True:
            try:
                req = urllib.request.Request(url, data=body, method="PUT", headers={
                    "Authorization": f"token {token}", "Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=10) as resp:
                    assert resp.status in (200, 201)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=30)
    saved = (root / "lesson.ipynb").read_bytes()
    assert b'"cells"' in saved
    assert files_with(root, needle) == []
    assert "widgets" not in json.loads(saved)["metadata"]

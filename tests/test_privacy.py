"""Privacy, end to end: a learner's words reach the journal and nothing else.

Every lesson notebook is executed in a real kernel by nbclient with widget state
stored (``store_widget_state=True``, no shipped settings: the widgets alone must be
safe); then, in that kernel, every reflection widget is filled with a unique marker
and saved, and every kit widget is displayed again. A plain ipywidgets text box holds
a control marker, which the stored state does carry (so the search can fail). The
notebook is then saved the ways JupyterLab would save it, and every file produced
is searched: the marker is found only in the journal.

Then every other path, once each over all six lessons or once against one real
server: ``jupyter nbconvert --execute`` to a notebook in place (with the shipped
settings) and to HTML (with widget state forced on), the contents API with every
``type`` and ``format`` (whole, chunked, copied, checkpointed), and exports: a
learner's export then "erase everything", and nbgrader submit and collect from a
folder holding an export.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
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
import ipywidgets as _W
_control = _W.Textarea(value=f"CTRL{_seed}")  # a plain box: its state is stored
_display(_control)
print("filled", _filled)
"""


def marker_prefix(seed: str) -> bytes:
    return f"PRIV{seed}".encode()


def control_marker(seed: str) -> str:
    return f"CTRL{seed}"


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
        SimpleNamespace(contents_manager=cm, log=logging.getLogger("test"),
                        web_app=SimpleNamespace(transforms=[])))
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

    # nbclient stored the widget state (a plain box's words are in it: the search works)...
    state = json.dumps(nb.metadata.get("widgets", {}))
    assert control_marker(run["seed"]) in state
    # ...but no reflection's words, in the state or in any output: no browser answered.
    assert needle.decode() not in state
    assert needle.decode() not in nbformat.writes(nb)
    # The words are in the journal on disk, where they belong.
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
    # The plain control box is no kit widget: its words stay in its output's text where
    # no hook ran, and the hook removes them (the search sees outputs too).
    control = control_marker(run["seed"]).encode()
    assert [p.name for p in files_with(server_root, control)] == ["no-hook.ipynb"]
    outputs = json.dumps([c.get("outputs", []) for c in plain["cells"]])
    assert privacy.PLACEHOLDER in outputs  # the widget outputs are there, as placeholders


def leaky_notebook(marker: str) -> dict:
    """A notebook carrying ``marker`` in widget state and in a widget output's text."""
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"widgets": {privacy.WIDGET_STATE: {
            "state": {"abc": {"model_name": "TextareaModel",
                              "state": {"value": marker}}},
            "version_major": 2, "version_minor": 0}}},
        "cells": [{"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": 1,
                   "source": "w", "outputs": [{
                       "output_type": "execute_result", "execution_count": 1, "metadata": {},
                       "data": {privacy.WIDGET_VIEW: {
                           "model_id": "abc", "version_major": 2, "version_minor": 0},
                           "text/plain": f"Textarea(value='{marker}')"}}]}],
    }


class RunningServer:
    """``jupyter server`` with the configuration `coursekit setup` writes, on a free port."""

    def __init__(self, tmp_path: Path):
        self.root = tmp_path / "root"
        self.root.mkdir()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.token = uuid.uuid4().hex
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server", f"--port={self.port}", "--ip=127.0.0.1",
             "--no-browser", "--allow-root", f"--ServerApp.root_dir={self.root}",
             f"--IdentityProvider.token={self.token}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
                 "JUPYTER_CONFIG_PATH": str(installed_prefix(tmp_path) / "etc" / "jupyter")})

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        deadline = time.monotonic() + 60
        while True:
            req = urllib.request.Request(
                f"http://127.0.0.1:{self.port}{path}",
                data=None if body is None else json.dumps(body).encode(), method=method,
                headers={"Authorization": f"token {self.token}",
                         "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=10) as resp:
                    assert resp.status in (200, 201), resp.status
                    raw = resp.read()
                    return json.loads(raw) if raw else {}
            except urllib.error.HTTPError:
                raise
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise
                time.sleep(0.3)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


@pytest.mark.slow
def test_contents_api_saves_of_every_type_and_format_are_scrubbed(tmp_path):
    """PUT, upload in chunks, copy and checkpoint through a running Jupyter server."""
    import base64

    marker = f"PRIV{uuid.uuid4().hex}"
    text = json.dumps(leaky_notebook(marker))
    raw = base64.b64encode(text.encode()).decode()
    server = RunningServer(tmp_path)
    root = server.root
    # A notebook written to disk outside the server (say by a script): copying it through
    # the server writes a scrubbed copy.
    (root / "outside.ipynb").write_text(text, encoding="utf-8")
    try:
        server.call("PUT", "/api/contents/as-notebook.ipynb",
                    {"type": "notebook", "format": "json", "content": json.loads(text)})
        server.call("PUT", "/api/contents/as-text.ipynb",
                    {"type": "file", "format": "text", "content": text})
        server.call("PUT", "/api/contents/as-base64.ipynb",
                    {"type": "file", "format": "base64", "content": raw})
        # JupyterLab's upload of a large file: base64 chunks 1, 2, ..., -1 (the last).
        third = len(raw) // 3 // 4 * 4
        parts = [raw[:third], raw[third:2 * third], raw[2 * third:]]
        for number, part in zip((1, 2, -1), parts, strict=True):
            server.call("PUT", "/api/contents/uploaded.ipynb",
                        {"type": "file", "format": "base64", "chunk": number,
                         "content": part})
        copied = server.call("POST", "/api/contents", {"copy_from": "outside.ipynb"})
        for name in ("as-notebook.ipynb", "as-text.ipynb", "as-base64.ipynb",
                     "uploaded.ipynb", copied["path"]):
            server.call("POST", f"/api/contents/{name}/checkpoints")
    finally:
        server.stop()
    written = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.ipynb"))
    saved = ["as-base64.ipynb", "as-notebook.ipynb", "as-text.ipynb", copied["path"],
             "uploaded.ipynb"]
    for name in saved:
        nb = json.loads((root / name).read_text(encoding="utf-8"))
        assert "widgets" not in nb["metadata"], name
        assert privacy.WIDGET_VIEW in nb["cells"][0]["outputs"][0]["data"], name  # kept
    checkpoints = [w for w in written if ".ipynb_checkpoints/" in w]
    assert len(checkpoints) == len(saved), written
    # Only the file written behind the server's back still holds the marker.
    assert [p.relative_to(root).as_posix() for p in files_with(root, marker.encode())] == [
        "outside.ipynb"]


def test_hooks_scrub_every_model_kind_in_process(tmp_path):
    """The hooks alone, on each model shape a contents manager can receive (fast)."""
    import base64

    marker = f"PRIV{uuid.uuid4().hex}"
    text = json.dumps(leaky_notebook(marker))
    models = {
        "notebook": {"type": "notebook", "format": "json", "content": json.loads(text)},
        "text": {"type": "file", "format": "text", "content": text},
        "base64": {"type": "file", "format": "base64",
                   "content": base64.b64encode(text.encode()).decode()},
    }
    for kind, model in models.items():
        privacy.scrub_before_save(model, path=f"{kind}.ipynb")
        content = model["content"]
        if kind == "base64":
            content = base64.b64decode(content).decode()
        assert marker not in json.dumps(content), kind
    # Not a notebook, or a part of a chunked upload: left alone by the pre-save hook...
    other = {"type": "file", "format": "text", "content": "not json " + marker}
    privacy.scrub_before_save(other, path="notes.ipynb")
    assert marker in other["content"]
    # ...and a finished upload on disk is scrubbed by the post-save hook.
    path = tmp_path / "up.ipynb"
    path.write_text(text, encoding="utf-8")
    privacy.scrub_after_save(model={}, os_path=str(path))
    assert marker not in path.read_text(encoding="utf-8")
    assert privacy.PLACEHOLDER in path.read_text(encoding="utf-8")
    plain = tmp_path / "plain.txt"
    plain.write_text(text, encoding="utf-8")
    privacy.scrub_after_save(model={}, os_path=str(plain))  # not an .ipynb: untouched
    assert marker in plain.read_text(encoding="utf-8")


def test_setup_installs_the_nbconvert_settings_and_keeps_others(tmp_path):
    prefix = tmp_path / "prefix"
    existing = prefix / "etc" / "jupyter" / "jupyter_nbconvert_config.json"
    existing.parent.mkdir(parents=True)
    existing.write_text(json.dumps({"HTMLExporter": {"theme": "dark"}}))
    privacy.install(prefix)
    merged = json.loads(existing.read_text())
    assert merged["HTMLExporter"] == {"theme": "dark"}
    assert merged["ExecutePreprocessor"]["store_widget_state"] is False
    assert merged["NotebookClient"]["store_widget_state"] is False
    existing.write_text("{not json")
    from coursekit.errors import ConfigError

    with pytest.raises(ConfigError, match=r"not valid JSON.*coursekit setup"):
        privacy.install(prefix)


def seed_every_text_prompt(data_root: Path, seed: str) -> int:
    """A journal holding a marked answer to every free-text prompt of every lesson."""
    from coursekit.course import lessons
    from coursekit.journal import Journal

    n = 0
    with Journal(data_root / "coursekit" / "journal.db") as journal:
        for info in lessons():
            for prompt in info.prompts:
                if prompt.kind == "text":
                    journal.save(prompt.id, f"PRIV{seed}x{n} my own words", lesson=info.id,
                                 prompt=prompt.text)
                    n += 1
    return n


def nbconvert(args: list[str], env: dict, cwd: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.slow
def test_nbconvert_execute_writes_no_reflection(tmp_path):
    """`jupyter nbconvert --execute`, to a notebook in place and to HTML, on all six lessons.

    The journal holds a marked answer to every prompt, so every reflection box restores
    one as the lesson runs. In place, with the settings `coursekit setup` installs, no
    widget state is stored at all; to HTML, with widget state forced on, the state is
    stored (the check can fail) but holds no reflection: no browser answered.
    """
    seed = uuid.uuid4().hex
    data = tmp_path / "data"
    assert seed_every_text_prompt(data, seed) >= 6
    work = tmp_path / "work"
    work.mkdir()
    names = [p.name for p in NOTEBOOKS]
    for path in NOTEBOOKS:
        (work / path.name).write_bytes(path.read_bytes())
    env = {**os.environ, "COURSEKIT_DATA_DIR": str(data), "COURSEKIT_ROOT": str(ROOT),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
           "JUPYTER_CONFIG_PATH": str(installed_prefix(tmp_path) / "etc" / "jupyter")}
    env.pop("COURSEKIT_READINGS_DIR", None)
    nbconvert(["--execute", "--to", "notebook", "--inplace", *names], env, work)
    html_env = {**env, "JUPYTER_CONFIG_PATH": str(tmp_path / "nothing")}
    nbconvert(["--execute", "--to", "html", "--ExecutePreprocessor.store_widget_state=True",
               "--output-dir", str(tmp_path / "html"), *names], html_env, work)
    for name in names:
        nb = json.loads((work / name).read_text(encoding="utf-8"))
        assert "widgets" not in nb["metadata"], f"{name}: widget state was stored"
        outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
        assert any(privacy.WIDGET_VIEW in o.get("data", {}) for o in outputs), name
        assert not [o for o in outputs if o.get("output_type") == "error"], name
    pages = sorted((tmp_path / "html").glob("*.html"))
    assert len(pages) == len(names)
    assert all(privacy.WIDGET_STATE in p.read_text(encoding="utf-8") for p in pages)
    needle = f"PRIV{seed}".encode()
    assert files_with(work, needle) == []
    assert files_with(tmp_path / "html", needle) == []
    in_data = files_with(data, needle)
    assert in_data and all(p.name.startswith("journal.db") for p in in_data), in_data


def test_export_then_erase_leaves_no_copy_the_kit_made(tmp_path, monkeypatch):
    """An export the learner asked for holds the words; after "erase everything", nothing does."""
    from click.testing import CliRunner

    from coursekit.cli import main

    data = tmp_path / "data"
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(data))
    seed = uuid.uuid4().hex
    seed_every_text_prompt(data, seed)
    documents = tmp_path / "Documents"
    documents.mkdir()
    for fmt in ("md", "html"):
        done = CliRunner().invoke(main, ["journal", "export", "--format", fmt, "-o",
                                         str(documents)])
        assert done.exit_code == 0, done.output
    needle = f"PRIV{seed}".encode()
    assert len(files_with(documents, needle)) == 2  # the exports the learner asked for
    done = CliRunner().invoke(main, ["journal", "erase", "--yes"])
    assert done.exit_code == 0, done.output
    assert files_with(tmp_path, needle) == []


@pytest.mark.slow
def test_nbgrader_submit_and_collect_leave_exports_behind(tmp_path):
    """A journal export left in an assignment folder is neither submitted nor collected.

    The course uses the committed nbgrader_config.py (its ignore list); the released
    assignment is laid out in the exchange as ``nbgrader release_assignment`` would.
    """
    from nbformat.v4 import new_notebook

    from tests.grading.factories import make_course, nbgrader

    course = make_course(tmp_path)
    assignment = "ps1"
    outbound = course / "exchange" / "coursekit" / "outbound" / assignment
    outbound.mkdir(parents=True)
    (course / "exchange" / "coursekit" / "inbound").mkdir()
    nbformat.write(new_notebook(cells=[new_code_cell("answer_a = 'b'")]), outbound / "ps1.ipynb")
    fetched = course / "coursekit" / assignment  # where `nbgrader fetch_assignment` puts it
    fetched.mkdir(parents=True)
    (fetched / "ps1.ipynb").write_bytes((outbound / "ps1.ipynb").read_bytes())
    marker = f"PRIV{uuid.uuid4().hex}"
    names = ["coursekit-journal-20250101-120000.html", "coursekit-journal-20250101-120000.md",
             "my-journal.html", "journal-20240101-101010.md"]
    for name in names:
        (fetched / name).write_text(f"my own words {marker}", encoding="utf-8")
    (fetched / "notes.txt").write_text("not an export", encoding="utf-8")  # the control
    nbgrader(course, "submit", assignment, "--course", "coursekit")
    nbgrader(course, "collect", assignment)
    exchange, submitted = course / "exchange", course / "submitted"
    assert [p.name for p in (exchange / "coursekit" / "inbound").rglob("notes.txt")], (
        "submit copied nothing at all")
    assert [p.name for p in submitted.rglob("notes.txt")], "collect copied nothing at all"
    assert [p.name for p in submitted.rglob("ps1.ipynb")]
    assert files_with(exchange, marker.encode()) == []
    assert files_with(submitted, marker.encode()) == []


def test_lessons_are_handed_out_with_the_kernels_metadata(tmp_path):
    """The server fills a lesson's bare kernel metadata (so opening it changes nothing)."""
    from coursekit import serverext

    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    assert nb["metadata"]["language_info"] == {"name": "python"}  # how lessons are stored
    model = {"type": "notebook", "content": nb}
    assert serverext.fill_kernel_metadata(model, {"python3": "Python 3 (ipykernel)"})
    info = model["content"]["metadata"]["language_info"]
    assert info["version"] == sys.version.split()[0] and info["name"] == "python"
    assert model["content"]["metadata"]["kernelspec"]["display_name"] == "Python 3 (ipykernel)"
    assert not serverext.fill_kernel_metadata(model)  # filled once; other notebooks untouched
    # The same description a real kernel of this environment gives (asked in a subprocess:
    # importing ipykernel here would replace the comm functions of the test process).
    done = subprocess.run([sys.executable, "-c", "import json; from ipykernel.ipkernel import "
                           "IPythonKernel as K; print(json.dumps(K.language_info))"],
                          capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout) == serverext.kernel_language_info()
    assert not serverext.fill_kernel_metadata({"type": "file", "content": "x"})

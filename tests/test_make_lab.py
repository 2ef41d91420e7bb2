"""The README's first command starts JupyterLab serving lesson 00 (as root it adds --allow-root)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


def test_make_lab_serves_lesson_00(tmp_path):
    port, token = free_port(), "coursekit-test-token"
    env = dict(os.environ, JUPYTER_TOKEN=token, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"PORT={port}",
         "LAB_ARGS=--no-browser --ServerApp.ip=127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, body = get(f"http://127.0.0.1:{port}/api/contents/lessons?token={token}")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, f"JupyterLab did not start: {proc.stdout.read() if proc.poll() else ''}"
        names = [item["name"] for item in json.loads(body)["content"]]
        assert "00-start-here.ipynb" in names
        status, page = get(f"http://127.0.0.1:{port}/lab/tree/lessons/00-start-here.ipynb?token={token}")
        assert status == 200 and b"JupyterLab" in page
        status, body = get(f"http://127.0.0.1:{port}/api/contents/lessons/00-start-here.ipynb?token={token}")
        assert "00 · Start here" in json.loads(body)["content"]["cells"][0]["source"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
    assert "Starting JupyterLab on lessons/00-start-here.ipynb" in out
    if os.geteuid() == 0:
        assert "--allow-root" in out

"""A real JupyterHub on 127.0.0.1 for the classroom test, and clients for its users' servers.

:class:`Hub` writes a small test config that *loads deploy/jupyterhub_config.py* (the
classroom config the kit ships) and then swaps only what a test machine lacks: the
authenticator (dummy: no system passwords) and the spawner (SimpleLocalProcessSpawner
with each user's home under the test's folder, ``--allow-root`` when run as root,
since CI has no system users). The proxy is configurable-http-proxy from
``node_modules/.bin``. A hub service token with ``access:servers`` plays each user's
browser: every request goes through the proxy to that user's own server.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from secrets import token_hex

ROOT = Path(__file__).resolve().parents[2]
CHP = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
DEPLOY_CONFIG = ROOT / "deploy" / "jupyterhub_config.py"

TEST_CONFIG = '''\
c = get_config()  # noqa
load_subconfig({deploy!r})  # the shipped classroom config, then the test's changes:

from jupyterhub.spawner import SimpleLocalProcessSpawner


class ClassroomTestSpawner(SimpleLocalProcessSpawner):
    """Each user's server in their own home under the test folder (no system users).

    nbgrader names a submission after the OS user; here every server runs as root, so
    each learner's ~/.jupyter/nbgrader_config.py names them instead (a real classroom,
    with one system user per learner, needs no such file).
    """

    async def start(self):
        import os
        from pathlib import Path

        if self.user.name not in os.environ.get("COURSEKIT_HUB_INSTRUCTORS", "").split(","):
            folder = Path(self.home_dir) / ".jupyter"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "nbgrader_config.py").write_text(
                "c = get_config()\\n"
                f"c.CourseDirectory.student_id = {{self.user.name!r}}\\n")
        return await super().start()


c.JupyterHub.spawner_class = ClassroomTestSpawner
c.SimpleLocalProcessSpawner.home_dir_template = {homes!r} + "/{{username}}"
c.Spawner.args = {args!r}
c.Spawner.start_timeout = 90
c.Spawner.http_timeout = 90
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.JupyterHub.services = [{{"name": "classroom-test", "api_token": {token!r}}}]
c.JupyterHub.load_roles = list(c.JupyterHub.load_roles) + [{{
    "name": "classroom-test",
    "scopes": ["admin:users", "admin:servers", "access:servers", "read:users"],
    "services": ["classroom-test"],
}}]
'''


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Hub:
    base: Path
    instructors: list[str]
    learners: list[str]
    token: str = field(default_factory=lambda: token_hex(24))
    port: int = 0
    proc: subprocess.Popen | None = None

    @property
    def homes(self) -> Path:
        return self.base / "home"

    @property
    def exchange(self) -> Path:
        return self.base / "exchange"

    @property
    def state(self) -> Path:
        return self.base / "hub-state"

    def home(self, user: str) -> Path:
        return self.homes / user

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Hub:
        self.port = free_port()
        for folder in (self.homes, self.state):
            folder.mkdir(parents=True, exist_ok=True)
        # The shared exchange, as the nbgrader docs set it up: everyone may write into it.
        self.exchange.mkdir(parents=True, exist_ok=True)
        self.exchange.chmod(0o777)
        config = self.base / "jupyterhub_test_config.py"
        config.write_text(TEST_CONFIG.format(
            deploy=str(DEPLOY_CONFIG), homes=str(self.homes),
            args=["--allow-root"] if os.geteuid() == 0 else [],
            password=token_hex(8), hub_port=free_port(), proxy_api_port=free_port(),
            chp=str(CHP), token=self.token), encoding="utf-8")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("JUPYTER", "COURSEKIT_"))}
        env.update({
            "COURSEKIT_HUB_KIT": str(ROOT),
            "COURSEKIT_HUB_EXCHANGE": str(self.exchange),
            "COURSEKIT_HUB_STATE": str(self.state),
            "COURSEKIT_HUB_IP": "127.0.0.1",
            "COURSEKIT_HUB_PORT": str(self.port),
            "COURSEKIT_HUB_INSTRUCTORS": ",".join(self.instructors),
            "COURSEKIT_HUB_ALLOWED": ",".join(self.learners),
        })
        self.log_path = self.base / "jupyterhub.log"
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=self.state, env=env,
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterHub exited with {self.proc.returncode}:\n{self.log()}")
            try:
                self.api("GET", "/hub/api/")
                return self
            # refused, or 404/503 from the proxy until the hub has added its route
            except (urllib.error.URLError, ConnectionError, TimeoutError, AssertionError):
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"JupyterHub did not answer within {timeout}s:\n{self.log()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the hub stops its users' servers
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-8000:]
        except OSError:
            return "(no log)"

    # -- HTTP through the proxy ---------------------------------------------------------
    def request(self, method: str, path: str, *, body: dict | None = None,
                form: dict | None = None, timeout: float = 120):
        headers = {"Authorization": f"token {self.token}"}
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif method in ("POST", "PUT", "PATCH"):
            data = b""
        req = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                     headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:2000]
            raise AssertionError(f"{method} {path} -> {exc.code}: {detail}") from None
        if not raw:
            return None
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw.decode(errors="replace")

    api = request

    def user(self, name: str, method: str, path: str, **kwargs):
        """A request to ``name``'s own single-user server (through the hub's proxy)."""
        return self.request(method, f"/user/{name}{path}", **kwargs)

    # -- servers ------------------------------------------------------------------------
    def start_servers(self, names: list[str], timeout: float = 120) -> None:
        missing = [n for n in names if not self._exists(n)]  # allowed users already exist
        if missing:
            self.api("POST", "/hub/api/users", body={"usernames": missing})
        for name in names:
            self.api("POST", f"/hub/api/users/{name}/server")
        deadline = time.monotonic() + timeout
        waiting = set(names)
        while waiting and time.monotonic() < deadline:
            for name in sorted(waiting):
                model = self.api("GET", f"/hub/api/users/{name}")
                server = (model.get("servers") or {}).get("")
                if server and server.get("ready"):
                    waiting.discard(name)
            time.sleep(0.5)
        if waiting:
            raise RuntimeError(f"servers not ready in {timeout}s: {sorted(waiting)}\n{self.log()}")

    def _exists(self, name: str) -> bool:
        try:
            self.api("GET", f"/hub/api/users/{name}")
        except AssertionError:
            return False
        return True

    # -- running code in a user's kernel ----------------------------------------------
    def run_in_kernel(self, user: str, code: str, timeout: float = 120) -> str:
        """Start a kernel in ``user``'s server, run ``code``, return its stdout; fail on error."""
        kernel = self.user(user, "POST", "/api/kernels", body={"name": "python3"})
        # A thread of its own: Playwright's sync API may own this thread's event loop.
        with ThreadPoolExecutor(max_workers=1) as pool:
            future = pool.submit(
                lambda: asyncio.run(self._execute(user, kernel["id"], code, timeout)))
        try:
            return future.result()
        finally:
            self.user(user, "DELETE", f"/api/kernels/{kernel['id']}")

    async def _execute(self, user: str, kernel_id: str, code: str, timeout: float) -> str:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        url = f"ws://127.0.0.1:{self.port}/user/{user}/api/kernels/{kernel_id}/channels"
        conn = await websocket_connect(HTTPRequest(
            url, headers={"Authorization": f"token {self.token}"}, request_timeout=timeout))
        msg_id = uuid.uuid4().hex
        conn.write_message(json.dumps({
            "header": {"msg_id": msg_id, "username": user, "session": uuid.uuid4().hex,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        out, reply, idle = [], None, False
        deadline = time.monotonic() + timeout
        while (reply is None or not idle) and time.monotonic() < deadline:
            raw = await asyncio.wait_for(conn.read_message(), deadline - time.monotonic())
            if raw is None:
                break
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "stream":
                out.append(msg["content"]["text"])
            elif kind == "error":
                out.append("\n".join(msg["content"]["traceback"]))
            elif kind == "execute_reply":
                reply = msg["content"]
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        conn.close()
        text = "".join(out)
        if reply is None or reply.get("status") != "ok":
            raise AssertionError(f"code failed in {user}'s kernel: {reply}\n{text}")
        return text

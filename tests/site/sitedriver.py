"""Serve a built browser edition on loopback and drive it in Debian's Chromium.

:class:`SiteServer` serves ``build/site`` from a thread on ``127.0.0.1`` (a static host,
nothing else); :class:`RequestLog` records every request the page makes, so a test can
assert that none went to a host other than loopback.
"""

from __future__ import annotations

import functools
import http.server
import threading
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

LOOPBACK = ("127.0.0.1", "localhost", "[::1]", "::1")


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".mjs": "text/javascript",
                      ".js": "text/javascript", ".json": "application/json",
                      ".whl": "application/octet-stream", ".ipynb": "application/json"}

    def log_message(self, *args) -> None:  # quiet: the request log is the page's
        pass


class _Server(http.server.ThreadingHTTPServer):
    # The standard library listens with a backlog of 5: when Chromium opens its
    # connections at once on a busy machine, the rest wait for SYN retries (measured:
    # up to 10 s a request). A static host does not make a page wait like that.
    request_queue_size = 128


class SiteServer:
    """A static web server for ``folder`` on 127.0.0.1 and a free port."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        handler = functools.partial(_Handler, directory=str(self.folder))
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def lab_url(self, path: str) -> str:
        return f"{self.url}lab/index.html?path={urllib.parse.quote(path)}"

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


@dataclass
class RequestLog:
    """Every URL a browser context requested, those that failed, and those that left loopback."""

    urls: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def attach(self, context) -> RequestLog:
        context.on("request", lambda request: self.urls.append(request.url))
        context.on("requestfailed", lambda request: self.failed.append(
            f"{request.url}: {request.failure}"))
        return self

    @property
    def outside(self) -> list[str]:
        out = []
        for url in self.urls:
            parts = urllib.parse.urlsplit(url)
            if parts.scheme in ("data", "blob", "about", "chrome-extension"):
                continue
            if parts.hostname not in LOOPBACK:
                out.append(url)
        return out

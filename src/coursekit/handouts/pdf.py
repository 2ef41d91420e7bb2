"""Printing HTML to PDF with a local Chromium (never a downloaded browser)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import HandoutBuildError

CHROMIUM_ENV = "COURSEKIT_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pdf-header-footer",
)


def find_chromium() -> str | None:
    """A local Chromium to print PDFs with: ``COURSEKIT_CHROMIUM``, else one on PATH."""
    value = os.environ.get(CHROMIUM_ENV, "").strip()
    if value:
        return value if Path(value).exists() or shutil.which(value) else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def pdf_page_count(pdf: Path) -> int:
    """How many pages a PDF Chromium printed has (its page objects; no PDF library needed)."""
    import re

    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", Path(pdf).read_bytes()))


def print_pdf(html: Path, pdf: Path, *, chromium: str | None = None, timeout: float = 120) -> Path:
    """Print a local HTML file to PDF with headless Chromium (never downloads a browser)."""
    with PdfPrinter(chromium) as printer:
        return printer.print(html, pdf, timeout=timeout)


def _check_pdf(html: Path, pdf: Path, browser: str, detail: str = "") -> Path:
    if not pdf.exists() or pdf.stat().st_size == 0 or pdf.read_bytes()[:5] != b"%PDF-":
        raise HandoutBuildError(f"Chromium ({browser}) wrote no PDF for {html}: {detail}")
    return pdf


class PdfPrinter:
    """Prints HTML files to PDF with one local Chromium.

    With the playwright Python package installed, one browser (launched from the local
    executable, never downloaded) prints every file; without it, each file is printed
    by its own ``chromium --headless --print-to-pdf`` run. Use it as a context manager.
    """

    def __init__(self, chromium: str | None = None) -> None:
        self.browser_path = chromium or find_chromium()
        if self.browser_path is None:
            raise HandoutBuildError(
                "no Chromium found to print PDFs; install Debian's package (apt-get install "
                f"chromium), set {CHROMIUM_ENV} to its path, or build with --no-pdf")
        self._playwright = None
        self._browser = None
        self._page = None
        #: Why the one-browser path was not used (printing then runs chromium per file).
        self.fallback_reason: str | None = None

    def __enter__(self) -> PdfPrinter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _page_or_none(self):
        if self._page is not None:
            return self._page
        try:
            import asyncio

            asyncio.get_running_loop()
            return None  # playwright's sync API cannot run inside an event loop (Jupyter)
        except RuntimeError:
            pass
        try:
            from playwright.sync_api import Error, sync_playwright
        except ImportError:
            return None
        try:
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=self.browser_path,
                args=[f for f in CHROMIUM_FLAGS if f not in ("--headless",
                                                              "--no-pdf-header-footer")])
            self._page = self._browser.new_page()
        except (Error, OSError) as exc:  # fall back to one chromium run per file
            self.fallback_reason = f"{type(exc).__name__}: {exc}"
            self.close()
            return None
        return self._page

    def print(self, html: Path, pdf: Path, *, timeout: float = 120) -> Path:
        pdf.parent.mkdir(parents=True, exist_ok=True)
        pdf.unlink(missing_ok=True)
        page = self._page_or_none()
        if page is not None:
            from playwright.sync_api import Error

            try:
                page.goto(html.resolve().as_uri(), timeout=timeout * 1000)
                page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
            except Error as exc:
                raise HandoutBuildError(f"Chromium ({self.browser_path}) failed to print "
                                        f"{html}: {exc}") from exc
            return _check_pdf(html, pdf, self.browser_path)
        return self._print_cli(html, pdf, timeout)

    def _print_cli(self, html: Path, pdf: Path, timeout: float) -> Path:
        browser = self.browser_path
        with tempfile.TemporaryDirectory(prefix="coursekit-chromium-") as profile:
            cmd = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                   f"--print-to-pdf={pdf}", html.resolve().as_uri()]
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                      check=False, stdin=subprocess.DEVNULL)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise HandoutBuildError(f"Chromium ({browser}) failed to print {html}: "
                                        f"{exc}") from exc
        tail = " | ".join((done.stderr or "").strip().splitlines()[-3:])
        return _check_pdf(html, pdf, browser, f"exit {done.returncode}: {tail}")

    def close(self) -> None:
        for closer in (self._browser, self._playwright):
            if closer is None:
                continue
            with contextlib.suppress(Exception):  # already gone; nothing left to release
                closer.close() if closer is self._browser else closer.stop()
        self._page = self._browser = self._playwright = None

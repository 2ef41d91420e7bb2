"""What a built page loads from another host: every ``http(s)://`` source of a script,
style sheet, font, image or frame, in the page and in the local style sheets it links.

Links a reader follows (``<a href>``, such as the support list's services) are not
loads and are not reported.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

REMOTE = re.compile(r"^\s*(?:https?:)?//", re.I)
#: CSS that fetches: url(...) and @import "..."
CSS_LOADS = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.I)
#: An inline script that fetches from another host (import ... from "https://", src = "//...").
SCRIPT_LOADS = re.compile(r"""(?:import\b[^;]*?|\bsrc\s*=\s*|fetch\(\s*)['"]((?:https?:)?//[^'"]+)""")
LOADING = {"script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"),
           "iframe": ("src",), "video": ("src", "poster"), "audio": ("src",),
           "embed": ("src",), "object": ("data",), "link": ("href",), "track": ("src",),
           "input": ("src",)}


class _Loads(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.sheets: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in LOADING.get(tag, ()):
            value = attrs.get(name) or ""
            for part in value.split(",") if name == "srcset" else [value]:
                url = part.strip().split(" ")[0]
                if url:
                    self.urls.append(url)
                    if tag == "link" and "stylesheet" in (attrs.get("rel") or ""):
                        self.sheets.append(url)
        if attrs.get("style"):
            self.urls += [a or b for a, b in CSS_LOADS.findall(attrs["style"])]
        self._in = tag if tag in ("style", "script") else None

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "style":
            self.urls += [a or b for a, b in CSS_LOADS.findall(data)]
        elif self._in == "script":
            self.urls += SCRIPT_LOADS.findall(data)


def _css_loads(sheet: Path, seen: set[Path]) -> list[str]:
    if sheet in seen or not sheet.is_file():
        return []
    seen.add(sheet)
    found = []
    for a, b in CSS_LOADS.findall(sheet.read_text(encoding="utf-8", errors="replace")):
        url = a or b
        if REMOTE.match(url):
            found.append(f"{sheet.name}: {url}")
        elif not url.startswith(("data:", "#")) and url.endswith(".css"):
            found += _css_loads((sheet.parent / unquote(urlparse(url).path)).resolve(), seen)
    return found


def remote_loads(page: Path) -> list[str]:
    """Every source ``page`` (an HTML file) would fetch from another host."""
    parser = _Loads()
    parser.feed(page.read_text(encoding="utf-8"))
    found = [url for url in parser.urls if REMOTE.match(url)]
    seen: set[Path] = set()
    for sheet in parser.sheets:
        if not REMOTE.match(sheet) and not sheet.startswith("data:"):
            found += _css_loads((page.parent / unquote(urlparse(sheet).path)).resolve(), seen)
    return found

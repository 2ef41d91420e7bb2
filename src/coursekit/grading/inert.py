"""Make learner work inert wherever a marker looks at it.

A written answer is markdown the learner typed, and an answer cell's outputs are whatever
the learner's code displayed: both reach the marker's browser in the Formgrader, the
feedback pages and the hand-back pages. Rendered as they are, ``<img src=x onerror=...>``
or a ``<script>`` output runs with the marker's rights on the Jupyter server.

:class:`MakeInert` (an nbconvert preprocessor, run in the kit's autograde pipeline, in
``nbgrader generate_feedback`` and in the Formgrader's own page renderer) makes them text:

* a learner's markdown (written answers, and any text cell the check does not lock) keeps
  its markdown but no HTML: ``<`` is escaped, character references other than ``&amp;``
  and ``&lt;`` are spelled out, and ``javascript:``/``vbscript:`` links are broken;
  markdown the check locks (questions, instructions) is cleaned by ``nh3``;
* outputs keep plain text, images and tables: HTML is cleaned by ``nh3`` (no script,
  event handler, iframe, form, style or ``javascript:`` URL, and no image fetched from
  another host, which would tell it who opened the page; inline ``data:`` images stay),
  and script, SVG (which can
  hold script) and unknown HTML-like kinds are dropped; output metadata is dropped;
* widget state in the notebook's metadata (which the page would run) is dropped.

Every step is idempotent, so running it again (feedback of an autograded notebook) changes
nothing more.
"""

from __future__ import annotations

import re
from html import unescape

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

__all__ = ["MakeInert", "inert_html", "inert_markdown", "inert_output", "no_images",
           "no_links"]

_ENTITY = re.compile(r"&(?!amp;|lt;)(?=#?\w+;?)")
_SCHEME = re.compile(r"(?i)\b(java|vb)(\s*)(script)(\s*):")
#: An opening bracket markdown may read as a link, image or reference (not yet escaped).
_BRACKET = re.compile(r"(?<!\\)((?:\\\\)*)\[")
#: A markdown image's opening ``![`` (not yet escaped).
_IMAGE = re.compile(r"(?<!\\)((?:\\\\)*)!\[")
#: A script or data URL as the markdown renderer sees it, once it has undone backslash
#: escapes and character references (``javascript\:``, ``&#x6A;avascript:``).
_HIDDEN_SCHEME = re.compile(r"(?i)(java|vb)\s*script\s*:|[(<:]\s*data\s*:")
#: Output kinds kept as they are (text, images, data): never run by a page.
_SAFE_KINDS = ("text/plain", "image/png", "image/jpeg", "image/gif", "text/latex",
               "application/json", "application/vnd.jupyter.widget-view+json")
_DROPPED_NOTE = "[an output that could run script was removed by the grader]"


def no_links(text: str) -> str:
    """Markdown whose ``[`` never opens a link, image or reference: the renderer undoes
    backslash escapes and character references inside a link's URL (so ``javascript\\:``
    and ``&#x6A;avascript:`` become live), and an image is fetched from wherever it points
    (tracking the marker). The URL shows as typed instead."""
    return _BRACKET.sub(r"\1\\[", text)


def no_images(text: str) -> str:
    """Markdown whose ``![`` never opens an image: a markdown image is fetched from
    wherever it points as the page opens (telling its owner who looked and when), and a
    locked cell the learner added (or whose metadata they edited) is shown as the check's
    own text, which the kit never writes with images. Links stay links."""
    return _IMAGE.sub(r"\1!\\[", text)


def _hides_scheme(text: str) -> bool:
    decoded = unescape(unescape(text)).replace("\\", "")
    return bool(_HIDDEN_SCHEME.search(decoded))


def inert_markdown(text: str) -> str:
    """Markdown with no HTML and no links in it: tags, character references and link
    syntax show as typed."""
    text = text.replace("<", "&lt;")
    text = _ENTITY.sub("&amp;", text)
    return no_links(_SCHEME.sub(r"\1\2\3-blocked\4:", text))


#: Inline images an output may carry (``data:`` URIs): kept, since they fetch nothing.
_INLINE_IMAGE = re.compile(r"(?i)^\s*data:image/(png|jpeg|gif|webp)[;,]")


def _no_fetch(element: str, attribute: str, value: str) -> str | None:
    """nh3's attribute filter: an image source is kept only when it is an inline image
    (a remote one is fetched as the page opens, telling its owner who looked and when);
    no other attribute may hold a ``data:`` URI."""
    if element == "img" and attribute == "src":
        return value if _INLINE_IMAGE.match(value) else None
    if value.strip().lower().startswith("data:"):
        return None
    return value


def inert_html(html: str) -> str:
    """HTML with nothing that runs or fetches: no script, event handler, iframe, form or js
    URL, and no image from another host (inline ``data:`` images stay)."""
    import nh3

    return nh3.clean(html, url_schemes={"http", "https", "mailto", "data"},
                     link_rel="noopener noreferrer", attribute_filter=_no_fetch)


def inert_output(out: dict) -> dict:
    """One output cell made inert (in place; returned for convenience)."""
    kind = out.get("output_type")
    if kind not in ("display_data", "execute_result"):
        return out  # streams and errors are plain text, escaped by every renderer
    data = out.get("data") or {}
    kept = {}
    for mime, value in data.items():
        if mime in _SAFE_KINDS:
            kept[mime] = value
        elif mime == "text/html":
            kept[mime] = inert_html(value if isinstance(value, str) else "".join(value))
        elif mime == "text/markdown":
            kept[mime] = inert_markdown(value if isinstance(value, str) else "".join(value))
    if not kept:
        kept["text/plain"] = _DROPPED_NOTE
    out["data"] = kept
    out["metadata"] = {}
    return out


class MakeInert(Preprocessor):
    """Make a submission's written answers and outputs text that nothing can run."""

    enabled = Bool(True, help="Run this step (nbgrader registers its steps without "
                              "enabling nbconvert's own kind).").tag(config=True)

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        nbg = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type in ("markdown", "raw"):
            source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
            if cell.cell_type == "markdown" and nbg.get("locked") and not nbg.get("solution"):
                # the check's own text (or a cell claiming to be): cleaned, kept as HTML
                if "<" in source:
                    source = inert_html(source)
                cell.source = no_images(_SCHEME.sub(r"\1\2\3-blocked\4:", source))
                if _hides_scheme(cell.source):  # the check's own text never does
                    cell.source = no_links(cell.source)
            else:  # a raw HTML cell is pasted into the page as it is: escaped too
                cell.source = inert_markdown(source)
        elif cell.cell_type == "code":
            cell.outputs = [inert_output(out) for out in cell.get("outputs", [])]
        return cell, resources

"""A Content-Security-Policy for the Formgrader's pages: no inline script but nbgrader's own.

Learner work is made inert before a marker sees it (:mod:`coursekit.grading.inert`); this
is the second line. nbgrader's Formgrader pages need a few inline scripts of their own
(``var submission_id = ...``, the name toggle) and two inline ``onclick`` handlers, so the
policy cannot simply forbid all inline script. :class:`FormgraderPolicy`, a tornado output
transform the kit's server extension adds, gives every ``/formgrader`` HTML page a policy
that allows scripts from the server itself and, by their SHA-256 hash, exactly the inline
scripts of nbgrader's template: on a submission page those outside the notebook's cells,
where learner work is; on the other pages (whose data arrive as JSON) every inline script
the server wrote. Event handlers are allowed only for nbgrader's two known ones
(``'unsafe-hashes'``): ``<img src=x onerror=...>`` in a learner's answer never runs, nor
does a ``<script>`` among the cells, nor an iframe, object or form that posts elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import re

from tornado.web import OutputTransform

__all__ = ["FormgraderPolicy", "policy"]

_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.S | re.I)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]*)""", re.I)
_JS_TYPES = ("", "text/javascript", "application/javascript", "module")
#: The inline event handlers of nbgrader's own templates (show or hide learners' names).
NBGRADER_HANDLERS = ("toggle_name(true);", "toggle_name(false);", "toggleAllNames()")
#: Where a submission page's cells (the learner's work) begin and end.
_CELLS_BEGIN, _CELLS_END = 'id="notebook-container">', '<div class="help">'


def _hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def trusted_scripts(page: str, submission: bool) -> list[str]:
    """The inline scripts of ``page`` written by nbgrader's template (on a submission
    page, none from the region that holds the notebook's cells)."""
    if submission:
        begin, end = page.find(_CELLS_BEGIN), page.rfind(_CELLS_END)
        if begin < 0 or end < begin:  # not the page expected: trust no inline script
            return []
        page = page[:begin] + page[end:]
    out = []
    for match in _SCRIPT.finditer(page):
        attrs = match.group("attrs")
        kind = _TYPE.search(attrs)
        if re.search(r"\bsrc\s*=", attrs, re.I) or (
                kind and kind.group(1).lower() not in _JS_TYPES):
            continue  # a file (allowed from 'self' only), or data the browser never runs
        out.append(match.group("body"))
    return out


def policy(page: str, submission: bool) -> str:
    """The Content-Security-Policy header value for one Formgrader page."""
    hashes = sorted({_hash(s) for s in trusted_scripts(page, submission)})
    handlers = sorted({_hash(h) for h in NBGRADER_HANDLERS})
    script = " ".join(["'self'", *hashes, "'unsafe-hashes'", *handlers])
    return "; ".join([
        "default-src 'self'",
        f"script-src {script}",
        "style-src 'self' 'unsafe-inline'",  # nbconvert's page styles; style cannot run
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-src 'none'",
        "frame-ancestors 'self'",
        "form-action 'self'",
        "base-uri 'self'",
    ])


class FormgraderPolicy(OutputTransform):
    """Adds :func:`policy` to every HTML page under ``/formgrader``."""

    def __init__(self, request):
        super().__init__(request)
        path = request.path or ""
        self._on = "/formgrader" in path
        self._submission = "/formgrader/submissions/" in path

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        if self._on and str(headers.get("Content-Type", "")).startswith("text/html"):
            # a page sent in pieces cannot be read whole: then no inline script at all
            page = chunk.decode("utf-8", "replace") if finishing else ""
            headers["Content-Security-Policy"] = policy(page, self._submission)
        return status_code, headers, chunk

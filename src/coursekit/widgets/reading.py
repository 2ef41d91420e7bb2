"""The collapsible full-text panel of a reading lesson."""

from __future__ import annotations

import html

import ipywidgets as W

from ..readings import ReadingError, catalogue, lesson_text


class ReadingPanel(W.Accordion):
    """An Accordion whose plain-text form names the reading, never its text."""

    reading_id = ""
    installed = False

    def __repr__(self) -> str:
        return f"ReadingPanel({self.reading_id!r}, installed={self.installed})"


def reading_panel(info):
    """A collapsed panel with the lesson's full text, or a note on how to install it."""
    if not info.reading:
        return W.HTML("<p>This lesson has no single reading.</p>")
    reading = catalogue()[info.reading]
    try:
        text = lesson_text(info.reading, info.reading_parts)
        body = W.HTML(
            '<div class="coursekit-reading" role="document" tabindex="0" '
            'style="white-space: pre-wrap; max-height: 28em; overflow-y: auto; '
            'font-family: Georgia, serif; line-height: 1.5">'
            f"{html.escape(text)}</div>"
        )
        title = f"Full text: {reading.title} (click to open or close)"
        installed = True
    except ReadingError as exc:
        installed = False
        body = W.HTML(f'<p role="status">ℹ️ {html.escape(str(exc).capitalize())}.</p>')
        title = "Full text: not installed"
    panel = ReadingPanel(children=[body], titles=(title,))
    panel.selected_index = None
    panel.reading_id, panel.installed = info.reading, installed
    return panel

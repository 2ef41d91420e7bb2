"""A session's slide deck as a notebook, with long slides split to fit reveal.js's frame."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

import nbformat

from ..course import course_info, lessons
from ..sessions import Session, clock_label
from .pieces import _bullets, _md, _notebook, agreements, lesson_heading, support_markdown


def _agenda(session: Session, infos: dict, most: int = 10) -> list[tuple[int, str]]:
    """The agenda slide's rows: every segment, or (for a long session) each lesson's block
    and each break, so the table fits on one slide."""
    table = session.timetable()
    if len(table) <= most:
        return [(start, seg.name) for start, seg in table]
    rows: list[tuple[int, str]] = []
    current = None
    for start, seg in table:
        if seg.kind == "break":
            rows.append((start, seg.name))
            current = None
        elif seg.lesson != current:
            info = infos.get(seg.lesson)
            rows.append((start, lesson_heading(info) if info else f"Lesson {seg.lesson}"))
            current = seg.lesson
    return rows


# -- fitting slides into the frame ------------------------------------------------------

#: The reveal.js frame every deck is laid out in (``Reveal.initialize`` width and height).
SLIDE_WIDTH, SLIDE_HEIGHT = 960, 700
#: The height a slide's content may fill by the estimate below: the frame less a margin
#: for the estimate's error (tests/browser/test_slides.py measures the real heights).
SLIDE_BUDGET = 600
#: (font size, line height, margin around the block) in px for each kind of block, as
#: facilitator/templates/slides/slides.css sets them.
_TYPE = {"h1": (44, 1.2, 36), "h2": (36, 1.2, 34), "h3": (30, 1.2, 24),
         "p": (26, 1.4, 26), "li": (26, 1.4, 6), "quote": (26, 1.4, 64), "row": (26, 1.4, 10)}
#: Average glyph width as a share of the font size (DejaVu Sans is a wide face).
_GLYPH = 0.58
_TEXT_WIDTH = SLIDE_WIDTH - 40
_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


@dataclass
class _Block:
    kind: str  # "h1".."h3", "p", "li", "quote", "row"
    text: str
    head: str = ""  # a table row's header and separator lines


def _blocks(markdown: str) -> list[_Block]:
    """A slide's Markdown as the blocks it may be split between: headings, paragraphs,
    list items, block quotes and table rows (each row remembers its table's header)."""
    blocks: list[_Block] = []
    current: _Block | None = None
    table_head: list[str] = []
    for line in markdown.strip().splitlines():
        stripped = line.strip()
        if not stripped:
            current = None
            table_head = []
            continue
        heading = _HEADING.match(line)
        if heading:
            level = min(len(heading.group(1)), 3)
            blocks.append(_Block(f"h{level}", line))
            current = None
        elif stripped.startswith("|"):
            if len(table_head) < 2:
                table_head.append(line)
            else:
                blocks.append(_Block("row", line, "\n".join(table_head)))
            current = None
        elif stripped.startswith(">"):
            if current is not None and current.kind == "quote":
                current.text += "\n" + line
            else:
                current = _Block("quote", line)
                blocks.append(current)
        elif _ITEM.match(line):
            current = _Block("li", line)
            blocks.append(current)
        elif current is not None and current.kind in ("p", "li", "quote"):
            current.text += "\n" + line
        else:
            current = _Block("p", line)
            blocks.append(current)
    return blocks


def _plain(text: str) -> str:
    text = re.sub(r"^\s*(?:#{1,6}|>|[-*+]|\d+[.)]|\|)\s*", "", text, flags=re.M)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return " ".join(re.sub(r"[*_`|]", "", text).split())


def block_height(block: _Block) -> float:
    """The estimated height in px of one block on a slide (text wrapped at the slide's width)."""
    size, leading, margin = _TYPE[block.kind]
    width = _TEXT_WIDTH - (48 if block.kind in ("li", "quote") else 0)
    if block.kind == "row":
        cells = [c for c in block.text.strip().strip("|").split("|")]
        per_cell = width / max(len(cells), 1)
        lines = max(_lines(_plain(c), size, per_cell) for c in cells)
    else:
        lines = _lines(_plain(block.text), size, width)
    return lines * size * leading + margin


def _lines(text: str, size: float, width: float) -> int:
    per_line = max(int(width / (size * _GLYPH)), 1)
    count, used = 1, 0
    for word in text.split():
        extra = len(word) + (1 if used else 0)
        if used and used + extra > per_line:
            count, used = count + 1, len(word)
        else:
            used += extra
    return count


def _join(blocks: list[_Block]) -> str:
    out: list[str] = []
    for i, block in enumerate(blocks):
        prev = blocks[i - 1] if i else None
        if block.kind == "row" and (prev is None or prev.kind != "row"
                                    or prev.head != block.head):
            out.append(("\n\n" if out else "") + block.head + "\n" + block.text)
        elif prev is not None and block.kind == prev.kind and block.kind in ("li", "row"):
            out.append("\n" + block.text)
        else:
            out.append(("\n\n" if out else "") + block.text)
    return "".join(out)


#: Where one sentence ends and the next begins (after . ! ? or … and any closing quote).
_SENTENCE_GAP = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][”’\"')])\s+")


def _split_block(block: _Block, most: float) -> list[_Block]:
    """A paragraph or quote too tall for one slide, cut between sentences into blocks of at
    most ``most`` px each (a single sentence taller than that stays whole)."""
    if block.kind not in ("p", "quote") or block_height(block) <= most:
        return [block]
    quote = block.kind == "quote"
    text = " ".join(re.sub(r"^\s*>\s?", "", line) if quote else line.strip()
                    for line in block.text.splitlines())
    sentences = [m for m in _SENTENCE_GAP.split(text) if m]
    pieces: list[_Block] = []
    current: list[str] = []
    for sentence in sentences:
        trial = _Block(block.kind, ("> " if quote else "") + " ".join([*current, sentence]))
        if current and block_height(trial) > most:
            pieces.append(_Block(block.kind, ("> " if quote else "") + " ".join(current)))
            current = [sentence]
        else:
            current.append(sentence)
    if current:
        pieces.append(_Block(block.kind, ("> " if quote else "") + " ".join(current)))
    return pieces


def split_slide(markdown: str, budget: float = SLIDE_BUDGET) -> list[str]:
    """One slide's Markdown as one or more slides that each fit the frame.

    A slide whose blocks fit in ``budget`` px (by :func:`block_height`) stays whole.
    A longer one is cut between blocks (never inside a list item or a table row; a
    paragraph or quote too tall for a slide of its own is cut between sentences); each
    continued slide repeats the slide's first heading with "(continued)",
    a continued table repeats its header row, and a numbered list goes on counting.
    """
    blocks = _blocks(markdown)
    if sum(block_height(b) for b in blocks) <= budget:
        return [markdown.strip()]
    blocks = [piece for b in blocks for piece in _split_block(b, budget * 0.75)]
    title = None
    if blocks and blocks[0].kind.startswith("h"):
        heading = _HEADING.match(blocks[0].text)
        title = _Block(blocks[0].kind, f"{heading.group(1)} {heading.group(2)} (continued)")
    chunks: list[list[_Block]] = [[]]
    used = 0.0
    for block in blocks:
        height = block_height(block)
        only_headings = all(b.kind.startswith("h") for b in chunks[-1])
        if chunks[-1] and used + height > budget and not only_headings:
            chunks.append([title] if title else [])
            used = block_height(title) if title else 0.0
        chunks[-1].append(block)
        used += height
    return [_join(chunk) for chunk in chunks]


def fit_slides(nb: nbformat.NotebookNode, budget: float = SLIDE_BUDGET) -> nbformat.NotebookNode:
    """Split every slide of a deck that would run off the bottom of the frame."""
    cells = []
    for cell in nb.cells:
        kind = cell.metadata.get("slideshow", {}).get("slide_type")
        if kind not in ("slide", "subslide"):
            cells.append(cell)
            continue
        parts = split_slide(cell.source, budget)
        for i, part in enumerate(parts):
            cells.append(_md(part, slide_type=kind if i == 0 else "slide"))
    nb.cells = cells
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


def slides_notebook(session: Session, start: time | None = None) -> nbformat.NotebookNode:
    """A reveal.js deck for one session; teaching points go into the speaker notes.

    Long slides are split into continued slides (:func:`fit_slides`)."""
    fmt = session.format
    course = course_info()
    all_info = {x.id: x for x in lessons()}
    infos = [all_info[lid] for lid in session.lessons if lid in all_info]
    cells = [_md(
        f"# {course.get('title', '')}\n\n"
        f"## Session {session.number} of {fmt.sessions}\n\n"
        + "\n".join(f"- {lesson_heading(i)}" for i in infos), slide_type="slide")]
    notes = "\n\n".join(f"> **Content note ({i.id}).** {i.content_note}" for i in infos)
    cells.append(_md(
        "## Before we start\n\n" + notes + "\n\n"
        "You may pass, pause or step out at any time, without giving a reason.\n\n"
        f"**Education, not therapy.** {' '.join(str(course.get('scope_statement', '')).split())}",
        slide_type="slide"))
    cells.append(_md("## Our group agreements\n\n"
                     + _bullets(a["title"] for a in agreements()), slide_type="slide"))
    cells.append(_md(f"## Check-in\n\n{session.check_in}", slide_type="slide"))
    rows = "\n".join(f"| {clock_label(begin, start)} | {what} |"
                     for begin, what in _agenda(session, all_info))
    cells.append(_md("## Plan for today\n\n| " + ("Time" if start else "From the start")
                     + " | What |\n|---|---|\n" + rows, slide_type="slide"))
    for p in session.plans:
        info = all_info.get(p.lesson)
        heading = lesson_heading(info) if info else f"Lesson {p.lesson}"
        cells.append(_md(f"# {heading}\n\n### Objectives\n\n" + _bullets(p.objectives),
                         slide_type="slide"))
        cells.append(_md("Teaching points:\n\n" + _bullets(p.teaching_points),
                         slide_type="notes"))
        if info and info.key_points:
            cells.append(_md("## Key ideas\n\n" + _bullets(info.key_points), slide_type="slide"))
        cells.append(_md("## In pairs\n\n" + _bullets(p.pairs), slide_type="slide"))
        cells.append(_md("## In small groups\n\n" + _bullets(p.small_groups),
                         slide_type="slide"))
        for a in p.activities:
            cells.append(_md(f"## Activity: {a.name}\n\n{a.instructions}", slide_type="slide"))
        check = p.slot(fmt.id).comprehension_check or p.comprehension_check
        cells.append(_md(f"## Check your understanding\n\n{check}", slide_type="slide"))
    g = session.grounding
    cells.append(_md(f"## Closing: {g.name}\n\n"
                     + "\n".join(f"{i}. {s}" for i, s in enumerate(g.steps, 1)),
                     slide_type="slide"))
    cells.append(_md(support_markdown(), slide_type="slide"))
    return fit_slides(_notebook(f"{fmt.title}: session {session.number}", cells))

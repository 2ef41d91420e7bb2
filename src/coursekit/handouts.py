"""Printable handouts, facilitators' run sheets and session slides, built with nbconvert.

Everything here is rendered from the sources the lessons use, so each fact is
written once: lesson metadata (``assets/lessons/NN.yml`` via :mod:`coursekit.course`),
the glossary (``assets/glossary.yml``), the support list (``assets/support.yml``,
through the same ``support.md.j2`` template the lessons use) and the session plans
(``facilitator/sessions/`` via :mod:`coursekit.sessions`).

Each document is first built as an in-memory notebook of Markdown cells, then
exported by nbconvert with the kit's own templates (``facilitator/templates/``):
``handout`` (HTMLExporter; printable, no scripts) and ``slides`` (SlidesExporter;
reveal.js). PDFs are printed from the HTML by a local Chromium (Debian's
``chromium`` package) in headless mode; no browser is ever downloaded.

:func:`build_steps` lists the work for ``coursekit handouts build``; each step
writes its files under the output folder (``build/`` by default).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from functools import lru_cache
from pathlib import Path

import nbformat
import yaml

from . import config, yamlio
from .course import LessonInfo, course_info, lessons, support_resources
from .errors import ContentError, HandoutBuildError, SessionPlanError
from .sessions import Session, clock_label, formats, plans, sessions, sessions_dir

CHROMIUM_ENV = "COURSEKIT_CHROMIUM"
REVEAL_PREFIX_ENV = "COURSEKIT_REVEAL_PREFIX"
#: nbconvert's own default: reveal.js 4 from a CDN (slides then need internet).
DEFAULT_REVEAL_PREFIX = "https://unpkg.com/reveal.js@4.0.2"
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

GENERATED_START = ("<!-- coursekit:generated {name} "
                   "(edit the source, then run `coursekit handouts protocol`) -->")
GENERATED_END = "<!-- coursekit:end {name} -->"


def templates_dir() -> Path:
    """The kit's nbconvert templates: ``facilitator/templates/`` (``handout/``, ``slides/``)."""
    return config.kit_root() / "facilitator" / "templates"


def protocol_path() -> Path:
    return config.kit_root() / "facilitator" / "safety-protocol.md"


# -- the shared pieces ---------------------------------------------------------------


def _jinja(name: str, **extra) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(config.assets_dir() / "templates")),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template(name).render(
        support=support_resources(), course=course_info(), lessons=lessons(), **extra
    ).strip()


def support_markdown(*, region_note: bool = False) -> str:
    """The ``## Support`` section, rendered by the template the lessons use.

    The "general examples" note (``region_note`` in ``assets/support.yml``) is printed
    once, on the support handout (:func:`support_notebook`), not on every handout."""
    return _jinja("support.md.j2", show_region_note=region_note)


def lesson_heading(info: LessonInfo) -> str:
    return f"{info.id} · {info.title}"


def glossary_terms(lesson_id: str) -> list[dict]:
    """The glossary entries tagged with this lesson, in the glossary's order.

    ``assets/glossary.yml`` holds entries with ``slug``, ``term``, ``definition`` and
    ``lessons`` (a list of lesson ids), either as a top-level list or under ``terms:``.
    A missing glossary gives no terms; an unreadable one is an error naming the file.
    """
    path = config.assets_dir() / "glossary.yml"
    if not path.exists():
        return []
    try:
        data = yamlio.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ContentError(f"{path} cannot be read as YAML: {exc}; fix the file") from exc
    if isinstance(data, dict):
        data = data.get("terms") or data.get("entries") or data.get("glossary") or []
    if not isinstance(data, list):
        raise ContentError(f"{path}: expected a list of entries (slug, term, definition, lessons)")
    found = []
    for i, entry in enumerate(data, 1):
        if not isinstance(entry, dict) or not entry.get("term") or not entry.get("definition"):
            raise ContentError(f"{path}: entry {i} needs a term and a definition")
        tagged = [str(x).zfill(2) for x in entry.get("lessons") or ()]
        if lesson_id in tagged:
            found.append({"term": " ".join(str(entry["term"]).split()),
                          "definition": " ".join(str(entry["definition"]).split())})
    return found


def agreements() -> list[dict]:
    """The draft group agreements (``facilitator/sessions/agreements.yml``)."""
    path = sessions_dir() / "agreements.yml"
    try:
        data = yamlio.safe_load(path.read_text(encoding="utf-8"))
        items = data["agreements"]
        return [{"title": str(a["title"]), "text": " ".join(str(a["text"]).split())}
                for a in items]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise SessionPlanError(f"{path} should list agreements: (title, text): {exc}") from exc


def _bullets(items) -> str:
    return "\n".join(f"- {x}" for x in items)


def _reading_line(info: LessonInfo) -> str:
    if not info.reading:
        return ""
    from .readings import catalogue

    reading = catalogue().get(info.reading)
    if reading is None:
        return ""
    title = reading.title if reading.title[-1:] in ".?!" else reading.title + "."
    line = f"**Reading:** {title} **Author:** {reading.author}."
    parts = [p for p in reading.parts if p.get("number") in info.reading_parts]
    if parts:
        line += " **Parts:** " + "; ".join(
            f"{p['number']}. “{p['title']}”, {p.get('author', 'author not named')}"
            for p in parts
        ) + "."
    return line


def _plan_for(lesson_id: str):
    for p in plans():
        if p.lesson == lesson_id:
            return p
    return None


def _md(source: str, **slideshow) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(source.strip())
    if slideshow:
        cell.metadata["slideshow"] = slideshow
    return cell


def _notebook(title: str, cells: list, footer: str = "") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["title"] = title
    nb.metadata["coursekit"] = {"footer": footer}
    nb.cells = [c for c in cells if c.source]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


# -- documents as notebooks ----------------------------------------------------------


def handout_notebook(info: LessonInfo) -> nbformat.NotebookNode:
    """One lesson's printable handout: key ideas, terms, discussion questions, support."""
    course = course_info()
    plan = _plan_for(info.id)
    head = [
        f"# {lesson_heading(info)}",
        f"*Handout · {course.get('title', '')}*",
        f"> **Content note.** {info.content_note}\n>\n"
        "> You may skip any part of this lesson, or step out, without giving a reason.",
        f"**Time:** about {info.minutes} minutes. {_reading_line(info)}".strip(),
        f"**Education, not therapy.** {' '.join(str(course.get('scope_statement', '')).split())}",
    ]
    cells = [_md("\n\n".join(head))]
    if info.questions:
        cells.append(_md("## Questions this lesson asks\n\n" + _bullets(info.questions)))
    if info.key_points:
        cells.append(_md("## Key ideas\n\n" + _bullets(info.key_points)))
    terms = glossary_terms(info.id)
    if terms:
        cells.append(_md("## Terms\n\n" + "\n".join(
            f"- **{t['term']}**: {t['definition']}" for t in terms)))
    if plan is not None:
        cells.append(_md(
            "## Discussion questions\n\n"
            "Talk about the readings and ideas; you never need to share your own story.\n\n"
            "### In pairs\n\n" + _bullets(plan.pairs) + "\n\n"
            "### In small groups\n\n" + _bullets(plan.small_groups)))
    cells.append(_md(support_markdown()))
    return _notebook(f"{lesson_heading(info)} (handout)", cells,
                     footer=f"{course.get('title', '')} · lesson {info.id} handout")


def support_notebook() -> nbformat.NotebookNode:
    """The printable support list: one page a facilitator hands out or pins up, built from
    ``assets/support.yml`` (``make sync`` rebuilds it after the list is edited)."""
    course = course_info()
    return _notebook(
        "Support", [_md(f"# Support · {course.get('title', '')}\n\n"
                        "Keep this page. You can contact any of these services at any time, "
                        "during the course or after it; you do not need to explain why."),
                    _md(support_markdown(region_note=True))],
        footer=f"{course.get('title', '')} · support list")


def build_support(out_dir: Path, printer: PdfPrinter | None = None) -> list[Path]:
    """Write the support handout (``handouts/support.html``, and ``.pdf`` with a printer)."""
    path = Path(out_dir) / "handouts" / "support.html"
    _write(path, export_html(support_notebook()))
    if printer is None:
        return [path]
    return [path, printer.print(path, path.with_suffix(".pdf"))]


def content_notes_markdown(*, reading_time: bool = False) -> str:
    """The course map with each lesson's time and content note (published before the course);
    with ``reading_time``, also each lesson's measured reading time (:mod:`coursekit.timing`)."""
    if not reading_time:
        rows = "\n".join(
            f"| {lesson_heading(x)} | {x.minutes} min | {' '.join(x.content_note.split())} |"
            for x in lessons())
        return "| Lesson | Time | Content note |\n|---|---|---|\n" + rows
    from .timing import lesson_lengths

    lengths = lesson_lengths()
    rows = "\n".join(
        f"| {lesson_heading(x)} | {x.minutes} min | about {lengths[x.id].reading_minutes} min | "
        f"{' '.join(x.content_note.split())} |" for x in lessons())
    speed = next(iter(lengths.values())).words_per_minute if lengths else 200
    return ("| Lesson | Time | Reading time | Content note |\n|---|---|---|---|\n" + rows
            + f"\n\n*Reading time*: the words of each lesson's guide and reading at {speed} "
            "words a minute; the rest of the time is for reflections and self-checks.")


def agreements_markdown() -> str:
    return "\n".join(f"{i}. **{a['title']}.** {a['text']}" for i, a in enumerate(agreements(), 1))


def content_notes_notebook() -> nbformat.NotebookNode:
    """The page a facilitator sends to every participant before the course starts."""
    course = course_info()
    intro = (
        f"# Content notes · {course.get('title', '')}\n\n"
        "Please read this before the course starts. It lists what each lesson covers, so "
        "you can decide what to take part in, prepare, or skip. You may opt out of any "
        "lesson, discussion or reflection without explaining why.\n\n"
        f"**Education, not therapy.** {' '.join(str(course.get('scope_statement', '')).split())}"
    )
    return _notebook(
        "Content notes",
        [_md(intro), _md("## Course map\n\n" + content_notes_markdown(reading_time=True)),
         _md("## Group agreements (draft)\n\n" + agreements_markdown()),
         _md(support_markdown())],
        footer=f"{course.get('title', '')} · content notes",
    )


def _notes_md(title: str, notes, first: str, second: str) -> str:
    return f"#### {title}\n\n" + "\n".join(
        f"- **{first}** {n.prompt}\n  **{second}** {n.response}" for n in notes)


def _when(start: time | None) -> str:
    if start is None:
        return ("Times are hours:minutes from the start of the session; build with "
                "`--start HH:MM` (e.g. `coursekit handouts build --start 18:30`) to print "
                "clock times.")
    return f"Times assume the session starts at {start:%H:%M}."


def runsheet_notebook(session: Session, start: time | None = None) -> nbformat.NotebookNode:
    """The facilitator's printable plan for one session: timetable, prompts and notes.

    The timetable gives clock times from ``start`` (or, without it, time since the start)."""
    fmt = session.format
    all_info = {x.id: x for x in lessons()}
    titles = "; ".join(lesson_heading(all_info[lid]) for lid in session.lessons if lid in all_info)
    cells = [_md(
        f"# Run sheet · {fmt.title}, session {session.number} of {fmt.sessions}\n\n"
        f"**Lessons:** {titles}.\n\n**Length:** {fmt.session_minutes} minutes"
        + (f", {clock_label(0, start)} to {clock_label(fmt.session_minutes, start)}"
           if start else "") + f". {fmt.summary}"
    )]
    before = [
        "Send the content notes page (content-notes.pdf) and the support list to everyone "
        "at least a week before session 1.",
        "Edit assets/support.yml for your region, run `make sync`, then rebuild "
        "the handouts (`make handouts`).",
        "Print one handout per lesson per participant and the support page (support.pdf) "
        "for session 1, and keep this run sheet with you.",
        "Know where the nearest quiet room is, and who you would call in an emergency.",
    ]
    before += [n for p in session.plans for n in p.slot(fmt.id).notes]
    cells.append(_md("## Before the session\n\n" + _bullets(before)))
    rows = "\n".join(
        f"| {begin}–{end} | {seg.minutes} | {seg.name} | {seg.kind} | {seg.lesson} |"
        for begin, end, seg in session.schedule(start))
    cells.append(_md(f"## Timetable\n\n{_when(start)}\n\n"
                     "| Time | Minutes | Segment | Kind | Lesson |\n"
                     "|---|---|---|---|---|\n" + rows))
    cells.append(_md(f"## Opening check-in\n\n{session.check_in}"))
    for p in session.plans:
        info = all_info.get(p.lesson)
        heading = lesson_heading(info) if info else f"Lesson {p.lesson}"
        slot = p.slot(fmt.id)
        activities = "\n".join(f"- **{a.name}.** {a.instructions}" for a in p.activities)
        cells.append(_md(
            f"## Lesson {heading}\n\n"
            + (f"> **Content note.** {info.content_note}\n\n" if info else "")
            + "### Objectives\n\n" + _bullets(p.objectives) + "\n\n"
            "### Teaching points\n\n" + _bullets(p.teaching_points) + "\n\n"
            "### Discussion prompts\n\n**In pairs**\n\n" + _bullets(p.pairs)
            + "\n\n**In small groups**\n\n" + _bullets(p.small_groups) + "\n\n"
            "### Activities\n\n" + activities + "\n\n"
            "### Comprehension check\n\n" + (slot.comprehension_check or p.comprehension_check)
        ))
        cells.append(_md(
            "### Facilitator notes\n\n"
            + _notes_md("Likely questions", p.likely_questions, "Q:", "A:") + "\n\n"
            + _notes_md("Common misconceptions", p.misconceptions, "Belief:", "Correction:")
            + "\n\n"
            + _notes_md("Sensitive moments", p.sensitive_moments, "If:", "Then:")
        ))
    g = session.grounding
    cells.append(_md(f"## Closing grounding: {g.name}\n\n"
                     + "\n".join(f"{i}. {s}" for i, s in enumerate(g.steps, 1))))
    cells.append(_md(
        "## If someone discloses abuse or is in crisis\n\n"
        "Follow facilitator/safety-protocol.md. In short: if anyone is in immediate danger, "
        "call the emergency number first. For a disclosure: listen, believe them, be clear "
        "about the limits of confidentiality, and point to the specialist services below. "
        "You are a facilitator, not a counsellor: you do not need to solve it, only to "
        "respond safely and connect the person with help."
    ))
    cells.append(_md(support_markdown()))
    course = course_info()
    return _notebook(f"Run sheet: {fmt.id} session {session.number}", cells,
                     footer=f"{course.get('title', '')} · facilitator's run sheet · "
                            f"{fmt.id} session {session.number}")


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


# -- exporting ------------------------------------------------------------------------


def export_html(nb: nbformat.NotebookNode, template: str = "handout") -> str:
    """HTML from one of the kit's nbconvert templates (``handout`` by default)."""
    folder = templates_dir()
    if not (folder / template / "index.html.j2").exists():
        raise HandoutBuildError(f"the nbconvert template {folder / template} is missing; "
                                "restore facilitator/templates/ from git")
    body, _ = _html_exporter(template, str(folder)).from_notebook_node(nb)
    return body


@lru_cache(maxsize=4)
def _html_exporter(template: str, folder: str):
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name=template, extra_template_basedirs=[folder])


def export_slides(nb: nbformat.NotebookNode, reveal_prefix: str | None = None) -> str:
    """A reveal.js deck (nbconvert's SlidesExporter with the kit's ``slides`` template)."""
    from nbconvert import SlidesExporter

    exporter = SlidesExporter(
        template_name="slides",
        extra_template_basedirs=[str(templates_dir())],
        reveal_url_prefix=reveal_prefix or default_reveal_prefix(),
        reveal_theme="white",
        reveal_transition="none",
    )
    body, _ = exporter.from_notebook_node(nb)
    return body


def local_reveal() -> Path | None:
    """The kit's own reveal.js (``node_modules/reveal.js``, installed by ``npm ci``), if any."""
    folder = config.kit_root() / "node_modules" / "reveal.js"
    return folder if (folder / "dist" / "reveal.js").exists() else None


def default_reveal_prefix() -> str:
    """``COURSEKIT_REVEAL_PREFIX`` if set, else the kit's local reveal.js (copied next to
    the decks, so they work offline), else nbconvert's CDN copy of reveal.js."""
    explicit = os.environ.get(REVEAL_PREFIX_ENV, "").strip()
    if explicit:
        return explicit
    local = local_reveal()
    return str(local) if local else DEFAULT_REVEAL_PREFIX


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


# -- the build -------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildStep:
    """One unit of work for the progress bar: what it builds and the files it writes."""

    label: str
    outputs: tuple[Path, ...]
    run: Callable[[], None]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _vendor_reveal(prefix: str, slides_dir: Path) -> str:
    """A local reveal.js folder is copied next to the decks and used by relative path."""
    source = Path(prefix).expanduser()
    if "://" in prefix or not source.is_dir():
        return prefix
    if not (source / "dist" / "reveal.js").exists():
        raise HandoutBuildError(f"{source} holds no dist/reveal.js; point the reveal prefix at "
                                "an unpacked reveal.js package (e.g. node_modules/reveal.js)")
    target = slides_dir / "reveal.js"
    if source.resolve() != target.resolve():
        shutil.rmtree(target, ignore_errors=True)
        # What a deck loads: the built engine, its theme and the speaker-notes plugin.
        for part in ("dist", "plugin"):
            if (source / part).is_dir():
                shutil.copytree(source / part, target / part,
                                ignore=shutil.ignore_patterns("node_modules", "*.map"))
        for name in ("LICENSE", "package.json"):
            if (source / name).is_file():
                shutil.copy2(source / name, target / name)
    return "reveal.js"


def build_steps(out_dir: Path, *, printer: PdfPrinter | None = None,
                reveal_prefix: str | None = None, start: time | None = None) -> list[BuildStep]:
    """Every handout, run sheet and slide deck to build, as steps (HTML then PDF).

    Layout: ``handouts/NN-slug.{html,pdf}``, ``handouts/content-notes.{html,pdf}`` and
    ``handouts/support.{html,pdf}``;
    ``runsheets/<format>-session-N.{html,pdf}``; ``slides/<format>-session-N.slides.html``.
    """
    out_dir = Path(out_dir)
    steps: list[BuildStep] = []

    def add(label: str, html_path: Path, make_nb: Callable[[], nbformat.NotebookNode],
            template: str = "handout") -> None:
        def run() -> None:
            _write(html_path, export_html(make_nb(), template))
            if printer is not None:
                printer.print(html_path, html_path.with_suffix(".pdf"))

        outs = (html_path, html_path.with_suffix(".pdf")) if printer else (html_path,)
        steps.append(BuildStep(label, outs, run))

    handouts = out_dir / "handouts"
    add("content notes", handouts / "content-notes.html", content_notes_notebook)
    add("support list", handouts / "support.html", support_notebook)
    for info in lessons():
        add(f"handout {info.id}", handouts / f"{info.id}-{info.slug}.html",
            lambda info=info: handout_notebook(info))
    slides_dir = out_dir / "slides"
    prefix = reveal_prefix or default_reveal_prefix()
    for fmt in formats():
        for session in sessions(fmt.id):
            add(f"run sheet {session.name}", out_dir / "runsheets" / f"{session.name}.html",
                lambda s=session: runsheet_notebook(s, start))

            def deck(s=session) -> None:
                used = _vendor_reveal(prefix, slides_dir)
                _write(slides_dir / f"{s.name}.slides.html", export_slides(slides_notebook(s, start),
                                                                   used))

            steps.append(BuildStep(f"slides {session.name}",
                                   (slides_dir / f"{session.name}.slides.html",), deck))
    return steps


def build(out_dir: Path, *, pdf: bool = True, reveal_prefix: str | None = None,
          chromium: str | None = None, start: time | None = None,
          on_step: Callable[[BuildStep], None] | None = None) -> list[Path]:
    """Build everything into ``out_dir``; return the files written."""
    written: list[Path] = []
    with contextlib.ExitStack() as stack:
        printer = stack.enter_context(PdfPrinter(chromium)) if pdf else None
        for step in build_steps(out_dir, printer=printer, reveal_prefix=reveal_prefix,
                                start=start):
            step.run()
            written.extend(step.outputs)
            if on_step:
                on_step(step)
    return written


# -- the generated parts of the safety protocol ---------------------------------------


def protocol_blocks() -> dict[str, str]:
    """The parts of ``facilitator/safety-protocol.md`` rendered from data files."""
    return {"content-notes": content_notes_markdown(), "agreements": agreements_markdown()}


def sync_protocol(path: Path | None = None, *, check: bool = False) -> bool:
    """Refresh the generated blocks of the safety protocol; return True if it changed."""
    path = path or protocol_path()
    text = path.read_text(encoding="utf-8")
    new = text
    for name, body in protocol_blocks().items():
        start, end = GENERATED_START.format(name=name), GENERATED_END.format(name=name)
        if start not in new or end not in new:
            raise ContentError(f"{path} lacks the markers for the generated block {name!r}; "
                               f"put these two lines where it belongs:\n{start}\n{end}")
        head, rest = new.split(start, 1)
        _, tail = rest.split(end, 1)
        new = f"{head}{start}\n{body}\n{end}{tail}"
    if new != text and not check:
        path.write_text(new, encoding="utf-8")
    return new != text

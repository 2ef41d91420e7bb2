"""The pieces every printed document shares: Markdown cells, headings, the support
section, glossary terms and group agreements, rendered from the kit's data files."""

from __future__ import annotations

from pathlib import Path

import nbformat
import yaml

from .. import config, yamlio
from ..course import LessonInfo, course_info, lessons, support_resources
from ..errors import ContentError, SessionPlanError
from ..sessions import plans, sessions_dir


def templates_dir() -> Path:
    """The kit's nbconvert templates: ``facilitator/templates/`` (``handout/``, ``slides/``)."""
    return config.kit_root() / "facilitator" / "templates"


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
    from ..readings import catalogue

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


#: The cell tag that keeps a printed section on one page (handout.css: .celltag_keep-together).
KEEP_TOGETHER = "keep-together"


def _md(source: str, *, tags: tuple[str, ...] = (), **slideshow) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(source.strip())
    if tags:
        cell.metadata["tags"] = list(tags)
    if slideshow:
        cell.metadata["slideshow"] = slideshow
    return cell


def _notebook(title: str, cells: list, footer: str = "", page_class: str = ""
              ) -> nbformat.NotebookNode:
    """A printable document; ``page_class`` is added to its ``<body>`` (handout.css styles
    ``coursekit-one-page``: a page sold as one page, set compactly)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["title"] = title
    nb.metadata["coursekit"] = {"footer": footer, "page_class": page_class}
    nb.cells = [c for c in cells if c.source]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


def content_notes_markdown(*, reading_time: bool = False) -> str:
    """The course map with each lesson's time and content note (published before the course);
    with ``reading_time``, also each lesson's measured reading time (:mod:`coursekit.timing`)."""
    if not reading_time:
        rows = "\n".join(
            f"| {lesson_heading(x)} | {x.minutes} min | {' '.join(x.content_note.split())} |"
            for x in lessons())
        return "| Lesson | Time | Content note |\n|---|---|---|\n" + rows
    from ..timing import lesson_lengths

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

"""Lesson notebooks: the shared cells every lesson carries, and the content linter.

Shared cells (header with content note, setup, key points, support panel,
navigation) are rendered from ``assets/lessons/NN.yml``, ``assets/support.yml``
and the templates in ``assets/templates/`` and marked in their metadata as
``{"coursekit": {"generated": "<name>"}}``. :func:`sync` rewrites them; nobody
types them by hand. :func:`lint` checks every lesson has the fixed shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import config, evidence
from .course import LessonInfo, course_info, lessons, support_resources

NB_NAME = re.compile(r"^(\d\d)-[a-z0-9]+(?:-[a-z0-9]+)*\.ipynb$")
MAX_CODE_LINES = 3
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")

#: The fixed lesson shape: (part, the heading that opens it), in order.
PARTS = (
    ("title", re.compile(r"^# \S")),
    ("questions", re.compile(r"^## Questions\s*$")),
    ("objectives", re.compile(r"^## Objectives\s*$")),
    ("time", re.compile(r"^## Time\s*$")),
    ("content note", re.compile(r"^## Content note\s*$")),
    ("reading guide", re.compile(r"^## Reading guide\s*$")),
    ("reflections", re.compile(r"^## Reflections\s*$")),
    ("self-check", re.compile(r"^## Self-check\s*$")),
    ("key points", re.compile(r"^## Key points\s*$")),
    ("support", re.compile(r"^## Support\s*$")),
    ("next", re.compile(r"^## Next\s*$")),
)

#: Sections a reading guide must have when the lesson presents a reading.
READING_GUIDE_SECTIONS = (
    "### About this reading",
    "### Summary",
    "### The argument, step by step",
    "### Key terms",
    "### Evidence and its kind",
    "### What it leaves out",
)

HEAD = ("header", "setup")
FOOT = ("key-points", "support", "next")
#: Shared cells a lesson may place anywhere in its body (regenerated where they stand).
INLINE = ("course-map", "evidence-scale", "comparisons", "journal-settings", "evidence-table")
#: The safety bar (Pause and Quick exit): sync puts one before every section heading
#: (``## ...``) of a lesson's body, so both are in reach from every section.
SECTION = "pause"
SECTION_HEADING = re.compile(r"^## +(.+?)\s*$", re.M)
#: Within a long section, sync also puts a bar before a ``### `` subheading once this many
#: words have passed since the last one, so Pause is never far away.
PAUSE_EVERY_WORDS = 800
SUBHEADING = re.compile(r"^### +(.+?)\s*$", re.M)


def _template(name: str):
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(config.assets_dir() / "templates")),
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template(name)


def generated_cells(info: LessonInfo) -> dict[str, nbformat.NotebookNode]:
    """The shared cells of one lesson, by name, rendered from the one source."""
    all_lessons = lessons()
    index = [x.id for x in all_lessons].index(info.id)
    context = {
        "lesson": info,
        "lessons": all_lessons,
        "previous": all_lessons[index - 1] if index > 0 else None,
        "next": all_lessons[index + 1] if index + 1 < len(all_lessons) else None,
        "course": course_info(),
        "support": support_resources(),
        "evidence": evidence.load(),
    }
    from .timing import lesson_lengths

    context["lengths"] = lesson_lengths()
    context["length"] = context["lengths"][info.id]
    context["words_per_minute"] = context["length"].words_per_minute
    from .timing import activity_minutes

    context["activity_minutes"] = activity_minutes()
    from .privacy import settings_table

    context["journal_settings"] = settings_table()  # the one source of privacy wording
    from .evidencetable import render_tables

    context["evidence_tables"] = render_tables(info.evidence)
    cells = {}
    names = list(HEAD + FOOT) + list(INLINE) + [SECTION]
    for name in names:
        text = _template(f"{name}.md.j2").render(**context).strip()
        code = name in ("setup", SECTION)
        if name == SECTION:
            text = standalone(text, info.id)  # a safety bar works run alone, like any widget cell
        make = nbformat.v4.new_code_cell if code else nbformat.v4.new_markdown_cell
        cell = make(text)
        cell.metadata["coursekit"] = {"generated": name}
        cells[name] = cell
    return cells


def _generated_name(cell) -> str | None:
    return (cell.get("metadata", {}).get("coursekit") or {}).get("generated")


def _clean(nb: nbformat.NotebookNode) -> None:
    """Strip outputs, execution counts and widget state: lessons are stored clean."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)


#: A body code cell's first line: it makes the cell work when run alone or out of order.
STANDALONE = 'from coursekit import Lesson; lesson = Lesson("{id}")'
_STANDALONE = re.compile(r'from coursekit import Lesson; lesson = Lesson\("[0-9]{2}"\)')
_LESSON_CALL = re.compile(r"lesson\.[a-z_]+\(.*\)")


def standalone(source: str, lesson_id: str) -> str:
    """A widget cell (``lesson.reflect("x")``) written so that it works on its own.

    Run before the setup cell, or alone after a kernel restart, ``lesson`` would be
    undefined; the first line defines it (the journal behind it is shared).
    Any other cell is returned unchanged.
    """
    lines = [ln.strip() for ln in source.splitlines() if ln.strip()]
    if lines and _STANDALONE.fullmatch(lines[0]):
        lines = lines[1:]
    if len(lines) == 1 and _LESSON_CALL.fullmatch(lines[0]):
        return STANDALONE.format(id=lesson_id) + "\n" + lines[0]
    return source


def _lock(cell: nbformat.NotebookNode) -> None:
    """No accidental edit or delete in JupyterLab (the kit's cells are not for editing)."""
    cell.metadata["editable"] = False
    cell.metadata["deletable"] = False


def synced(nb: nbformat.NotebookNode, info: LessonInfo) -> nbformat.NotebookNode:
    """A copy of ``nb`` with its shared cells (re)generated in their places.

    Body widget cells are written to work on their own (:func:`standalone`), and
    every cell is locked against accidental editing and deleting.
    """
    from .timing import count_words

    new = nbformat.from_dict(nb)
    fresh = generated_cells(info)
    body = []
    cells_in = [c for c in new.cells if _generated_name(c) not in HEAD + FOOT + (SECTION,)]

    def words_of(c) -> int:
        name = _generated_name(c)
        return count_words(fresh[name].source if name in INLINE else c.source) \
            if c.cell_type == "markdown" else 0

    def opens(c) -> bool:  # a heading a bar can go before (not inside a generated cell)
        return c.cell_type == "markdown" and not _generated_name(c) and bool(
            SUBHEADING.match(c.source)
                                                  or SECTION_HEADING.search(c.source))

    # words of the part each cell opens: it and the cells up to the next heading
    block = [0] * len(cells_in)
    for i in range(len(cells_in) - 1, -1, -1):
        following = block[i + 1] if i + 1 < len(cells_in) and not opens(cells_in[i + 1]) else 0
        block[i] = words_of(cells_in[i]) + following
    since = 0  # words read since the last safety bar
    for index, c in enumerate(cells_in):
        name = _generated_name(c)
        words = words_of(c)
        heading = SECTION_HEADING.search(c.source) if c.cell_type == "markdown" else None
        sub = SUBHEADING.match(c.source) if c.cell_type == "markdown" and not name else None
        if sub and body and since and since + block[index] > PAUSE_EVERY_WORDS:
            heading = sub  # a long section: a bar before this subheading too
        # The bar goes just before the section's heading (where the last section ends, and
        # never between a cell's last words and the code cell they introduce); the first
        # body cell needs none, the opening check-in right above it has Pause and Quick exit.
        if heading and not name and body:
            since = 0
            bar = nbformat.from_dict(fresh[SECTION])
            slug = re.sub(r"[^a-z0-9]+", "-", heading.group(1).lower()).strip("-")[:40]
            bar_id = f"coursekit-pause-{slug or 'section'}"
            taken = {b.get("id") for b in body}
            bar["id"] = next(f"{bar_id}-{n}" if n else bar_id for n in range(len(body) + 1)
                             if (f"{bar_id}-{n}" if n else bar_id) not in taken)
            body.append(bar)
        since += words
        body.append(fresh[name] if name in INLINE else c)
    for cell in body:
        if cell.cell_type == "code" and not _generated_name(cell):
            cell.source = standalone(cell.source, info.id)
    cells = [fresh[n] for n in HEAD] + body + [fresh[n] for n in FOOT]
    # Keep the ids of cells that existed, so a sync does not churn the diff.
    old_ids = {_generated_name(c): c.get("id") for c in nb.cells if _generated_name(c)}
    for cell in cells:
        name = _generated_name(cell)
        if name == SECTION:
            continue  # named after its section, above
        if name and old_ids.get(name):
            cell["id"] = old_ids[name]
        elif name:
            cell["id"] = f"coursekit-{name}"
    for cell in cells:
        _lock(cell)
    new.cells = cells
    new.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3",
                                           "language": "python"})
    new.metadata.setdefault("language_info", {"name": "python"})
    _clean(new)
    return new


def lesson_for(path: Path) -> LessonInfo:
    from .course import lesson

    match = NB_NAME.match(path.name)
    lesson_id = match.group(1) if match else path.name[:2]
    return lesson(lesson_id)


def write(nb: nbformat.NotebookNode, path: Path) -> None:
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


def sync(paths: list[Path] | None = None, *, check: bool = False) -> list[Path]:
    """Regenerate shared cells and the glossary page; return the files that changed."""
    from . import glossary, references

    changed = []
    if not paths:
        for module, page in ((glossary, "glossary.md"), (references, "references.md")):
            if not module.page_is_current():
                changed.append(config.assets_dir() / page)
                if not check:
                    module.write_page()
    # Lesson lengths count the generated cells, which show lengths: a second pass settles
    # them (numbers are not counted, so it never needs a third).
    for _pass in range(1 if check else 3):
        again = False
        for path in paths or sorted(config.lessons_dir().glob("[0-9][0-9]-*.ipynb")):
            before = path.read_text(encoding="utf-8")
            nb = nbformat.reads(before, as_version=4)
            after = nbformat.writes(synced(nb, lesson_for(path))) + "\n"
            if after != before:
                again = True
                if path not in changed:
                    changed.append(path)
                if not check:
                    path.write_text(after, encoding="utf-8")
        if not again:
            break
    return changed


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path.name}: {self.message}"


def _headings(nb) -> list[tuple[int, str]]:
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            found.append((i, line.rstrip()))
    return found


def lint_notebook(path: Path, info: LessonInfo | None = None) -> list[Problem]:
    """Every problem with one lesson notebook, each naming the lesson and the part."""
    problems: list[Problem] = []

    def bad(message: str) -> None:
        problems.append(Problem(path, message))

    if not NB_NAME.match(path.name):
        bad("the file name should be NN-title-words.ipynb (two digits, lowercase words, hyphens)")
    try:
        text = path.read_text(encoding="utf-8")
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # any reason the file is not a valid notebook
        bad(f"is not a valid notebook ({type(exc).__name__}: {str(exc)[:200]})")
        return problems
    for i, cell in enumerate(nb.cells, 1):
        if cell.cell_type == "code":
            if cell.get("outputs"):
                bad(f"cell {i} was saved with outputs; run `coursekit lessons sync` to clear them")
            if cell.get("execution_count") is not None:
                bad(f"cell {i} was saved with an execution count; run `coursekit lessons sync`")
            lines = [ln for ln in cell.source.splitlines() if ln.strip()]
            if len(lines) > MAX_CODE_LINES:
                bad(f"code cell {i} has {len(lines)} lines; lesson code stays at "
                    f"{MAX_CODE_LINES} or fewer (move the logic into src/coursekit)")
    if "widgets" in nb.metadata:
        bad("was saved with widget state in its metadata; run `coursekit lessons sync`")
    lines = _headings(nb)
    position = 0
    for part, pattern in PARTS:
        hit = next((k for k in range(position, len(lines)) if pattern.match(lines[k][1])), None)
        if hit is None:
            anywhere = any(pattern.match(line) for _, line in lines)
            where = "is out of order" if anywhere else "is missing"
            bad(f"the part {part!r} {where} (expected a heading matching {pattern.pattern!r})")
        else:
            position = hit + 1
    if info is None:
        try:
            info = lesson_for(path)
        except Exception as exc:
            bad(f"has no lesson metadata: {exc}")
            return problems
    if path.name != info.notebook_name:
        bad(f"should be named {info.notebook_name} to match assets/lessons/{info.id}.yml")
    if info.reading:
        text_lines = [line for _, line in lines]
        for section in READING_GUIDE_SECTIONS:
            if section not in text_lines:
                bad(f"the reading guide section {section!r} is missing")
    from . import glossary

    terms = glossary.load()
    for i, cell in enumerate(nb.cells, 1):
        for slug in glossary.broken_links(cell.source, terms):
            bad(f"cell {i} links to glossary entry {slug!r}, which assets/glossary.yml lacks")
        for alt, src in IMAGE.findall(cell.source) if cell.cell_type == "markdown" else ():
            if len(alt.strip()) < 15:
                bad(f"cell {i}: the image {src} needs alt text that describes it")
            if not src.startswith("http") and not (path.parent / src).resolve().exists():
                bad(f"cell {i}: the image {src} does not exist")
        if cell.cell_type == "markdown" and re.search(r"<img(?![^>]*\balt=\"[^\"]{15,})", cell.source):
            bad(f"cell {i}: an <img> tag needs alt text that describes it")
    names = [_generated_name(c) for c in nb.cells if _generated_name(c) in HEAD + FOOT]
    if names != list(HEAD + FOOT):
        bad(f"shared cells are {names}, expected {list(HEAD + FOOT)}; run `coursekit lessons sync`")
    elif nbformat.writes(synced(nb, info)) + "\n" != text:
        bad("shared cells differ from their source (assets/); run `coursekit lessons sync`")
    for gap in pause_gaps(nb):
        if gap > PAUSE_EVERY_WORDS * 1.1:
            bad(f"{gap} words pass without a safety bar (Pause) in reach; give the long part a "
                f"### subheading so sync can put one there (about every {PAUSE_EVERY_WORDS})")
    return problems


def pause_gaps(nb) -> list[int]:
    """Words of lesson text between one safety bar (or the setup cell) and the next."""
    from .timing import count_words

    gaps, since = [], 0
    for cell in nb.cells:
        name = _generated_name(cell)
        if name in (SECTION, "setup"):
            gaps.append(since)
            since = 0
        elif name not in HEAD + FOOT and cell.cell_type == "markdown":
            since += count_words(cell.source)
    return [*gaps, since]


def lint(paths: list[Path] | None = None) -> list[Problem]:
    """Lint every lesson; also check the lessons run 00, 01, 02, ... with none missing."""
    folder = config.lessons_dir()
    paths = paths or sorted(folder.glob("*.ipynb"))
    problems = []
    for path in paths:
        problems.extend(lint_notebook(path))
    ids = sorted(m.group(1) for p in paths if (m := NB_NAME.match(p.name)))
    expected = [f"{i:02d}" for i in range(len(ids))]
    if ids != expected:
        problems.append(Problem(folder, f"lessons are numbered {ids}; expected {expected}"))
    from . import glossary, references

    for module, page in ((glossary, "glossary"), (references, "references")):
        if not module.page_is_current():
            problems.append(Problem(config.assets_dir() / f"{page}.md",
                                    f"is out of date with {page}.yml; run `coursekit lessons sync`"))
    from .errors import QuestionBankError
    from .provenance import problems as provenance_problems

    problems += [Problem(config.assets_dir(), f"who says so: {message}")
                 for message in provenance_problems()]
    from .fairness import fairness_problems
    from .questionbank import questions_dir

    try:
        problems += [Problem(questions_dir(), f"question bank: {message}")
                     for message in fairness_problems()]
    except QuestionBankError as exc:
        problems.append(Problem(questions_dir(), str(exc)))
    declared = [x.id for x in lessons()]
    if ids and declared != ids:
        problems.append(Problem(folder, f"assets/lessons declares {declared} but lessons/ has "
                                        f"{ids}; add the missing notebook or metadata file"))
    return problems

"""Handouts, run sheets and slides: built from the kit's sources through nbconvert.

The whole build runs once per test session (module-scoped fixture, through the
``coursekit handouts build`` command); each test then checks what it wrote.
"""

from __future__ import annotations

import dataclasses
import html
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
import yaml
from click.testing import CliRunner

from coursekit import handouts, sessions
from coursekit.cli import main
from coursekit.course import lesson, lessons, support_resources
from coursekit.errors import ContentError, HandoutBuildError
from coursekit.sessions import clock_label, parse_start

from conftest import in_ci, require_npm_package

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = handouts.find_chromium()
# Outside CI a missing system part skips these with one line; in CI they run (and fail).
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not in_ci(),
    reason="Chromium (to print PDFs) is missing: apt-get install chromium")
needs_poppler = pytest.mark.skipif(
    (shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None) and not in_ci(),
    reason="poppler-utils (pdftoppm, pdftotext) is missing: apt-get install poppler-utils")


def _text(path: Path) -> str:
    """The visible text of an HTML file, roughly: tags dropped, entities decoded."""
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    # the decks need the kit's own reveal.js: the build refuses without it (no CDN)
    require_npm_package("reveal.js", "the slides' own copy of reveal.js", "dist/reveal.js")
    out = tmp_path_factory.mktemp("build")
    args = ["handouts", "build", "-o", str(out), "--start", "18:30"] + (
        [] if CHROMIUM else ["--no-pdf"])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output
    return out


def _handout(out: Path, info) -> Path:
    return out / "handouts" / f"{info.id}-{info.slug}.html"


@pytest.mark.slow
def test_every_lesson_has_a_handout_with_its_title_and_support(built):
    support = support_resources()
    for info in lessons():
        page = _handout(built, info)
        assert page.exists(), page
        text = _text(page)
        assert f"{info.id} · {info.title}" in text
        assert 'id="Support"' in page.read_text(encoding="utf-8")
        for resource in support["resources"]:
            assert resource["name"] in text
        assert " ".join(info.content_note.split()) in text
        for point in info.key_points:
            assert point in text
        plan = sessions.plan(info.id)
        for prompt in plan.discussion_questions:
            assert prompt in text


@pytest.mark.slow
def test_handouts_load_nothing_from_the_internet(built):
    for info in lessons():
        page = _handout(built, info).read_text(encoding="utf-8")
        assert "<script" not in page
        assert not re.search(r'<link[^>]+href="https?:', page)
        assert "@media print" in page and "@page" in page


@pytest.mark.slow
def test_content_notes_page_lists_every_lesson_and_its_note(built):
    from coursekit.timing import lesson_lengths

    text = _text(built / "handouts" / "content-notes.html")
    lengths = lesson_lengths()
    for info in lessons():
        assert info.title in text
        assert " ".join(info.content_note.split()) in text
        assert (f"{info.title} {info.minutes} min about {lengths[info.id].reading_minutes} min "
                in text), info.id
    assert "without explaining" in text
    assert support_resources()["resources"][0]["name"] in text


@pytest.mark.slow
def test_every_session_has_a_run_sheet_and_a_slide_deck(built):
    require_npm_package("reveal.js", "the slides' own copy of reveal.js", "dist/reveal.js")
    infos = {x.id: x for x in lessons()}
    for fmt in sessions.formats():
        for s in sessions.sessions(fmt.id):
            sheet = _text(built / "runsheets" / f"{s.name}.html")
            for seg in s.segments:
                assert seg.name in sheet
            assert s.grounding.name in sheet and s.check_in in sheet
            assert "If someone discloses abuse or is in crisis" in sheet
            deck_path = built / "slides" / f"{s.name}.slides.html"
            deck = deck_path.read_text(encoding="utf-8")
            deck_text = _text(deck_path)
            for lid in s.lessons:
                assert f"{lid} · {infos[lid].title}" in deck_text
            assert 'id="Support"' in deck
            assert support_resources()["resources"][0]["name"] in deck_text
            # reveal.js comes from the kit's own copy (npm), next to the decks: no CDN
            assert '"reveal.js/dist/reveal.js"' in deck and "unpkg.com" not in deck
            # clock times from --start 18:30, not minute offsets
            assert "18:30" in sheet and "18:30" in deck_text
            end = clock_label(fmt.session_minutes, parse_start("18:30"))
            assert f"18:30 to {end}" in sheet
            last_begin, last_end, last = s.schedule(parse_start("18:30"))[-1]
            assert f"{last_begin}–{last_end} {last.minutes} {last.name}" in sheet
            # teaching points are the facilitator's speaker notes, not slide text
            assert '<aside class="notes">' in deck
    assert (built / "slides" / "reveal.js" / "dist" / "reveal.js").exists()


@pytest.mark.slow
@needs_chromium
@needs_poppler
def test_handout_pdfs_have_the_title_and_a_page_that_is_not_blank(built, tmp_path):
    from PIL import Image, ImageStat

    for info in lessons():
        pdf = _handout(built, info).with_suffix(".pdf")
        assert pdf.read_bytes()[:5] == b"%PDF-"
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        flat = " ".join(text.split())
        assert info.title.split(":")[0].strip("“”") in flat, info.id
        assert "Support" in flat
        prefix = tmp_path / f"page-{info.id}"
        subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(pdf),
                        str(prefix)], check=True)
        (png,) = tmp_path.glob(f"page-{info.id}*.png")
        gray = Image.open(png).convert("L")
        assert ImageStat.Stat(gray).stddev[0] > 10, f"page 1 of {pdf.name} looks blank"
        dark = sum(gray.histogram()[:128]) / (gray.width * gray.height)
        assert dark > 0.005, f"page 1 of {pdf.name} has almost no ink"


@pytest.mark.slow
def test_the_general_examples_note_is_printed_once_on_the_support_handout(built):
    note = " ".join(support_resources()["region_note"].split())
    support = _text(built / "handouts" / "support.html")
    assert note in support
    for resource in support_resources()["resources"]:
        assert resource["name"] in support
    others = [_handout(built, info) for info in lessons()]
    others += [built / "handouts" / "content-notes.html"]
    others += sorted((built / "runsheets").glob("*.html"))
    others += sorted((built / "slides").glob("*.slides.html"))
    for path in others:
        assert note not in _text(path), path.name


@pytest.mark.slow
@needs_chromium
@needs_poppler
def test_run_sheets_have_page_numbers(built):
    for pdf in sorted((built / "runsheets").glob("*.pdf")):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        pages = text.count("\f") or 1
        assert pages > 1, pdf.name
        for n in range(1, pages + 1):
            assert f"Page {n} of {pages}" in text, (pdf.name, n)


@pytest.mark.slow
@needs_chromium
def test_run_sheets_and_content_notes_are_printed_too(built):
    pdfs = sorted((built / "runsheets").glob("*.pdf"))
    expected = sum(f.sessions for f in sessions.formats())
    assert len(pdfs) == expected
    assert (built / "handouts" / "content-notes.pdf").read_bytes()[:5] == b"%PDF-"
    assert (built / "handouts" / "support.pdf").read_bytes()[:5] == b"%PDF-"


def _page_texts(pdf: Path) -> list[str]:
    """The text of each page of ``pdf`` (pdftotext, one page at a time)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
            for n in range(1, count + 1)]


def _body_lines(page: str, footer_start: str) -> list[str]:
    """A page's lines less the running footer and the page number."""
    lines = []
    for line in page.splitlines():
        line = re.sub(r"Page \d+ of \d+", "", line).strip()
        if line and not line.startswith(footer_start):
            lines.append(line)
    return lines


@pytest.mark.slow
@needs_chromium
@needs_poppler
def test_every_printed_page_holds_body_text_not_just_a_footer_or_a_stray_paragraph(built):
    from coursekit.course import course_info

    footer_start = f"{course_info()['title']} ·"
    pdfs = sorted(built.rglob("*.pdf"))
    # every handout, content notes, support list and run sheet (and any card sheet)
    assert len(pdfs) >= len(lessons()) + 2 + sum(f.sessions for f in sessions.formats())
    thin, unfooted = [], []
    for pdf in pdfs:
        pages = _page_texts(pdf)
        for n, page in enumerate(pages, 1):
            body = _body_lines(page, footer_start)
            words = sum(len(line.split()) for line in body)
            # a page of its own for a footer, a heading or a four-line closing note is thin
            if len(body) < 5 or words < 30:
                thin.append(f"{pdf.relative_to(built)} page {n} of {len(pages)}: {body}")
        # the footer runs on every page (in the margin, never alone on a page)
        unfooted += [f"{pdf.name} page {n}" for n, page in enumerate(pages, 1)
                     if footer_start not in page]
    assert thin == []
    assert unfooted == []


@pytest.mark.slow
@needs_chromium
@needs_poppler
def test_the_support_list_fits_one_page_as_promised(built):
    pages = _page_texts(built / "handouts" / "support.pdf")
    assert len(pages) == 1
    for resource in support_resources()["resources"]:
        assert resource["name"].split(":")[0] in " ".join(pages[0].split())


@pytest.mark.slow
def test_sort_the_claims_has_a_card_sheet_with_six_claims_and_three_headings(built):
    plan = sessions.plan("01")
    (activity,) = [a for a in plan.activities if a.name == "Sort the claims"]
    assert activity.cards is not None and len(activity.cards.cards) == 6
    assert len(activity.cards.headings) == 3
    page = built / "handouts" / "cards-01-sort-the-claims.html"
    text = _text(page)
    for claim in activity.cards.cards:
        assert claim in text
    for heading in activity.cards.headings:
        assert heading in text
    assert page.read_text(encoding="utf-8").count('class="coursekit-card"') == 6
    # the run sheet of the session that runs it says what to print, and where it is
    sheet = _text(built / "runsheets" / "series-session-1.html")
    assert "cards-01-sort-the-claims.pdf" in sheet and "Materials:" in sheet
    if CHROMIUM:
        assert len(_page_texts(page.with_suffix(".pdf"))) == 1


@pytest.mark.slow
def test_every_activity_that_needs_things_lists_them_and_every_sheet_is_built(built):
    needs = re.compile(r"\b(cards?|sheets?|board|paper|handout|table|projector)\b", re.I)
    for plan in sessions.plans():
        for activity in plan.activities:
            if needs.search(activity.instructions):
                assert activity.materials, f"{plan.lesson}: {activity.name} lists no materials"
            for material in activity.materials:
                file = handouts.sheet_file(plan.lesson, material)
                if file:
                    assert (built / "handouts" / file).with_suffix(".html").exists(), file


@pytest.mark.slow
def test_jupyter_in_five_minutes_is_built_on_one_page_and_linked(built):
    page = built / "handouts" / "jupyter-in-five-minutes.html"
    text = _text(page)
    for words in ("make lab", "Run All", "Save", "Restart", "Not connected", "Browser edition",
                  "Windows"):
        assert words in text, words
    if CHROMIUM:
        assert len(_page_texts(page.with_suffix(".pdf"))) == 1
    readme = (ROOT / "facilitator" / "README.md").read_text(encoding="utf-8")
    assert "jupyter-in-five-minutes" in readme
    sheet = _text(built / "runsheets" / "series-session-1.html")
    assert "jupyter-in-five-minutes.pdf" in sheet  # session 1's tour of a lesson


# -- single documents, built in memory from a copy of the kit ---------------------------


@pytest.fixture
def kit_copy(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "kit"
    for name in ("assets", "facilitator"):
        shutil.copytree(ROOT / name, root / name)
    monkeypatch.setenv("COURSEKIT_ROOT", str(root))
    return root


def test_handout_and_slides_render_the_one_support_list(kit_copy):
    path = kit_copy / "assets" / "support.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["resources"].append({"name": "Riverside Test Helpline", "contact": "0000 111 222",
                              "when": "weekdays"})
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    page = handouts.export_html(handouts.handout_notebook(lesson("01")))
    assert "Riverside Test Helpline" in page and "0000 111 222" in page
    deck = handouts.export_slides(handouts.slides_notebook(sessions.sessions("series")[1]),
                                  reveal_prefix="reveal.js")
    assert "Riverside Test Helpline" in deck
    sheet = handouts.export_html(handouts.runsheet_notebook(sessions.sessions("workshop")[0]))
    assert "Riverside Test Helpline" in sheet


def test_an_edited_support_list_reaches_the_lessons_and_the_support_handout(kit_copy, tmp_path):
    """The facilitator's step (facilitator/README.md, step 2): edit assets/support.yml,
    run `make sync`, which runs `coursekit lessons sync` and `coursekit handouts support`."""
    shutil.copytree(ROOT / "lessons", kit_copy / "lessons")
    path = kit_copy / "assets" / "support.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["resources"].insert(1, {"name": "Riverside Crisis Line", "contact": "0800 555 0199",
                                 "when": "24 hours"})
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["lessons", "sync", "--check"]).exit_code != 0  # stale now
    done = runner.invoke(main, ["lessons", "sync"])
    assert done.exit_code == 0, done.output
    for notebook in sorted((kit_copy / "lessons").glob("[0-9][0-9]-*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        (cell,) = [c for c in nb.cells
                   if c.metadata.get("coursekit", {}).get("generated") == "support"]
        assert "**Riverside Crisis Line**: 0800 555 0199 (24 hours)" in cell.source, notebook
    out = tmp_path / "build"
    done = runner.invoke(main, ["handouts", "support", "-o", str(out), "--no-pdf"])
    assert done.exit_code == 0, done.output
    page = _text(out / "handouts" / "support.html")
    assert "Riverside Crisis Line : 0800 555 0199 (24 hours)" in page
    assert page.index("Emergency services") < page.index("Riverside Crisis Line")
    handout = handouts.export_html(handouts.handout_notebook(lesson("03")))
    assert "Riverside Crisis Line" in handout
    # `make sync` runs both commands
    sync = re.search(r"^sync:.*?(?=^\S)", (ROOT / "Makefile").read_text(), re.S | re.M).group(0)
    assert "coursekit lessons sync" in sync and "coursekit handouts support" in sync


def _add_local_services(kit: Path, count: int) -> None:
    """What step 2 of facilitator/README.md asks: the region's own services added."""
    path = kit / "assets" / "support.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for n in range(count):
        data["resources"].insert(3, {
            "name": f"Riverside Service {n + 1}",
            "contact": "0800 555 0199 (free from landlines and mobiles), or chat online at "
                       "the service's own website",
            "when": "weekdays 9:00 to 17:00"})
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.slow
@needs_chromium
@needs_poppler
def test_the_support_list_stays_on_one_page_with_two_local_services_added(kit_copy, tmp_path):
    """Two ordinary entries used to push the whole list to page 2, leaving page 1 with
    only the title (attack-21)."""
    _add_local_services(kit_copy, 2)
    done = CliRunner().invoke(main, ["handouts", "support", "-o", str(tmp_path), "--pdf"])
    assert done.exit_code == 0, done.output
    pages = _page_texts(tmp_path / "handouts" / "support.pdf")
    assert len(pages) == 1, pages
    assert "Riverside Service 2" in pages[0] and "Emergency services" in pages[0]
    assert "Warning" not in done.output


@pytest.mark.slow
@needs_chromium
@needs_poppler
def test_a_support_list_too_long_for_one_page_is_reported_with_what_to_do(kit_copy, tmp_path):
    _add_local_services(kit_copy, 6)
    done = CliRunner().invoke(main, ["handouts", "support", "-o", str(tmp_path), "--pdf"])
    assert done.exit_code == 0, done.output
    pdf = tmp_path / "handouts" / "support.pdf"
    count = len(_page_texts(pdf))
    assert count > 1
    assert f"Warning: {pdf} runs to {count} pages" in done.output, done.output
    assert "assets/support.yml" in done.output and "make sync" in done.output
    # the title never sits alone on the first page
    assert "Emergency services" in _page_texts(pdf)[0]


def test_handout_lists_glossary_terms_tagged_with_its_lesson(kit_copy):
    (kit_copy / "assets" / "glossary.yml").write_text(yaml.safe_dump({"terms": [
        {"slug": "trauma-bond", "term": "Trauma bond", "lessons": ["04"],
         "definition": "An attachment strengthened by cycles of harm and relief."},
        {"slug": "regression", "term": "Regression", "lessons": ["01", "04"],
         "definition": "A return to earlier, more childlike ways of feeling."},
    ]}), encoding="utf-8")
    four = handouts.export_html(handouts.handout_notebook(lesson("04")))
    assert "Trauma bond" in four and "cycles of harm and relief" in four
    assert "Regression" in four
    one = handouts.export_html(handouts.handout_notebook(lesson("01")))
    assert "Regression" in one and "Trauma bond" not in one
    assert 'id="Terms"' in one


def test_a_broken_glossary_is_an_error_naming_the_file(kit_copy):
    (kit_copy / "assets" / "glossary.yml").write_text("- term: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"glossary\.yml"):
        handouts.glossary_terms("01")


def test_empty_lists_render_as_nothing():
    info = dataclasses.replace(lesson("02"), questions=(), objectives=(), key_points=())
    nb = handouts.handout_notebook(info)
    text = "\n".join(c.source for c in nb.cells)
    assert "## Key ideas" not in text and "## Questions this lesson asks" not in text
    assert "## Support" in text and "## Discussion questions" in text
    full = dataclasses.replace(info, key_points=("A point written for this test.",))
    assert "## Key ideas\n\n- A point written for this test." in "\n".join(
        c.source for c in handouts.handout_notebook(full).cells)


def test_local_reveal_js_is_copied_next_to_the_decks(kit_copy, tmp_path):
    reveal = tmp_path / "reveal-src"
    (reveal / "dist").mkdir(parents=True)
    (reveal / "dist" / "reveal.js").write_text("/* stand-in */", encoding="utf-8")
    (reveal / "plugin" / "notes").mkdir(parents=True)
    (reveal / "plugin" / "notes" / "notes.js").write_text("/* stand-in */", encoding="utf-8")
    out = tmp_path / "out"
    for step in handouts.build_steps(out, printer=None, reveal_prefix=str(reveal)):
        if step.label == "slides series-session-2":
            step.run()
    deck = (out / "slides" / "series-session-2.slides.html").read_text(encoding="utf-8")
    assert '"reveal.js/dist/reveal.js"' in deck and "unpkg.com" not in deck
    assert (out / "slides" / "reveal.js" / "dist" / "reveal.js").exists()


def test_a_folder_without_reveal_js_is_refused(tmp_path):
    with pytest.raises(HandoutBuildError, match=r"dist/reveal\.js"):
        handouts._vendor_reveal(str(tmp_path), tmp_path / "slides")


def test_safety_protocol_shows_the_current_content_notes_and_agreements():
    assert handouts.sync_protocol(check=True) is False, (
        "facilitator/safety-protocol.md is stale; run `coursekit handouts protocol`")
    text = handouts.protocol_path().read_text(encoding="utf-8")
    for info in lessons():
        assert " ".join(info.content_note.split()) in text


def test_protocol_sync_rewrites_only_the_generated_blocks(kit_copy):
    path = kit_copy / "facilitator" / "safety-protocol.md"
    before = path.read_text(encoding="utf-8")
    lesson_file = kit_copy / "assets" / "lessons" / "02.yml"
    data = yaml.safe_load(lesson_file.read_text(encoding="utf-8"))
    data["content_note"] = "A content note written for this test."
    lesson_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert handouts.sync_protocol(path, check=True) is True
    assert path.read_text(encoding="utf-8") == before  # --check writes nothing
    assert handouts.sync_protocol(path) is True
    after = path.read_text(encoding="utf-8")
    assert "A content note written for this test." in after
    assert after.split("<!-- coursekit:generated")[0] == before.split("<!-- coursekit:generated")[0]
    assert handouts.sync_protocol(path) is False


def test_build_without_chromium_says_how_to_fix(monkeypatch, tmp_path):
    monkeypatch.setenv(handouts.CHROMIUM_ENV, str(tmp_path / "no-such-browser"))
    result = CliRunner().invoke(main, ["handouts", "build", "-o", str(tmp_path / "b")])
    assert result.exit_code != 0
    assert "apt-get install chromium" in result.output and "--no-pdf" in result.output


def test_a_long_session_shows_one_agenda_row_per_lesson_and_break():
    infos = {x.id: x for x in lessons()}
    workshop = sessions.sessions("workshop")[0]
    rows = handouts._agenda(workshop, infos)
    assert [start for start, _ in rows] == sorted(start for start, _ in rows)
    assert len(rows) == len(workshop.lessons) + sum(
        1 for seg in workshop.segments if seg.kind == "break")
    assert rows[0] == (0, f"00 · {infos['00'].title}")
    series = sessions.sessions("series")[1]
    assert [name for _, name in handouts._agenda(series, infos)] == [
        seg.name for seg in series.segments]


@pytest.mark.slow
@needs_chromium
def test_pdf_printing_works_without_playwright_too(tmp_path, monkeypatch):
    """Without the playwright package, each file is printed by its own chromium run."""
    page = tmp_path / "page.html"
    page.write_text(handouts.export_html(handouts.handout_notebook(lesson("00"))),
                    encoding="utf-8")
    monkeypatch.setattr(handouts.PdfPrinter, "_page_or_none", lambda self: None)
    pdf = handouts.print_pdf(page, tmp_path / "page.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5000


# -- slides that fit their frame ----------------------------------------------------------


def _items(n: int, words: int = 30) -> str:
    return "\n".join(f"- Item {i} " + " ".join(["word"] * words) for i in range(1, n + 1))


def test_a_short_slide_is_left_whole():
    source = "## In pairs\n\n- One question?\n- Another question?"
    assert handouts.split_slide(source) == [source]


def test_a_long_list_is_split_between_items_under_a_continued_heading():
    source = "## Key ideas\n\nA short opening line.\n\n" + _items(12)
    parts = handouts.split_slide(source)
    assert len(parts) >= 2
    assert parts[0].startswith("## Key ideas\n\nA short opening line.\n\n- Item 1 ")
    for part in parts[1:]:
        assert part.startswith("## Key ideas (continued)\n\n- Item ")
    for part in parts:
        blocks = handouts._blocks(part)
        assert sum(handouts.block_height(b) for b in blocks) <= handouts.SLIDE_BUDGET
        # items stay in one tight list (no blank line between them), each item whole
        body = part.split("\n\n", 1)[1] if part.startswith("## Key ideas (") else part
        assert "\n\n- " not in body.split("A short opening line.")[-1].strip()
    items = [line for part in parts for line in part.splitlines() if line.startswith("- ")]
    assert items == _items(12).splitlines()


def test_tables_repeat_their_header_and_numbered_lists_keep_counting():
    rows = "\n".join(f"| {i}:00 | " + " ".join(["segment"] * 8) + " |" for i in range(24))
    parts = handouts.split_slide("## Plan for today\n\n| Time | What |\n|---|---|\n" + rows)
    assert len(parts) >= 2
    for part in parts:
        assert "| Time | What |\n|---|---|\n| " in part
    steps = "\n".join(f"{i}. Step {i} " + " ".join(["breathe"] * 30) for i in range(1, 11))
    parts = handouts.split_slide("## Closing\n\n" + steps)
    assert len(parts) >= 2
    first_items = [p.split("\n\n", 1)[1].split(".", 1)[0] for p in parts]
    assert first_items[0] == "1" and int(first_items[1]) > 1


def test_a_session_deck_has_every_slide_within_the_estimate():
    nb = handouts.slides_notebook(sessions.sessions("workshop")[0])
    support = [c.source for c in nb.cells if c.source.startswith("## Support")]
    assert len(support) >= 2 and support[1].startswith("## Support (continued)")
    for cell in nb.cells:
        if cell.metadata.get("slideshow", {}).get("slide_type") == "notes":
            continue
        blocks = handouts._blocks(cell.source)
        if len(blocks) > 2:
            assert sum(handouts.block_height(b) for b in blocks) <= handouts.SLIDE_BUDGET


def test_a_paragraph_too_tall_for_a_slide_is_cut_between_sentences():
    sentences = [f"Sentence {i} says something " + " ".join(["careful"] * 12) + "."
                 for i in range(1, 25)]
    note = "> **Content note.** " + " ".join(sentences)
    parts = handouts.split_slide("## Before we start\n\n" + note + "\n\nYou may pass.")
    assert len(parts) >= 3
    assert parts[1].startswith("## Before we start (continued)\n\n> ")
    for part in parts:
        assert sum(handouts.block_height(b) for b in handouts._blocks(part)) \
            <= handouts.SLIDE_BUDGET
    text = " ".join(p.replace("## Before we start (continued)", "").replace(
        "## Before we start", "").replace("> ", "") for p in parts)
    assert " ".join(text.split()) == " ".join(
        ("**Content note.** " + " ".join(sentences) + " You may pass.").split())

"""Every lesson, in a real JupyterLab in Debian's Chromium, as a learner uses it.

For each ``lessons/NN-*.ipynb`` (run on a temporary copy of the kit): open it, run all
cells, every widget renders; type into every free-text reflection and see "saved at";
answer a self-check wrong and then right and see the feedback; save with Ctrl+S and
find no reflection text in any file of the kit (the journal holds it); restart the
kernel, run again and see every text restored. A screenshot of the whole lesson is
kept under ``test-artifacts/screenshots/`` and must not be blank.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from secrets import token_hex

import pytest

from .conftest import lesson_paths
from .labdriver import NotebookPage, is_blank, lesson_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REFLECT = re.compile(r"""lesson\.reflect\(\s*["']([^"']+)["']""")
SELF_CHECK = "lesson.self_check("
SAVED = re.compile(r"saved at \d{1,2}:\d{2}")


def text_prompts(nb: NotebookPage, lesson_id: str) -> list[tuple[int, str]]:
    """(cell index, short prompt id) of every free-text reflection in the open notebook."""
    from coursekit.course import lesson

    info = lesson(lesson_id)
    found = []
    for i, source in enumerate(nb.cell_sources()):
        for short in REFLECT.findall(source):
            if info.prompt(short).kind == "text":
                found.append((i, short))
    return found


def kit_files_containing(root: Path, needles: list[str]) -> list[str]:
    """Every file under the kit copy whose bytes contain one of ``needles``."""
    hits = []
    encoded = [n.encode() for n in needles]
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if any(n in data for n in encoded):
                hits.append(str(path.relative_to(root)))
    return hits


def journal_latest(data_dir: Path, prompt_id: str) -> str | None:
    """The latest text the learner's journal holds for ``prompt_id`` (read-only)."""
    from coursekit.journal import Journal

    # The kit keeps its files in its own folder inside COURSEKIT_DATA_DIR.
    with Journal(data_dir / "coursekit" / "journal.db") as journal:
        entry = journal.latest(prompt_id)
    return None if entry is None else entry.text


def check_self_check(nb: NotebookPage, lesson_id: str) -> None:
    """Go to the first single-choice question, answer it wrong, then right; see each feedback."""
    from coursekit.questionbank import load_bank

    question = next((q for q in load_bank(lesson_id).questions if q.type == "single"), None)
    assert question is not None, f"lesson {lesson_id}'s bank has no single-choice question"
    right = next(o for o in question.options if o.correct)
    wrong = next(o for o in question.options if not o.correct)
    cell = nb.cell(nb.cell_index(SELF_CHECK))
    # One question is shown at a time: move to this one with "Next question".
    shown = [q.key for q in load_bank(lesson_id).choice_questions]
    number = shown.index(question.key) + 1
    expect_text(cell.locator(".coursekit-selfcheck-position"), f"Question 1 of {len(shown)}")
    for _ in range(number - 1):
        cell.get_by_role("button", name="Next question").click()
    expect_text(cell.locator(".coursekit-selfcheck-position"),
                f"Question {number} of {len(shown)}")
    assert cell.locator(".coursekit-selfcheck-question").count() == 1
    block = cell.locator(".coursekit-selfcheck-question", has_text=question.prompt).first
    block.scroll_into_view_if_needed()
    feedback = block.get_by_role("status")

    block.get_by_role("radio", name=wrong.text, exact=True).check()
    block.get_by_role("button", name="Check answer").click()
    expect_text(feedback, "Not yet")
    expect_text(feedback, wrong.feedback)
    assert right.feedback not in feedback.inner_text()

    block.get_by_role("button", name="Try again").click()
    block.get_by_role("radio", name=right.text, exact=True).check()
    block.get_by_role("button", name="Check answer").click()
    expect_text(feedback, "Correct")
    expect_text(feedback, " ".join(question.explanation.split()[:8]))
    expect_text(cell.locator(".coursekit-selfcheck").first, f"Answered right: 1 of {len(shown)}")


def expect_text(locator, text: str, timeout: float = 15_000) -> None:
    """Wait until ``locator`` shows ``text`` (whitespace-normalised)."""
    from playwright.sync_api import expect

    expect(locator).to_contain_text(" ".join(text.split()), timeout=timeout)


@pytest.mark.parametrize("path", lesson_paths(), ids=lambda p: p.stem)
def test_lesson_in_jupyterlab(path, page, lab, screenshots_dir):
    lesson_id = path.name[:2]
    rel = f"lessons/{path.name}"
    nb = NotebookPage(page, lab, rel).open()

    # 1. Run all cells: no error, and every widget the kernel displayed has rendered.
    nb.run_all()
    assert nb.errors() == [], f"{rel}: cells raised errors"
    status = nb.wait_widgets_rendered()
    assert status["expected"] > 0, f"{rel}: the kernel displayed no widget at all"
    assert status["errors"] == [], f"{rel}: a widget failed to display: {status['errors']}"
    assert status["loading"] == 0, f"{rel}: widgets still loading: {status}"
    assert status["rendered"] == status["outputs"] == status["expected"], status

    # 2. A screenshot of the whole lesson, kept for people to look at; it is not blank.
    shot = lesson_screenshot(nb, screenshots_dir / f"{path.stem}.png")
    assert not is_blank(shot), f"{shot} is blank"

    # 3. Type into every free-text reflection; each says "saved at HH:MM".
    prompts = text_prompts(nb, lesson_id)
    from coursekit.course import lesson

    in_metadata = sum(p.kind == "text" for p in lesson(lesson_id).prompts)
    assert len(prompts) == in_metadata, (
        f"{rel}: {len(prompts)} free-text reflection cell(s), the metadata lists {in_metadata}")
    markers = {}
    for index, short in prompts:
        marker = f"ck-marker-{lesson_id}-{short}-{token_hex(6)} · ünïcode ✓ שלום"
        markers[(index, short)] = marker
        box = nb.cell(index).locator("textarea").first
        box.scroll_into_view_if_needed()
        box.fill(marker)
    for index, _short in prompts:
        # Saved by the debounce (a pause in typing), with no blur needed.
        nb.cell(index).get_by_role("status").filter(has_text=SAVED).first.wait_for(
            timeout=20_000)
    for (_index, short), marker in markers.items():
        assert journal_latest(lab.data_dir, f"{lesson_id}.{short}") == marker, (
            f"{rel}: the journal does not hold what was typed into {short}")

    # 4. The self-check: a wrong answer shows its feedback, then the right one.
    if any(SELF_CHECK in s for s in nb.cell_sources()):
        check_self_check(nb, lesson_id)

    # 5. Ctrl+S: the notebook on disk (and every other file of the kit) holds no reflection.
    nb.save()
    on_disk = (lab.kit / rel).read_text(encoding="utf-8")
    saved = json.loads(on_disk)
    assert "widgets" not in saved["metadata"], f"{rel}: widget state was saved"
    assert any(o.get("output_type") for c in saved["cells"] for o in c.get("outputs", [])), (
        f"{rel}: the save wrote no outputs at all, so it proves nothing")
    leaked = kit_files_containing(lab.kit, list(markers.values()))
    assert leaked == [], f"reflection text found in {leaked}"

    # 6. Restart the kernel, run again: every reflection shows the text from the journal.
    nb.restart_kernel()
    nb.clear_outputs()
    nb.run_all()
    assert nb.errors() == []
    status = nb.wait_widgets_rendered()
    assert status["errors"] == [] and status["rendered"] == status["expected"] > 0, status
    from playwright.sync_api import expect

    for (index, short), marker in markers.items():
        box = nb.cell(index).locator("textarea").first
        # The words arrive once the browser has answered the kernel's probe.
        expect(box, f"{rel}: {short} was not restored").to_have_value(marker, timeout=15_000)
        assert nb.cell(index).get_by_role("status").filter(has_text=SAVED).count() == 1


def test_save_hook_scrubs_what_a_browser_sends(lab):
    """The shipped server hook is active: widget state sent by any client is not written."""
    marker = f"ck-hook-{token_hex(6)}"
    nb = {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"widgets": {"application/vnd.jupyter.widget-state+json": {
            "state": {"abc": {"state": {"value": marker}}}, "version_major": 2,
            "version_minor": 0}}},
        "cells": [{"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": 1,
                   "source": "w", "outputs": [{
                       "output_type": "execute_result", "execution_count": 1, "metadata": {},
                       "data": {"application/vnd.jupyter.widget-view+json": {
                           "model_id": "abc", "version_major": 2, "version_minor": 0},
                           "text/plain": f"Textarea(value='{marker}')"}}]}],
    }
    lab.api("PUT", "/api/contents/hook-check.ipynb", {"type": "notebook", "content": nb})
    written = (lab.kit / "hook-check.ipynb").read_text(encoding="utf-8")
    assert marker not in written
    assert "widget-view+json" in written  # the output itself is kept, only its text is not


def test_blank_detector_can_fail(tmp_path):
    """``is_blank`` tells a one-colour image from one with content (so the check can fail)."""
    from PIL import Image, ImageDraw

    blank = tmp_path / "blank.png"
    Image.new("RGB", (400, 300), "white").save(blank)
    drawn = tmp_path / "drawn.png"
    image = Image.new("RGB", (400, 300), "white")
    ImageDraw.Draw(image).text((20, 20), "Start here\n" * 10, fill="black")
    image.save(drawn)
    assert is_blank(blank)
    assert not is_blank(drawn)

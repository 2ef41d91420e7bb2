"""A sort in a real JupyterLab: the model reasoning appears only once every claim is placed.

Lesson 05's evidence sort is driven as a learner would, with the drop-downs in Chromium;
the reasoning panel (a live region) must not be there after the first choices, must appear
after the last one, and must say where the learner's sort differs from the model.
"""

from __future__ import annotations

import pytest

from coursekit.course import lesson
from coursekit.widgets.sorter import categories

from .labdriver import NotebookPage

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_model_reasoning_shows_after_the_last_claim_is_sorted(page, lab):
    from playwright.sync_api import expect

    prompt = lesson("05").prompt("views.sort")
    cats = categories(prompt)
    nb = NotebookPage(page, lab, "lessons/05-synthesis.ipynb").open()
    nb.run_all()
    assert nb.errors() == []
    cell = nb.cell(nb.cell_index('lesson.reflect("views.sort")'))
    selects = cell.locator(".coursekit-sorter select")
    expect(selects).to_have_count(len(prompt.options["statements"]), timeout=30_000)
    reasoning = cell.locator(".coursekit-model-reasoning")
    for n in range(selects.count()):
        assert reasoning.count() == 0, "the model reasoning showed before every claim was sorted"
        selects.nth(n).scroll_into_view_if_needed()
        selects.nth(n).select_option(label="metaphor" if n == 0 else cats[0])
    expect(reasoning).to_be_visible(timeout=20_000)
    text = reasoning.inner_text()
    assert "A model reasoning" in text and "the same as yours" in text  # claim 1: metaphor
    assert f"you chose {cats[0]}" in text  # claims the model puts elsewhere
    assert reasoning.locator('[aria-live="polite"]').count() == 1

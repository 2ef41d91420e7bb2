"""Shared layout and style models, and the parts each widget builds only when needed."""

from __future__ import annotations

import ipywidgets as W
import pytest

from coursekit.widgets import BeliefTracker, JournalControls, LessonStart, RatingScale, Reflection
from coursekit.widgets._shared import SharedLayout, lean, own_layout, shared_layout, shared_style


def test_a_shared_layout_is_one_model_and_refuses_changes():
    a = shared_layout(width="auto")
    assert shared_layout(width="auto") is a and shared_layout() is not a
    assert isinstance(a, SharedLayout) and a.width == "auto"
    with pytest.raises(AttributeError, match="own layout"):
        a.display = "none"
    assert a.display is None
    own = own_layout(width="auto")
    own.display = "none"  # a widget's own layout changes freely
    assert own.display == "none" and a.display is None


def test_lean_widgets_share_layout_and_style_models():
    one = lean(W.Button, description="A", layout={"width": "auto"})
    two = lean(W.Button, description="B", layout={"width": "auto"})
    assert one.layout is two.layout and one.style is two.style is shared_style(W.Button)
    html = lean(W.HTML, value="x")
    assert html.style is shared_style(W.HTML) and html.style is not one.style
    mine = lean(W.HTML, layout=own_layout(display="none"))
    assert mine.layout is not html.layout and mine.style is html.style


def test_closed_shared_models_are_made_again():
    layout, style = shared_layout(margin="1px"), shared_style(W.Button)
    layout.close()
    style.close()
    assert shared_layout(margin="1px") is not layout
    again = shared_style(W.Button)
    assert again is not style and again.comm is not None


def test_hidden_parts_are_built_on_first_use_only(journal, info, text_prompt):
    r = Reflection(text_prompt, journal=journal, delay=60)
    assert (r._history, r._unskip, r._retry, r._notice) == (None, None, None, None)
    r.type("words")
    r.blur()
    assert r._retry is None and r._notice is None  # a good save shows neither
    r.skip()
    assert r._unskip is not None and r.unskip_button.layout.display == ""
    assert r.unskip_button in r._button_row.children
    r.show_history()
    assert r.history in r.children and r.history.layout.display == ""

    start = LessonStart(info, journal=journal)
    assert (start._panel, start._close, start._offer) == (None, None, None)
    assert not start.paused
    start.pause()
    assert start.paused and start.panel in start.children
    assert start.close_button.layout.display == ""

    controls = JournalControls(journal=journal)
    assert controls._confirm_box is None
    controls.cancel_erase()  # nothing to hide yet: still works
    assert controls._confirm_box is None and controls.status_text == "nothing was erased"
    controls.request_erase(None)
    assert controls.confirm_box in controls.children

    beliefs = BeliefTracker(["a", "b"], phase="start", scope_key="01", lesson="01",
                            journal=journal)
    assert beliefs._plot is None and not beliefs.showing_plot
    beliefs.hide_plot()
    assert beliefs._plot is None


def test_retry_joins_the_button_row_when_a_save_fails(journal, info):
    w = RatingScale(info.prompt("pace"), journal=journal)
    assert w._retry is None
    conn = journal._open()
    conn.execute("PRAGMA query_only=ON")
    w.choose(2)
    assert w._retry is not None and w.retry_button in w._button_row.children
    assert w.retry_button.layout.display == "" and w.retry_button.layout is not \
        w.clear_button.layout
    conn.execute("PRAGMA query_only=OFF")
    w.retry()
    assert w.retry_button.layout.display == "none"


def test_widgets_that_hide_parts_keep_their_own_layouts(journal, info, text_prompt):
    r = Reflection(text_prompt, journal=journal, delay=60)
    toggled = [r.box, r.skip_button, r.unskip_button, r.history, r.retry_button]
    assert not any(isinstance(w.layout, SharedLayout) for w in toggled)
    r.skip()
    r.unskip()
    r.show_history()
    r.hide_history()
    assert r.box.layout.display == "" and r.history.layout.display == "none"


def test_progress_that_cannot_count_says_so_with_retry(journal, monkeypatch):
    from coursekit.errors import JournalUnavailable
    from coursekit.widgets import CourseProgress, progress

    def fail(_journal):
        raise JournalUnavailable("The journal is locked by another program; close it and retry.")

    monkeypatch.setattr(progress, "progress_counts", fail)
    p = CourseProgress(journal=journal)
    assert p.status_text.startswith("progress unavailable: ") and "locked" in p.status_text
    assert p.status in p.children and p.retry_button in p._button_row.children
    assert p.retry_button.layout.display == "" and p.lessons_bar.value == 0
    monkeypatch.undo()
    p.retry_button.click()
    assert p.counts["lessons"] > 0 and p.retry_button.layout.display == "none"
    assert p.status_text == "" and "You have opened" in p.words.value


def test_a_new_front_end_gets_fresh_shared_models(journal, info):
    """After a reload, no new widget names a model the old page made (the new page may
    still be fetching those: "widget model not found" and a stalled queue)."""
    from coursekit.widgets._shared import front_ends, new_front_end
    from coursekit.widgets._style import style_widget
    from coursekit.widgets.lesson_start import exit_widgets

    before = LessonStart(info, journal=journal)
    old_style = style_widget()
    old_models = {before.layout, before.feeling.layout, before.feeling.style, old_style,
                  *exit_widgets()}
    count = front_ends()
    new_front_end()
    assert front_ends() == count + 1
    after = LessonStart(info, journal=journal)
    new_models = {after.layout, after.feeling.layout, after.feeling.style, after.children[0],
                  *exit_widgets()}
    assert old_models.isdisjoint(new_models)
    # Within one front end the models are shared again, as before.
    assert LessonStart(info, journal=journal).feeling.layout is after.feeling.layout
    old_style.close()  # the old page's stylesheet model (other tests count the live ones)

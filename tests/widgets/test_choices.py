"""Rating scale, checklist and sorter: each change is saved and restored."""

from __future__ import annotations

import pytest

from coursekit.course import Prompt
from coursekit.errors import ContentError
from coursekit.journal import Journal
from coursekit.privacy import PLACEHOLDER
from coursekit.widgets import Checklist, RatingScale, Reflection, Sorter, widget_for_prompt


def test_dispatch_by_kind(journal, info, sort_prompt):
    kinds = {p.kind: type(widget_for_prompt(p, journal=journal)) for p in info.prompts}
    assert kinds == {"text": Reflection, "rating": RatingScale, "checklist": Checklist}
    assert isinstance(widget_for_prompt(sort_prompt, journal=journal), Sorter)
    with pytest.raises(ContentError, match="kind 'poem'"):
        widget_for_prompt(Prompt("01.x", "01", "poem", "?"), journal=journal)


def test_rating_has_labelled_ends_and_no_default(journal, info):
    prompt = info.prompt("pace")
    w = RatingScale(prompt, journal=journal)
    labels = [label for label, _v in w.scale.options]
    assert labels[0] == f"1 · {prompt.options['low']}" and labels[-1] == f"5 · {prompt.options['high']}"
    assert w.value is None and journal.latest_record("rating", prompt.id) is None
    w.choose(4)
    rec = journal.latest_record("rating", prompt.id)
    assert rec.data["value"] == 4 and rec.lesson == "00"
    assert RatingScale(prompt, journal=journal).value == 4  # restored
    w.clear()
    assert journal.latest_record("rating", prompt.id).data["value"] is None
    with pytest.raises(ValueError, match="1 to 5"):
        w.choose(9)


def test_checklist_saves_the_ticked_items(journal, info):
    prompt = info.prompt("care-plan")
    w = Checklist(prompt, journal=journal)
    assert [b.description for b in w.boxes] == prompt.options["items"]
    w.check(0)
    w.check("Talk to someone I trust")
    w.uncheck(0)
    rec = journal.latest_record("checklist", prompt.id)
    assert rec.data["checked"] == ["Talk to someone I trust"]
    assert len(journal.records("checklist")) == 3
    assert Checklist(prompt, journal=journal).checked == ["Talk to someone I trust"]
    with pytest.raises(ValueError, match="not an item"):
        w.check("something else")


def test_sorter_places_statements(journal, sort_prompt):
    w = Sorter(sort_prompt, journal=journal)
    assert all(c.value is None for c in w.choices)
    w.place(0, "research")
    w.place("A story from a friend", "anecdote")
    rec = journal.latest_record("sort", sort_prompt.id)
    assert rec.data["placement"] == {"A claim from a study": "research",
                                     "A story from a friend": "anecdote"}
    again = Sorter(sort_prompt, journal=journal)
    assert again.placement == rec.data["placement"]
    with pytest.raises(ValueError, match="not a category"):
        w.place(0, "gossip")
    with pytest.raises(ContentError, match="two categories"):
        Sorter(Prompt("01.s", "01", "sort", "?", {"statements": ["a"], "categories": ["x"]}),
               journal=journal)


def test_choice_widgets_survive_a_read_only_journal(journal, info):
    w = RatingScale(info.prompt("pace"), journal=journal)
    conn = journal._open()
    conn.execute("PRAGMA query_only=ON")  # SQLite refuses writes, as on a read-only file
    w.choose(2)
    assert w.error and "read-only" in w.status_text and w.value == 2
    assert w.retry_button.layout.display == ""
    assert journal.latest_record("rating", "00.pace") is None
    conn.execute("PRAGMA query_only=OFF")
    w.retry()
    assert journal.latest_record("rating", "00.pace").data["value"] == 2
    assert w.error is None and w.status_text.startswith("saved at")


def test_no_choice_widget_reprs_its_answer(journal, info, sort_prompt):
    for p in (*info.prompts, sort_prompt):
        w = widget_for_prompt(p, journal=journal)
        assert repr(w) == f"<coursekit {type(w).__name__} widget>"
        assert w._repr_mimebundle_()["text/plain"] == PLACEHOLDER


def test_restores_in_a_new_journal_object(data_dir, info):
    RatingScale(info.prompt("pace"), journal=Journal.open_default()).choose(3)
    assert RatingScale(info.prompt("pace"), journal=Journal.open_default()).value == 3

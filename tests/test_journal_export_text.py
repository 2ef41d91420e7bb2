"""What an export reads like: lessons and items in course order, every item named by its
question (never an id), self-checks in words, ratings as "statement — 4 of 5", and no
internal path. Both editions' exports and the command line use this text."""

from __future__ import annotations

import pytest

from coursekit import journaltext
from coursekit.course import lesson
from coursekit.journal import Journal
from coursekit.questionbank import load_bank


@pytest.fixture
def journal(data_dir):
    j = Journal(data_dir / "journal.db")
    yield j
    j.close()


def _both(journal) -> tuple[str, str]:
    return journal.export_markdown(), journal.export_html()


def test_items_follow_the_lesson_not_the_order_they_were_saved_in(journal):
    info = lesson("01")
    last, first = info.prompts[-1], info.prompts[0]  # both text prompts
    assert (first.kind, last.kind) == ("text", "text")
    journal.save(last.id, "written first", lesson="01", prompt=last.text)
    journal.record("selfcheck", f"01.{load_bank('01').questions[0].id}", lesson="01",
                   data={"answer": "a", "attempt": 1, "correct": True, "type": "single"})
    journal.save("00.hopes", "lesson zero, saved late", lesson="00", prompt="What do you hope?")
    journal.record("checkin", "01", lesson="01", data={
        "value": 4, "prompt": "How are you feeling right now?", "low": "very unsettled",
        "high": "calm and steady", "low_value": 1, "high_value": 5})
    journal.save(first.id, "written second", lesson="01", prompt=first.text)
    for text in _both(journal):
        order = [text.index(s) for s in ("lesson zero, saved late", "How are you feeling",
                                         "written second", "written first", "Self-check:")]
        assert order == sorted(order), text


def test_a_self_check_shows_the_question_the_answer_chosen_and_whether_it_was_right(journal):
    q = load_bank("01").questions[0]
    wrong = next(o for o in q.options if not o.correct)
    journal.record("selfcheck", q.key, lesson="01",
                   data={"answer": wrong.id, "attempt": 2, "correct": False, "type": q.type})
    md, page = _both(journal)
    assert f"### Self-check: {q.prompt}" in md
    assert f"- Your answer: {wrong.text}" in md and "- Not right yet." in md
    assert "- Attempts: 2" in md
    assert "answer: " + wrong.id not in md and "correct: False" not in md
    assert q.key not in md and q.key not in page
    assert journaltext.esc(wrong.text) in page


def test_true_false_and_multiple_answers_read_as_words(journal):
    q = next(q for b in ("00", "01", "02", "03", "04", "05") for q in load_bank(b).questions
             if q.type == "multiple")
    ids = [o.id for o in q.options[:2]]
    journal.record("selfcheck", q.key, lesson=q.lesson,
                   data={"answer": ids, "attempt": 1, "correct": True, "type": "multiple"})
    md = journal.export_markdown()
    assert f"- Your answer: {q.options[0].text}; {q.options[1].text}" in md and "- Right." in md


def test_beliefs_and_ratings_read_statement_dash_rating_of_scale(journal):
    statement = "Leaving the relationship can be harmful."
    journal.record("belief", "course.start", lesson="00", data={
        "phase": "start", "scope": "course", "title": "Start of the course",
        "ratings": {statement: 5, "Another view.": None, "A third.": 3}})
    journal.record("rating", "00.pace", lesson="00", data={
        "prompt": "How is the pace?", "value": 2, "low": "too slow", "high": "too fast",
        "low_value": 1, "high_value": 7})
    md, page = _both(journal)
    assert f"- {statement} — 5 of 5 (strongly agree)" in md
    assert "- Another view. — not rated" in md and "- A third. — 3 of 5" in md
    assert "harmful.: 5" not in md and "harmful.: 5" not in page
    assert "### Rating: How is the pace?" in md and "- 2 of 7" in md
    assert f"{statement} — 5 of 5 (strongly agree)" in page


def test_the_header_names_no_internal_path_and_items_carry_no_ids(journal):
    journal.save("00.hopes", "mine", lesson="00", prompt="What do you hope?")
    journal.save("00.hopes", "mine, again", lesson="00", prompt="What do you hope?")
    for text in _both(journal):
        assert str(journal.path) not in text and str(journal.path.parent) not in text
        assert "00.hopes" not in text
        assert "version 2" in text and "Exported " in text


def test_the_belief_scale_words_are_the_widgets_own():
    from coursekit.widgets import beliefs

    assert (beliefs.LOW, beliefs.HIGH) == journaltext.BELIEF_ENDS

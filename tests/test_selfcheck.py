"""The self-check widget: feedback, retry, shuffle, journal records, no answer leaks."""

from __future__ import annotations

import html
import json

import pytest

from coursekit.questionbank import load_bank
from coursekit.selfcheck import QuestionCheck, SelfCheck


class FakeJournal:
    """The two journal methods the self-check uses (the real Journal is tested elsewhere)."""

    def __init__(self):
        self.rows = []

    def record(self, kind, key, *, lesson, data):
        json.dumps(data)  # the real journal stores JSON
        self.rows.append((kind, key, lesson, data))

    def records(self, kind=None, lesson=None):
        return [r for r in self.rows if kind in (None, r[0]) and lesson in (None, r[2])]


def widget_states(widget) -> str:
    """Everything the front end would receive for a widget and its children, as text."""
    import ipywidgets as w

    out, todo = [], [widget]
    while todo:
        current = todo.pop()
        out.append(json.dumps(current.get_state(), default=str))
        if isinstance(current, w.Box):
            todo.extend(current.children)
    return "\n".join(out)


def right_answer(q):
    if q.type == "single":
        return next(iter(q.correct_ids()))
    if q.type == "multiple":
        return sorted(q.correct_ids())
    if q.type == "true_false":
        return q.answer
    if q.type == "matching":
        return [r for _, r in q.pairs]
    return list(q.items)


def wrong_answer(q):
    if q.type == "single":
        return next(o.id for o in q.options if not o.correct)
    if q.type == "multiple":
        return [next(o.id for o in q.options if not o.correct)]
    if q.type == "true_false":
        return not q.answer
    return list(reversed(right_answer(q)))


@pytest.fixture
def check():
    return SelfCheck.for_lesson("00", journal=FakeJournal())


def test_for_lesson_shows_every_choice_question_and_no_short_answer(check):
    bank = load_bank("00")
    assert [it.question.key for it in check.items] == [q.key for q in bank if q.is_choice]
    short = [q for q in bank if q.type == "short"]
    assert short and all(q.rubric not in widget_states(check) for q in short)


def test_no_answer_explanation_or_feedback_reaches_the_front_end_before_a_try(check):
    # What is on show, and every question once built (check.items builds them all).
    raw = widget_states(check) + "\n".join(widget_states(it) for it in check.items)
    states = raw + html.escape(raw)
    secrets = []
    for it in check.items:
        q = it.question
        secrets += [q.explanation, q.misconception]
        secrets += [t for o in q.options for t in (o.feedback, o.misconception)]
    for secret in filter(None, secrets):
        assert secret not in states and html.escape(secret) not in raw
    assert '"correct"' not in states
    text = repr(check) + "".join(repr(it) for it in check.items)
    assert "explanation" not in text and check.bank.lesson in text
    bundle = check._repr_mimebundle_()
    plain = bundle.get("text/plain", "") if isinstance(bundle, dict) else ""
    assert all(o.text not in plain for it in check.items for o in it.question.options)


@pytest.mark.parametrize("qid", [q.id for q in load_bank("00").choice_questions])
def test_right_and_wrong_answers_for_every_question_type(qid):
    journal = FakeJournal()
    sc = SelfCheck.for_lesson("00", journal=journal)
    item = sc.item(qid)
    q = item.question
    sc.select(qid, wrong_answer(q))
    assert sc.check(qid) is False
    assert "Not yet" in item.feedback.value  # words, not colour alone
    assert q.explanation not in item.feedback.value
    assert item.explain_button.disabled is False
    sc.explain(qid)
    assert q.explanation.split()[0] in item.feedback.value
    sc.retry(qid)
    assert item.feedback.value == "" and item.correct is None
    sc.select(qid, right_answer(q))
    assert sc.check(qid) is True
    assert "Correct" in item.feedback.value
    kinds = [(r[0], r[1], r[2], r[3]["attempt"], r[3]["correct"]) for r in journal.rows]
    assert kinds == [("selfcheck", q.key, "00", 1, False), ("selfcheck", q.key, "00", 2, True)]


def test_checking_with_nothing_chosen_asks_for_an_answer_and_records_nothing(check):
    item = check.items[0]
    assert item.check() is None
    assert "Choose an answer" in item.feedback.value
    assert item.attempts == 0
    with pytest.raises(RuntimeError):
        item.explain()


def test_wrong_single_choice_shows_that_options_feedback():
    q = load_bank("00").question("what-it-is")
    item = QuestionCheck(q)
    item.select("b")
    item.check()
    assert q.option("b").feedback.split(".")[0] in item.feedback.value


def test_shuffle_changes_the_shown_order_but_not_the_marking():
    q = load_bank("00").question("when-overwhelmed")
    orders = set()
    for seed in range(8):
        item = QuestionCheck(q, shuffle=True, seed=seed)
        orders.add(tuple(box.description for box in item._controls))
        item.select(sorted(q.correct_ids()))
        assert item.check() is True
    assert len(orders) > 1
    plain = QuestionCheck(q)
    assert [box.description for box in plain._controls] == [o.text for o in q.options_shown()]


def test_controls_have_accessible_labels(check):
    for it in check.items:
        for control in it._controls:
            assert control.description.strip()
        for button in (it.check_button, it.retry_button, it.explain_button):
            assert button.description and button.tooltip


def test_short_answer_question_is_refused_by_question_check():
    q = load_bank("00").question("why-not-therapy")
    with pytest.raises(ValueError, match="short"):
        QuestionCheck(q)


def test_works_with_the_real_journal():
    from coursekit.journal import Journal

    journal = Journal.open_default()
    sc = SelfCheck.for_lesson("00", journal=journal)
    sc.select("reflections-optional", True)
    assert sc.check("reflections-optional") is True
    rows = journal.records(kind="selfcheck", lesson="00")
    assert [r.key for r in rows] == ["00.reflections-optional"]


# -- one question at a time ----------------------------------------------------------

def shown_questions(sc):
    return [c for c in sc.children if isinstance(c, QuestionCheck)]


def test_one_question_is_shown_and_only_it_is_built():
    sc = SelfCheck.for_lesson("00", journal=FakeJournal())
    first = sc.questions[0]
    assert [it.question.key for it in shown_questions(sc)] == [first.key]
    assert list(sc._built) == [first.key]  # the others are built when needed
    n = len(sc.questions)
    assert f"Question 1 of {n}" in sc.label.value and 'role="status"' in sc.label.value
    assert f"Answered right: 0 of {n}" in sc.summary.value
    assert sc.results() == {q.key: None for q in sc.questions}


def test_next_and_previous_move_through_every_question_and_wrap():
    sc = SelfCheck.for_lesson("00", journal=FakeJournal())
    n = len(sc.questions)
    seen = []
    for _ in range(n):
        seen.append(shown_questions(sc)[0].question.key)
        sc.next_button.click()
    assert seen == [q.key for q in sc.questions]
    assert shown_questions(sc)[0].question.key == sc.questions[0].key  # after the last: first
    sc.previous_button.click()
    assert shown_questions(sc)[0].question.key == sc.questions[-1].key
    assert f"Question {n} of {n}" in sc.label.value
    assert len(shown_questions(sc)) == 1
    for b in (sc.previous_button, sc.next_button):
        assert b.description and b.tooltip and not b.disabled


def test_go_to_by_id_or_number_and_a_question_keeps_its_state():
    sc = SelfCheck.for_lesson("00", journal=FakeJournal())
    q = sc.questions[2]
    item = sc.go_to(q.id)
    assert shown_questions(sc) == [item] and sc.position == 2 and sc.current is item
    sc.select(q.id, wrong_answer(q))
    assert sc.check(q.id) is False
    sc.go_to(1)
    sc.go_to(3)
    assert shown_questions(sc) == [item] and "Not yet" in item.feedback.value  # same widget
    n = len(sc.questions)
    with pytest.raises(IndexError, match=f"between 1 and {n}"):
        sc.go_to(n + 1)
    with pytest.raises(KeyError):
        sc.go_to("why-not-therapy")  # a short answer: not in the self-check


def test_any_question_can_be_answered_from_code_without_being_shown():
    journal = FakeJournal()
    sc = SelfCheck.for_lesson("00", journal=journal)
    last = sc.questions[-1]
    sc.select(last.id, right_answer(last))
    assert sc.check(last.id) is True
    assert shown_questions(sc)[0].question.key == sc.questions[0].key  # nothing moved
    assert sc.results()[last.key] is True
    n = len(sc.questions)
    assert f"Answered right: 1 of {n}" in sc.summary.value
    assert f"Tried so far: 1 of {n}" in sc.summary.value
    sc.retry(last.id)
    assert sc.results()[last.key] is None and f"Answered right: 0 of {n}" in sc.summary.value
    assert [r[1] for r in journal.rows] == [last.key]


def test_a_bank_without_choice_questions_says_so():
    from coursekit.questionbank import QuestionBank

    bank = load_bank("00")
    sc = SelfCheck(QuestionBank(bank.lesson, tuple(q for q in bank if q.type == "short")))
    assert "no self-check questions" in widget_states(sc) and sc.items == []
    assert sc.current is None and sc.results() == {}

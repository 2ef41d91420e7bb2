"""The self-check shows the learner's earlier answers when the lesson reopens.

The answers come from the real journal (``selfcheck`` records) and are shown only
once a browser has answered the kernel's probe, so a script executing the lesson
never receives them.
"""

from __future__ import annotations

import pytest

from coursekit.questionbank import load_bank
from coursekit.selfcheck import SelfCheck
from coursekit.widgets import _base


def answers(q, right: bool):
    if q.type == "single":
        ids = sorted(q.correct_ids()) if right else [o.id for o in q.options if not o.correct]
        return ids[0]
    if q.type == "multiple":
        return sorted(q.correct_ids()) if right else [
            next(o.id for o in q.options if not o.correct)]
    if q.type == "true_false":
        return q.answer if right else not q.answer
    good = [r for _, r in q.pairs] if q.type == "matching" else list(q.items)
    return good if right else list(reversed(good))


@pytest.fixture
def browser_answered(monkeypatch):
    monkeypatch.setitem(_base._FRONT_END, "seen", False)
    monkeypatch.setattr(_base, "_WAITING", [])

    def answer():
        _base.ensure_probe()
        _base._PROBE.max_width = None  # as new (an earlier test may have answered it)
        _base._PROBE.set_state({"max_width": _base._PROBE.min_width})
        assert _base.front_end_seen()

    return answer


def test_earlier_answers_come_back(journal, browser_answered):
    bank = load_bank("01")
    first = SelfCheck(bank, journal=journal)
    q1, q2 = first.questions[0], first.questions[1]
    first.select(q1.id, answers(q1, right=False))
    first.check(q1.id)
    first.retry(q1.id)
    first.select(q1.id, answers(q1, right=True))
    assert first.check(q1.id) is True
    first.select(q2.id, answers(q2, right=False))
    assert first.check(q2.id) is False

    again = SelfCheck(bank, journal=journal)  # the lesson reopens
    # No browser yet (a script running the lesson): nothing earlier is shown.
    assert again.current.attempts == 0 and again.current.feedback.value == ""
    assert "Answered right: 0" in again.summary.value
    browser_answered()
    item = again.item(q1.id)
    assert item.correct is True and item.attempts == 2
    assert "Your earlier answer" in item.feedback.value and "Correct" in item.feedback.value
    assert item.check_button.disabled and not item.retry_button.disabled
    assert item._current() == answers(q1, right=True)
    wrong = again.item(q2.id)
    assert wrong.correct is False and "Not yet" in wrong.feedback.value
    assert "Answered right: 1 of" in again.summary.value
    assert "Tried so far: 2 of" in again.summary.value
    # Restoring records nothing new; trying again still works and is recorded.
    before = len(journal.records(kind="selfcheck"))
    wrong.retry()
    wrong.select(answers(q2, right=True))
    assert wrong.check() is True
    assert len(journal.records(kind="selfcheck")) == before + 1


def test_an_answer_that_no_longer_fits_is_left_out(journal, browser_answered):
    bank = load_bank("01")
    q = next(q for q in bank.choice_questions if q.type == "single")
    journal.record("selfcheck", q.key, lesson="01",
                   data={"answer": "z", "attempt": 1, "correct": False, "type": "single"})
    browser_answered()
    check = SelfCheck(bank, journal=journal)
    item = check.item(q.id)
    assert item.attempts == 0 and item.feedback.value == "" and not item.check_button.disabled

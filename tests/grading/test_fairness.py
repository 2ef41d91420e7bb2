"""Fair questions: a seeded, stable option order; no guessable key position or length."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml
from click.testing import CliRunner

from coursekit import notebooks, questionbank
from coursekit.cli import main
from coursekit.errors import QuestionBankError
from coursekit.fairness import MAX_SHARE, fairness_problems
from coursekit.grading.generate import build_notebook
from coursekit.questionbank import letter_limit, load_banks, load_file


def _single(qid: str, n_options: int = 4, key_longest: bool = False, shuffle=None) -> dict:
    options = []
    for i in range(n_options):
        text = f"Option {i} of {qid}" + (" with many more words in it" if i == 0 and
                                          key_longest else "")
        opt = {"id": chr(97 + i), "text": text}
        if i == 0:
            opt["correct"] = True
        else:
            opt["misconception"] = "a wrong idea"
        options.append(opt)
    q = {"id": qid, "type": "single", "prompt": f"Question {qid}?", "options": options,
         "explanation": "Because."}
    if shuffle is not None:
        q["shuffle"] = shuffle
    return q


def _write_bank(folder, questions, lesson="01"):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{lesson}.yml"
    path.write_text(yaml.safe_dump({"lesson": lesson, "questions": questions}), encoding="utf-8")
    return path


def test_shipped_bank_is_fair_and_the_linter_says_so():
    banks = load_banks()
    singles = [q for b in banks for q in b if q.type == "single"]
    assert len(singles) >= 10
    positions = Counter(q.expected() for q in singles)
    assert max(positions.values()) <= MAX_SHARE * len(singles), positions
    longest = [q for q in singles if max(q.options, key=lambda o: len(o.text)).correct]
    assert len(longest) <= MAX_SHARE * len(singles), [q.key for q in longest]
    assert fairness_problems(banks) == []
    assert not [p for p in notebooks.lint() if "question bank" in p.message]


def test_option_order_is_a_stable_seeded_shuffle_and_letters_follow_it():
    banks = load_banks()
    moved = 0
    for q in (q for b in banks for q in b if q.type in ("single", "multiple")):
        shown = q.options_shown()
        assert shown == q.options_shown()  # stable
        assert sorted(o.id for o in shown) == sorted(o.id for o in q.options)
        moved += [o.id for o in shown] != [o.id for o in q.options]
        if q.type == "single":
            assert q.option_at(q.expected()).correct
    assert moved >= 10
    # the generated check lists the options in that order, under those letters
    bank = banks[1]
    text = "\n".join(c["source"] for c in build_notebook(bank)["cells"])
    for q in bank:
        if q.type == "single":
            assert f"- **{q.expected()}**: {q.option_at(q.expected()).text}" in text


def test_linter_fails_on_a_bank_with_a_key_position_bias(tmp_path, monkeypatch):
    # ten questions whose options are never shuffled away from their key: build them so the
    # key shows at one letter, by choosing shuffle seeds, then check the linter names them.
    folder = tmp_path / "questions"
    questions, n = [], 0
    while len(questions) < 10:
        q = _single(f"q{n}", shuffle=n % 7)
        n += 1
        path = _write_bank(tmp_path / "probe", [q])
        if load_file(path).questions[0].expected() == "c":
            questions.append(q)
    _write_bank(folder, questions)
    problems = [p for p in fairness_problems(load_banks(folder)) if not p.startswith("check ")]
    assert len(problems) == 1
    assert "option 'c' in 10 of 10" in problems[0] and "shuffle: N" in problems[0]
    assert "01.q0" in problems[0] or questions[0]["id"] in problems[0]
    monkeypatch.setattr(questionbank, "questions_dir", lambda: folder)
    found = [p for p in notebooks.lint() if "question bank" in p.message]
    assert found and "option 'c'" in found[0].message
    result = CliRunner().invoke(main, ["lessons", "lint"])
    assert result.exit_code != 0 and "option 'c'" in result.output


def test_linter_fails_when_the_key_is_usually_the_longest_option(tmp_path):
    folder = tmp_path / "questions"
    questions = [_single(f"q{n}", key_longest=n < 5, shuffle=n) for n in range(10)]
    _write_bank(folder, questions)
    problems = [p for p in fairness_problems(load_banks(folder)) if "longest" in p]
    assert len(problems) == 1 and "in 5 of 10" in problems[0]
    assert all(f"01.q{n}" in problems[0] for n in range(5))
    assert "01.q5" not in problems[0]
    questions[0]["options"][1]["text"] += " and a good deal more words than the key has"
    _write_bank(folder, questions)
    assert not [p for p in fairness_problems(load_banks(folder)) if "longest" in p]


def test_shuffle_field_is_validated(tmp_path):
    path = _write_bank(tmp_path, [_single("q0", shuffle=-1)])
    with pytest.raises(QuestionBankError, match="shuffle"):
        load_file(path)


def test_every_check_spreads_its_keys_and_the_linter_names_a_check_that_leans(tmp_path):
    # the shipped checks: no letter holds the key of more than half of a check's questions
    for bank in load_banks():
        singles = [q for q in bank if q.type == "single"]
        if len(singles) >= 2:
            top = Counter(q.expected() for q in singles).most_common(1)[0]
            assert top[1] <= len(singles) / 2, (bank.lesson, top)
    # four questions whose seeded orders all put the key at one letter: the kit spreads them
    # (deterministically) unless the bank fixes their order with `shuffle:`
    folder = tmp_path / "questions"
    found, n = [], 0
    while len(found) < 4:
        q = _single(f"q{n}")
        n += 1
        if load_file(_write_bank(tmp_path / "probe", [q])).questions[0].expected() == "b":
            found.append(q)
    bank = load_file(_write_bank(folder, found))
    keys = [q.expected() for q in bank if q.type == "single"]
    assert max(Counter(keys).values()) <= 2 and keys[:2] == ["b", "b"]
    assert keys == [q.expected() for q in load_file(_write_bank(folder, found))]  # stable
    assert not [p for p in fairness_problems([bank]) if p.startswith("check ")]
    for q in found:
        q["shuffle"] = 0  # the author fixes the order: it is kept, and the linter says so
    leaning = load_file(_write_bank(folder, found))
    assert [q.expected() for q in leaning] == ["b"] * 4
    problems = [p for p in fairness_problems([leaning]) if p.startswith("check ")]
    assert len(problems) == 1 and "check 01-check" in problems[0]
    assert "option 'b' in 4 of its 4" in problems[0]
    assert all(f"01.{q['id']}" in problems[0] for q in found)


def _true_false(qid: str, answer: bool) -> dict:
    return {"id": qid, "type": "true_false", "prompt": f"Statement {qid}.", "answer": answer,
            "misconception": "a wrong idea", "explanation": "Because."}


def test_no_check_leans_on_one_true_false_answer():
    banks = load_banks()
    for bank in banks:
        keys = [q.expected() for q in bank if q.type == "true_false"]
        if len(keys) >= 2:
            assert max(Counter(keys).values()) <= len(keys) / 2 + 0.5, (bank.lesson, keys)
    every = Counter(q.expected() for b in banks for q in b if q.type == "true_false")
    assert sum(every.values()) >= 10 and set(every) == {True, False}
    assert max(every.values()) <= 0.6 * sum(every.values()), every
    assert not [p for p in fairness_problems(banks) if "true/false" in p]


def test_linter_fails_a_check_whose_true_false_answers_lean(tmp_path, monkeypatch):
    folder = tmp_path / "questions"
    _write_bank(folder, [_true_false(f"s{n}", False) for n in range(3)])
    problems = fairness_problems(load_banks(folder))
    inside = [p for p in problems if p.startswith("check 01-check")]
    assert len(inside) == 1 and "False is the answer to 3 of its 3" in inside[0]
    assert "Rewrite 1 of them" in inside[0] and "01.s0, 01.s1, 01.s2" in inside[0]
    course = [p for p in problems if "of the course's 3" in p]
    assert len(course) == 1 and "Rewrite at least 2" in course[0]
    monkeypatch.setattr(questionbank, "questions_dir", lambda: folder)
    result = CliRunner().invoke(main, ["lessons", "lint"])
    assert result.exit_code != 0 and "False is the answer to 3 of its 3" in result.output
    # two False and one True: as even as three statements can be, in the check; but across
    # the course 2 of 3 is still more than 60%
    _write_bank(folder, [_true_false("s0", False), _true_false("s1", True),
                         _true_false("s2", False)])
    problems = fairness_problems(load_banks(folder))
    assert not [p for p in problems if p.startswith("check ")]
    assert len(problems) == 1 and "False is the answer to 2 of the course's 3" in problems[0]


def test_linter_fails_a_course_whose_one_statement_checks_all_say_the_same(tmp_path):
    # one statement a check never leans within the check; six of them all False do
    folder = tmp_path / "questions"
    for n in range(6):
        _write_bank(folder, [_true_false("s", n == 0)], lesson=f"0{n}")
    problems = fairness_problems(load_banks(folder))
    assert len(problems) == 1 and "False is the answer to 5 of the course's 6" in problems[0]
    _write_bank(folder, [_true_false("s", True)], lesson="01")
    problems = fairness_problems(load_banks(folder))  # 4 of 6 (67%) still leans
    assert len(problems) == 1 and "False is the answer to 4 of the course's 6" in problems[0]
    _write_bank(folder, [_true_false("s", True)], lesson="02")
    assert fairness_problems(load_banks(folder)) == []  # 3 and 3


def _two_option(qid: str, shuffle=None) -> dict:
    return _single(qid, n_options=2, shuffle=shuffle)


def test_two_option_questions_are_balanced_as_far_as_two_letters_allow(tmp_path):
    folder = tmp_path / "questions"
    # an even number of two-option questions: exactly half at each letter
    bank = load_file(_write_bank(folder, [_two_option(f"q{n}") for n in range(4)]))
    assert Counter(q.expected() for q in bank) == {"a": 2, "b": 2}
    assert not fairness_problems([bank])
    # an odd number, all two-option: one letter must hold one more; the limit says so
    bank = load_file(_write_bank(folder, [_two_option(f"q{n}") for n in range(3)]))
    assert sorted(Counter(q.expected() for q in bank).values()) == [1, 2]
    assert letter_limit(list(bank)) == 2
    assert not [p for p in fairness_problems([bank]) if p.startswith("check ")]
    # ... and with the order fixed so that all three sit at one letter, the linter says
    # what the limit is and why
    fixed, n = [], 0
    while len(fixed) < 3:
        q = _two_option(f"f{n}", shuffle=n % 5)
        n += 1
        if load_file(_write_bank(tmp_path / "probe", [q])).questions[0].expected() == "a":
            fixed.append(q)
    problems = [p for p in fairness_problems([load_file(_write_bank(folder, fixed))])
                if p.startswith("check ")]
    assert len(problems) == 1 and "option 'a' in 3 of its 3" in problems[0]
    assert "at most 2, half of them rounded up (every one has two options)" in problems[0]


def test_a_three_option_question_makes_room_for_two_option_ones(tmp_path):
    # three questions, so at most one key per letter: the two-option ones must take "a" and
    # "b", and the three-option one "c", whatever the bank order and the seeded orders
    folder = tmp_path / "questions"
    for first in range(6):
        questions = [_single(f"w{first}", n_options=3), _two_option(f"x{first}"),
                     _two_option(f"y{first}")]
        bank = load_file(_write_bank(folder, questions))
        keys = {q.id: q.expected() for q in bank}
        assert sorted(keys.values()) == ["a", "b", "c"], keys
        assert keys[f"w{first}"] == "c"
        assert not [p for p in fairness_problems([bank]) if p.startswith("check ")]
        assert [q.id for q in bank] == [q["id"] for q in questions]  # bank order kept


# -- attack: answering true/false by the wording (False if sweeping, True if hedged) ---------

#: The twelve statements as merged (000b277): the wording alone answered 11 of them.
MERGED_STATEMENTS = [
    ("You can leave any reflection prompt blank, without giving a reason, and still go on.",
     True),
    ("The talk says that Freud, like Ferenczi, deliberately took on the role of a parent.",
     False),
    ("According to the talk, a positive reintegration may follow once it is over.", True),
    ("The first article allows that some of a narcissist's worst behaviour might change.", True),
    ("Kim Saeed says change is completely impossible for anyone with narcissistic traits.",
     False),
    ("The research shows that any particular person will become less narcissistic.", False),
    ("Raypole advises keeping a boundary you have set even when a partner has done well.", True),
    ("The hopeful articles say a partner's love and patience are enough to bring change.",
     False),
    ("The article gives no references to brain studies for its dopamine explanation.", True),
    ("The article's statement that the partner never valued the reader is backed by evidence.",
     False),
    ("Kim Saeed allows that real change is possible, but rare.", True),
    ("Research on averages shows that a particular person with those traits will change.",
     False),
]


def test_the_wording_guess_reads_sweeping_as_false_and_hedged_as_true():
    from coursekit.fairness import wording_guess

    assert wording_guess("Change is completely impossible for everyone.") is False
    assert wording_guess("Some behaviour might change.") is True
    assert wording_guess("Raypole advises keeping a boundary.") is True  # no cue: True
    assert wording_guess("It can tell you that one person will change.") is True  # both


def test_linter_fails_a_bank_the_wording_answers_and_passes_the_shipped_one(tmp_path):
    folder = tmp_path / "questions"
    for n, (prompt, answer) in enumerate(MERGED_STATEMENTS):
        _write_bank(folder, [{**_true_false("s", answer), "prompt": prompt}], lesson=f"{n:02d}")
    problems = fairness_problems(load_banks(folder))
    assert len(problems) == 1, problems  # 6 True and 6 False: only the wording gives it away
    assert "by their wording alone" in problems[0] and "gets 11 of 12 right" in problems[0]
    assert "Rewrite at least 3 of them" in problems[0]
    shipped = [q for b in load_banks() for q in b if q.type == "true_false"]
    from coursekit.fairness import MAX_WORDING_SHARE, wording_guess

    right = sum(wording_guess(q.prompt) == q.answer for q in shipped)
    assert right <= MAX_WORDING_SHARE * len(shipped), right
    assert not [p for p in fairness_problems() if "wording" in p]

"""The question bank loader: every committed bank is valid; every error names file, id, field."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from coursekit.errors import ContentError, QuestionBankError
from coursekit.questionbank import (
    QUESTION_TYPES,
    bank_files,
    labelled,
    load_bank,
    load_file,
    parse,
    stable_shuffle,
)

GOOD = {
    "lesson": "07",
    "questions": [
        {"id": "pick-one", "type": "single", "prompt": "Which?", "explanation": "Because.",
         "options": [
             {"id": "a", "text": "Right one", "correct": True},
             {"id": "b", "text": "Wrong one", "misconception": "Mixes things up."},
         ]},
        {"id": "pick-some", "type": "multiple", "points": 2, "prompt": "Which ones?",
         "explanation": "Both a and c.",
         "options": [
             {"id": "a", "text": "One", "correct": True},
             {"id": "b", "text": "Two", "misconception": "M."},
             {"id": "c", "text": "Three", "correct": True},
         ]},
        {"id": "yes-or-no", "type": "true_false", "prompt": "True?", "answer": False,
         "misconception": "Believes it.", "explanation": "It is false."},
        {"id": "match-up", "type": "matching", "prompt": "Match.", "misconception": "M.",
         "explanation": "E.", "pairs": [{"left": "L1", "right": "R1"},
                                        {"left": "L2", "right": "R2"},
                                        {"left": "L3", "right": "R3"}]},
        {"id": "in-order", "type": "ordering", "prompt": "Order.", "misconception": "M.",
         "explanation": "E.", "items": ["first", "second", "third", "fourth"]},
        {"id": "in-words", "type": "short", "points": 2, "prompt": "Explain.",
         "rubric": "Two points."},
    ],
}


def bank(tmp_path: Path, data: dict, name: str = "07.yml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_every_committed_bank_is_valid():
    files = bank_files()
    assert files, "assets/questions/ holds no bank file"
    for path in files:
        b = load_file(path)
        assert b.lesson == path.stem
        assert len({q.id for q in b}) == len(b)


def test_lesson_00_has_at_least_five_questions_of_several_types():
    b = load_bank("00")
    assert len(b) >= 5
    assert len({q.type for q in b}) >= 4


def test_good_bank_loads_every_type(tmp_path):
    b = load_file(bank(tmp_path, GOOD))
    assert [q.type for q in b] == list(QUESTION_TYPES)
    single, multiple, tf, _, _, short = b.questions
    # answers are the letters shown, in the options' seeded order (never the bank's ids)
    assert single.option_at(single.expected()).correct
    assert single.expected() == single.letter("a")
    assert multiple.expected() == sorted(multiple.letter(i) for i in "ac")
    assert multiple.points == 2
    assert tf.expected() is False
    assert short.expected() is None and short.rubric == "Two points."
    assert b.question("07.pick-one") is single
    assert single.variable == "answer_pick_one"


def test_matching_and_ordering_answers_follow_the_shown_order(tmp_path):
    b = load_file(bank(tmp_path, GOOD))
    matching, ordering = b.question("match-up"), b.question("in-order")
    shown = dict(labelled(matching.matching_rights()))
    answer = matching.expected()
    assert [shown[letter] for letter in answer] == ["R1", "R2", "R3"]
    shown_items = dict(labelled(ordering.ordering_shown()))
    assert [shown_items[letter] for letter in ordering.expected()] == list(ordering.items)
    # the shown order never gives the answer away
    assert ordering.ordering_shown() != ordering.items


def test_stable_shuffle_is_deterministic_and_a_permutation():
    items = [str(i) for i in range(8)]
    a, b = stable_shuffle(items, "seed"), stable_shuffle(items, "seed")
    assert a == b and sorted(a) == sorted(items)
    assert stable_shuffle(["x", "y"], "any") == ("y", "x")


def mutate(path_to_field, value):
    data = copy.deepcopy(GOOD)
    target = data
    for key in path_to_field[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path_to_field[-1]]
    else:
        target[path_to_field[-1]] = value
    return data


@pytest.mark.parametrize(("where", "value", "qid", "field"), [
    (("questions", 0, "options", 1, "misconception"), KeyError, "pick-one", "misconception"),
    (("questions", 0, "type"), "essay", "pick-one", "type"),
    (("questions", 0, "prompt"), KeyError, "pick-one", "prompt"),
    (("questions", 0, "explanation"), "  ", "pick-one", "explanation"),
    (("questions", 1, "points"), 0, "pick-some", "points"),
    (("questions", 2, "answer"), "no", "yes-or-no", "answer"),
    (("questions", 2, "misconception"), KeyError, "yes-or-no", "misconception"),
    (("questions", 3, "pairs"), [{"left": "only"}], "match-up", "pairs"),
    (("questions", 4, "items"), ["a", "a"], "in-order", "items"),
    (("questions", 5, "rubric"), KeyError, "in-words", "rubric"),
    (("questions", 5, "answer"), True, "in-words", "answer"),
    (("questions", 0, "options", 0, "id"), "A1", "pick-one", "id"),
])
def test_errors_name_file_question_and_field(tmp_path, where, value, qid, field):
    path = bank(tmp_path, mutate(where, value))
    with pytest.raises(QuestionBankError) as info:
        load_file(path)
    message = str(info.value)
    assert str(path) in message
    assert repr(qid) in message
    assert field in message


def test_single_choice_needs_exactly_one_correct_option(tmp_path):
    data = mutate(("questions", 0, "options", 1, "correct"), True)
    with pytest.raises(QuestionBankError, match="exactly one"):
        load_file(bank(tmp_path, data))


def test_duplicate_ids_and_wrong_lesson_are_rejected(tmp_path):
    data = copy.deepcopy(GOOD)
    data["questions"][1]["id"] = "pick-one"
    with pytest.raises(QuestionBankError, match="another question"):
        load_file(bank(tmp_path, data))
    with pytest.raises(QuestionBankError, match="lesson"):
        load_file(bank(tmp_path, GOOD, name="08.yml"))


def test_bank_error_is_a_content_error_and_bad_yaml_is_reported(tmp_path):
    path = tmp_path / "07.yml"
    path.write_text("lesson: [unclosed", encoding="utf-8")
    with pytest.raises(ContentError, match=r"07\.yml"):
        load_file(path)
    with pytest.raises(QuestionBankError, match="lesson id"):
        load_bank("seven")


def test_missing_bank_is_empty_not_an_error(tmp_path):
    assert len(load_bank("09", directory=tmp_path)) == 0
    assert len(parse({"lesson": "09", "questions": None}, "x.yml")) == 0

"""Fair checks: no answer given everywhere pays, in a check or across the course.

:func:`fairness_problems` is the question banks' part of ``coursekit lessons lint``:

* **single choice, across the course**: no shown letter holds the key of more than
  :data:`MAX_SHARE` of the questions with three or more options, and the key is the
  longest option in no more than that share of them (with two options chance alone gives
  half; those are held to the rule within each check);
* **single choice, within each check**: no letter is the key of more than
  :func:`~coursekit.questionbank.letter_limit` of the check's questions (half; the kit
  spreads the keys itself, :func:`~coursekit.questionbank.balance_keys`, so only orders
  the bank fixes with ``shuffle:`` can lean);
* **true/false**: an answer cannot be shuffled, so its balance is the bank's own. Within
  each check, neither answer is the key of more than half of its true/false questions,
  rounded up (3 statements: 2 and 1); across the course, neither is the key of more than
  :data:`MAX_TRUE_FALSE_SHARE` of them. The fix is content: write a statement whose
  answer is the other one.
* **true/false, by the wording**: a test-wise learner answers False to a statement with a
  sweeping word ("always", "never", "all", "only", "completely", "will", "shows that") and
  True to a hedged one ("may", "might", "some", "can", "rare"); across the course that
  guess (:func:`wording_guess`) must not earn more than :data:`MAX_WORDING_SHARE` of the
  true/false questions. The fix: a true statement that is sweeping and still true, or a
  false one that hedges.

Each problem names the check, the questions and the fix.
"""

from __future__ import annotations

import re
from collections import Counter

from .questionbank import Question, QuestionBank, letter_limit, load_banks

__all__ = ["MAX_SHARE", "MAX_TRUE_FALSE_SHARE", "MAX_WORDING_SHARE", "fairness_problems",
           "true_false_problems", "wording_guess", "wording_problems"]

#: The largest share of single-choice questions whose key may sit at one shown position, or
#: be the longest option (checked across the whole bank by :func:`fairness_problems`).
MAX_SHARE = 0.40

#: The largest share of the course's true/false questions one answer may be the key of.
MAX_TRUE_FALSE_SHARE = 0.60


#: The largest share of the course's true/false questions that answering by the wording
#: (:func:`wording_guess`) may get right (found by attack: on the bank as merged, 11 of 12).
MAX_WORDING_SHARE = 2 / 3

_SWEEPING = re.compile(
    r"\b(?:always|never|none|nothing|no one|nobody|every|everyone|all|any|only|completely|"
    r"entirely|totally|wholly|impossible|cannot|can't|will|must|certainly|enough|proves?|"
    r"shows? that|rules? out|guarantees?)\b", re.I)
_HEDGED = re.compile(
    r"\b(?:may|might|can|could|some|sometimes|often|usually|rare|rarely|possible|perhaps|"
    r"allows?|tends?|likely)\b", re.I)


def wording_guess(statement: str) -> bool:
    """A test-wise learner's answer from the wording alone: False for a sweeping statement
    that does not hedge, True otherwise (hedged, or no cue at all)."""
    return not (_SWEEPING.search(statement) and not _HEDGED.search(statement))


def wording_problems(banks: list[QuestionBank],
                     max_share: float = MAX_WORDING_SHARE) -> list[str]:
    """Answering the course's true/false questions by their wording pays too well."""
    every = [q for bank in banks for q in bank if q.type == "true_false"]
    if len(every) < 6:  # too few for a share to mean anything
        return []
    right = [q for q in every if wording_guess(q.prompt) == q.answer]
    if len(right) <= max_share * len(every):
        return []
    need = len(right) - int(max_share * len(every))
    return [f"answering the course's true/false questions by their wording alone (False when "
            f"a statement is sweeping: always, never, all, only, will...; True when it hedges: "
            f"may, might, some, can...) gets {len(right)} of {len(every)} right "
            f"({len(right) / len(every):.0%}, more than {max_share:.0%}): "
            f"{', '.join(q.key for q in right)}. Rewrite at least {need} of them: a true "
            "statement that is sweeping and still true, or a false one that hedges"]


def _word(answer: bool) -> str:
    return "True" if answer else "False"


def true_false_problems(banks: list[QuestionBank],
                        max_share: float = MAX_TRUE_FALSE_SHARE) -> list[str]:
    """True/false keys leaning to one answer, in a check or across the course."""
    problems = []
    every: list[Question] = []
    for bank in banks:
        own = [q for q in bank if q.type == "true_false"]
        every += own
        if len(own) < 2:
            continue
        limit = (len(own) + 1) // 2
        for answer, count in Counter(q.answer for q in own).items():
            if count > limit:
                names = ", ".join(q.key for q in own if q.answer == answer)
                problems.append(
                    f"check {bank.lesson}-check: {_word(answer)} is the answer to {count} of "
                    f"its {len(own)} true/false questions, so answering {_word(answer)} "
                    f"everywhere pays: {names}. Rewrite {count - limit} of them as a statement "
                    f"whose answer is {_word(not answer)} (true/false answers cannot be "
                    "shuffled)")
    if len(every) >= 2:
        for answer, count in Counter(q.answer for q in every).items():
            if count > max_share * len(every):
                names = ", ".join(q.key for q in every if q.answer == answer)
                need = count - int(max_share * len(every))
                problems.append(
                    f"{_word(answer)} is the answer to {count} of the course's {len(every)} "
                    f"true/false questions ({count / len(every):.0%}, more than "
                    f"{max_share:.0%}), so answering {_word(answer)} everywhere pays: {names}. "
                    f"Rewrite at least {need} of them as a statement whose answer is "
                    f"{_word(not answer)}")
    return problems


def fairness_problems(banks: list[QuestionBank] | None = None,
                      max_share: float = MAX_SHARE) -> list[str]:
    """What makes the choice questions guessable, each problem naming the questions to fix
    (empty: fair). See the module's docstring for the rules."""
    banks = load_banks() if banks is None else banks
    problems = true_false_problems(banks) + wording_problems(banks)
    # Course-wide, questions with three or more options (with two, chance alone puts half
    # the keys at each letter and half of them longest; those are held within each check).
    singles = [q for bank in banks for q in bank if q.type == "single" and len(q.options) > 2]
    limit = max_share * len(singles)
    at: dict[str, list[Question]] = {}
    for q in singles:
        at.setdefault(q.expected(), []).append(q)
    for letter, qs in sorted(at.items()):
        if len(qs) > limit:
            names = ", ".join(q.key for q in qs)
            problems.append(
                f"the key is shown as option {letter!r} in {len(qs)} of {len(singles)} "
                f"single-choice questions ({len(qs) / len(singles):.0%}, more than "
                f"{max_share:.0%}), so guessing {letter!r} pays: {names}. Give one of them "
                "another fixed order with a `shuffle: N` field (any whole number; the "
                "shown order is a shuffle seeded by the question id and N)")
    for bank in banks:  # within one check: answering one letter everywhere must not pay
        own = [q for q in bank if q.type == "single"]
        if len(own) < 2:
            continue
        room = letter_limit(own)
        mine: dict[str, list[Question]] = {}
        for q in own:
            mine.setdefault(q.expected(), []).append(q)
        for letter, qs in sorted(mine.items()):
            if len(qs) > room:
                share = ("half of them" if room == len(own) // 2 else
                         "half of them rounded up (every one has two options)")
                problems.append(
                    f"check {bank.lesson}-check: the key is option {letter!r} in {len(qs)} of "
                    f"its {len(own)} single-choice questions (at most {room}, {share}), so "
                    f"answering {letter!r} everywhere pays: {', '.join(q.key for q in qs)}. "
                    "Remove their `shuffle:` fields (the kit then spreads the keys) or give "
                    "one another `shuffle: N`")
    longest = []
    for q in singles:
        sizes = Counter(len(o.text) for o in q.options)
        top = max(q.options, key=lambda o: len(o.text))
        if top.correct and sizes[len(top.text)] == 1:
            longest.append(q)
    if len(longest) > limit:
        names = ", ".join(q.key for q in longest)
        problems.append(
            f"the key is the longest option in {len(longest)} of {len(singles)} single-choice "
            f"questions ({len(longest) / len(singles):.0%}, more than {max_share:.0%}), so "
            f"picking the longest pays: {names}. Shorten the key or lengthen a wrong option "
            f"in at least {len(longest) - int(limit)} of them")
    return problems

"""The question bank: ``assets/questions/NN.yml``, loaded and validated.

One bank serves two uses: the self-check widget in each lesson
(:mod:`coursekit.selfcheck`) and the nbgrader assignments a facilitator generates
(:mod:`coursekit.grading.generate`). Every problem found while loading raises
:class:`~coursekit.errors.QuestionBankError` naming the file, the question id and
the field, so a lesson author can fix it without reading this code.

The format is described in ``docs/ARCHITECTURE.md``. Each file is first checked against
its typed schema (``coursekit.schema``, one sentence per mistake); the plain checks below
then build the questions (and still guard the browser edition, which has no pydantic).
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import config, validation, yamlio
from .errors import QuestionBankError

QUESTION_TYPES = ("single", "multiple", "true_false", "matching", "ordering", "short")
#: The types a learner answers by choosing (the self-check shows these; ``short`` is for nbgrader).
CHOICE_TYPES = ("single", "multiple", "true_false", "matching", "ordering")

_LESSON_ID = re.compile(r"^\d\d$")
_QUESTION_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_OPTION_ID = re.compile(r"^[a-z]$")

__all__ = [
    "CHOICE_TYPES",
    "QUESTION_TYPES",
    "Option",
    "Question",
    "QuestionBank",
    "balance_keys",
    "bank_files",
    "labelled",
    "letter_limit",
    "load_bank",
    "load_banks",
    "load_file",
    "stable_shuffle",
]


@dataclass(frozen=True)
class Option:
    """One option of a single- or multiple-choice question."""

    id: str
    text: str
    correct: bool = False
    feedback: str = ""
    misconception: str = ""


@dataclass(frozen=True)
class Question:
    """One question. ``key`` is the global id, e.g. ``"01.three-kinds"``."""

    lesson: str
    id: str
    type: str
    prompt: str
    points: int = 1
    explanation: str = ""
    misconception: str = ""
    options: tuple[Option, ...] = ()
    answer: bool | None = None  # true_false
    pairs: tuple[tuple[str, str], ...] = ()  # matching: (left, right), in the right match
    items: tuple[str, ...] = ()  # ordering: the correct order
    rubric: str = ""  # short
    shuffle: int = 0  # single, multiple: a different seeded order of the options

    @property
    def key(self) -> str:
        return f"{self.lesson}.{self.id}"

    @property
    def variable(self) -> str:
        """The Python name a learner assigns in an nbgrader assignment, e.g. ``answer_three_kinds``."""
        return "answer_" + self.id.replace("-", "_")

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES

    def correct_ids(self) -> frozenset[str]:
        """The ids of the correct options (single and multiple choice)."""
        return frozenset(o.id for o in self.options if o.correct)

    def option(self, option_id: str) -> Option:
        for o in self.options:
            if o.id == option_id:
                return o
        raise KeyError(option_id)

    def options_shown(self) -> tuple[Option, ...]:
        """The options in their shown order: a shuffle seeded by the question's key, so it
        is the same for every learner, every run and every route (self-check, graded check,
        feedback). Letters are given by this order (:meth:`letter`), never by the bank's ids."""
        by_id = {o.id: o for o in self.options}
        seed = f"{self.key}:options" + (f":{self.shuffle}" if self.shuffle else "")
        ids = [o.id for o in self.options]
        # Two options: the seed alone decides. Always swapping them (as stable_shuffle does
        # when a shuffle leaves the order as given) would put the key wherever the bank's
        # order dictates, so neither the seed nor `shuffle:` could move it.
        return tuple(by_id[i] for i in stable_shuffle(ids, seed, may_keep=len(ids) == 2))

    def letter(self, option_id: str) -> str:
        """The letter a learner sees next to one option (its position in the shown order)."""
        for letter, option in labelled(self.options_shown()):
            if option.id == option_id:
                return letter
        raise KeyError(option_id)

    def option_at(self, letter: str) -> Option:
        """The option shown with ``letter``."""
        return dict(labelled(self.options_shown()))[letter]

    def matching_rights(self) -> tuple[str, ...]:
        """The right-hand items of a matching question in their shown (stably shuffled) order."""
        return stable_shuffle([r for _, r in self.pairs], self.key + ":right")

    def ordering_shown(self) -> tuple[str, ...]:
        """The items of an ordering question in their shown (stably shuffled) order."""
        return stable_shuffle(list(self.items), self.key + ":items")

    def expected(self) -> Any:
        """The correct answer in the plain-value form an nbgrader answer cell uses.

        single: ``"b"``; multiple: ``["a", "c"]`` (the shown letters of the options, see
        :meth:`options_shown`); true_false: ``True``; matching: a string of letters, the
        letter of the right item for each left item in turn (``"ca"``); ordering: the shown
        letters in the correct order (``"bca"``); short: ``None``.
        """
        if self.type == "single":
            return self.letter(next(iter(self.correct_ids())))
        if self.type == "multiple":
            return sorted(self.letter(i) for i in self.correct_ids())
        if self.type == "true_false":
            return self.answer
        if self.type == "matching":
            shown = self.matching_rights()
            return "".join(labelled(shown)[shown.index(right)][0] for _, right in self.pairs)
        if self.type == "ordering":
            shown = self.ordering_shown()
            return "".join(labelled(shown)[shown.index(item)][0] for item in self.items)
        return None


@dataclass(frozen=True)
class QuestionBank:
    """The questions of one lesson."""

    lesson: str
    questions: tuple[Question, ...]
    source: Path | None = None

    def __iter__(self):
        return iter(self.questions)

    def __len__(self) -> int:
        return len(self.questions)

    def question(self, question_id: str) -> Question:
        short = question_id.split(".", 1)[1] if question_id.startswith(f"{self.lesson}.") \
            else question_id
        for q in self.questions:
            if q.id == short:
                return q
        known = ", ".join(q.id for q in self.questions) or "none"
        raise QuestionBankError(
            f"{self.source}: lesson {self.lesson} has no question {question_id!r} "
            f"(questions it has: {known})"
        )

    @property
    def choice_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.is_choice)


# -- helpers shared by the widget and the generator ---------------------------------------

def stable_shuffle(items: list[str], seed: str, *, may_keep: bool = False) -> tuple[str, ...]:
    """Shuffle ``items`` the same way every time for the same ``seed`` (never left as given
    when it has two or more distinct items, so a shown order never gives the answer away;
    ``may_keep``: the seed's order is kept even when it is the given one)."""
    rng = random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))
    shuffled = list(items)
    rng.shuffle(shuffled)
    if not may_keep and len(set(items)) > 1 and shuffled == list(items):
        shuffled = shuffled[1:] + shuffled[:1]
    return tuple(shuffled)


def labelled(items: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    """``[("a", item0), ("b", item1), ...]``: the letters shown next to items."""
    return [(chr(ord("a") + i), item) for i, item in enumerate(items)]


# -- loading ---------------------------------------------------------------------------------

class _Where:
    """Builds error messages that name the file, the question and the field."""

    def __init__(self, path: Path | str, qid: str | None = None):
        self.path, self.qid = path, qid

    def fail(self, field: str, problem: str, fix: str) -> QuestionBankError:
        who = f"question {self.qid!r}" if self.qid else "top level"
        return QuestionBankError(f"{self.path}: {who}, field {field!r}: {problem}; {fix}")


def _text(data: dict, key: str, where: _Where, *, required: bool = True) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise where.fail(key, "is missing", f"add a non-empty {key}: text")
        return ""
    if not isinstance(value, str) or not value.strip():
        raise where.fail(key, f"should be non-empty text, not {value!r}", "write it as text")
    return value.strip()


_ALLOWED = {
    "single": {"options", "shuffle"},
    "multiple": {"options", "shuffle"},
    "true_false": {"answer", "misconception"},
    "matching": {"pairs", "misconception"},
    "ordering": {"items", "misconception"},
    "short": {"rubric"},
}
_COMMON = {"id", "type", "points", "prompt", "explanation",
           "said_by", "label", "speaks_for", "study"}  # provenance (coursekit.provenance)


def _options(raw: Any, qtype: str, where: _Where) -> tuple[Option, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise where.fail("options", "needs a list of at least two options",
                         "add options with id, text and correct or misconception")
    options, seen = [], set()
    for n, item in enumerate(raw, 1):
        field = f"options[{n}]"
        if not isinstance(item, dict):
            raise where.fail(field, f"should be a mapping, not {item!r}",
                             "write id:, text: and correct: or misconception:")
        unknown = set(item) - {"id", "text", "correct", "feedback", "misconception"}
        if unknown:
            raise where.fail(f"{field}.{sorted(unknown)[0]}", "is not a known option field",
                             "use id, text, correct, feedback or misconception")
        oid = item.get("id")
        if not isinstance(oid, str) or not _OPTION_ID.match(oid):
            raise where.fail(f"{field}.id", f"{oid!r} is not a single lower-case letter",
                             'use "a", "b", "c", ...')
        if oid in seen:
            raise where.fail(f"{field}.id", f"{oid!r} is used twice", "give each option its own id")
        seen.add(oid)
        correct = item.get("correct", False)
        if not isinstance(correct, bool):
            raise where.fail(f"{field}.correct", f"should be true or false, not {correct!r}",
                             "write correct: true on right options only")
        text = _text(item, "text", _Where(where.path, where.qid))
        misconception = item.get("misconception", "")
        if not correct and not (isinstance(misconception, str) and misconception.strip()):
            raise where.fail(f"{field}.misconception",
                             f"wrong option {oid!r} names no misconception",
                             "say what choosing it reveals, or mark it correct: true")
        feedback = item.get("feedback", "")
        if not isinstance(feedback, str):
            raise where.fail(f"{field}.feedback", f"should be text, not {feedback!r}",
                             "write it as text")
        options.append(Option(oid, text, correct, feedback.strip(),
                              (misconception or "").strip()))
    n_correct = sum(o.correct for o in options)
    if qtype == "single" and n_correct != 1:
        raise where.fail("options", f"a single-choice question has {n_correct} correct options",
                         "mark exactly one option correct: true (or use type: multiple)")
    if qtype == "multiple" and n_correct < 1:
        raise where.fail("options", "a multiple-choice question has no correct option",
                         "mark at least one option correct: true")
    return tuple(options)


def _strings(raw: Any, field: str, where: _Where, minimum: int = 2) -> tuple[str, ...]:
    if not isinstance(raw, list) or len(raw) < minimum:
        raise where.fail(field, f"needs a list of at least {minimum} items", "add them")
    for n, item in enumerate(raw, 1):
        if not isinstance(item, str) or not item.strip():
            raise where.fail(f"{field}[{n}]", f"should be non-empty text, not {item!r}",
                             "write it as text")
    if len(set(raw)) != len(raw):
        raise where.fail(field, "holds the same text twice", "make every item distinct")
    return tuple(s.strip() for s in raw)


def _question(raw: Any, lesson: str, index: int, path: Path | str) -> Question:
    if not isinstance(raw, dict):
        raise _Where(path, f"#{index}").fail("questions", f"item {index} is not a mapping",
                                             "start each question with - id: ...")
    qid = raw.get("id")
    if not isinstance(qid, str) or not _QUESTION_ID.match(qid):
        raise _Where(path, f"#{index}").fail(
            "id", f"{qid!r} is not a valid question id",
            "use lower-case words joined by hyphens, e.g. three-kinds")
    where = _Where(path, qid)
    qtype = raw.get("type")
    if qtype not in QUESTION_TYPES:
        raise where.fail("type", f"{qtype!r} is not a question type",
                         "use one of " + ", ".join(QUESTION_TYPES))
    unknown = set(raw) - _COMMON - _ALLOWED[qtype]
    if unknown:
        name = sorted(unknown)[0]
        raise where.fail(name, f"is not a field of a {qtype} question",
                         "allowed: " + ", ".join(sorted(_COMMON | _ALLOWED[qtype])))
    points = raw.get("points", 1)
    if not isinstance(points, int) or isinstance(points, bool) or points < 1:
        raise where.fail("points", f"{points!r} is not a positive whole number", "e.g. points: 1")
    fields: dict[str, Any] = {
        "lesson": lesson, "id": qid, "type": qtype, "points": points,
        "prompt": _text(raw, "prompt", where),
        "explanation": _text(raw, "explanation", where, required=qtype != "short"),
    }
    if raw.get("said_by") and fields["explanation"]:  # who says what it reports (provenance)
        from .provenance import Claim, render

        said = raw["said_by"] if isinstance(raw["said_by"], list) else [raw["said_by"]]
        fields["explanation"] = render(Claim(fields["explanation"], tuple(map(str, said)),
                                             raw.get("label")), markdown=False)
    if qtype in ("single", "multiple"):
        fields["options"] = _options(raw.get("options"), qtype, where)
        shuffle = raw.get("shuffle", 0)
        if not isinstance(shuffle, int) or isinstance(shuffle, bool) or shuffle < 0:
            raise where.fail("shuffle", f"{shuffle!r} is not a whole number of 0 or more",
                             "e.g. shuffle: 1 (any number gives another fixed option order)")
        fields["shuffle"] = shuffle
    elif qtype == "true_false":
        answer = raw.get("answer")
        if not isinstance(answer, bool):
            raise where.fail("answer", f"should be true or false, not {answer!r}",
                             "write answer: true or answer: false")
        fields["answer"] = answer
    elif qtype == "matching":
        pairs = raw.get("pairs")
        if not isinstance(pairs, list) or len(pairs) < 2:
            raise where.fail("pairs", "needs at least two left/right pairs",
                             "add - left: ... right: ... items")
        out = []
        for n, pair in enumerate(pairs, 1):
            if not isinstance(pair, dict) or set(pair) != {"left", "right"}:
                raise where.fail(f"pairs[{n}]", f"should have exactly left: and right:, not "
                                 f"{pair!r}", "write - left: ... right: ...")
            left = _text(pair, "left", _Where(path, qid))
            right = _text(pair, "right", _Where(path, qid))
            out.append((left, right))
        _strings([p[0] for p in out], "pairs.left", where)
        _strings([p[1] for p in out], "pairs.right", where)
        fields["pairs"] = tuple(out)
    elif qtype == "ordering":
        fields["items"] = _strings(raw.get("items"), "items", where)
    else:
        fields["rubric"] = _text(raw, "rubric", where)
    if qtype in ("true_false", "matching", "ordering"):
        fields["misconception"] = _text(raw, "misconception", where)
    return Question(**fields)


def parse(data: Any, path: Path | str, *, expect_lesson: str | None = None) -> QuestionBank:
    """Validate already-parsed YAML ``data`` read from ``path``."""
    top = _Where(path)
    validation.validate("questions", data, path, error=QuestionBankError)
    if not isinstance(data, dict):
        raise top.fail("lesson", "the file is not a mapping",
                       'start it with lesson: "NN" and questions:')
    unknown = set(data) - {"lesson", "questions"}
    if unknown:
        raise top.fail(sorted(unknown)[0], "is not a known top-level field",
                       "use only lesson: and questions:")
    lesson = data.get("lesson")
    if not isinstance(lesson, str) or not _LESSON_ID.match(lesson):
        raise top.fail("lesson", f"{lesson!r} is not a two-digit lesson id in quotes",
                       'write e.g. lesson: "01"')
    if expect_lesson is not None and lesson != expect_lesson:
        raise top.fail("lesson", f"says {lesson!r} but the file is for lesson {expect_lesson!r}",
                       "make the field match the file name")
    raw = data.get("questions")
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise top.fail("questions", "should be a list", "write questions: then - id: ... items")
    questions, seen = [], {}
    for index, item in enumerate(raw, 1):
        q = _question(item, lesson, index, path)
        if q.id in seen or q.variable in {v.variable for v in seen.values()}:
            raise _Where(path, q.id).fail("id", "is used by another question in this file",
                                          "give every question its own id")
        seen[q.id] = q
        questions.append(q)
    fixed = {item.get("id") for item in raw if isinstance(item, dict) and "shuffle" in item}
    return QuestionBank(lesson, balance_keys(questions, fixed), Path(path) if path else None)


def letter_limit(singles: list[Question] | tuple[Question, ...]) -> int:
    """The most single-choice keys one letter may hold in one check: half of them.

    What it guarantees, honestly: with ``n`` single-choice questions, no letter is the key
    of more than ``n // 2`` of them, so answering one letter everywhere earns at most half
    their points. The one case no order can meet is an odd number of questions that all
    have two options (only "a" and "b" exist, so one of them holds one more key): then the
    limit is half rounded up, ``(n + 1) // 2``, and answering one letter everywhere earns
    at most one question more than half. (True/false answers cannot be shuffled at all:
    their balance is the bank's own, see :mod:`coursekit.fairness`.)
    """
    n = len(singles)
    if n % 2 and all(len(q.options) == 2 for q in singles):
        return (n + 1) // 2
    return n // 2


def balance_keys(questions: list[Question], fixed: set[str] | frozenset[str] = frozenset()
                 ) -> tuple[Question, ...]:
    """The questions with their single-choice keys spread over the letters, so that no
    letter is the key of more than :func:`letter_limit` of one check's single-choice
    questions (half of them).

    Deterministic: questions whose ``shuffle`` the bank sets (``fixed`` ids) keep it
    (:func:`coursekit.fairness.fairness_problems` names them if they lean). Then the
    two-option questions, which can only sit at "a" or "b", then the others, each in bank
    order: a question keeps its seeded order unless its key's letter already holds its
    share; then the next ``shuffle`` number that moves the key to a letter with room is used.
    """
    from collections import Counter
    from dataclasses import replace

    singles = [q for q in questions if q.type == "single"]
    room = max(1, letter_limit(singles))
    counts = Counter(q.expected() for q in singles if q.id in fixed)
    free = [q for q in singles if q.id not in fixed]
    placed: dict[str, Question] = {}
    for q in sorted(free, key=lambda q: len(q.options) != 2):  # stable: bank order kept
        for n in range(q.shuffle, q.shuffle + 64):
            moved = replace(q, shuffle=n)
            if counts[moved.expected()] < room:
                q = moved
                break
        counts[q.expected()] += 1
        placed[q.id] = q
    return tuple(placed.get(q.id, q) if q.type == "single" else q for q in questions)


def load_file(path: Path | str) -> QuestionBank:
    """Load and validate one bank file; the lesson id must match the file's ``NN.yml`` name."""
    path = Path(path)
    try:
        data = yamlio.parse_bytes(path, path.read_bytes())  # the data bundle, else the YAML
    except FileNotFoundError:
        raise QuestionBankError(f"{path}: no such question bank; create it (see "
                                "docs/ARCHITECTURE.md for the format)") from None
    except Exception as exc:
        import yaml

        if not isinstance(exc, yaml.YAMLError):
            raise
        raise QuestionBankError(f"{path}: not valid YAML ({yamlio.describe(exc)}); fix the "
                                "syntax there") from None
    expect = path.stem if _LESSON_ID.match(path.stem) else None
    return parse(data, path, expect_lesson=expect)


def questions_dir() -> Path:
    return config.assets_dir() / "questions"


def bank_files(directory: Path | None = None) -> list[Path]:
    """Every ``NN.yml`` bank file, in lesson order."""
    directory = questions_dir() if directory is None else Path(directory)
    return sorted(p for p in directory.glob("*.yml") if _LESSON_ID.match(p.stem))


@lru_cache(maxsize=32)
def _cached(path: str, stamp: tuple) -> QuestionBank:
    return load_file(path)


def _stamp(path: Path) -> tuple:
    """What changes when a bank file is edited or replaced (a cache key)."""
    st = path.stat()
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def load_bank(lesson_id: str, directory: Path | None = None) -> QuestionBank:
    """The bank of one lesson (an empty bank when the lesson has no file yet)."""
    if not _LESSON_ID.match(str(lesson_id)):
        raise QuestionBankError(f"{lesson_id!r} is not a lesson id; use two digits, e.g. '01'")
    directory = questions_dir() if directory is None else Path(directory)
    path = directory / f"{lesson_id}.yml"
    if not path.exists():
        return QuestionBank(lesson_id, (), path)
    return _cached(str(path), _stamp(path))


def load_banks(directory: Path | None = None) -> list[QuestionBank]:
    """Every lesson's bank, validated, in lesson order (each file read again only when
    it changes; a bank is frozen, so callers share it)."""
    return [_cached(str(p), _stamp(p)) for p in bank_files(directory)]

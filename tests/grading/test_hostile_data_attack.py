"""Answer cells a hostile learner shaped to break the data path (coursekit.grading.dataanswers)."""

from __future__ import annotations

import pytest

from coursekit.grading.dataanswers import read_answer

DEEP = 1200  # parses, but deeper than ``ast.dump``'s recursion can walk


@pytest.mark.parametrize("extra", [
    "x = " + "+".join(["1"] * DEEP),
    "x = " + "not " * DEEP + "1",
    "x = a" + ".b" * DEEP,
    "x = f" + "(1)" * DEEP,
])
def test_a_deep_extra_line_is_reported_as_code_not_a_crash(extra):
    ok, reason = read_answer(f"answer_1 = 'b'\n{extra}\n", "answer_1", [])
    assert ok is False and "line 2" in reason


@pytest.mark.parametrize("source, expected", [
    ("answer_1 = 'a'\nanswer_1 = 'b'", (False, "line 2")),        # second assignment
    ("answer_\u0445 = 'b'", (False, "line 1")),                   # Cyrillic х, another name
    ("answer_1 = 'b'  # \\\n", (True, "b")),                      # comment hides nothing
    ("answer_1 = 'a'  # answer_1 = 'b'", (True, "a")),            # code in a comment: inert
    ("answer_1 = b'b'", (True, b"b")),                            # bytes: kept, key says no
    ("answer_1 = ('b',)", (True, ("b",))),
    ("answer_1 = " + "[" * 150 + "]" * 150, (True, None)),
])
def test_tricky_answer_lines_are_read_as_python_reads_them(source, expected):
    ok, value = read_answer(source, "answer_1", [])
    assert ok is expected[0]
    if ok and expected[1] is not None:
        assert value == expected[1]
    elif not ok:
        assert expected[1] in value

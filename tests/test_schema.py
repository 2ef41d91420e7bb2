"""The one validation pass: typed schemas for every data file, duplicate YAML keys refused,
each mistake reported as one sentence naming the file and the place."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from coursekit import ContentError, schema, yamlio
from coursekit.cli import main
from coursekit.errors import QuestionBankError, SessionPlanError
from coursekit.questionbank import load_file as load_bank_file

from conftest import ROOT


def test_the_committed_course_data_is_valid():
    assert schema.validate_all(ROOT) == []


def test_every_data_file_is_covered_by_a_schema():
    covered = {p.resolve() for _, p in schema._files(ROOT)}
    data = {p.resolve() for p in (ROOT / "assets").rglob("*.yml")}
    data |= {p.resolve() for p in (ROOT / "facilitator" / "sessions").glob("*.yml")}
    assert data - covered == set(), "add a schema for these files in coursekit/schema.py"


# -- duplicate keys -------------------------------------------------------------------------


def test_duplicate_keys_are_refused_with_both_lines():
    with pytest.raises(yamlio.DuplicateKeyError) as info:
        yamlio.safe_load("id: '01'\nlow: a\nlow: b\n")
    message = yamlio.describe(info.value)
    assert "'low' appears twice" in message and "lines 2 and 3" in message


def test_duplicate_keys_in_a_nested_mapping_are_refused():
    with pytest.raises(yaml.YAMLError, match="'text' appears twice"):
        yamlio.safe_load("prompts:\n  - id: a\n    text: one\n    text: two\n")


def test_merge_keys_and_distinct_keys_still_load():
    data = yamlio.safe_load("base: &b {p: 1, q: 2}\nc:\n  <<: *b\n  p: 3\n1: x\n'1': y\n")
    assert data["c"] == {"p": 3, "q": 2} and data[1] == "x" and data["1"] == "y"


def test_the_c_parser_is_kept_when_present():
    if hasattr(yaml, "CSafeLoader"):
        assert issubclass(yamlio.SafeLoader, yaml.CSafeLoader)


def test_load_file_names_the_file_and_line_of_a_duplicate(tmp_path):
    path = tmp_path / "support.yml"
    path.write_text("intro: hi\nresources: []\nintro: again\n", encoding="utf-8")
    with pytest.raises(ContentError) as info:
        yamlio.load_file(path)
    assert str(path) in str(info.value) and "lines 1 and 3" in str(info.value)


# -- one sentence per mistake ------------------------------------------------------------------

LESSON = yaml.safe_load((ROOT / "assets" / "lessons" / "01.yml").read_text(encoding="utf-8"))


def lesson_error(change) -> str:
    data = copy.deepcopy(LESSON)
    change(data)
    with pytest.raises(ContentError) as info:
        schema.check("lesson", data, "assets/lessons/01.yml")
    message = str(info.value)
    assert message.startswith("assets/lessons/01.yml: ")
    assert "\n" not in message and "Traceback" not in message
    return message


def prompt(data, prompt_id):
    return next(p for p in data["prompts"] if p["id"] == prompt_id)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d.update(reading_parts=5), "the field 'reading_parts' should be a list"),
    (lambda d: d.update(reading_parts=["one"]),
     "item 1 of 'reading_parts' should be a whole number, not text ('one')"),
    (lambda d: prompt(d, "regression.sort-examples").pop("categories"),
     "prompt 3 ('regression.sort-examples'): the field 'categories' is missing; add it"),
    (lambda d: prompt(d, "therapy.comparison").update(low=[1, 2]),
     "prompt 2 ('therapy.comparison'): the field 'low' should be text, not a list ([1, 2])"),
    (lambda d: prompt(d, "therapy.comparison").update(kind="poem"),
     "the field 'kind': 'poem' is not one of the allowed values; it should be one of text, "
     "rating, checklist, sort"),
    (lambda d: d.update(id=1), "the field 'id' should be a two-digit lesson id in quotes"),
    (lambda d: d.update(titel="x"), "the field 'titel' is not allowed here; remove it or fix "
     "its spelling (allowed here: id, slug, title, minutes"),
    (lambda d: prompt(d, "therapy.comparison").update(colour="red"),
     "prompt 2 ('therapy.comparison'): the field 'colour' is not allowed here; remove it or "
     "fix its spelling (allowed here: id, text, kind, low, high, scale)"),
    (lambda d: d.pop("content_note"), "the field 'content_note' is missing; add it"),
    (lambda d: d.update(minutes=0), "the field 'minutes' should be above 0, not 0"),
    (lambda d: d["prompts"].append("a bare line"),
     "item 5 of 'prompts' should be a mapping of fields"),
    (lambda d: d["prompts"].append(dict(d["prompts"][0])),
     "the prompt id 'regression.which-kind' is used twice"),
    (lambda d: prompt(d, "regression.sort-examples").update(categories=["only one"]),
     "the field 'categories' should be a list of at least two categories (text), or evidence"),
    (lambda d: prompt(d, "regression.sort-examples").update(categories="evidence"), None),
])
def test_lesson_mistakes_are_one_sentence_naming_the_place(change, expected):
    if expected is None:  # a valid change: the schema accepts it
        data = copy.deepcopy(LESSON)
        change(data)
        schema.check("lesson", data, "assets/lessons/01.yml")
        return
    assert expected in lesson_error(change)


def test_bank_mistakes_raise_the_bank_error_and_name_question_and_field(tmp_path):
    bank = yaml.safe_load((ROOT / "assets" / "questions" / "01.yml").read_text(encoding="utf-8"))
    first = bank["questions"][0]
    wrong = next(o for o in first["options"] if not o.get("correct"))
    wrong.pop("misconception")
    path = tmp_path / "01.yml"
    path.write_text(yaml.safe_dump(bank), encoding="utf-8")
    with pytest.raises(QuestionBankError) as info:
        load_bank_file(path)
    assert f"question 1 ({first['id']!r})" in str(info.value)
    assert f"wrong option {wrong['id']!r} names no misconception" in str(info.value)


def test_several_mistakes_in_one_file_are_counted_in_the_loader_message():
    data = copy.deepcopy(LESSON)
    data.update(minutes="fifty", title=3)
    with pytest.raises(ContentError, match=r"\(1 more problem in this file: run `coursekit "
                                           r"lessons lint`"):
        schema.check("lesson", data, "x.yml")


def test_session_plan_errors_keep_their_class():
    plan = yaml.safe_load((ROOT / "facilitator" / "sessions" / "02.yml").read_text())
    plan["formats"]["series"]["segments"][0]["kind"] = "lecture"
    with pytest.raises(SessionPlanError, match=r"formats\.series: segment 1 .*'lecture' is not"):
        schema.check("session-plan", plan, "02.yml", error=SessionPlanError)


# -- across files, in a copy of the kit ---------------------------------------------------------


@pytest.fixture
def kit(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "kit"
    root.mkdir()
    shutil.copytree(ROOT / "assets", root / "assets")
    shutil.copytree(ROOT / "facilitator" / "sessions", root / "facilitator" / "sessions")
    monkeypatch.setenv("COURSEKIT_ROOT", str(root))
    return root


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_a_reading_part_that_does_not_exist_is_named(kit):
    edit(kit / "assets" / "lessons" / "02.yml", lambda d: d.update(reading_parts=[1, 9]))
    problems = schema.validate_all(kit)
    assert len(problems) == 1
    assert "02.yml: reading_parts lists part 9, which reading 001 does not have" in problems[0]


def test_a_reference_kind_must_be_on_the_evidence_scale(kit):
    edit(kit / "assets" / "references.yml", lambda d: d["references"][-1].update(kind="blog"))
    problems = schema.validate_all(kit)
    assert len(problems) == 1 and "kind 'blog' should be 'reading' or a kind of support on the " \
        "evidence scale (research, theory" in problems[0]
    edit(kit / "assets" / "references.yml",
         lambda d: d["references"][-1].update(kind="Clinical-Experience"))
    assert schema.validate_all(kit) == []


def test_an_unknown_lesson_in_the_glossary_is_named_once(kit):
    edit(kit / "assets" / "glossary.yml", lambda d: d["terms"][0].update(lessons=["01", "42"]))
    problems = schema.validate_all(kit)
    assert problems == [f"{kit / 'assets' / 'glossary.yml'}: 'shared-fantasy' names lesson 42, "
                        "which the course does not have; use an id from assets/lessons/"]


def test_one_broken_lesson_file_is_one_problem_not_a_cascade(kit):
    (kit / "assets" / "lessons" / "01.yml").write_text("id: '01'\nid: '01'\n", encoding="utf-8")
    problems = schema.validate_all(kit)
    assert len(problems) == 1 and "'id' appears twice" in problems[0]


# -- how the command and a lesson cell show it ---------------------------------------------------


def test_cli_prints_one_line_and_exits_1_and_debug_shows_the_traceback(kit):
    edit(kit / "assets" / "lessons" / "01.yml",
         lambda d: prompt(d, "therapy.comparison").update(low=[1, 2]))
    runner = CliRunner()
    result = runner.invoke(main, ["grade", "generate", "--check"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert "01.yml: prompt 2 ('therapy.comparison'): the field 'low'" in result.output
    debug = runner.invoke(main, ["--debug", "grade", "generate", "--check"])
    assert debug.exit_code == 1 and isinstance(debug.exception, ContentError)


def test_a_notebook_cell_shows_the_kit_error_as_its_message_alone(monkeypatch):
    error = ContentError("assets/lessons/01.yml: the field 'title' is missing; add it")
    monkeypatch.delenv("COURSEKIT_DEBUG", raising=False)
    shown = error._render_traceback_()
    assert len(shown) == 1 and shown[0].endswith(str(error)) and "Traceback" not in shown[0]
    monkeypatch.setenv("COURSEKIT_DEBUG", "1")
    assert not hasattr(error, "_render_traceback_")  # IPython then shows the full traceback


# -- the test suite's own rule for missing system parts -----------------------------------------


def test_a_missing_system_part_skips_in_one_line_outside_ci_and_fails_in_ci(monkeypatch):
    from conftest import missing

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("COURSEKIT_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        missing("Chromium", "apt-get install chromium")
    assert str(skipped.value) == "Chromium is missing: apt-get install chromium"
    for name, value in (("CI", "true"), ("COURSEKIT_REQUIRE_BROWSER", "1")):
        with monkeypatch.context() as m:
            m.setenv(name, value)
            with pytest.raises(pytest.fail.Exception, match="Chromium is missing"):
                missing("Chromium", "apt-get install chromium")


def test_an_activity_material_must_name_a_sheet_the_build_prints():
    path = ROOT / "facilitator" / "sessions" / "01.yml"
    plan = yaml.safe_load(path.read_text(encoding="utf-8"))
    activity = plan["activities"][0]
    activity["materials"][0]["sheet"] = "sort-the-clams"
    with pytest.raises(SessionPlanError, match=r"sort-the-clams.*not one `make handouts` builds"):
        schema.check("session-plan", plan, "01.yml", error=SessionPlanError)
    activity["materials"] = [{"item": "Scissors"}]
    with pytest.raises(SessionPlanError, match=r"cards \(sort-the-claims\) that its materials do not list"):
        schema.check("session-plan", plan, "01.yml", error=SessionPlanError)

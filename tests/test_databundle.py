"""The data bundle: parsed YAML a lesson's kernel reads instead of PyYAML, never instead of
an edited file."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursekit import bundlebuild, course, databundle, questionbank, yamlio
from coursekit.cli import main
from coursekit.errors import ContentError

from conftest import copy_of_kit

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"


@pytest.fixture
def kit(tmp_path, monkeypatch) -> Path:
    """A copy of the kit's assets (with its bundle) that a test may edit."""
    return copy_of_kit(tmp_path, monkeypatch, "assets") / "assets"


def test_the_committed_bundle_is_in_step_with_the_yaml():
    assert not bundlebuild.stale(ASSETS), (
        "assets/data-bundle.json is out of step with the YAML files; run `make sync` "
        "(coursekit lessons sync) and commit it")


def test_every_bundled_document_is_what_the_yaml_parses_to():
    files = json.loads(databundle.bundle_path(ASSETS).read_text(encoding="utf-8"))["files"]
    expected = {p.relative_to(ASSETS).as_posix() for p in bundlebuild.sources(ASSETS)}
    assert set(files) == expected  # every YAML file a lesson may read is there
    for rel in sorted(files):
        path = ASSETS / rel
        raw = path.read_bytes()
        found = databundle.lookup(path, raw)
        assert found is not databundle.MISSING, rel
        assert found == yamlio.safe_load(raw.decode("utf-8")), rel


def test_dates_come_back_as_dates(kit):
    """A YAML date (an unquoted checked: date) is a date from the bundle too."""
    path = kit / "support.yml"
    text = path.read_text(encoding="utf-8").replace('checked: "2026-11-28"', "checked: 2026-11-29")
    assert "checked: 2026-11-29" in text
    path.write_text(text, encoding="utf-8")
    assert databundle.lookup(path, path.read_bytes()) is databundle.MISSING
    bundlebuild.write(kit)
    data = databundle.lookup(path, path.read_bytes())
    assert data["checked"] == dt.date(2026, 11, 29) and data == yamlio.safe_load(text)
    assert course.support_resources()["checked"] == "2026-11-29"


def test_an_edited_file_is_read_from_its_yaml_not_the_bundle(kit):
    path = kit / "support.yml"
    before = course.support_resources()
    data = yamlio.safe_load(path.read_text(encoding="utf-8"))
    data["intro"] = "A facilitator's own words for their region."
    path.write_text(json.dumps(data, default=str), encoding="utf-8")  # JSON is YAML too
    assert databundle.lookup(path, path.read_bytes()) is databundle.MISSING
    assert course.support_resources()["intro"] == "A facilitator's own words for their region."
    assert before["intro"] != "A facilitator's own words for their region."


def test_an_edited_lesson_gives_the_edited_title_and_a_broken_one_its_error(kit):
    path = kit / "lessons" / "01.yml"
    data = yamlio.safe_load(path.read_text(encoding="utf-8"))
    data["title"] = "A title edited after the bundle was made"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert course.lesson("01").title == "A title edited after the bundle was made"
    path.write_text(json.dumps(data)[:-1], encoding="utf-8")
    with pytest.raises(ContentError, match="cannot be read as YAML"):
        course.lesson("01")


def test_a_damaged_or_missing_bundle_only_costs_time(kit):
    bundle = databundle.bundle_path(kit)
    expected = course.load_lesson_file(ASSETS / "lessons" / "02.yml")
    for damage in ("{not json", json.dumps({"format": 1, "files": {"lessons/02.yml": 7}}), None):
        if damage is None:
            bundle.unlink()
        else:
            bundle.write_text(damage, encoding="utf-8")
        path = kit / "lessons" / "02.yml"
        assert databundle.lookup(path, path.read_bytes()) is databundle.MISSING
        info = course.load_lesson_file(path)
        assert (info.title, info.prompts, info.key_points) == (
            expected.title, expected.prompts, expected.key_points)


def test_callers_get_their_own_copy(kit):
    path = kit / "course.yml"
    first = databundle.lookup(path, path.read_bytes())
    first["title"] = "changed by a caller"
    assert databundle.lookup(path, path.read_bytes())["title"] != "changed by a caller"


def test_a_question_bank_comes_from_the_bundle_with_the_same_questions():
    path = ASSETS / "questions" / "01.yml"
    bank = questionbank.load_file(path)
    parsed = questionbank.parse(yamlio.safe_load(path.read_text(encoding="utf-8")), path,
                                expect_lesson="01")
    assert [q.id for q in bank] == [q.id for q in parsed] and len(bank) > 0
    assert bank.questions == parsed.questions


def test_json_cannot_hold_every_document():
    with pytest.raises(databundle.Unrepresentable):
        databundle.encode({1: "a key that is a number"})
    with pytest.raises(databundle.Unrepresentable):
        databundle.encode({"$date": "text that looks like an encoded date"})


def test_sync_writes_the_bundle_and_check_reports_it_stale(kit):
    (kit / "course.yml").write_text((kit / "course.yml").read_text(encoding="utf-8")
                                    + "\n# a comment changes the text\n", encoding="utf-8")
    assert bundlebuild.stale(kit)
    assert bundlebuild.write(kit) is True
    assert not bundlebuild.stale(kit) and bundlebuild.write(kit) is False


def test_sync_check_names_a_stale_bundle(kit):
    (kit / "course.yml").write_text((kit / "course.yml").read_text(encoding="utf-8")
                                    + "\n# edited\n", encoding="utf-8")
    shutil.copytree(ROOT / "lessons", kit.parent / "lessons")
    result = CliRunner().invoke(main, ["lessons", "sync", "--check"])
    assert result.exit_code == 1 and "data-bundle.json" in result.output, result.output

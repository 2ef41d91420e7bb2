"""Attacks on the data bundle: can a learner ever see content other than the YAML's?

The bundle is a shortcut keyed by each file's text hash; these tests try the ways a real
kit folder drifts from it (a Windows checkout's CRLF endings, a hand-edited or foreign
bundle, a bundle broken in ways JSON still parses) and check the lesson gets exactly what
its YAML says, from the bundle when the text is the same, from the YAML otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coursekit import bundlebuild, course, databundle, questionbank, yamlio

from conftest import copy_of_kit

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"


@pytest.fixture
def kit(tmp_path, monkeypatch) -> Path:
    return copy_of_kit(tmp_path, monkeypatch, "assets") / "assets"


def _crlf(kit: Path) -> list[Path]:
    """The YAML files as a Windows checkout (core.autocrlf=true) writes them."""
    paths = bundlebuild.sources(kit)
    for path in paths:
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    return paths


def test_crlf_yaml_gives_the_same_documents_and_keeps_the_bundle(kit):
    """YAML reads a CRLF line end as a LF one, so the bundle's documents are still the
    files' own: served from the bundle, equal to parsing the CRLF text, and the committed
    bundle is in step on a Windows checkout."""
    paths = _crlf(kit)
    assert len(paths) > 10 and all(b"\r\n" in p.read_bytes() for p in paths)
    for path in paths:
        raw = path.read_bytes()
        parsed = yamlio.safe_load(raw.decode("utf-8"))
        found = databundle.lookup(path, raw)
        assert found is not databundle.MISSING, path.name
        assert found == parsed == yamlio.safe_load(raw.replace(b"\r\n", b"\n").decode()), \
            path.name
    assert not bundlebuild.stale(kit)


def test_a_crlf_file_edited_without_sync_is_read_from_its_yaml(kit):
    _crlf(kit)
    path = kit / "lessons" / "01.yml"
    text = path.read_bytes().decode("utf-8")
    data = yamlio.safe_load(text)
    data["title"] = "Edited on Windows, never synced"
    path.write_bytes(json.dumps(data).encode("utf-8") + b"\r\n")
    assert databundle.lookup(path, path.read_bytes()) is databundle.MISSING
    assert course.lesson("01").title == "Edited on Windows, never synced"


def test_a_lone_carriage_return_is_not_taken_for_a_line_end(kit):
    """Only CRLF is read as LF for the hash: a CR inside a line changes the text."""
    path = kit / "course.yml"
    raw = path.read_bytes()
    path.write_bytes(raw + b"# a comment\rwith a lone carriage return\n")
    assert databundle.lookup(path, path.read_bytes()) is databundle.MISSING
    path.write_bytes(raw.replace(b"\n", b"\r\n"))
    assert databundle.lookup(path, path.read_bytes()) is not databundle.MISSING


def test_a_hand_edited_bundle_is_caught_by_sync_check(kit):
    """Someone edits data-bundle.json instead of the YAML (the hash still matches the
    file): `lessons sync --check` and the in-step test name it; `make sync` puts the
    YAML's words back."""
    bundle = databundle.bundle_path(kit)
    doc = json.loads(bundle.read_text(encoding="utf-8"))
    doc["files"]["lessons/01.yml"]["data"]["title"] = "Words typed into the bundle"
    bundle.write_text(json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                      encoding="utf-8")
    assert bundlebuild.stale(kit)
    bundlebuild.write(kit)
    assert course.lesson("01").title != "Words typed into the bundle"
    assert course.lesson("01").title == yamlio.safe_load(
        (kit / "lessons" / "01.yml").read_text(encoding="utf-8"))["title"]


@pytest.mark.parametrize("damage", [
    {"format": 2},  # a bundle from a later version of the kit
    {"format": 1, "files": []},
    {"format": 1},
    {"format": 1, "files": {"lessons/02.yml": {"sha256": "x"}}},
    {"format": 1, "files": {"lessons/02.yml": {"data": {"title": "no hash"}}}},
    [1, 2, 3],
    "a string",
])
def test_a_bundle_json_can_parse_yet_be_wrong_in_shape(kit, damage):
    bundle = databundle.bundle_path(kit)
    good = json.loads(bundle.read_text(encoding="utf-8"))
    if isinstance(damage, dict) and damage.get("format") == 2:
        damage = {**good, "format": 2}
    bundle.write_text(json.dumps(damage), encoding="utf-8")
    path = kit / "lessons" / "02.yml"
    assert databundle.lookup(path, path.read_bytes()) is databundle.MISSING
    assert course.lesson("02").title == yamlio.safe_load(path.read_text(encoding="utf-8"))[
        "title"]


def test_a_truncated_bundle_and_a_bundle_of_another_version_give_the_yaml(kit):
    """A bundle cut off mid-write, then one whose hashes are of other texts (an older
    version of the kit's questions): every question comes from the YAML."""
    bundle = databundle.bundle_path(kit)
    text = bundle.read_text(encoding="utf-8")
    bundle.write_text(text[: len(text) // 2], encoding="utf-8")
    path = kit / "questions" / "01.yml"
    expected = questionbank.parse(yamlio.safe_load(path.read_text(encoding="utf-8")), path,
                                  expect_lesson="01")
    assert questionbank.load_file(path).questions == expected.questions
    doc = json.loads(text)
    for entry in doc["files"].values():  # every hash of another text, data left as it was
        entry["sha256"] = databundle.digest(b"another version")
        if isinstance(entry["data"], dict) and "questions" in entry["data"]:
            entry["data"]["questions"] = entry["data"]["questions"][:1]
    bundle.write_text(json.dumps(doc), encoding="utf-8")
    assert questionbank.load_file(path).questions == expected.questions
    assert len(expected.questions) > 1

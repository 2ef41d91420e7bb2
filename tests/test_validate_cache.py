"""A course document that passed its schema once is not checked again (a lesson's kernel
then starts without importing pydantic); a changed or broken one always is."""

from __future__ import annotations

import pytest

from coursekit import schema, validation
from coursekit.course import load_lesson_file
from coursekit.errors import ContentError


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(validation.CACHE_ENV, str(tmp_path / "cache"))
    validation._CHECKED.clear()
    yield tmp_path / "cache" / "validated.json"
    validation._CHECKED.clear()


def counting(monkeypatch) -> list:
    calls = []
    real = schema.check

    def check(kind, data, path, **kwargs):
        calls.append(kind)
        return real(kind, data, path, **kwargs)

    monkeypatch.setattr(schema, "check", check)
    return calls


def test_a_checked_lesson_is_not_checked_again(cache, monkeypatch, tmp_path):
    from coursekit import config

    calls = counting(monkeypatch)
    source = config.assets_dir() / "lessons" / "01.yml"
    load_lesson_file(source)
    # The lesson, and the documents its checks read (the evidence scale its rows name).
    assert calls[0] == "lesson" and set(calls) <= {"lesson", "evidence"} and cache.exists()
    first = list(calls)
    validation._CHECKED.clear()  # a new kernel: only the file on disk remembers
    load_lesson_file(source)
    assert calls == first
    # The same lesson changed: checked again.
    changed = tmp_path / "01.yml"
    text = source.read_text(encoding="utf-8")
    changed.write_text(text + "\nbeliefs_note: an extra field\n", encoding="utf-8")
    with pytest.raises(ContentError):
        load_lesson_file(changed)
    assert calls[len(first):] == ["lesson"]


def test_a_broken_document_is_refused_every_time(cache, monkeypatch):
    calls = counting(monkeypatch)
    for _ in range(2):
        with pytest.raises(ContentError):
            validation.validate("lesson", {"id": "01"}, "lessons/01.yml")
    assert calls == ["lesson", "lesson"]

"""The references: valid entries, every lesson id real, the page generated and current."""

from __future__ import annotations

import pytest

from coursekit import ContentError, references
from coursekit.course import lessons


def test_committed_references_are_valid_and_page_current():
    refs = references.load()
    assert {r.kind for r in refs.values()} == {"reading", "research", "theory"}
    known = {x.id for x in lessons()}
    for ref in refs.values():
        assert set(ref.used_in) <= known, f"{ref.id} names lessons that do not exist"
    assert references.page_is_current(), "run `coursekit lessons sync`"


def test_every_reading_lesson_cites_its_reading():
    refs = references.load().values()
    for info in lessons():
        if info.reading:
            assert any(r.kind == "reading" and info.id in r.used_in for r in refs), info.id


@pytest.mark.parametrize("body,message", [
    ("references:\n  - {id: a, citation: c}\n", "'kind' is missing"),
    ("references:\n  - {id: a, citation: c, kind: blog}\n", "'blog' should be 'reading' or a kind"),
    ("references:\n  - {id: a, citation: c, kind: research, used_in: [1]}\n", "lesson id"),
    ("references:\n  - {id: a, citation: c, kind: research}\n  - {id: a, citation: d, kind: reading}\n",
     "used twice"),
])
def test_malformed_reference_is_named(tmp_path, body, message):
    path = tmp_path / "references.yml"
    path.write_text(body)
    with pytest.raises(ContentError, match=message):
        references.load(path)


def test_render_escapes_nothing_and_groups_by_kind(tmp_path):
    path = tmp_path / "references.yml"
    path.write_text("references:\n  - {id: z, citation: Zed (2000)., kind: research}\n"
                    "  - {id: r, citation: A reading., kind: reading, used_in: ['01']}\n")
    page = references.render(references.load(path))
    assert page.index("## The readings") < page.index("A reading.") < page.index("## Research")
    assert '<a id="z"></a>Zed (2000).' in page and "*Lessons 01.*" in page

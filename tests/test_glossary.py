"""The glossary: every key term once, every link resolves, the page is generated."""

from __future__ import annotations

import re

import pytest

from coursekit import ContentError, glossary

from conftest import ROOT, lesson_notebooks


def write(tmp_path, text):
    path = tmp_path / "glossary.yml"
    path.write_text(text)
    return path


def test_load_and_render(tmp_path):
    path = write(tmp_path, """
terms:
  - slug: trauma-bond
    term: Trauma bond
    definition: A strong attachment formed through cycles of harm and relief.
    lessons: ["04"]
    see_also: [no-contact]
  - slug: no-contact
    term: No contact
    definition: Ending all contact.
""")
    terms = glossary.load(path)
    page = glossary.render(terms)
    assert page.index("## No contact") < page.index("## Trauma bond")
    assert '<a id="trauma-bond"></a>' in page
    assert "[No contact](#no-contact)" in page


@pytest.mark.parametrize("body,message", [
    ("terms:\n  - slug: a\n    term: A\n", "'definition' is missing"),
    ("terms:\n  - slug: Bad Slug\n    term: A\n    definition: d\n", "lowercase words"),
    ("terms:\n  - {slug: a, term: A, definition: d}\n  - {slug: a, term: B, definition: d}\n",
     "used twice"),
    ("terms:\n  - {slug: a, term: A, definition: d}\n  - {slug: b, term: a, definition: d}\n",
     "appears twice"),
    ("terms:\n  - {slug: a, term: A, definition: d, see_also: [zzz]}\n", "'zzz', which is no term"),
])
def test_malformed_entries_name_the_term_and_field(tmp_path, body, message):
    with pytest.raises(ContentError, match=message):
        glossary.load(write(tmp_path, body))


def test_broken_links_found():
    terms = {"a": glossary.Term("a", "A", "d")}
    text = "see [A](../assets/glossary.md#a) and [B](../assets/glossary.md#b)"
    assert glossary.broken_links(text, terms) == ["b"]


def test_committed_glossary_is_valid_and_page_current():
    terms = glossary.load()
    assert glossary.page_is_current(), "run `coursekit lessons sync` to regenerate glossary.md"
    for term in terms.values():
        assert len(term.definition.split()) >= 8, f"{term.slug}: definition is too short"


@pytest.mark.parametrize("path", lesson_notebooks(), ids=lambda p: p.name)
def test_every_glossary_link_in_lessons_resolves(path):
    terms = glossary.load()
    text = path.read_text()
    assert glossary.broken_links(text, terms) == []


def test_reading_lessons_link_their_key_terms():
    for path in lesson_notebooks():
        if path.name[:2] in ("01", "02", "03", "04"):
            text = path.read_text()
            key_terms = text.split("### Key terms", 1)[-1].split("###", 1)[0]
            assert len(glossary.LINK.findall(key_terms)) >= 3, f"{path.name}: key terms unlinked"


def test_every_svg_diagram_is_accessible():
    svgs = sorted((ROOT / "assets").rglob("*.svg"))
    for svg in svgs:
        text = svg.read_text()
        assert 'role="img"' in text, f"{svg.name} lacks role=img"
        assert re.search(r"<title[^>]*>\s*\S", text), f"{svg.name} lacks a <title>"
        assert re.search(r"<desc[^>]*>\s*\S", text), f"{svg.name} lacks a <desc>"


def test_unparseable_yaml_names_the_file_and_the_fix(tmp_path):
    path = write(tmp_path, "terms:\n  - slug: [unclosed\n")
    with pytest.raises(ContentError, match=r"(?s)glossary\.yml cannot be read as YAML .*git checkout"):
        glossary.load(path)


def test_glossary_claims_about_research_name_their_study_and_none_says_everyone():
    """A definition that reports research names a study of the references (the evidence
    scale's rule: research is a named study you can look up), and no definition makes an
    unattributed claim about everyone."""
    import re

    from coursekit import config, yamlio

    assets = config.assets_dir()
    refs = yamlio.load_file(assets / "references.yml")["references"]
    surnames = {str(r["citation"]).split(",")[0].strip() for r in refs
                if r.get("kind") == "research"}
    terms = yamlio.load_file(assets / "glossary.yml")["terms"]
    for term in terms:
        text = " ".join(str(term["definition"]).split())
        if re.search(r"\bresearch (?:finds|found|shows|showed|measures|suggests)\b", text, re.I):
            assert any(name in text for name in surnames), (term["slug"], text)
        assert not re.search(r"\beveryone (?:has|shows|is)\b", text, re.I), (term["slug"], text)
    traits = next(t for t in terms if t["slug"] == "narcissistic-traits")
    assert "Wetzel" in traits["definition"] and "column" in traits["definition"]

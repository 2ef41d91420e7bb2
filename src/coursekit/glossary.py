"""The glossary (``assets/glossary.yml``, every key term once) and its rendered page.

Lessons link to ``../assets/glossary.md#<slug>``; ``coursekit lessons sync``
writes ``assets/glossary.md`` from the YAML and the linter checks every link
resolves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import config, validation, yamlio
from .errors import ContentError

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LINK = re.compile(r"\]\((?:\.\./)?assets/glossary\.md#([^)\s]+)\)")
HEADER = (
    "<!-- Generated from assets/glossary.yml by `coursekit lessons sync`: edit the YAML, "
    "not this page. -->\n\n# Glossary\n\nEvery key term of the course, once, in the course's "
    "own words. Each entry says which lessons use it.\n"
)


@dataclass(frozen=True)
class Term:
    slug: str
    term: str
    definition: str
    lessons: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()


def path() -> Path:
    return config.assets_dir() / "glossary.yml"


def load(source: Path | None = None) -> dict[str, Term]:
    """Every term by slug; a malformed entry raises ContentError naming it and the field."""
    source = source or path()
    if not source.exists():
        return {}
    data = yamlio.load_file(source) or {}
    validation.validate("glossary", data, source)
    terms: dict[str, Term] = {}
    for i, raw in enumerate(data.get("terms") or [], 1):
        where = f"{source}: term {i} ({raw.get('slug', '?') if isinstance(raw, dict) else '?'})"
        if not isinstance(raw, dict):
            raise ContentError(f"{where} should be a mapping with slug, term and definition")
        for field in ("slug", "term", "definition"):
            if not str(raw.get(field) or "").strip():
                raise ContentError(f"{where}: the field {field!r} is missing or empty")
        slug = str(raw["slug"])
        if not SLUG.match(slug):
            raise ContentError(f"{where}: slug {slug!r} should be lowercase words and hyphens")
        if slug in terms:
            raise ContentError(f"{where}: slug {slug!r} is used twice; keep each term once")
        terms[slug] = Term(slug, str(raw["term"]).strip(), " ".join(str(raw["definition"]).split()),
                           tuple(str(x) for x in raw.get("lessons") or ()),
                           tuple(str(x) for x in raw.get("see_also") or ()))
    names = [t.term.lower() for t in terms.values()]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ContentError(f"{source}: these terms appear twice: {', '.join(twice)}")
    for term in terms.values():
        for other in term.see_also:
            if other not in terms:
                raise ContentError(f"{source}: {term.slug} sees also {other!r}, which is no term")
    return terms


def render(terms: dict[str, Term]) -> str:
    parts = [HEADER]
    for term in sorted(terms.values(), key=lambda t: t.term.lower()):
        parts.append(f'\n<a id="{term.slug}"></a>\n\n## {term.term}\n\n{term.definition}\n')
        notes = []
        if term.lessons:
            notes.append("Lessons: " + ", ".join(term.lessons))
        if term.see_also:
            notes.append("See also: " + ", ".join(
                f"[{terms[s].term}](#{s})" for s in term.see_also))
        if notes:
            parts.append("\n*" + ". ".join(notes) + ".*\n")
    return "".join(parts)


def write_page() -> bool:
    """Write ``assets/glossary.md``; return True when it changed."""
    page = config.assets_dir() / "glossary.md"
    text = render(load())
    if page.exists() and page.read_text(encoding="utf-8") == text:
        return False
    page.write_text(text, encoding="utf-8")
    return True


def page_is_current() -> bool:
    page = config.assets_dir() / "glossary.md"
    return page.exists() and page.read_text(encoding="utf-8") == render(load())


def broken_links(text: str, terms: dict[str, Term]) -> list[str]:
    """The glossary anchors ``text`` links to that no term has."""
    return [slug for slug in LINK.findall(text) if slug not in terms]

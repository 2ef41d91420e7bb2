"""Shared by the provenance tests: one edit of a copied kit's file (:func:`edit`) and the
linter's verdict on one key point (:func:`yaml_problems`)."""

from __future__ import annotations

from pathlib import Path

from coursekit import provenance


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in ``path`` (which must hold it) with ``new``."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def yaml_problems(text: str, said_by=("001-part2", "001-part5")) -> list[str]:
    """What the linter says of a key point ``text`` said by ``said_by``, in a lesson that
    presents every reading."""
    known = provenance.speakers()
    scope = tuple(s for s in known if s != provenance.COURSE)
    claim = provenance.Claim(text, tuple(said_by), "opinion")
    return provenance.claim_problems(claim, "key point", scope, known, provenance._references())

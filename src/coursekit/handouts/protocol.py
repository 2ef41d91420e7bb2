"""The parts of ``facilitator/safety-protocol.md`` generated from the data files."""

from __future__ import annotations

from pathlib import Path

from .. import config
from ..errors import ContentError
from .pieces import agreements_markdown, content_notes_markdown

GENERATED_START = ("<!-- coursekit:generated {name} "
                   "(edit the source, then run `coursekit handouts protocol`) -->")
GENERATED_END = "<!-- coursekit:end {name} -->"


def protocol_path() -> Path:
    return config.kit_root() / "facilitator" / "safety-protocol.md"



def protocol_blocks() -> dict[str, str]:
    """The parts of ``facilitator/safety-protocol.md`` rendered from data files."""
    return {"content-notes": content_notes_markdown(), "agreements": agreements_markdown()}


def sync_protocol(path: Path | None = None, *, check: bool = False) -> bool:
    """Refresh the generated blocks of the safety protocol; return True if it changed."""
    path = path or protocol_path()
    text = path.read_text(encoding="utf-8")
    new = text
    for name, body in protocol_blocks().items():
        start, end = GENERATED_START.format(name=name), GENERATED_END.format(name=name)
        if start not in new or end not in new:
            raise ContentError(f"{path} lacks the markers for the generated block {name!r}; "
                               f"put these two lines where it belongs:\n{start}\n{end}")
        head, rest = new.split(start, 1)
        _, tail = rest.split(end, 1)
        new = f"{head}{start}\n{body}\n{end}{tail}"
    if new != text and not check:
        path.write_text(new, encoding="utf-8")
    return new != text

"""The full reading texts, for a facilitator who holds them.

The kit ships no reading: they are third-party, copyrighted texts. Setting
``COURSEKIT_READINGS_DIR`` to a folder of them lets each reading lesson show its
full text in a collapsible panel beside the guide. Without it, or when a file
is missing, empty or cannot be decoded, the lesson says so and carries on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import config, validation, yamlio
from .errors import ContentError, ReadingError

SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class Reading:
    id: str
    title: str
    author: str
    source: str
    parts: tuple[dict, ...] = ()


def catalogue() -> dict[str, Reading]:
    path = config.assets_dir() / "readings.yml"
    data = yamlio.load_file(path)
    validation.validate("readings", data, path)
    try:
        return {
            str(r["id"]): Reading(str(r["id"]), r["title"], r.get("author", ""),
                                  r.get("source", ""), tuple(r.get("parts") or ()))
            for r in data["readings"]
        }
    except (KeyError, TypeError) as exc:
        raise ContentError(f"{path} cannot be read as the readings catalogue: {exc}") from exc


def find_file(reading_id: str, folder: Path | None = None) -> Path:
    """The file that holds reading ``reading_id`` in the facilitator's folder."""
    folder = folder if folder is not None else config.readings_dir()
    if folder is None:
        raise ReadingError(
            f"the full text of reading {reading_id} is not installed; a facilitator who holds "
            f"it can set {config.READINGS_DIR_ENV} to the folder of reading files and restart "
            "the kernel"
        )
    if not folder.is_dir():
        raise ReadingError(
            f"{config.READINGS_DIR_ENV} is set to {folder}, which is not a folder; point it at "
            "the folder that holds the reading files"
        )
    candidates = sorted(
        p for p in folder.iterdir()
        if p.suffix in SUFFIXES and (p.stem == reading_id or p.stem.startswith(f"{reading_id}_"))
    )
    if not candidates:
        raise ReadingError(
            f"reading {reading_id} is not in {folder}; add it as {reading_id}_<name>.txt "
            f"(or {reading_id}.txt)"
        )
    return candidates[0]


def load_text(reading_id: str, folder: Path | None = None) -> str:
    """The whole text of one reading, or a :class:`ReadingError` that says what to do."""
    path = find_file(reading_id, folder)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReadingError(f"{path} cannot be read ({exc.strerror}); check its permissions") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadingError(
            f"{path} is not UTF-8 text (byte {exc.start} cannot be decoded); save it again as "
            "UTF-8 plain text"
        ) from exc
    if not text.strip():
        raise ReadingError(f"{path} is empty; replace it with the full text of reading {reading_id}")
    return text


def split_parts(text: str, parts: tuple[dict, ...]) -> dict[int, str]:
    """Split a collection into its numbered parts at each part's title line."""
    lines = text.splitlines()
    starts: list[tuple[int, int]] = []
    search_from = 0
    for part in parts:
        title = part["title"].strip().lower()
        at = next((i for i in range(search_from, len(lines))
                   if lines[i].strip().lower().startswith(title)), None)
        if at is None:
            raise ReadingError(f"part {part['number']} ({part['title']!r}) was not found in the text")
        starts.append((int(part["number"]), at))
        search_from = at + 1
    out = {}
    for k, (number, at) in enumerate(starts):
        end = starts[k + 1][1] if k + 1 < len(starts) else len(lines)
        out[number] = "\n".join(lines[at:end]).strip()
    return out


def lesson_text(reading_id: str, part_numbers: tuple[int, ...] = (), folder: Path | None = None
                ) -> str:
    """The text a lesson shows: the whole reading, or only the parts it draws on."""
    text = load_text(reading_id, folder)
    if not part_numbers:
        return text
    reading = catalogue()[reading_id]
    parts = split_parts(text, reading.parts)
    return "\n\n".join(parts[n] for n in part_numbers)

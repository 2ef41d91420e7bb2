"""Validating one document (:func:`check`) and the whole kit (:func:`validate_all`,
:func:`require_valid`), with the checks that span files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import (
    ValidationError,
)

from .. import yamlio
from ..errors import ContentError
from .coursedata import (
    CourseFile,
    EvidenceFile,
    GlossaryFile,
    ReadingsFile,
    ReferencesFile,
    SupportFile,
    evidence_key,
)
from .fields import (
    _Model,
)
from .lessons import LessonFile
from .messages import describe_errors
from .questions import QuestionBankFile
from .sessions import AgreementsFile, FormatsFile, SessionPlanFile

#: Every kind of data file, by the name the loaders pass to :func:`check`.
SCHEMAS: dict[str, type[_Model]] = {
    "lesson": LessonFile,
    "questions": QuestionBankFile,
    "glossary": GlossaryFile,
    "references": ReferencesFile,
    "readings": ReadingsFile,
    "evidence": EvidenceFile,
    "course": CourseFile,
    "support": SupportFile,
    "session-plan": SessionPlanFile,
    "formats": FormatsFile,
    "agreements": AgreementsFile,
}


def check(kind: str, data: Any, path: Path | str, *, error: type[ContentError] = ContentError):
    """Validate the parsed document ``data`` of ``path`` against the schema ``kind``.

    Returns the validated model; raises ``error`` with one sentence (and a count of any
    further problems, which ``coursekit lessons lint`` lists) when it does not fit."""
    model = SCHEMAS[kind]
    if data is None:
        data = {}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = describe_errors(exc, data, path, model)
        more = len(problems) - 1
        tail = (f" ({more} more problem{'s' if more > 1 else ''} in this file: run "
                "`coursekit lessons lint` to list them)") if more else ""
        raise error(problems[0] + tail) from None


# -- the whole kit ----------------------------------------------------------------------------


def _folders(root: Path | None) -> tuple[Path, Path]:
    """(assets/, facilitator/sessions/) of ``root``, or of the kit in use."""
    if root is not None:
        return root / "assets", root / "facilitator" / "sessions"
    from .. import config
    from ..errors import ConfigError

    try:
        sessions = config.kit_root() / "facilitator" / "sessions"
    except ConfigError:  # an installed wheel: its assets, and no facilitator folder
        sessions = Path("/nonexistent")
    return config.assets_dir(), sessions


def _files(root: Path | None) -> list[tuple[str, Path]]:
    assets, sessions = _folders(root)
    found: list[tuple[str, Path]] = []
    found += [("lesson", p) for p in sorted((assets / "lessons").glob("*.yml"))]
    found += [("questions", p) for p in sorted((assets / "questions").glob("*.yml"))]
    for kind in ("glossary", "references", "readings", "evidence", "course", "support"):
        if (assets / f"{kind}.yml").exists() or kind not in ("glossary", "references"):
            found.append((kind, assets / f"{kind}.yml"))
    if sessions.is_dir():
        found += [("session-plan", p) for p in sorted(sessions.glob("[0-9][0-9].yml"))]
        found += [("formats", sessions / "formats.yml"), ("agreements", sessions / "agreements.yml")]
    return found


def validate_all(root: Path | None = None) -> list[str]:
    """Every problem in the kit's data files, one sentence each (empty: all valid)."""
    root = Path(root) if root is not None else None
    problems: list[str] = []
    models: dict[tuple[str, Path], Any] = {}
    for kind, path in _files(root):
        try:
            data = yamlio.load_file(path)
        except ContentError as exc:
            problems.append(str(exc))
            continue
        try:
            models[(kind, path)] = SCHEMAS[kind].model_validate({} if data is None else data)
        except ValidationError as exc:
            problems.extend(describe_errors(exc, data, path, SCHEMAS[kind]))
    lesson_files = {p.stem for kind, p in _files(root) if kind == "lesson"}
    problems.extend(_across(models, lesson_files))
    return problems


def _across(models: dict[tuple[str, Path], Any], known: set[str]) -> list[str]:
    """The checks that span files: ids match file names, references resolve. ``known`` is
    every lesson with a metadata file (valid or not, so one mistake is reported once)."""
    problems = []
    lessons = {p.stem: m for (k, p), m in models.items() if k == "lesson"}
    lesson_paths = {p.stem: p for (k, p) in models if k == "lesson"}
    readings = next((m for (k, _), m in models.items() if k == "readings"), None)
    readings_path = next((p for (k, p) in models if k == "readings"), "assets/readings.yml")
    by_reading = {r.id: r for r in readings.readings} if readings else {}
    scale = next((m for (k, _), m in models.items() if k == "evidence"), None)
    for stem, info in lessons.items():
        path = lesson_paths[stem]
        if info.id != stem:
            problems.append(f"{path}: id {info.id!r} does not match the file name; write "
                            f'id: "{stem}" or rename the file')
        if info.reading is not None and readings is not None:
            reading = by_reading.get(info.reading)
            if reading is None:
                problems.append(f"{path}: reading {info.reading!r} is not in {readings_path}; "
                                "use one of " + ", ".join(sorted(by_reading)))
            else:
                numbers = {p.number for p in reading.parts}
                bad = [n for n in info.reading_parts if n not in numbers]
                if bad:
                    has = ", ".join(str(n) for n in sorted(numbers)) or "none"
                    problems.append(f"{path}: reading_parts lists part {bad[0]}, which reading "
                                    f"{info.reading} does not have (its parts: {has})")
    for (kind, path), model in models.items():
        if kind == "questions":
            if model.lesson != path.stem:
                problems.append(f"{path}: lesson {model.lesson!r} does not match the file name; "
                                f'write lesson: "{path.stem}"')
            elif known and path.stem not in known:
                problems.append(f"{path}: there is no lesson {path.stem} in assets/lessons/; "
                                "add its metadata or remove this bank")
        elif kind == "session-plan" and model.lesson != path.stem:
            problems.append(f"{path}: lesson {model.lesson!r} does not match the file name; "
                            f'write lesson: "{path.stem}"')
        if kind == "references" and scale is not None:
            allowed = {evidence_key(x) for level in scale.levels for x in (level.id, level.label)}
            for ref in model.references or []:
                if ref.kind != "reading" and evidence_key(ref.kind) not in allowed:
                    labels = ", ".join(level.label for level in scale.levels)
                    problems.append(f"{path}: reference {ref.id!r}: kind {ref.kind!r} should be "
                                    f"'reading' or a kind of support on the evidence scale "
                                    f"({labels}; see assets/evidence.yml)")
        if kind in ("glossary", "references") and known:
            items = (model.terms if kind == "glossary" else model.references) or []
            for item in items:
                ids = item.lessons if kind == "glossary" else item.used_in
                missing = [x for x in ids if x not in known]
                if missing:
                    label = item.slug if kind == "glossary" else item.id
                    problems.append(f"{path}: {label!r} names lesson {missing[0]}, which the "
                                    "course does not have; use an id from assets/lessons/")
        elif kind == "readings" and known:
            for r in model.readings:
                missing = [x for x in r.lessons if x not in known]
                if missing:
                    problems.append(f"{path}: reading {r.id!r} names lesson {missing[0]}, which "
                                    "the course does not have; use an id from assets/lessons/")
    return problems


def require_valid(root: Path | None = None) -> None:
    """Raise a ContentError with the first problem (and how many more) unless the kit's data
    files are all valid: every build command calls this first."""
    problems = validate_all(root)
    if problems:
        more = len(problems) - 1
        tail = (f" ({more} more problem{'s' if more > 1 else ''}: run `coursekit lessons lint` "
                "to list them all)") if more else ""
        raise ContentError(problems[0] + tail)

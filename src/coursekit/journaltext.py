"""The journal as a document the learner can read: Markdown or one standalone HTML page.

Used by both editions' export (:mod:`coursekit.exports`) and ``coursekit journal export``.
Lessons come in course order; inside a lesson, the check-in, the opening beliefs, the
reflections and choices in the order the lesson asks them, the self-check questions in
the bank's order, then the closing beliefs. Every item is named by its question, never
by an internal id; a self-check shows the question, the answer chosen (its words) and
whether it was right; ratings read "statement — 4 of 5 (strongly agree)".

Imports nothing from Jupyter. The course data (lesson titles, prompts, question banks)
only adds words: when it cannot be read, the export still holds everything, by id.
"""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: the journal calls this module, not the reverse
    from .journal import Entry, Journal, Record

__all__ = ["Item", "items", "markdown", "page"]

#: Records that are bookkeeping, not the learner's answers.
UNEXPORTED = ("visit",)
NAMES = {"rating": "Rating", "checklist": "Checklist", "sort": "Sorting",
         "belief": "Beliefs", "checkin": "Check-in", "selfcheck": "Self-check"}
#: The belief scale's end words (the same as the widget's, coursekit.widgets.beliefs).
BELIEF_ENDS = ("strongly disagree", "strongly agree")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Where each kind of item sits in a lesson (prompts keep the lesson's own order).
_CHECKIN, _BELIEF_START, _PROMPT, _SELFCHECK, _BELIEF_END, _OTHER = range(6)


@dataclass
class Item:
    """One exported answer: a heading (the question), lines, or a learner's text."""

    heading: str
    meta: str
    text: str | None = None  # a reflection (kept exactly as written)
    lines: tuple[str, ...] = ()
    skipped: bool = False


@dataclass
class _Course:
    titles: dict[str, str]
    order: list[str]
    prompts: dict[str, tuple[int, Any]]  # prompt id -> (position, Prompt)
    questions: dict[str, tuple[int, Any]]  # question key -> (position, Question)


def _course(*, questions: bool = True) -> _Course:
    """The course's words for the export; the question banks only when ``questions``
    (a journal with no self-check result needs none of them)."""
    course = _Course({}, [], {}, {})
    with contextlib.suppress(Exception):  # the export works without the course data
        from .course import lessons

        for info in lessons():
            course.titles[info.id] = info.title
            course.order.append(info.id)
            for i, p in enumerate(info.prompts):
                course.prompts[p.id] = (i, p)
    with contextlib.suppress(Exception):
        if not questions:
            return course
        from .questionbank import load_banks

        for bank in load_banks():
            for i, q in enumerate(bank.questions):
                course.questions[q.key] = (i, q)
    return course


def _when(at: datetime) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M")


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def _answer_words(q: Any, answer: Any) -> str:
    """The learner's self-check answer in words (option texts, True/False, pairs)."""
    texts = {o.id: o.text for o in getattr(q, "options", ())} if q is not None else {}
    if isinstance(answer, bool):
        return "true" if answer else "false"
    if isinstance(answer, str):
        return texts.get(answer, answer)
    if isinstance(answer, dict):
        return "; ".join(f"{k} → {v}" for k, v in answer.items())
    if isinstance(answer, list | tuple):
        return "; ".join(texts.get(a, str(a)) if isinstance(a, str) else str(a) for a in answer)
    return "no answer" if answer is None else str(answer)


def _scale(value: Any, low_value: Any, high_value: Any, low: str, high: str) -> str:
    if value is None:
        return "not rated"
    ends = {low_value: low, high_value: high}
    word = f" ({ends[value]})" if ends.get(value) else ""
    return f"{value} of {high_value}{word}"


def record_item(r: Record, course: _Course | None = None) -> tuple[int, int, Item]:
    """``(place in the lesson, position, Item)`` for one stored result."""
    course = course or _Course({}, [], {}, {})
    d = r.data
    meta = f"saved {_when(r.saved_at)}"
    if r.kind == "selfcheck":
        pos, q = course.questions.get(r.key, (len(course.questions), None))
        question = one_line(q.prompt) if q is not None else r.key
        lines = [f"Your answer: {_answer_words(q, d.get('answer'))}",
                 "Right." if d.get("correct") else "Not right yet.",
                 f"Attempts: {d.get('attempt', 1)}"]
        return _SELFCHECK, pos, Item(f"Self-check: {question}", meta, lines=tuple(lines))
    pos, prompt = course.prompts.get(r.key, (len(course.prompts), None))
    label = d.get("prompt") or d.get("title") or (prompt.text if prompt else "") or r.key
    heading = f"{NAMES.get(r.kind, r.kind.capitalize())}: {one_line(label)}"
    if r.kind in ("rating", "checkin"):
        lines = [_scale(d.get("value"), d.get("low_value", 1), d.get("high_value", 5),
                        d.get("low", ""), d.get("high", ""))]
        return (_CHECKIN if r.kind == "checkin" else _PROMPT), pos, Item(heading, meta,
                                                                         lines=tuple(lines))
    if r.kind == "checklist":
        lines = [f"[{'x' if item in d.get('checked', []) else ' '}] {item}"
                 for item in d.get("items", d.get("checked", []))]
        return _PROMPT, pos, Item(heading, meta, lines=tuple(lines))
    if r.kind == "sort":
        lines = [f"{s} → {c or 'not sorted'}" for s, c in (d.get("placement") or {}).items()]
        return _PROMPT, pos, Item(heading, meta, lines=tuple(lines))
    if r.kind == "belief":
        lines = [f"{s} — {_scale(v, 1, 5, *BELIEF_ENDS)}"
                 for s, v in (d.get("ratings") or {}).items()]
        place = _BELIEF_END if d.get("phase") == "end" else _BELIEF_START
        return place, 0, Item(heading, meta, lines=tuple(lines))
    skip = {"prompt", "title"}
    return _OTHER, pos, Item(heading, meta, lines=tuple(f"{k}: {v}" for k, v in d.items()
                                                        if k not in skip))


def entry_item(e: Entry, course: _Course | None = None) -> tuple[int, int, Item]:
    course = course or _Course({}, [], {}, {})
    pos, prompt = course.prompts.get(e.prompt_id, (len(course.prompts), None))
    heading = one_line(e.prompt) or (one_line(prompt.text) if prompt else "") or e.prompt_id
    meta = f"saved {_when(e.saved_at)}" + (f" (version {e.version})" if e.version > 1 else "")
    return _PROMPT, pos, Item(heading, meta, text=None if e.skipped else e.text,
                              skipped=e.skipped)


def items(journal: Journal) -> list[tuple[str, str, list[Item]]]:
    """``(lesson id, lesson title, items in lesson order)`` for every lesson with answers."""
    entries = journal.latest_entries()
    latest: dict[tuple[str, str], Record] = {}
    for r in journal.records():
        if r.kind not in UNEXPORTED:
            latest[(r.kind, r.key)] = r
    course = _course(questions=any(kind == "selfcheck" for kind, _key in latest))
    found: dict[str, list[tuple[int, int, int, Item]]] = {}
    for n, e in enumerate(entries):
        place, pos, item = entry_item(e, course)
        found.setdefault(e.lesson, []).append((place, pos, n, item))
    for r in sorted(latest.values(), key=lambda r: r.id):
        place, pos, item = record_item(r, course)
        found.setdefault(r.lesson, []).append((place, pos, r.id, item))
    order = course.order
    ids = sorted(found, key=lambda x: (order.index(x) if x in order else len(order), x))
    return [(lid, course.titles.get(lid, ""), [i for *_k, i in sorted(
        found[lid], key=lambda t: t[:3])]) for lid in ids]


def _stamp() -> str:
    return _when(datetime.now(timezone.utc))


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(f"{re.escape(char)}+", text)
    return max((len(r) for r in runs), default=0)


def _lesson_heading(lid: str, title: str) -> str:
    return f"Lesson {lid}" + (f" · {title}" if title else "")


def markdown(journal: Journal) -> str:
    """Every latest answer and result as Markdown, grouped by lesson, in lesson order.

    Answers sit in fenced blocks, so the learner's words come out exactly as written and
    no Markdown viewer turns them into HTML.
    """
    out = ["# My course journal", "",
           f"Exported {_stamp()}. This file holds your own reflections: anyone who can open this "
           "file can read it, so keep it somewhere safe or delete it when you are done.", ""]
    groups = items(journal)
    if not groups:
        out += ["(The journal is empty.)", ""]
    for lid, title, lesson_items in groups:
        out += [f"## {_lesson_heading(lid, title)}", ""]
        for item in lesson_items:
            out += [f"### {item.heading}", "", f"_{item.meta}_", ""]
            if item.skipped:
                out += ["(skipped)", ""]
            elif item.text is not None:
                fence = "~" * max(3, _longest_run(item.text, "~") + 1)
                out += [fence + "text", item.text, fence, ""]
            else:
                out += [f"- {line}" for line in item.lines] + [""]
    return "\n".join(out)


def esc(text: str) -> str:
    """HTML-escape, and write C0 control characters as visible references."""
    return _CONTROL.sub(lambda m: f"&#x{ord(m.group()):02x};", html.escape(text, quote=True))


def _page_parts(groups: list[tuple[str, str, list[Item]]]) -> Iterator[str]:
    for lid, title, lesson_items in groups:
        yield "<section>"
        yield f"<h2>{esc(_lesson_heading(lid, title))}</h2>"
        for item in lesson_items:
            yield f"<h3>{esc(item.heading)}</h3>"
            yield f'<p class="meta">{esc(item.meta)}</p>'
            if item.skipped:
                yield "<p>(skipped)</p>"
            elif item.text is not None:
                yield f'<div class="answer" dir="auto">{esc(item.text)}</div>'
            else:
                yield "<ul>"
                yield from (f'<li dir="auto">{esc(line)}</li>' for line in item.lines)
                yield "</ul>"
        yield "</section>"


def page(journal: Journal) -> str:
    """One standalone HTML page (no scripts, nothing loaded), grouped by lesson.

    Every learner-written or stored string is escaped, and the page's content security
    policy forbids scripts as a second guard.
    """
    groups = items(journal)
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>My course journal</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.5}.answer{white-space:pre-wrap;border-left:4px solid"
        " #555;padding-left:1rem}.meta{color:#444;font-size:.9em}</style>",
        "</head>", "<body>", "<main>", "<h1>My course journal</h1>",
        f'<p class="meta">Exported {esc(_stamp())}. This file holds your own reflections: '
        "anyone who can open this file can read it, so keep it somewhere safe or delete it "
        "when you are done.</p>",
    ]
    if not groups:
        parts.append("<p>(The journal is empty.)</p>")
    parts += list(_page_parts(groups))
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)

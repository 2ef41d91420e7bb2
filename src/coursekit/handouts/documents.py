"""The printable documents as in-memory notebooks: a lesson's handout, the support list,
the content notes page and a session's run sheet."""

from __future__ import annotations

from datetime import time

import nbformat

from ..course import LessonInfo, course_info, lessons
from ..sessions import Session, clock_label
from .pieces import (
    KEEP_TOGETHER,
    _bullets,
    _md,
    _notebook,
    _plan_for,
    _reading_line,
    agreements_markdown,
    content_notes_markdown,
    glossary_terms,
    lesson_heading,
    support_markdown,
)
from .sheets import material_text, sheet_file


def handout_notebook(info: LessonInfo) -> nbformat.NotebookNode:
    """One lesson's printable handout: key ideas, terms, discussion questions, support."""
    course = course_info()
    plan = _plan_for(info.id)
    head = [
        f"# {lesson_heading(info)}",
        f"*Handout · {course.get('title', '')}*",
        f"> **Content note.** {info.content_note}\n>\n"
        "> You may skip any part of this lesson, or step out, without giving a reason.",
        f"**Time:** about {info.minutes} minutes. {_reading_line(info)}".strip(),
        f"**Education, not therapy.** {' '.join(str(course.get('scope_statement', '')).split())}",
    ]
    cells = [_md("\n\n".join(head))]
    if info.questions:
        cells.append(_md("## Questions this lesson asks\n\n" + _bullets(info.questions)))
    if info.key_points:
        cells.append(_md("## Key ideas\n\n" + _bullets(info.key_points)))
    terms = glossary_terms(info.id)
    if terms:
        cells.append(_md("## Terms\n\n" + "\n".join(
            f"- **{t['term']}**: {t['definition']}" for t in terms)))
    if plan is not None:
        cells.append(_md(
            "## Discussion questions\n\n"
            "Talk about the readings and ideas; you never need to share your own story.\n\n"
            "### In pairs\n\n" + _bullets(plan.pairs) + "\n\n"
            "### In small groups\n\n" + _bullets(plan.small_groups)))
    cells.append(_md(support_markdown(), tags=(KEEP_TOGETHER,)))
    return _notebook(f"{lesson_heading(info)} (handout)", cells,
                     footer=f"{course.get('title', '')} · lesson {info.id} handout")


def support_notebook() -> nbformat.NotebookNode:
    """The printable support list: one page a facilitator hands out or pins up, built from
    ``assets/support.yml`` (``make sync`` rebuilds it after the list is edited). Title and
    list keep together and are set compactly, so a list lengthened with local services
    stays on one page, or at worst never leaves the title alone on a page of its own."""
    course = course_info()
    return _notebook(
        "Support", [_md(f"# Support · {course.get('title', '')}\n\n"
                        "Keep this page. You can contact any of these services at any time, "
                        "during the course or after it; you do not need to explain why.\n\n"
                        + support_markdown(region_note=True), tags=(KEEP_TOGETHER,))],
        footer=f"{course.get('title', '')} · support list", page_class="coursekit-one-page")


def content_notes_notebook() -> nbformat.NotebookNode:
    """The page a facilitator sends to every participant before the course starts."""
    course = course_info()
    intro = (
        f"# Content notes · {course.get('title', '')}\n\n"
        "Please read this before the course starts. It lists what each lesson covers, so "
        "you can decide what to take part in, prepare, or skip. You may opt out of any "
        "lesson, discussion or reflection without explaining why.\n\n"
        f"**Education, not therapy.** {' '.join(str(course.get('scope_statement', '')).split())}"
    )
    return _notebook(
        "Content notes",
        [_md(intro), _md("## Course map\n\n" + content_notes_markdown(reading_time=True)),
         _md("## Group agreements (draft)\n\n" + agreements_markdown()),
         _md(support_markdown(), tags=(KEEP_TOGETHER,))],
        footer=f"{course.get('title', '')} · content notes",
    )


def _notes_md(title: str, notes, first: str, second: str) -> str:
    return f"#### {title}\n\n" + "\n".join(
        f"- **{first}** {n.prompt}\n  **{second}** {n.response}" for n in notes)


def _when(start: time | None) -> str:
    if start is None:
        return ("Times are hours:minutes from the start of the session; build with "
                "`--start HH:MM` (e.g. `coursekit handouts build --start 18:30`) to print "
                "clock times.")
    return f"Times assume the session starts at {start:%H:%M}."


def runsheet_notebook(session: Session, start: time | None = None) -> nbformat.NotebookNode:
    """The facilitator's printable plan for one session: timetable, prompts and notes.

    The timetable gives clock times from ``start`` (or, without it, time since the start)."""
    fmt = session.format
    all_info = {x.id: x for x in lessons()}
    titles = "; ".join(lesson_heading(all_info[lid]) for lid in session.lessons if lid in all_info)
    cells = [_md(
        f"# Run sheet · {fmt.title}, session {session.number} of {fmt.sessions}\n\n"
        f"**Lessons:** {titles}.\n\n**Length:** {fmt.session_minutes} minutes"
        + (f", {clock_label(0, start)} to {clock_label(fmt.session_minutes, start)}"
           if start else "") + f". {fmt.summary}"
    )]
    before = [
        "Send the content notes page (content-notes.pdf) and the support list to everyone "
        "at least a week before session 1.",
        "Edit assets/support.yml for your region, run `make sync`, then rebuild "
        "the handouts (`make handouts`).",
        "Print one handout per lesson per participant and the support page (support.pdf) "
        "for session 1, and keep this run sheet with you.",
        "Know where the nearest quiet room is, and who you would call in an emergency.",
    ]
    before += [n for p in session.plans for n in p.slot(fmt.id).notes]
    prints = [f"{m.item} (`{sheet_file(p.lesson, m)}`)" for p in session.plans
              for a in p.activities for m in a.materials if m.sheet]
    before += [f"Print or read: {item}." for item in dict.fromkeys(prints)]
    cells.append(_md("## Before the session\n\n" + _bullets(before)))
    rows = "\n".join(
        f"| {begin}–{end} | {seg.minutes} | {seg.name} | {seg.kind} | {seg.lesson} |"
        for begin, end, seg in session.schedule(start))
    cells.append(_md(f"## Timetable\n\n{_when(start)}\n\n"
                     "| Time | Minutes | Segment | Kind | Lesson |\n"
                     "|---|---|---|---|---|\n" + rows))
    cells.append(_md(f"## Opening check-in\n\n{session.check_in}"))
    for p in session.plans:
        info = all_info.get(p.lesson)
        heading = lesson_heading(info) if info else f"Lesson {p.lesson}"
        slot = p.slot(fmt.id)
        activities = "\n".join(
            f"- **{a.name}.** {a.instructions}"
            + ("\n\n  *Materials:* " + "; ".join(material_text(p.lesson, m) for m in a.materials)
               + "." if a.materials else "")
            for a in p.activities)
        cells.append(_md(
            f"## Lesson {heading}\n\n"
            + (f"> **Content note.** {info.content_note}\n\n" if info else "")
            + "### Objectives\n\n" + _bullets(p.objectives) + "\n\n"
            "### Teaching points\n\n" + _bullets(p.teaching_points) + "\n\n"
            "### Discussion prompts\n\n**In pairs**\n\n" + _bullets(p.pairs)
            + "\n\n**In small groups**\n\n" + _bullets(p.small_groups) + "\n\n"
            "### Activities\n\n" + activities + "\n\n"
            "### Comprehension check\n\n" + (slot.comprehension_check or p.comprehension_check)
        ))
        cells.append(_md(
            "### Facilitator notes\n\n"
            + _notes_md("Likely questions", p.likely_questions, "Q:", "A:") + "\n\n"
            + _notes_md("Common misconceptions", p.misconceptions, "Belief:", "Correction:")
            + "\n\n"
            + _notes_md("Sensitive moments", p.sensitive_moments, "If:", "Then:")
        ))
    g = session.grounding
    cells.append(_md(f"## Closing grounding: {g.name}\n\n"
                     + "\n".join(f"{i}. {s}" for i, s in enumerate(g.steps, 1))))
    cells.append(_md(
        "## If someone discloses abuse or is in crisis\n\n"
        "Follow facilitator/safety-protocol.md. In short: if anyone is in immediate danger, "
        "call the emergency number first. For a disclosure: listen, believe them, be clear "
        "about the limits of confidentiality, and point to the specialist services below. "
        "You are a facilitator, not a counsellor: you do not need to solve it, only to "
        "respond safely and connect the person with help."
    ))
    cells.append(_md(support_markdown(), tags=(KEEP_TOGETHER,)))
    course = course_info()
    return _notebook(f"Run sheet: {fmt.id} session {session.number}", cells,
                     footer=f"{course.get('title', '')} · facilitator's run sheet · "
                            f"{fmt.id} session {session.number}")

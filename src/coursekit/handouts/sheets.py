"""The sheets an activity needs in the room: card sheets to print and cut out (from an
activity's ``cards:`` in its session plan) and the facilitator's one-page "Jupyter in five
minutes" (``facilitator/jupyter-in-five-minutes.md``).

A session plan lists what each activity needs under ``materials:``; a material's
``sheet`` names a page the build prints, and :func:`sheet_file` says which file it is.
"""

from __future__ import annotations

import html
from pathlib import Path

import nbformat

from .. import config
from ..course import course_info
from ..errors import HandoutBuildError
from ..sessions import Activity, LessonPlan, Material, plans
from .pieces import _md, _notebook

#: The facilitator's guide to notebooks, printed as ``handouts/jupyter-in-five-minutes.pdf``.
JUPYTER_GUIDE = "jupyter-in-five-minutes"


def guide_path() -> Path:
    return config.kit_root() / "facilitator" / f"{JUPYTER_GUIDE}.md"


def card_sheet_name(lesson: str, sheet: str) -> str:
    """The file name (without suffix) of an activity's card sheet: ``cards-01-sort-the-claims``."""
    return f"cards-{lesson}-{sheet}"


def sheet_file(lesson: str, material: Material) -> str | None:
    """The PDF ``make handouts`` prints for ``material`` (under ``build/handouts/``), if any."""
    if material.sheet is None:
        return None
    plan = next((p for p in plans() if p.lesson == lesson), None)
    own = {a.cards.sheet for a in plan.activities if a.cards} if plan else set()
    name = card_sheet_name(lesson, material.sheet) if material.sheet in own else material.sheet
    return f"{name}.pdf"


def material_text(lesson: str, material: Material) -> str:
    """A material as the run sheet lists it: what, and the file to print."""
    file = sheet_file(lesson, material)
    return material.item + (f" (print `{file}`)" if file else "")


def card_sets() -> list[tuple[LessonPlan, Activity]]:
    """Every activity with cards to print, in the order of the plans."""
    return [(p, a) for p in plans() for a in p.activities if a.cards]


def card_sheet_notebook(plan: LessonPlan, activity: Activity) -> nbformat.NotebookNode:
    """One activity's cards on A4, to cut out along the dashed lines: the heading cards
    first, then one card per claim, numbered so a group can name the one it argued over."""
    cards = activity.cards
    if cards is None:
        raise HandoutBuildError(f"the activity {activity.name!r} of lesson {plan.lesson} has "
                                "no cards: to print; add cards: to its session plan")
    tiles = [f'<div class="coursekit-card coursekit-card-heading"><p>{html.escape(h)}</p></div>'
             for h in cards.headings]
    tiles += [f'<div class="coursekit-card"><p class="coursekit-card-number">Card {n}</p>'
              f"<p>{html.escape(text)}</p></div>" for n, text in enumerate(cards.cards, 1)]
    course = course_info()
    return _notebook(
        cards.title,
        [_md(f"# {cards.title}\n\n{cards.instructions}"),
         _md('<div class="coursekit-cards">' + "".join(tiles) + "</div>")],
        footer=f"{course.get('title', '')} · activity cards · {activity.name} "
               f"(lesson {plan.lesson})")


def jupyter_guide_notebook() -> nbformat.NotebookNode:
    """The one-page "Jupyter in five minutes" for facilitators new to notebooks."""
    path = guide_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise HandoutBuildError(f"{path} cannot be read ({exc}); restore it with git "
                                "checkout") from exc
    course = course_info()
    return _notebook("Jupyter in five minutes", [_md(text)],
                     footer=f"{course.get('title', '')} · Jupyter in five minutes "
                            "(for facilitators)")

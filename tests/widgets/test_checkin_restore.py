"""The opening check-in comes back when a lesson is opened anew in the same sitting.

In the browser edition a page reload starts a new kernel, so the lesson's widgets are
built again from the journal; the check-in is shown as the learner left it (not saved a
second time, no reply offered again), unless it belongs to an earlier sitting.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

from coursekit.widgets import LessonStart
from coursekit.widgets.lesson_start import CHECKIN_SHOWN_FOR


def _age_checkins(journal, by: timedelta) -> None:
    journal.close()
    when = (datetime.now(timezone.utc) - by).isoformat()
    with sqlite3.connect(journal.path) as db:
        db.execute("UPDATE records SET saved_at = ? WHERE kind = 'checkin'", (when,))
    db.close()


def test_a_check_in_of_this_sitting_is_shown_again_without_a_second_save(journal, info):
    first = LessonStart(info, journal=journal)
    first.check_in(4)
    saved = journal.records("checkin")
    assert len(saved) == 1

    again = LessonStart(info, journal=journal)  # the lesson opened anew (a reload)
    assert again.feeling.value == 4
    assert "check-in saved at" in again.status.value
    assert journal.records("checkin") == saved, "showing it again must not save it again"
    assert not again.paused and again._offer is None  # no reply, no panel offered again

    again.check_in(2)  # and it still works as a check-in
    assert journal.latest_record("checkin", info.id).data["value"] == 2 and again.paused


def test_a_distressed_check_in_shown_again_does_not_reopen_the_pause_panel(journal, info):
    LessonStart(info, journal=journal).check_in(1)
    again = LessonStart(info, journal=journal)
    assert again.feeling.value == 1 and not again.paused


def test_a_check_in_from_an_earlier_sitting_is_not_shown(journal, info):
    LessonStart(info, journal=journal).check_in(5)
    _age_checkins(journal, CHECKIN_SHOWN_FOR + timedelta(minutes=1))
    assert LessonStart(info, journal=journal).feeling.value is None

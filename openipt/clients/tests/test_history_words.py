"""The version history shows stored values as people read them (found walking the release: a raw
Python dict for the IPT-A parent session, technique keys, and dates as "02 Dec 2026")."""

from __future__ import annotations

from datetime import date

from openipt.clients.history import _shown
from openipt.courses.models import Course, SessionWork


def test_the_session_chosen_for_a_task_held_once_reads_in_words() -> None:
    field = Course._meta.get_field("chosen_sessions")
    assert _shown(field, {"parent_middle_session": 6}, {}) == "Session with a parent: 6"


def test_techniques_read_as_their_names() -> None:
    field = SessionWork._meta.get_field("techniques")
    shown = _shown(field, ["exploratory_questioning", "communication_analysis"], {})
    assert shown == "Exploratory questioning, Communication analysis"


def test_a_session_is_named_with_the_house_date() -> None:
    from openipt.courses.models import Session

    assert str(Session(number=6, scheduled_date=date(2026, 12, 2))) == "Session 6 (Wed 2 Dec 2026)"

"""The clinician's week: their appointments from Monday to Sunday, in a fixed number of queries.

Times are on the clock of the organisation's time zone, as each session stores them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from openipt.access.rules import note_read

from .access import sessions_for_user
from .models import Attendance, CourseStatus, Session


@dataclass(frozen=True)
class Day:
    day: date
    sessions: list[Session]
    is_today: bool


@dataclass(frozen=True)
class Week:
    start: date
    end: date
    days: list[Day]
    previous: date
    next: date
    count: int


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_start(value: str | None, today: date) -> date | None:
    """The Monday of the week holding `value` (YYYY-MM-DD), today's week when absent, None when bad."""
    if not value:
        return monday_of(today)
    try:
        return monday_of(date.fromisoformat(value))
    except ValueError:
        return None


def week_for(user: Any, start: date, today: date) -> Week:
    """The user's own appointments (active courses, cancelled ones left out) in the week from `start`."""
    end = start + timedelta(days=6)
    sessions = list(
        sessions_for_user(user)
        .filter(
            course__clinician=user,
            course__status=CourseStatus.ACTIVE,
            scheduled_date__range=(start, end),
        )
        .exclude(attendance=Attendance.CANCELLED)
        .select_related("course__client")
        .order_by("scheduled_date", "start_time", "id")
    )
    by_day: dict[date, list[Session]] = {}
    for s in sessions:
        by_day.setdefault(s.scheduled_date, []).append(s)
        note_read(s.course.client_id)  # audited as one row per client shown
    days = [start + timedelta(days=i) for i in range(7)]
    return Week(
        start=start,
        end=end,
        days=[Day(d, by_day.get(d, []), d == today) for d in days],
        previous=start - timedelta(days=7),
        next=start + timedelta(days=7),
        count=len(sessions),
    )

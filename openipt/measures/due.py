"""Which measures are due, overdue or completed, per session and per course.

A protocol says which instruments are due at each session number. A due measure is *completed*
when a response (with its score) exists for that session; *overdue* when its session has been
held (or its date has passed without attendance being recorded) and none exists; *due* at the
next session still to come; sessions marked "did not attend" or cancelled owe nothing. Two
queries for any number of courses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from openipt.courses import schedule as schedule_rules
from openipt.courses.models import Attendance, Course, Session

from .instruments import INSTRUMENTS
from .models import Response
from .outcomes import instrument_name


@dataclass(frozen=True)
class _Booking:
    scheduled_date: date
    number: int
    attendance: str
    pk: int


@dataclass
class SessionMeasure:
    session_id: int
    session_number: int
    session_date: date
    instrument: str
    status: str  # "completed" | "overdue" | "due" | "upcoming"

    @property
    def name(self) -> str:
        """The instrument's short name as shown to people ("PHQ-9"), untranslated."""
        instrument = INSTRUMENTS.get(self.instrument)
        return instrument.short_name if instrument else self.instrument

    @property
    def instrument_name(self) -> str:
        """The name people know it by ("PHQ-9"), never the key."""
        return instrument_name(self.instrument)


@dataclass
class CourseMeasures:
    course_id: int
    items: list[SessionMeasure] = field(default_factory=list)

    @property
    def overdue(self) -> list[SessionMeasure]:
        return [m for m in self.items if m.status == "overdue"]

    @property
    def due(self) -> list[SessionMeasure]:
        return [m for m in self.items if m.status == "due"]

    @property
    def completed(self) -> list[SessionMeasure]:
        return [m for m in self.items if m.status == "completed"]


def measures_for_courses(
    courses: Iterable[Course], today: date, *, overdue_only: bool = False
) -> dict[int, CourseMeasures]:
    """Every due measure of these courses with its status; with `overdue_only`, only the overdue
    ones (a team's view: the sessions still to come are not read at all)."""
    by_id = {c.pk: c for c in courses}
    result = {pk: CourseMeasures(course_id=pk) for pk in by_id}
    if not by_id:
        return result
    sessions = Session.objects.filter(course_id__in=by_id).exclude(
        attendance__in=[Attendance.CANCELLED, Attendance.NO_SHOW]
    )
    if overdue_only:
        sessions = sessions.filter(Q(attendance=Attendance.ATTENDED) | Q(scheduled_date__lt=today))
    rows = list(
        sessions.order_by("course_id", "number").values_list(
            "pk", "course_id", "number", "scheduled_date", "attendance"
        )
    )
    done: dict[int, set[str]] = defaultdict(set)
    # Responses, not scores joined to responses: every response has its score (one transaction),
    # and this reads one table by its course index instead of scanning the responses to join them.
    for session_id, instrument in Response.objects.filter(
        course_id__in=by_id, session__isnull=False
    ).values_list("session_id", "instrument"):
        done[session_id].add(instrument)
    bookings: dict[int, list[_Booking]] = defaultdict(list)
    for pk, course_id, number, day, attendance in rows:
        bookings[course_id].append(_Booking(day, number, attendance, pk))
    # the next session by the one rule every page shows it by (courses.schedule.next_session)
    following = {course_id: schedule_rules.next_session(b, today) for course_id, b in bookings.items()}
    # A team's courses share a few protocols and lengths: work out each schedule's rules once.
    due_at: dict[tuple[str, str, int, int], tuple[str, ...]] = {}
    for session_id, course_id, number, day, attendance in rows:
        course = by_id[course_id]
        schedule = (course.protocol_key, course.protocol_version, number, course.planned_sessions)
        due_keys = due_at.get(schedule)
        if due_keys is None:
            due_keys = due_at[schedule] = course.protocol.measures_due(number, course.planned_sessions)
        held = attendance == Attendance.ATTENDED or day < today
        upcoming = following.get(course_id)
        is_next = upcoming is not None and upcoming.pk == session_id
        for key in due_keys:
            if overdue_only and (not held or key in done[session_id]):
                continue
            if key in done[session_id]:
                status = "completed"
            elif held:
                status = "overdue"
            elif is_next:
                status = "due"
            else:
                status = "upcoming"
            result[course_id].items.append(
                SessionMeasure(
                    session_id=session_id,
                    session_number=number,
                    session_date=day,
                    instrument=key,
                    status=status,
                )
            )
    return result

"""Measures due per session: completed, overdue, due at the next session, upcoming; two queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from openipt.accounts.models import Team, User
from openipt.clients.actions import create_client
from openipt.clients.models import Client
from openipt.courses.actions import cancel_session, record_attendance, start_course
from openipt.courses.models import Attendance, Course, Session
from openipt.measures.actions import record_response
from openipt.measures.due import CourseMeasures, measures_for_courses

# course_a: ipt-standard, 16 weekly sessions on Mondays from 2 March 2026 (S2 9 Mar, S3 16 Mar,
# S4 23 Mar, S5 30 Mar, ...).
WEDNESDAY_AFTER_S3 = date(2026, 3, 18)
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
PHQ9 = [1, 1, 1, 1, 1, 1, 1, 1, 0]
GAD7 = [1, 1, 1, 1, 1, 1, 1]


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def session(course: Course, number: int) -> Session:
    return course.sessions.exclude(attendance=Attendance.CANCELLED).get(number=number)


def attend(user: User, s: Session) -> None:
    record_attendance(user, s, attendance=Attendance.ATTENDED, modality="in_person")


def score(user: User, s: Session, instrument: str = "phq9") -> None:
    answers = PHQ9 if instrument == "phq9" else GAD7
    at = datetime.combine(s.scheduled_date, time(10), tzinfo=UTC)
    record_response(user, s.course.client, instrument=instrument, answers=answers, session=s, completed_at=at)


def table(measures: CourseMeasures, up_to: int = 99) -> list[tuple[int, str, str]]:
    return [(m.session_number, m.instrument, m.status) for m in measures.items if m.session_number <= up_to]


def new_client(user: User, team: Team, identifier: str) -> Client:
    return create_client(
        user,
        team=team,
        clinic_identifier=identifier,
        given_name="Client",
        family_name=identifier,
        date_of_birth=date(1980, 1, 1),
    )


def test_it_marks_completed_overdue_due_and_upcoming(alice: User, course_a: Course) -> None:
    s1, s2 = session(course_a, 1), session(course_a, 2)
    attend(alice, s1)
    score(alice, s1, "phq9")
    score(alice, s1, "gad7")
    attend(alice, s2)  # held, but nothing recorded
    # S3 (16 March) has passed without attendance being recorded: it still owes its PHQ-9.

    result = measures_for_courses([course_a], WEDNESDAY_AFTER_S3)[course_a.pk]

    assert table(result, up_to=6) == [
        (1, "phq9", "completed"),
        (1, "gad7", "completed"),
        (2, "phq9", "overdue"),
        (3, "phq9", "overdue"),
        (4, "phq9", "due"),
        (4, "gad7", "due"),
        (5, "phq9", "upcoming"),
        (6, "phq9", "upcoming"),
    ]
    assert [(m.session_id, m.session_date) for m in result.overdue] == [
        (s2.pk, date(2026, 3, 9)),
        (session(course_a, 3).pk, date(2026, 3, 16)),
    ]
    assert [m.instrument for m in result.due] == ["phq9", "gad7"]
    assert [(m.session_number, m.instrument) for m in result.completed] == [(1, "phq9"), (1, "gad7")]
    assert len(result.items) == 16 + 5  # PHQ-9 every session; GAD-7 at 1, 4, 8, 12 and 16


def test_a_score_completes_only_its_own_session_and_instrument(
    alice: User, client_a: Client, course_a: Course
) -> None:
    s1 = session(course_a, 1)
    attend(alice, s1)
    score(alice, s1, "phq9")
    # An extra GAD-7 on the same day, not attached to the session, does not complete S1's GAD-7.
    record_response(
        alice,
        client_a,
        instrument="gad7",
        answers=GAD7,
        course=course_a,
        completed_at=datetime(2026, 3, 2, 11, tzinfo=UTC),
    )
    # A GAD-7 recorded at S2, where none is due, adds nothing and completes nothing else.
    s2 = session(course_a, 2)
    attend(alice, s2)
    score(alice, s2, "gad7")

    result = measures_for_courses([course_a], WEDNESDAY_AFTER_S3)[course_a.pk]

    assert table(result, up_to=2) == [
        (1, "phq9", "completed"),
        (1, "gad7", "overdue"),
        (2, "phq9", "overdue"),
    ]


def test_a_session_is_owed_once_it_is_held_even_on_the_day(alice: User, course_a: Course) -> None:
    s3 = session(course_a, 3)
    monday = date(2026, 3, 16)
    before = measures_for_courses([course_a], monday)[course_a.pk]
    assert [(m.session_number, m.status) for m in before.items if m.session_number == 3] == [(3, "due")]

    attend(alice, s3)
    after = measures_for_courses([course_a], monday)[course_a.pk]

    assert [(m.session_number, m.status) for m in after.items if m.session_number == 3] == [(3, "overdue")]
    # The next session still to come is now S4.
    assert [(m.session_number, m.instrument) for m in after.due] == [(4, "phq9"), (4, "gad7")]


def test_a_session_the_client_did_not_attend_owes_nothing(alice: User, course_a: Course) -> None:
    s1, s2 = session(course_a, 1), session(course_a, 2)
    attend(alice, s1)
    score(alice, s1, "phq9")
    score(alice, s1, "gad7")
    record_attendance(alice, s2, attendance=Attendance.NO_SHOW, modality="in_person")

    result = measures_for_courses([course_a], WEDNESDAY_AFTER_S3)[course_a.pk]

    assert s2.pk not in {m.session_id for m in result.items}
    assert [(m.session_number, m.instrument) for m in result.overdue] == [(3, "phq9")]


def test_a_cancelled_session_owes_nothing_and_its_replacement_does(alice: User, course_a: Course) -> None:
    cancelled = session(course_a, 4)
    replacement = cancel_session(alice, cancelled)
    assert replacement.scheduled_date == date(2026, 3, 30)

    result = measures_for_courses([course_a], WEDNESDAY_AFTER_S3)[course_a.pk]

    ids = {m.session_id for m in result.items}
    assert cancelled.pk not in ids
    assert [(m.session_id, m.session_number, m.session_date, m.instrument) for m in result.due] == [
        (replacement.pk, 4, date(2026, 3, 30), "phq9"),
        (replacement.pk, 4, date(2026, 3, 30), "gad7"),
    ]
    # Still 16 sessions' worth: the cancelled row is replaced, not added.
    assert len(result.items) == 16 + 5


@pytest.mark.parametrize(
    ("planned", "gad7_sessions"),
    [
        (16, [1, 4, 8, 12, 16]),
        (15, [1, 4, 8, 12, 15]),
        (14, [1, 4, 8, 12, 14]),
        (13, [1, 4, 8, 12, 13]),
        (12, [1, 4, 8, 12]),
    ],
)
def test_gad7_is_due_at_the_first_every_fourth_and_the_last_session(
    alice: User, client_a: Client, planned: int, gad7_sessions: list[int]
) -> None:
    course = start_course(
        alice, client_a, protocol_key="ipt-standard", start_date=date(2026, 4, 6), planned_sessions=planned
    )

    result = measures_for_courses([course], WEDNESDAY_AFTER_S3)[course.pk]

    assert [m.session_number for m in result.items if m.instrument == "gad7"] == gad7_sessions
    assert [m.session_number for m in result.items if m.instrument == "phq9"] == list(range(1, planned + 1))
    assert {m.status for m in result.items if m.session_number > 1} == {"upcoming"}
    assert [(m.session_number, m.instrument) for m in result.due] == [(1, "phq9"), (1, "gad7")]


def test_a_shorter_contract_moves_the_last_session_measure(alice: User, client_a: Client) -> None:
    course = start_course(
        alice, client_a, protocol_key="ipt-standard", start_date=date(2026, 4, 6), planned_sessions=12
    )

    result = measures_for_courses([course], WEDNESDAY_AFTER_S3)[course.pk]

    by_session = {n: [m.instrument for m in result.items if m.session_number == n] for n in range(1, 13)}
    assert by_session[12] == ["phq9", "gad7"]
    assert by_session[11] == ["phq9"]
    assert max(m.session_number for m in result.items) == 12
    assert len(result.items) == 12 + 4


def test_it_needs_two_queries_for_any_number_of_courses(
    alice: User, north_team: Team, course_a: Course, django_assert_num_queries: Any
) -> None:
    attend(alice, session(course_a, 1))
    score(alice, session(course_a, 1))
    courses = [course_a]
    with django_assert_num_queries(2):
        one = measures_for_courses(courses, WEDNESDAY_AFTER_S3)
    assert list(one) == [course_a.pk]

    for n in range(2, 8):
        client = new_client(alice, north_team, f"NS-{n}")
        course = start_course(alice, client, protocol_key="ipt-standard", start_date=date(2026, 3, 2))
        attend(alice, session(course, 1))
        score(alice, session(course, 1))
        courses.append(course)
    with django_assert_num_queries(2):
        many = measures_for_courses(courses, WEDNESDAY_AFTER_S3)

    assert list(many) == [c.pk for c in courses]
    for course in courses:
        assert table(many[course.pk], up_to=1) == [(1, "phq9", "completed"), (1, "gad7", "overdue")]
        assert [m.session_number for m in many[course.pk].overdue] == [1, 2, 3]


def test_no_courses_need_no_queries(db: None, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert measures_for_courses([], WEDNESDAY_AFTER_S3) == {}

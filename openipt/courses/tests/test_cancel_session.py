"""Cancelling an appointment: the row is kept as cancelled, its session number moves one step later."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.courses.actions import (
    cancel_session,
    end_course,
    move_session,
    record_attendance,
    start_course,
)
from openipt.courses.models import Attendance, Course, CourseStatus, Session

START = date(2026, 3, 2)


def url(session: Session) -> str:
    return reverse("courses:cancel", args=[session.pk])


def live(course: Course) -> list[Session]:
    return list(course.sessions.exclude(attendance=Attendance.CANCELLED).order_by("number"))


def session(course: Course, number: int) -> Session:
    return course.sessions.exclude(attendance=Attendance.CANCELLED).get(number=number)


def weekly(first: date, count: int) -> list[date]:
    return [first + timedelta(weeks=i) for i in range(count)]


def test_it_keeps_the_cancelled_row_and_adds_a_replacement_a_week_later(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    s5 = session(course_a, 5)
    client.force_login(alice)
    response = client.post(url(s5))
    replacement = session(course_a, 5)
    assertRedirects(
        response, reverse("courses:session", args=[replacement.pk]), fetch_redirect_response=False
    )

    s5.refresh_from_db()
    assert (s5.attendance, s5.number, s5.scheduled_date) == (Attendance.CANCELLED, 5, date(2026, 3, 30))
    assert replacement.pk != s5.pk
    assert (replacement.number, replacement.scheduled_date) == (5, date(2026, 4, 6))
    assert (replacement.phase_key, replacement.attendance) == (s5.phase_key, Attendance.SCHEDULED)

    sessions = live(course_a)
    assert len(sessions) == 16 == course_a.planned_sessions
    assert [s.number for s in sessions] == list(range(1, 17))
    assert [s.scheduled_date for s in sessions] == weekly(START, 4) + weekly(date(2026, 4, 6), 12)
    assert course_a.sessions.count() == 17

    event = AuditEvent.objects.get(action="session.cancel")
    assert (event.actor, event.client_id, event.object_id) == (alice, course_a.client_id, str(s5.pk))
    page = client.get(response["Location"]).content.decode()
    assert "Appointment cancelled; session 5 is now on Mon 6 Apr 2026." in page


def test_it_keeps_agreed_dates_after_a_moved_session(alice: User, course_a: Course) -> None:
    move_session(alice, session(course_a, 6), date(2026, 4, 8))  # Monday 6 → Wednesday 8 April
    before = [s.scheduled_date for s in live(course_a)]
    replacement = cancel_session(alice, session(course_a, 4))
    after = [s.scheduled_date for s in live(course_a)]
    assert replacement.scheduled_date == before[4]
    assert after == before[:3] + before[4:] + [before[-1] + timedelta(weeks=1)]


def test_it_cancels_the_last_session(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    client.post(url(session(course_a, 16)))
    assert [s.scheduled_date for s in live(course_a)] == [*weekly(START, 15), date(2026, 6, 22)]


def test_it_cancels_the_same_number_twice(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    client.post(url(session(course_a, 2)))
    client.post(url(session(course_a, 2)))
    assert course_a.sessions.filter(number=2, attendance=Attendance.CANCELLED).count() == 2
    assert session(course_a, 2).scheduled_date == date(2026, 3, 23)
    assert len(live(course_a)) == 16


def test_it_moves_a_monthly_session_one_month_on(alice: User, client_a: Client) -> None:
    # Sat 31 Jan 2026, the clinic open Monday to Friday: the first Monday of each month
    course = start_course(alice, client_a, protocol_key="ipt-maintenance", start_date=date(2026, 1, 31))
    replacement = cancel_session(alice, session(course, 1))
    assert replacement.scheduled_date == date(2026, 3, 2)
    dates = [s.scheduled_date for s in live(course)]
    assert dates[:3] == [date(2026, 3, 2), date(2026, 4, 6), date(2026, 5, 4)]
    assert dates[-1] == date(2027, 2, 1)
    assert len(dates) == 12


@pytest.mark.parametrize("attendance", [Attendance.ATTENDED, Attendance.NO_SHOW])
def test_it_refuses_to_cancel_a_session_that_has_happened(
    client: HttpClient, alice: User, course_a: Course, attendance: str
) -> None:
    s1 = session(course_a, 1)
    record_attendance(alice, s1, attendance=attendance, modality="in_person")
    client.force_login(alice)
    response = client.post(url(s1), follow=True)
    assert response.redirect_chain == [(reverse("courses:session", args=[s1.pk]), 302)]
    assert "Only a session that has not happened yet can be cancelled." in response.content.decode()
    assert course_a.sessions.count() == 16
    assert Session.objects.get(pk=s1.pk).attendance == attendance
    assert not AuditEvent.objects.filter(action="session.cancel").exists()


def test_it_refuses_to_shift_a_later_session_that_has_happened(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    record_attendance(alice, session(course_a, 4), attendance=Attendance.ATTENDED, modality="in_person")
    s3 = session(course_a, 3)
    client.force_login(alice)
    response = client.post(url(s3), follow=True)
    assert "A later session already has its attendance recorded" in response.content.decode()
    assert [s.scheduled_date for s in live(course_a)] == weekly(START, 16)
    assert Session.objects.get(pk=s3.pk).attendance == Attendance.SCHEDULED
    assert course_a.sessions.count() == 16


def test_it_refuses_to_cancel_a_cancelled_appointment(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    s3 = session(course_a, 3)
    client.force_login(alice)
    client.post(url(s3))
    response = client.post(url(s3), follow=True)
    assert "Only a session that has not happened yet can be cancelled." in response.content.decode()
    assert course_a.sessions.count() == 17


def test_it_refuses_changes_to_a_finished_course(client: HttpClient, alice: User, course_a: Course) -> None:
    end_course(
        alice, course_a, status=CourseStatus.ENDED_EARLY, ended_on=date(2026, 3, 20), reason="Moved away"
    )
    client.force_login(alice)
    response = client.post(url(session(course_a, 5)), follow=True)
    assert "This course has ended; it can no longer be changed." in response.content.decode()
    assert course_a.sessions.count() == 16
    assert not course_a.sessions.filter(attendance=Attendance.CANCELLED).exists()


def test_it_refuses_the_supervisor(client: HttpClient, bob: User, course_a: Course) -> None:
    client.force_login(bob)
    assert client.post(url(session(course_a, 5))).status_code == 403
    assert course_a.sessions.count() == 16


def test_it_only_accepts_post(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    assert client.get(url(session(course_a, 5))).status_code == 405
    assert course_a.sessions.count() == 16

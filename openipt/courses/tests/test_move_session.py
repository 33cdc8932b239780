"""Moving a session: later sessions shift by the same number of days; held sessions stay put."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.courses.actions import cancel_session, end_course, move_session, record_attendance
from openipt.courses.models import Course, CourseStatus, Session

START = date(2026, 3, 2)


def url(session: Session) -> str:
    return reverse("courses:move", args=[session.pk])


def session(course: Course, number: int) -> Session:
    return course.sessions.exclude(attendance="cancelled").get(number=number)


def dates(course: Course) -> list[date]:
    return list(
        course.sessions.exclude(attendance="cancelled")
        .order_by("number")
        .values_list("scheduled_date", flat=True)
    )


def weekly(first: date, count: int) -> list[date]:
    return [first + timedelta(weeks=i) for i in range(count)]


def test_it_shifts_the_later_sessions_by_the_same_delta(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    client.force_login(alice)
    s5 = session(course_a, 5)
    response = client.post(url(s5), {"new_date": "2026-04-02"})  # Monday 30 March → Thursday 2 April
    assertRedirects(
        response, reverse("courses:session", args=[s5.pk]) + "#move-h", fetch_redirect_response=False
    )
    expected = weekly(START, 4) + [d + timedelta(days=3) for d in weekly(date(2026, 3, 30), 12)]
    assert dates(course_a) == expected
    event = AuditEvent.objects.get(action="session.move")
    assert (event.actor, event.client_id, event.object_type) == (alice, course_a.client_id, "courses.session")
    assert event.object_id == str(s5.pk)
    assert (
        "Session moved; later sessions shifted with it." in client.get(response["Location"]).content.decode()
    )


def test_it_moves_a_session_earlier(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    client.post(url(session(course_a, 3)), {"new_date": "2026-03-13"})  # Monday 16 → Friday 13 March
    assert dates(course_a) == weekly(START, 2) + [
        d - timedelta(days=3) for d in weekly(date(2026, 3, 16), 14)
    ]


def test_it_moves_the_first_session_to_any_date(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    client.post(url(session(course_a, 1)), {"new_date": "2026-02-23"})
    assert dates(course_a) == weekly(date(2026, 2, 23), 16)


def test_it_moves_only_the_last_session(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    client.post(url(session(course_a, 16)), {"new_date": "2026-07-01"})
    assert dates(course_a) == [*weekly(START, 15), date(2026, 7, 1)]


@pytest.mark.parametrize("new_date", ["2026-03-09", "2026-03-05"])
def test_it_refuses_a_date_on_or_before_the_previous_session(
    client: HttpClient, alice: User, course_a: Course, new_date: str
) -> None:
    client.force_login(alice)
    response = client.post(url(session(course_a, 3)), {"new_date": new_date})
    assert response.status_code == 400
    # in words and a date as people read it, never an ISO date
    message = "Choose a date after session 2, on Mon 9 Mar 2026: sessions keep their order."
    assert response.context["move_form"].errors["new_date"] == [message]
    assert message in response.content.decode()
    assert dates(course_a) == weekly(START, 16)
    assert not AuditEvent.objects.filter(action="session.move").exists()


@pytest.mark.parametrize("value", ["", "soon", "2026-13-01"])
def test_it_refuses_a_missing_or_malformed_date(
    client: HttpClient, alice: User, course_a: Course, value: str
) -> None:
    client.force_login(alice)
    response = client.post(url(session(course_a, 3)), {"new_date": value})
    assert response.status_code == 400
    assert response.context["move_form"].errors["new_date"]
    assert dates(course_a) == weekly(START, 16)


@pytest.mark.parametrize("attendance", ["attended", "no_show"])
def test_it_refuses_to_move_a_session_that_has_happened(
    client: HttpClient, alice: User, course_a: Course, attendance: str
) -> None:
    s2 = session(course_a, 2)
    record_attendance(alice, s2, attendance=attendance, modality="video")
    client.force_login(alice)
    response = client.post(url(s2), {"new_date": "2026-03-11"})
    assert response.status_code == 400
    assert response.context["move_form"].non_field_errors() == [
        "Only a session that has not happened yet can be moved."
    ]
    assert dates(course_a) == weekly(START, 16)


@pytest.mark.parametrize("attendance", ["attended", "no_show"])
def test_it_refuses_to_shift_a_later_session_that_has_happened(
    client: HttpClient, alice: User, course_a: Course, attendance: str
) -> None:
    # Session 3 was left unrecorded but session 4 was held: moving 3 would re-date 4.
    record_attendance(alice, session(course_a, 4), attendance=attendance, modality="in_person")
    client.force_login(alice)
    response = client.post(url(session(course_a, 3)), {"new_date": "2026-03-20"})
    assert response.status_code == 400
    assert response.context["move_form"].non_field_errors() == [
        "A later session already has its attendance recorded, so the sessions after this one cannot "
        "shift; record this session as attended or did not attend instead."
    ]
    assert dates(course_a) == weekly(START, 16)
    assert not AuditEvent.objects.filter(action="session.move").exists()


def test_it_refuses_to_move_a_cancelled_appointment(alice: User, course_a: Course) -> None:
    s2 = session(course_a, 2)
    cancel_session(alice, s2)
    before = dates(course_a)
    with pytest.raises(ValidationError, match=r"A cancelled session cannot be moved\."):
        move_session(alice, Session.objects.get(pk=s2.pk), date(2026, 3, 10))
    assert dates(course_a) == before


def test_it_refuses_changes_to_a_finished_course(client: HttpClient, alice: User, course_a: Course) -> None:
    end_course(alice, course_a, status=CourseStatus.COMPLETED, ended_on=date(2026, 6, 15))
    client.force_login(alice)
    response = client.post(url(session(course_a, 3)), {"new_date": "2026-03-18"})
    assert response.status_code == 400
    assert response.context["move_form"].non_field_errors() == [
        "This course has ended; it can no longer be changed."
    ]
    assert dates(course_a) == weekly(START, 16)


def test_it_refuses_the_supervisor(client: HttpClient, bob: User, course_a: Course) -> None:
    client.force_login(bob)
    assert client.post(url(session(course_a, 3)), {"new_date": "2026-03-18"}).status_code == 403
    assert dates(course_a) == weekly(START, 16)


def test_it_only_accepts_post(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    assert client.get(url(session(course_a, 3))).status_code == 405


def test_it_refuses_a_day_the_clinic_is_closed_and_changes_nothing(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    client.force_login(alice)
    before = dates(course_a)

    response = client.post(url(session(course_a, 3)), {"new_date": "2026-03-14"})  # a Saturday

    assert response.status_code == 400
    assert "The clinic is closed on Saturday 14 March. Choose a working day, such as Mon 16 Mar 2026." in (
        response.content.decode()
    )
    assert dates(course_a) == before
    assert not AuditEvent.objects.filter(action="session.move").exists()


def test_later_sessions_shifted_onto_a_closed_day_go_to_the_next_working_day(
    alice: User, course_a: Course
) -> None:
    move_session(alice, session(course_a, 4), date(2026, 3, 26))  # Monday 23 → Thursday 26 March
    assert dates(course_a)[3:5] == [date(2026, 3, 26), date(2026, 4, 2)]  # later ones on Thursdays
    course_a.client.organisation.working_days = "012"  # from now on open Monday to Wednesday
    course_a.client.organisation.save(update_fields=["working_days"])

    move_session(alice, session(course_a, 3), date(2026, 3, 17))  # Monday 16 → Tuesday 17 March

    # sessions 4 and 5 shift a day too, onto Fridays, so they go to the Mondays after
    assert dates(course_a)[2:6] == [date(2026, 3, 17), date(2026, 3, 30), date(2026, 4, 6), date(2026, 4, 13)]
    assert all(d.weekday() in (0, 1, 2) for d in dates(course_a)[2:])


def test_it_moves_the_time_with_the_date(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    s3 = session(course_a, 3)

    client.post(url(s3), {"new_date": "2026-03-17", "new_time": "15:45"})

    s3.refresh_from_db()
    assert (s3.scheduled_date.isoformat(), s3.start_time.strftime("%H:%M")) == ("2026-03-17", "15:45")
    assert session(course_a, 4).start_time.strftime("%H:%M") == "09:00"  # later sessions keep theirs

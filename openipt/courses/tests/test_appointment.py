"""A session's appointment: its time, length, how it is held and a video session's link."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.courses.actions import cancel_session, record_attendance, set_appointment
from openipt.courses.models import Course, Session

LINK = "https://meet.example.org/room-1"


def first(course: Course) -> Session:
    return course.sessions.get(number=1)


def url(session: Session) -> str:
    return reverse("courses:appointment", args=[session.pk])


def test_a_new_course_has_sessions_at_nine_as_long_as_the_protocol_says(course_a: Course) -> None:
    s = first(course_a)

    assert (s.start_time, s.duration_minutes, s.ends_at) == (time(9, 0), 50, time(9, 50))
    assert s.video_url == "" and s.modality == "in_person"


def test_it_sets_the_time_and_the_video_link(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    s = first(course_a)

    response = client.post(url(s), {"start_time": "14:30", "modality": "video", "video_url": LINK})

    # back to the appointment, not the top of a long page (found walking it on a phone)
    assertRedirects(
        response, reverse("courses:session", args=[s.pk]) + "#appt-h", fetch_redirect_response=False
    )
    s.refresh_from_db()
    assert (s.start_time, s.modality, s.video_url) == (time(14, 30), "video", LINK)
    event = AuditEvent.objects.get(action="session.appointment")
    assert (event.actor, event.client_id, event.object_id) == (alice, course_a.client_id, str(s.pk))
    page = client.get(response["Location"]).content.decode()
    assert "Appointment saved." in page
    assert "14:30–15:20" in page and f'href="{LINK}"' in page and "Join the video call" in page


@pytest.mark.parametrize(
    "link",
    [
        "http://meet.example.org/room-1",
        "ftp://meet.example.org/room-1",
        "javascript:alert(1)",
        "meet.example.org/room-1",
        "https://",
    ],
)
def test_it_refuses_a_link_that_is_not_a_secure_web_address(
    client: HttpClient, alice: User, course_a: Course, link: str
) -> None:
    client.force_login(alice)
    s = first(course_a)

    response = client.post(url(s), {"start_time": "14:30", "modality": "video", "video_url": link})

    assert response.status_code == 400
    assert "Enter the video link as a full secure web address starting with https://." in (
        response.content.decode()
    )
    s.refresh_from_db()
    assert (s.start_time, s.modality, s.video_url) == (time(9, 0), "in_person", "")
    assert not AuditEvent.objects.filter(action="session.appointment").exists()


def test_the_link_shows_only_for_a_video_session(client: HttpClient, alice: User, course_a: Course) -> None:
    s = first(course_a)
    set_appointment(alice, s, start_time=time(9, 0), modality="phone", video_url=LINK)
    client.force_login(alice)

    page = client.get(reverse("courses:session", args=[s.pk])).content.decode()

    assert "Join the video call" not in page and f'href="{LINK}"' not in page


def test_a_video_session_without_a_link_says_so(client: HttpClient, alice: User, course_a: Course) -> None:
    s = first(course_a)
    set_appointment(alice, s, start_time=time(9, 0), modality="video")
    client.force_login(alice)

    page = client.get(reverse("courses:session", args=[s.pk])).content.decode()

    assert "No video link yet" in page


def test_a_held_session_cannot_be_rearranged(alice: User, course_a: Course) -> None:
    s = first(course_a)
    record_attendance(alice, s, attendance="attended", modality="in_person")

    with pytest.raises(ValidationError, match="Only a session that has not happened yet can be rearranged"):
        set_appointment(alice, s, start_time=time(15, 0), modality="video", video_url=LINK)


def test_a_replacement_keeps_the_time_and_link_of_the_cancelled_session(
    alice: User, course_a: Course
) -> None:
    s = first(course_a)
    set_appointment(alice, s, start_time=time(16, 15), modality="video", video_url=LINK)

    replacement = cancel_session(alice, s)

    assert (replacement.start_time, replacement.duration_minutes, replacement.video_url) == (
        time(16, 15),
        50,
        LINK,
    )
    assert replacement.scheduled_date == date(2026, 3, 9)


def test_only_the_care_team_may_rearrange(
    client: HttpClient, bob: User, dave: User, charlie: User, course_a: Course
) -> None:
    s = first(course_a)
    data = {"start_time": "14:30", "modality": "video", "video_url": LINK}
    for user, status in ((bob, 403), (dave, 404), (charlie, 404)):
        client.force_login(user)
        assert client.post(url(s), data).status_code == status, user
    s.refresh_from_db()
    assert s.video_url == ""

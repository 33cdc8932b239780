"""Every URL of a session (and of its course) is a 404 for other teams, with nothing about the client."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import User
from openipt.audit.queries import change_events
from openipt.courses.actions import record_attendance
from openipt.courses.models import Course, Session, TaskRecord
from openipt.measures.models import Response
from openipt.notes.actions import save_draft, sign_note
from openipt.notes.models import Addendum, Note

# Every field any of these endpoints reads, filled in validly, so only access can refuse.
POST_DATA = {
    "attendance": "attended",
    "modality": "video",
    "new_date": "2026-03-04",
    "task_key": "sick_role",
    "done": "on",
    "note": "Ticked by an intruder",
    "body": "Written by an intruder",
    "status": "ended_early",
    "ended_on": "2026-03-10",
    "reason": "Ended by an intruder",
    "phq9-response_uuid": "6f1f4c1e-8e7a-4c6b-9c55-0f3c2b1d9a01",
    "phq9-source": "client",
    **{f"phq9-phq9-{n}": "1" for n in range(1, 10)},
}


@pytest.fixture
def s1(alice: User, course_a: Course) -> Session:
    session = course_a.sessions.get(number=1)
    record_attendance(alice, session, attendance="attended", modality="in_person")
    return session


@pytest.fixture
def s2(course_a: Course) -> Session:
    return course_a.sessions.get(number=2)


@pytest.fixture
def note(alice: User, s1: Session) -> Note:
    note = save_draft(alice, s1, body="Alice's note", base_version=None)
    return sign_note(alice, note, base_version=note.version)


def urls(course: Course, s1: Session, s2: Session, note: Note) -> list[tuple[str, str]]:
    """(method, URL) for every page and endpoint reached through one session or its course."""
    return [
        ("get", reverse("courses:session", args=[s2.pk])),
        ("post", reverse("courses:attendance", args=[s2.pk])),
        ("post", reverse("courses:move", args=[s2.pk])),
        ("post", reverse("courses:cancel", args=[s2.pk])),
        ("post", reverse("courses:agenda", args=[s2.pk])),
        ("post", reverse("measures:record-in-session", args=[s2.pk, "phq9"])),
        ("post", reverse("notes:save", args=[s2.pk])),
        ("post", reverse("notes:addendum", args=[note.pk])),
        ("post", reverse("courses:advance-phase", args=[course.pk])),
        ("get", reverse("courses:end", args=[course.pk])),
        ("post", reverse("courses:end", args=[course.pk])),
    ]


def snapshot(course: Course) -> tuple[object, ...]:
    return (
        change_events().count(),
        list(course.sessions.order_by("id").values_list("scheduled_date", "attendance", "modality")),
        Course.objects.values_list("status", "current_phase").get(pk=course.pk),
        TaskRecord.objects.count(),
        Response.objects.count(),
        Note.objects.count(),
        Addendum.objects.count(),
    )


@pytest.mark.parametrize("username", ["dave", "charlie"])
@pytest.mark.parametrize("headers", [{}, {"HTTP_HX_REQUEST": "true"}])
def test_it_is_404_for_other_teams_and_organisations(
    client: HttpClient,
    everyone: dict[str, User],
    course_a: Course,
    s1: Session,
    s2: Session,
    note: Note,
    username: str,
    headers: dict[str, Any],
) -> None:
    client.force_login(everyone[username])
    before = snapshot(course_a)
    for method, url in urls(course_a, s1, s2, note):
        response = getattr(client, method)(url, POST_DATA if method == "post" else None, **headers)
        assert response.status_code == 404, (method, url)
        body = response.content.decode()
        assert "Maya" not in body, url
        assert "Okafor" not in body, url
        assert "NS-1" not in body, url
    assert snapshot(course_a) == before


def test_it_is_404_for_sessions_that_do_not_exist(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    missing = Session(pk=10_000, course=course_a)
    assert client.get(reverse("courses:session", args=[missing.pk])).status_code == 404
    assert client.post(reverse("courses:cancel", args=[missing.pk])).status_code == 404


def test_the_supervisor_reads_but_every_write_is_403(
    client: HttpClient, bob: User, course_a: Course, s1: Session, s2: Session, note: Note
) -> None:
    client.force_login(bob)
    before = snapshot(course_a)
    for method, url in urls(course_a, s1, s2, note):
        response = getattr(client, method)(url, POST_DATA if method == "post" else None)
        expected = 200 if url == reverse("courses:session", args=[s2.pk]) else 403
        assert response.status_code == expected, (method, url)
    assert snapshot(course_a) == before


def test_the_admin_gets_403_everywhere(
    client: HttpClient, erin: User, course_a: Course, s1: Session, s2: Session, note: Note
) -> None:
    client.force_login(erin)
    before = snapshot(course_a)
    for method, url in urls(course_a, s1, s2, note):
        response = getattr(client, method)(url, POST_DATA if method == "post" else None)
        assert response.status_code == 403, (method, url)
        assert "Okafor" not in response.content.decode()
    assert snapshot(course_a) == before


def test_anonymous_visitors_are_sent_to_sign_in(
    client: HttpClient, course_a: Course, s1: Session, s2: Session, note: Note
) -> None:
    before = snapshot(course_a)
    for method, url in urls(course_a, s1, s2, note):
        response = getattr(client, method)(url, POST_DATA if method == "post" else None)
        assert response.status_code == 302, (method, url)
        assert response["Location"] == f"{reverse('account_login')}?next={url}"
    assert snapshot(course_a) == before


def test_alice_reaches_every_url(
    client: HttpClient, alice: User, course_a: Course, s1: Session, s2: Session, note: Note
) -> None:
    client.force_login(alice)
    assert client.get(reverse("courses:session", args=[s2.pk])).status_code == 200
    assert client.get(reverse("courses:end", args=[course_a.pk])).status_code == 200
    response = client.post(reverse("courses:move", args=[s2.pk]), {"new_date": "2026-03-10"})
    assert response.status_code == 302
    assert Session.objects.get(pk=s2.pk).scheduled_date == date(2026, 3, 10)

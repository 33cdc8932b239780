"""IPT-A's middle-phase session with a parent: held once, at the session the clinician chooses."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.courses.actions import advance_phase, cancel_session, end_course, start_course
from openipt.courses.models import Course, CourseStatus, Session

PARENT = "parent_middle_session"


@pytest.fixture
def teen_course(alice: User, client_a: Client) -> Course:
    client_a.date_of_birth = date(2011, 5, 1)
    client_a.save(update_fields=["date_of_birth"])
    course = start_course(alice, client_a, protocol_key="ipt-adolescent", start_date=date(2026, 3, 2))
    return advance_phase(alice, course)  # the middle phase: sessions 4-9


def page(client: HttpClient, course: Course, number: int) -> str:
    session = course.sessions.get(number=number)
    return client.get(reverse("courses:session", args=[session.pk])).content.decode()


def hold_here(client: HttpClient, course: Course, number: int, task_key: str = PARENT) -> int:
    session = course.sessions.get(number=number)
    url = reverse("courses:task-session", args=[session.pk])
    return client.post(url, {"task_key": task_key}).status_code


def test_until_chosen_every_middle_session_offers_to_plan_it(
    client: HttpClient, alice: User, teen_course: Course
) -> None:
    client.force_login(alice)
    for number in range(4, 10):
        body = page(client, teen_course, number)
        assert "Session with a parent" in body
        assert "Plan it for this session" in body
        assert "With a parent or carer" in body
        assert "With parent" not in body


def test_once_chosen_the_parent_task_is_on_that_session_only(
    client: HttpClient, alice: User, teen_course: Course
) -> None:
    client.force_login(alice)

    assert hold_here(client, teen_course, 6) == 302

    teen_course.refresh_from_db()
    assert teen_course.chosen_sessions == {PARENT: 6}
    shown = [n for n in range(4, 10) if "Session with a parent" in page(client, teen_course, n)]
    assert shown == [6]
    body = page(client, teen_course, 6)
    assert "Planned for this session." in body
    assert "Plan it for this session" not in body
    event = AuditEvent.objects.get(action="course.task_session")
    assert (event.actor, event.client_id, event.object_id) == (
        alice,
        teen_course.client_id,
        str(teen_course.pk),
    )


def test_the_choice_can_be_taken_back_from_the_chosen_session(
    client: HttpClient, alice: User, teen_course: Course
) -> None:
    client.force_login(alice)
    hold_here(client, teen_course, 6)
    assert "Plan it for another session" in page(client, teen_course, 6)

    session = teen_course.sessions.get(number=6)
    released = client.post(
        reverse("courses:task-session", args=[session.pk]), {"task_key": PARENT, "release": "1"}
    )

    assert released.status_code == 302
    teen_course.refresh_from_db()
    assert teen_course.chosen_sessions == {}
    assert all("Plan it for this session" in page(client, teen_course, n) for n in range(4, 10))
    assert AuditEvent.objects.filter(action="course.task_session").count() == 2


def test_choosing_another_session_moves_it(client: HttpClient, alice: User, teen_course: Course) -> None:
    client.force_login(alice)
    hold_here(client, teen_course, 6)
    hold_here(client, teen_course, 8)

    teen_course.refresh_from_db()
    assert teen_course.chosen_sessions == {PARENT: 8}


@pytest.mark.parametrize(
    ("number", "task_key", "message"),
    [
        (2, PARENT, "That task is not one this session&#x27;s phase holds once."),  # initial phase
        (6, "school_check_middle", "That task is not one this session&#x27;s phase holds once."),
        (6, "nope", "That task is not one this session&#x27;s phase holds once."),
    ],
)
def test_it_refuses_a_task_or_session_that_does_not_fit_and_changes_nothing(
    client: HttpClient, alice: User, teen_course: Course, number: int, task_key: str, message: str
) -> None:
    client.force_login(alice)
    session = teen_course.sessions.get(number=number)

    response = client.post(
        reverse("courses:task-session", args=[session.pk]), {"task_key": task_key}, follow=True
    )

    assert message in response.content.decode()
    teen_course.refresh_from_db()
    assert teen_course.chosen_sessions == {}
    assert not AuditEvent.objects.filter(action="course.task_session").exists()


def test_it_refuses_a_cancelled_appointment_and_an_ended_course(
    client: HttpClient, alice: User, teen_course: Course
) -> None:
    client.force_login(alice)
    cancel_session(alice, teen_course.sessions.get(number=5))
    cancelled = Session.objects.get(course=teen_course, number=5, attendance="cancelled")
    body = client.post(
        reverse("courses:task-session", args=[cancelled.pk]), {"task_key": PARENT}, follow=True
    ).content.decode()
    assert "This appointment was cancelled" in body
    end_course(
        alice, teen_course, status=CourseStatus.ENDED_EARLY, ended_on=date(2026, 4, 1), reason="Moved away."
    )
    hold_here(client, teen_course, 6)
    teen_course.refresh_from_db()
    assert teen_course.chosen_sessions == {}


def test_it_refuses_the_supervisor_and_other_teams(
    client: HttpClient, bob: User, dave: User, charlie: User, teen_course: Course
) -> None:
    for user, status in ((bob, 403), (dave, 404), (charlie, 404)):
        client.force_login(user)
        assert hold_here(client, teen_course, 6) == status
    teen_course.refresh_from_db()
    assert teen_course.chosen_sessions == {}


def test_once_its_session_is_held_the_choice_stays_the_record(
    client: HttpClient, alice: User, teen_course: Course
) -> None:
    """Found walking it: "Plan it for another session" was offered on the session already held."""
    client.force_login(alice)
    assert hold_here(client, teen_course, 4) == 302
    held = teen_course.sessions.get(number=4)
    Session.objects.filter(pk=held.pk).update(attendance="attended")

    assert "Plan it for another session" not in page(client, teen_course, 4)
    released = client.post(
        reverse("courses:task-session", args=[held.pk]), {"task_key": PARENT, "release": "1"}, follow=True
    )
    moved = hold_here(client, teen_course, 5)

    assert "it stays the record of where it took place" in released.content.decode()
    assert moved == 302  # refused with a message, back to the session
    teen_course.refresh_from_db()
    assert teen_course.chosen_sessions == {PARENT: 4}

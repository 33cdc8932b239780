"""Ticking an agenda task with a note: a full page POST, or htmx swapping in the task alone."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.courses.actions import advance_phase, end_course
from openipt.courses.models import Course, CourseStatus, Session, TaskRecord

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def url(session: Session) -> str:
    return reverse("courses:task", args=[session.pk])


@pytest.fixture
def s1(course_a: Course) -> Session:
    return course_a.sessions.get(number=1)


def records() -> list[tuple[int, str, bool, str]]:
    return list(TaskRecord.objects.values_list("session_id", "task_key", "done", "note"))


def test_it_ticks_a_task_with_a_note_and_audits(client: HttpClient, alice: User, s1: Session) -> None:
    client.force_login(alice)
    data = {"task_key": "sick_role", "done": "on", "note": "Agreed to rest from the choir for now."}
    response = client.post(url(s1), data)
    assertRedirects(response, reverse("courses:session", args=[s1.pk]), fetch_redirect_response=False)
    record = TaskRecord.objects.get()
    assert (record.session, record.task_key, record.done) == (s1, "sick_role", True)
    assert (record.note, record.updated_by) == ("Agreed to rest from the choir for now.", alice)
    event = AuditEvent.objects.get(action="session.task")
    assert (event.actor, event.client_id, event.object_id) == (alice, s1.course.client_id, str(s1.pk))
    page = client.get(response["Location"]).content.decode()
    assert 'id="task-sick_role" class="done"' in page
    assert "Agreed to rest from the choir for now." in page


def test_it_unticks_and_updates_the_same_record(client: HttpClient, alice: User, s1: Session) -> None:
    client.force_login(alice)
    client.post(url(s1), {"task_key": "sick_role", "done": "on", "note": "first"})
    client.post(url(s1), {"task_key": "sick_role", "note": "not yet"})
    assert records() == [(s1.pk, "sick_role", False, "not yet")]
    assert AuditEvent.objects.filter(action="session.task").count() == 2


def test_it_returns_the_task_alone_to_htmx(client: HttpClient, alice: User, s1: Session) -> None:
    client.force_login(alice)
    response = client.post(
        url(s1), {"task_key": "interpersonal_inventory", "done": "on", "note": "Mother, sister, Joe"}, **HTMX
    )
    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["courses/_task.html"]
    body = response.content.decode()
    assert body.strip().startswith('<li id="task-interpersonal_inventory" class="done">')
    assert "Take the interpersonal inventory" in body
    assert "Mother, sister, Joe" in body
    assert "checked" in body
    assert "<html" not in body
    assert records() == [(s1.pk, "interpersonal_inventory", True, "Mother, sister, Joe")]


def test_it_returns_a_task_from_another_phase_to_htmx(
    client: HttpClient, alice: User, course_a: Course, s1: Session
) -> None:
    # The page was loaded in the initial phase; meanwhile the course moved to the middle phase,
    # so the unheld session's agenda changed under the clinician's pen. The tick is kept.
    advance_phase(alice, course_a)
    client.force_login(alice)
    response = client.post(url(s1), {"task_key": "sick_role", "done": "on", "note": ""}, **HTMX)
    assert response.status_code == 200
    assert 'id="task-sick_role" class="done"' in response.content.decode()
    assert records() == [(s1.pk, "sick_role", True, "")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"task_key": "no_such_task", "done": "on"}, "That task is not part of this protocol's agenda."),
        ({"done": "on"}, "This field is required."),
        ({"task_key": "sick_role", "note": "x" * 5001}, "Ensure this value has at most 5000 characters"),
    ],
)
def test_it_refuses_bad_input_to_htmx_with_the_message(
    client: HttpClient, alice: User, s1: Session, data: dict[str, str], message: str
) -> None:
    client.force_login(alice)
    response = client.post(url(s1), data, **HTMX)
    assert response.status_code == 400
    assert escape(message) in response.content.decode()
    assert records() == []
    assert not AuditEvent.objects.filter(action="session.task").exists()


def test_it_refuses_bad_input_with_the_session_page(client: HttpClient, alice: User, s1: Session) -> None:
    client.force_login(alice)
    response = client.post(url(s1), {"task_key": "no_such_task", "done": "on"})
    assert response.status_code == 400
    assert "courses/session.html" in [t.name for t in response.templates]
    assert records() == []


def test_it_refuses_changes_to_a_finished_course(
    client: HttpClient, alice: User, course_a: Course, s1: Session
) -> None:
    end_course(alice, course_a, status=CourseStatus.COMPLETED, ended_on=date(2026, 6, 15))
    client.force_login(alice)
    response = client.post(url(s1), {"task_key": "sick_role", "done": "on"}, **HTMX)
    assert response.status_code == 400
    assert records() == []


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_it_refuses_the_supervisor(
    client: HttpClient, bob: User, s1: Session, headers: dict[str, Any]
) -> None:
    client.force_login(bob)
    response = client.post(url(s1), {"task_key": "sick_role", "done": "on"}, **headers)
    assert response.status_code == 403
    assert records() == []


def test_it_refuses_a_task_on_a_cancelled_appointment(client: HttpClient, alice: User, s1: Session) -> None:
    from openipt.courses.actions import cancel_session

    cancel_session(alice, s1)
    client.force_login(alice)
    response = client.post(url(s1), {"task_key": "sick_role", "done": "on"}, **HTMX)
    assert response.status_code == 400
    assert "cancelled" in response.content.decode()
    assert records() == []

"""Moving a course to the protocol's next phase: the clinician's decision, refused after the last."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.courses.actions import end_course, start_course
from openipt.courses.models import Course, CourseStatus


def url(course: Course) -> str:
    return reverse("courses:advance-phase", args=[course.pk])


def phase(course: Course) -> str:
    return Course.objects.get(pk=course.pk).current_phase


def test_it_moves_to_the_next_phase_and_audits(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    response = client.post(url(course_a))
    assertRedirects(
        response, reverse("clients:detail", args=[course_a.client_id]), fetch_redirect_response=False
    )
    assert phase(course_a) == "middle"
    event = AuditEvent.objects.get(action="course.phase")
    assert (event.actor, event.client_id, event.object_type) == (alice, course_a.client_id, "courses.course")
    assert "Moved to the Middle phase." in client.get(response["Location"]).content.decode()


def test_it_goes_back_to_the_session_it_was_asked_from(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    s4 = course_a.sessions.get(number=4)
    client.force_login(alice)
    response = client.post(url(course_a), {"session": str(s4.pk)})
    assertRedirects(response, reverse("courses:session", args=[s4.pk]), fetch_redirect_response=False)
    assert phase(course_a) == "middle"


def test_it_walks_through_every_phase_then_refuses(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    client.post(url(course_a))
    client.post(url(course_a))
    assert phase(course_a) == "termination"
    response = client.post(url(course_a), follow=True)
    assert phase(course_a) == "termination"
    assert "This is the protocol&#x27;s last phase; end the course when the work is done." in (
        response.content.decode()
    )
    assert AuditEvent.objects.filter(action="course.phase").count() == 2


def test_a_single_phase_protocol_has_no_next_phase(client: HttpClient, alice: User, client_a: Client) -> None:
    course = start_course(alice, client_a, protocol_key="ipt-maintenance", start_date=date(2026, 3, 2))
    client.force_login(alice)
    client.post(url(course))
    assert phase(course) == "maintenance"
    assert not AuditEvent.objects.filter(action="course.phase").exists()


def test_it_refuses_a_finished_course(client: HttpClient, alice: User, course_a: Course) -> None:
    end_course(alice, course_a, status=CourseStatus.COMPLETED, ended_on=date(2026, 6, 15))
    client.force_login(alice)
    response = client.post(url(course_a), follow=True)
    assert "This course has ended; it can no longer be changed." in response.content.decode()
    assert phase(course_a) == "initial"


def test_it_refuses_the_supervisor(client: HttpClient, bob: User, course_a: Course) -> None:
    client.force_login(bob)
    assert client.post(url(course_a)).status_code == 403
    assert phase(course_a) == "initial"


@pytest.mark.parametrize("username", ["dave", "charlie"])
def test_it_hides_the_course_from_other_teams(
    client: HttpClient, everyone: dict[str, User], course_a: Course, username: str
) -> None:
    client.force_login(everyone[username])
    response = client.post(url(course_a))
    assert response.status_code == 404
    assert "Okafor" not in response.content.decode()
    assert phase(course_a) == "initial"


def test_it_only_accepts_post(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    assert client.get(url(course_a)).status_code == 405
    assert phase(course_a) == "initial"

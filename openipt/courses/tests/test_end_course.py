"""Ending a course: completed, or ended early with a reason; a finished course changes no more."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.courses.actions import end_course
from openipt.courses.models import Course, CourseStatus


def url(course: Course) -> str:
    return reverse("courses:end", args=[course.pk])


def stored(course: Course) -> tuple[str, date | None, str]:
    c = Course.objects.get(pk=course.pk)
    return (c.status, c.ended_on, c.end_reason)


def test_it_shows_the_form_dated_today(
    client: HttpClient, alice: User, course_a: Course, time_machine: Any
) -> None:
    time_machine.move_to(datetime(2026, 6, 15, 23, 30, tzinfo=UTC), tick=False)
    client.force_login(alice)
    response = client.get(url(course_a))
    assert response.status_code == 200
    # 23:30 UTC on 15 June is already 16 June in London (summer time).
    assert response.context["form"]["ended_on"].initial == date(2026, 6, 16)
    body = response.content.decode()
    assert "End the course" in body
    assert "Maya Okafor" in body
    assert [v for v, _ in response.context["form"].fields["status"].choices] == ["completed", "ended_early"]


def test_it_completes_the_course_and_audits(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    response = client.post(
        url(course_a), {"confirm": "on", "status": "completed", "ended_on": "2026-06-15", "reason": ""}
    )
    assertRedirects(
        response, reverse("clients:detail", args=[course_a.client_id]), fetch_redirect_response=False
    )
    assert stored(course_a) == ("completed", date(2026, 6, 15), "")
    event = AuditEvent.objects.get(action="course.end")
    assert (event.actor, event.client_id, event.object_id) == (alice, course_a.client_id, str(course_a.pk))
    page = client.get(response["Location"]).content.decode()
    assert "The course has ended." in page
    assert "No active course." in page


def test_it_ends_early_with_the_reason(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    data = {
        "confirm": "on",
        "status": "ended_early",
        "ended_on": "2026-04-01",
        "reason": "  Moved to another city.  ",
    }
    assert client.post(url(course_a), data).status_code == 302
    assert stored(course_a) == ("ended_early", date(2026, 4, 1), "Moved to another city.")


def test_it_may_end_on_the_day_it_started(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    data = {
        "confirm": "on",
        "status": "ended_early",
        "ended_on": "2026-03-02",
        "reason": "Declined after the first session",
    }
    assert client.post(url(course_a), data).status_code == 302
    assert stored(course_a)[0] == "ended_early"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"confirm": "on", "status": "ended_early", "ended_on": "2026-04-01", "reason": ""},
            "reason",
            "Say why the course ended early.",
        ),
        (
            {"confirm": "on", "status": "ended_early", "ended_on": "2026-04-01", "reason": "   "},
            "reason",
            "Say why the course ended early.",
        ),
        (
            {"confirm": "on", "status": "completed", "ended_on": "2026-03-01", "reason": ""},
            "ended_on",
            "The end date cannot be before the course started.",
        ),
        (
            {"confirm": "on", "status": "active", "ended_on": "2026-04-01", "reason": ""},
            "status",
            "Select a valid choice. active is not one of the available choices.",
        ),
        (
            {"confirm": "on", "status": "completed", "ended_on": "2099-01-01", "reason": ""},
            "ended_on",
            "The end date cannot be in the future.",
        ),
        (
            {"confirm": "on", "status": "completed", "ended_on": "", "reason": ""},
            "ended_on",
            "This field is required.",
        ),
        ({"ended_on": "2026-04-01", "reason": ""}, "status", "This field is required."),
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(
    client: HttpClient, alice: User, course_a: Course, data: dict[str, str], field: str, message: str
) -> None:
    client.force_login(alice)
    response = client.post(url(course_a), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert stored(course_a) == ("active", None, "")
    assert not AuditEvent.objects.filter(action="course.end").exists()


def test_a_finished_course_refuses_further_changes(client: HttpClient, alice: User, course_a: Course) -> None:
    end_course(alice, course_a, status=CourseStatus.COMPLETED, ended_on=date(2026, 6, 15))
    client.force_login(alice)
    data = {"confirm": "on", "status": "ended_early", "ended_on": "2026-06-20", "reason": "Changed my mind"}
    response = client.post(url(course_a), data)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "This course has ended; it can no longer be changed."
    ]
    assert stored(course_a) == ("completed", date(2026, 6, 15), "")
    assert AuditEvent.objects.filter(action="course.end").count() == 1


def test_the_action_refuses_an_unknown_status(alice: User, course_a: Course) -> None:
    with pytest.raises(ValidationError) as caught:
        end_course(alice, course_a, status="paused", ended_on=date(2026, 4, 1))
    assert caught.value.message_dict == {"status": ["Choose completed or ended early."]}
    assert stored(course_a) == ("active", None, "")


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_refuses_the_supervisor(client: HttpClient, bob: User, course_a: Course, method: str) -> None:
    client.force_login(bob)
    response = getattr(client, method)(
        url(course_a), {"confirm": "on", "status": "completed", "ended_on": "2026-06-15"}
    )
    assert response.status_code == 403
    assert stored(course_a) == ("active", None, "")


@pytest.mark.parametrize("username", ["dave", "charlie"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_hides_the_course_from_other_teams(
    client: HttpClient, everyone: dict[str, User], course_a: Course, username: str, method: str
) -> None:
    client.force_login(everyone[username])
    response = getattr(client, method)(
        url(course_a), {"confirm": "on", "status": "completed", "ended_on": "2026-06-15"}
    )
    assert response.status_code == 404
    assert "Okafor" not in response.content.decode()
    assert stored(course_a) == ("active", None, "")


def test_it_refuses_the_admin(client: HttpClient, erin: User, course_a: Course) -> None:
    client.force_login(erin)
    assert (
        client.post(
            url(course_a), {"confirm": "on", "status": "completed", "ended_on": "2026-06-15"}
        ).status_code
        == 403
    )
    assert stored(course_a) == ("active", None, "")


def test_ending_asks_for_the_tick_and_changes_nothing_without_it(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    client.force_login(alice)
    assert 'name="confirm"' in client.get(url(course_a)).content.decode()

    response = client.post(url(course_a), {"status": "completed", "ended_on": "2026-06-15", "reason": ""})

    assert response.status_code == 400
    assert "Tick this box to end the course." in response.content.decode()
    course_a.refresh_from_db()
    assert course_a.status == CourseStatus.ACTIVE

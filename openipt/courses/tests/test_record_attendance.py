"""Recording attendance: attended, did not attend or back to scheduled, and how the session was held."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.courses.actions import advance_phase, cancel_session, end_course, record_attendance
from openipt.courses.models import Attendance, Course, CourseStatus, Modality, Session


def url(session: Session) -> str:
    return reverse("courses:attendance", args=[session.pk])


def first(course: Course) -> Session:
    return course.sessions.get(number=1)


def stored(session: Session) -> tuple[str, str, str]:
    s = Session.objects.get(pk=session.pk)
    return (s.attendance, s.modality, s.phase_key)


@pytest.mark.parametrize(
    ("attendance", "modality"),
    [
        (Attendance.ATTENDED, Modality.IN_PERSON),
        (Attendance.ATTENDED, Modality.VIDEO),
        (Attendance.NO_SHOW, Modality.PHONE),
        (Attendance.SCHEDULED, Modality.VIDEO),
    ],
)
def test_it_records_attendance_and_modality_and_audits(
    client: HttpClient, alice: User, course_a: Course, attendance: str, modality: str
) -> None:
    s1 = first(course_a)
    client.force_login(alice)
    response = client.post(url(s1), {"attendance": attendance, "modality": modality})
    assertRedirects(
        response, reverse("courses:session", args=[s1.pk]) + "#att-h", fetch_redirect_response=False
    )
    assert stored(s1) == (attendance, modality, "initial")
    event = AuditEvent.objects.get(action="session.attendance")
    assert (event.actor, event.client_id, event.object_id) == (alice, course_a.client_id, str(s1.pk))
    assert "Attendance saved." in client.get(response["Location"]).content.decode()


def test_it_corrects_a_mistaken_record_back_to_scheduled(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    s1 = first(course_a)
    client.force_login(alice)
    client.post(url(s1), {"attendance": "no_show", "modality": "in_person"})
    client.post(url(s1), {"attendance": "scheduled", "modality": "in_person"})
    assert stored(s1)[0] == Attendance.SCHEDULED
    assert AuditEvent.objects.filter(action="session.attendance").count() == 2


def test_it_records_the_phase_a_session_was_held_in(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    # The clinician moved to the middle phase early: session 3 is held in the middle phase.
    advance_phase(alice, course_a)
    s3 = course_a.sessions.get(number=3)
    client.force_login(alice)
    client.post(url(s3), {"attendance": "attended", "modality": "in_person"})
    assert stored(s3) == ("attended", "in_person", "middle")


def test_a_missed_session_keeps_its_planned_phase(client: HttpClient, alice: User, course_a: Course) -> None:
    advance_phase(alice, course_a)
    s3 = course_a.sessions.get(number=3)
    client.force_login(alice)
    client.post(url(s3), {"attendance": "no_show", "modality": "in_person"})
    assert stored(s3) == ("no_show", "in_person", "initial")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"attendance": "cancelled", "modality": "in_person"}, "attendance"),
        ({"attendance": "late", "modality": "in_person"}, "attendance"),
        ({"attendance": "attended", "modality": "carrier pigeon"}, "modality"),
        ({"modality": "in_person"}, "attendance"),
        ({"attendance": "attended"}, "modality"),
    ],
)
def test_it_refuses_invalid_values_and_changes_nothing(
    client: HttpClient, alice: User, course_a: Course, data: dict[str, str], field: str
) -> None:
    s1 = first(course_a)
    client.force_login(alice)
    response = client.post(url(s1), data)
    assert response.status_code == 400
    assert field in response.context["attendance_form"].errors
    assert stored(s1) == ("scheduled", "in_person", "initial")
    assert not AuditEvent.objects.filter(action="session.attendance").exists()


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        (
            {"attendance": "cancelled", "modality": "in_person"},
            "attendance",
            "Choose attended, did not attend, or scheduled. Use Cancel to cancel.",
        ),
        ({"attendance": "attended", "modality": "fax"}, "modality", "Choose in person, video or phone."),
    ],
)
def test_the_action_refuses_invalid_values(
    alice: User, course_a: Course, kwargs: dict[str, str], field: str, message: str
) -> None:
    s1 = first(course_a)
    with pytest.raises(ValidationError) as caught:
        record_attendance(alice, s1, attendance=kwargs["attendance"], modality=kwargs["modality"])
    assert caught.value.message_dict == {field: [message]}
    assert stored(s1) == ("scheduled", "in_person", "initial")


def test_it_refuses_a_cancelled_appointment(client: HttpClient, alice: User, course_a: Course) -> None:
    s2 = course_a.sessions.get(number=2)
    cancel_session(alice, s2)
    client.force_login(alice)
    response = client.post(url(s2), {"attendance": "attended", "modality": "in_person"})
    assert response.status_code == 400
    assert response.context["attendance_form"].non_field_errors() == ["This appointment was cancelled."]
    assert stored(s2)[0] == Attendance.CANCELLED


def test_it_refuses_changes_to_a_finished_course(client: HttpClient, alice: User, course_a: Course) -> None:
    end_course(alice, course_a, status=CourseStatus.COMPLETED, ended_on=date(2026, 6, 15))
    s1 = first(course_a)
    client.force_login(alice)
    response = client.post(url(s1), {"attendance": "attended", "modality": "in_person"})
    assert response.status_code == 400
    assert response.context["attendance_form"].non_field_errors() == [
        "This course has ended; it can no longer be changed."
    ]
    assert stored(s1)[0] == Attendance.SCHEDULED


def test_it_refuses_the_supervisor(client: HttpClient, bob: User, course_a: Course) -> None:
    client.force_login(bob)
    response = client.post(url(first(course_a)), {"attendance": "attended", "modality": "in_person"})
    assert response.status_code == 403
    assert stored(first(course_a))[0] == Attendance.SCHEDULED
    assert not AuditEvent.objects.filter(action="session.attendance").exists()

"""The supervisor's view counts a relapse-prevention plan written on the ending page as a plan."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import User
from openipt.clients.models import Client
from openipt.courses.actions import record_attendance, start_course
from openipt.courses.models import Course
from openipt.courses.termination import save_termination

URL = reverse("reports:supervision")


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 6, 3, 12, 0, tzinfo=UTC), tick=False)


@pytest.fixture
def near_end(alice: User, client_a: Client) -> Course:
    """12 weekly sessions from 2 March; the first 9 held, so 3 are left."""
    course = start_course(
        alice, client_a, protocol_key="ipt-standard", start_date=date(2026, 3, 2), planned_sessions=12
    )
    for session in course.sessions.filter(number__lte=9):
        record_attendance(alice, session, attendance="attended", modality="in_person")
    return course


def needs_plan(client: HttpClient, course: Course) -> bool:
    response = client.get(URL)
    assert response.status_code == 200
    return next(r for r in response.context["rows"] if r.course.pk == course.pk).needs_plan


@pytest.mark.parametrize(
    ("fields", "flagged"),
    [
        ({}, True),
        ({"progress_review": "Better."}, True),
        ({"warning_signs": "Sleeping badly"}, True),  # warning signs alone are not a plan
        ({"warning_signs": "Sleeping badly", "what_helps": "Walks"}, False),
        ({"warning_signs": "Sleeping badly", "who_to_contact": "Sam"}, False),
    ],
)
def test_a_relapse_prevention_plan_clears_the_flag(
    client: HttpClient, alice: User, bob: User, near_end: Course, fields: dict[str, Any], flagged: bool
) -> None:
    if fields:
        save_termination(alice, near_end, base_version=None, **fields)
    client.force_login(bob)
    assert needs_plan(client, near_end) is flagged
    body = client.get(URL).content.decode()
    assert ("no relapse-prevention plan" in body) is flagged

"""The client's printed copy of the relapse-prevention plan, with the crisis lines for their locale."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import Organisation, User
from openipt.audit.models import AuditEvent
from openipt.courses.models import Course
from openipt.courses.termination import save_termination

PLAN: dict[str, Any] = {
    "warning_signs": "Sleeping badly; not answering friends.",
    "what_helps": "Walk with Sam; call my sister.",
    "who_to_contact": "Sam 07700 900123.",
}


def url(course: Course) -> str:
    return reverse("ending:print", args=[course.pk])


@pytest.fixture
def crisis_lines(north: Organisation) -> None:
    north.crisis_resources.create(locale="en-gb", name="Samaritans", phone="116 123")
    north.crisis_resources.create(locale="en-us", name="988 Lifeline", phone="988")


@pytest.mark.usefixtures("crisis_lines")
@pytest.mark.parametrize("username", ["alice", "bob"])
def test_it_prints_the_plan_with_the_crisis_lines_and_audits(
    client: HttpClient, everyone: dict[str, User], course_a: Course, username: str
) -> None:
    plan = save_termination(everyone["alice"], course_a, base_version=None, shared_with_client=True, **PLAN)
    client.force_login(everyone[username])

    response = client.get(url(course_a))

    assert response.status_code == 200
    body = response.content.decode()
    assert "My plan for staying well" in body
    for text in PLAN.values():
        assert text in body
    assert "When to come back" in body  # empty: printed with lines to write on
    assert "Samaritans" in body and "116 123" in body
    assert "988 Lifeline" not in body
    assert "Not yet shared" not in body
    event = AuditEvent.objects.get(action="termination.print")
    assert (event.actor, event.client_id, event.object_id) == (
        everyone[username],
        course_a.client_id,
        str(plan.pk),
    )


def test_it_says_when_the_plan_is_not_shared_yet(client: HttpClient, alice: User, course_a: Course) -> None:
    save_termination(alice, course_a, base_version=None, **PLAN)
    client.force_login(alice)
    body = client.get(url(course_a)).content.decode()
    assert "Not yet shared" in body
    # No crisis line configured for the locale: the emergency fallback is printed.
    assert "If you are in danger now" in body
    assert "Your local emergency number" in body


@pytest.mark.parametrize(
    "fields",
    [None, {"progress_review": "Better."}, {"warning_signs": "Sleeping badly", "when_to_come_back": "Soon"}],
)
def test_there_is_nothing_to_print_without_a_plan(
    client: HttpClient, alice: User, course_a: Course, fields: dict[str, Any] | None
) -> None:
    if fields:
        save_termination(alice, course_a, base_version=None, **fields)
    client.force_login(alice)
    response = client.get(url(course_a))
    assertRedirects(
        response, reverse("ending:termination", args=[course_a.pk]), fetch_redirect_response=False
    )
    assert (
        "There is no relapse-prevention plan to print yet"
        in client.get(response["Location"]).content.decode()
    )
    assert not AuditEvent.objects.filter(action="termination.print").exists()

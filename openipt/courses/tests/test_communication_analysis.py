"""The communication analysis worksheet: added on the session, viewed and edited on its own page."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import Team, User
from openipt.audit.models import AuditEvent
from openipt.clients.actions import create_client
from openipt.courses import session_work as work
from openipt.courses.actions import end_course
from openipt.courses.models import CommunicationAnalysis, Course, CourseStatus, Session
from openipt.inventory.models import Person

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
SHEET: dict[str, Any] = {
    "situation": "Joe came home late again.",
    "what_said": "I said: you never think of me.",
    "what_meant": "I wanted him to text when he is late.",
    "what_felt": "Hurt, then angry.",
    "what_else": "Could you text me when you'll be late? I worry.",
}


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def s1(course_a: Course) -> Session:
    return course_a.sessions.get(number=1)


@pytest.fixture
def joe(alice: User, course_a: Course) -> Person:
    return Person.objects.create(
        client=course_a.client, name="Joe", relationship="partner", ring="inner", created_by=alice
    )


@pytest.fixture
def strangers_friend(alice: User, north_team: Team) -> Person:
    other = create_client(
        alice,
        team=north_team,
        clinic_identifier="NS-2",
        given_name="Kit",
        family_name="Other",
        preferred_name="",
        date_of_birth=date(1990, 1, 1),
        email="",
        phone="",
        locale="en-gb",
    )
    return Person.objects.create(client=other, name="Kit's friend", relationship="friend", created_by=alice)


def test_it_adds_a_worksheet_to_the_session_and_audits(
    client: HttpClient, alice: User, s1: Session, joe: Person
) -> None:
    client.force_login(alice)
    body = client.get(reverse("courses:session", args=[s1.pk])).content.decode()
    assert f'<option value="{joe.pk}">Joe (Partner or spouse)</option>' in body
    response = client.post(reverse("work:add-analysis", args=[s1.pk]), {"person": str(joe.pk), **SHEET})
    assertRedirects(
        response, reverse("courses:session", args=[s1.pk]) + "#analyses-h", fetch_redirect_response=False
    )
    analysis = CommunicationAnalysis.objects.get()
    assert (analysis.session, analysis.person, analysis.created_by) == (s1, joe, alice)
    assert {k: getattr(analysis, k) for k in SHEET} == SHEET
    event = AuditEvent.objects.get(action="analysis.add")
    assert (event.actor, event.client_id, event.object_id) == (alice, s1.course.client_id, str(analysis.pk))
    body = client.get(reverse("courses:session", args=[s1.pk])).content.decode()
    assert (
        f'<a href="{reverse("work:analysis", args=[analysis.pk])}">With Joe</a>: Joe came home late again.'
        in body
    )


def test_it_adds_a_worksheet_about_nobody_in_particular(alice: User, s1: Session) -> None:
    analysis = work.add_analysis(alice, s1, person_id=None, situation="A row at work.")
    assert analysis.person is None


def test_it_refuses_a_person_of_another_client(
    client: HttpClient, alice: User, s1: Session, strangers_friend: Person
) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("work:add-analysis", args=[s1.pk]), {"person": str(strangers_friend.pk), **SHEET}
    )
    assert response.status_code == 400
    form = response.context["analysis_form"]
    assert form.errors == {"person": ["Choose someone from this client's interpersonal inventory."]}
    body = response.content.decode()
    assert 'id="id_person_error"' in body
    assert "Kit&#x27;s friend" not in body
    assert "Joe came home late again." in body  # what was typed is kept
    assert "<details open>" in body
    assert not CommunicationAnalysis.objects.exists()
    assert not AuditEvent.objects.filter(action="analysis.add").exists()


def test_it_refuses_a_worksheet_without_what_happened(client: HttpClient, alice: User, s1: Session) -> None:
    client.force_login(alice)
    response = client.post(reverse("work:add-analysis", args=[s1.pk]), {**SHEET, "situation": ""})
    assert response.status_code == 400
    assert response.context["analysis_form"].errors == {"situation": ["This field is required."]}
    assert not CommunicationAnalysis.objects.exists()
    with pytest.raises(ValidationError):
        work.add_analysis(alice, s1, situation="   ")


def test_it_shows_and_edits_a_worksheet_on_its_own_page(
    client: HttpClient, alice: User, s1: Session, joe: Person
) -> None:
    analysis = work.add_analysis(alice, s1, person_id=joe.pk, **SHEET)
    url = reverse("work:analysis", args=[analysis.pk])
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Maya Okafor" in body  # the banner
    assert "Communication analysis" in body
    assert "Session 1, Mon 2 Mar 2026" in body
    assert "Joe (Partner or spouse)" in body
    assert "Could you text me when you&#x27;ll be late? I worry." in body
    assert f'<option value="{joe.pk}" selected>' in body
    response = client.post(url, {**SHEET, "person": "", "what_else": "Text me if you're late, please."})
    assertRedirects(response, url, fetch_redirect_response=False)
    analysis.refresh_from_db()
    assert (analysis.person, analysis.what_else) == (None, "Text me if you're late, please.")
    assert AuditEvent.objects.filter(action="analysis.update").count() == 1


def test_it_refuses_an_edit_naming_a_person_of_another_client(
    client: HttpClient, alice: User, s1: Session, joe: Person, strangers_friend: Person
) -> None:
    analysis = work.add_analysis(alice, s1, person_id=joe.pk, **SHEET)
    client.force_login(alice)
    response = client.post(
        reverse("work:analysis", args=[analysis.pk]), {**SHEET, "person": str(strangers_friend.pk)}
    )
    assert response.status_code == 400
    assert "Choose someone from this client&#x27;s interpersonal inventory." in response.content.decode()
    analysis.refresh_from_db()
    assert analysis.person == joe
    assert not AuditEvent.objects.filter(action="analysis.update").exists()


def test_it_shows_a_finished_courses_worksheet_read_only(
    client: HttpClient, alice: User, course_a: Course, s1: Session
) -> None:
    analysis = work.add_analysis(alice, s1, **SHEET)
    end_course(alice, course_a, status=CourseStatus.COMPLETED, ended_on=date(2026, 6, 15))
    client.force_login(alice)
    url = reverse("work:analysis", args=[analysis.pk])
    body = client.get(url).content.decode()
    assert "Joe came home late again." in body
    assert "Change the worksheet" not in body
    response = client.post(url, {**SHEET, "situation": "changed"})
    assert response.status_code == 400
    assert "This course has ended" in response.content.decode()
    analysis.refresh_from_db()
    assert analysis.situation == SHEET["situation"]


def test_the_worksheet_page_runs_a_fixed_number_of_queries(
    client: HttpClient, alice: User, s1: Session, joe: Person, django_assert_num_queries: Any
) -> None:
    analysis = work.add_analysis(alice, s1, person_id=joe.pk, **SHEET)
    client.force_login(alice)
    url = reverse("work:analysis", args=[analysis.pk])
    with django_assert_num_queries(10):
        client.get(url)
    for n in range(5):
        Person.objects.create(client=s1.course.client, name=f"P{n}", relationship="friend", created_by=alice)
    with django_assert_num_queries(10):
        client.get(url)

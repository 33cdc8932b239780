"""The version history of a client's editable records (issue 5 item 7): what changed, old → new,
who and when; for the care team only; private process notes never appear; paginated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.courses.actions import record_attendance
from openipt.courses.models import Attendance, Course, Modality
from openipt.inventory.actions import add_person, update_person
from openipt.inventory.models import Person
from openipt.notes.actions import save_draft, save_private_note, sign_note

NOW = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)  # 10:30 in London (BST)
SECRET = "PRIVATE-PROCESS-MARKER-7f3a"


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def url(client: Client, page: int | None = None) -> str:
    return reverse("history:client", args=[client.pk]) + (f"?page={page}" if page else "")


def form_data(client: Client, **overrides: str) -> dict[str, str]:
    data = {
        "given_name": client.given_name,
        "family_name": client.family_name,
        "preferred_name": client.preferred_name,
        "date_of_birth": client.date_of_birth.isoformat(),
        "clinic_identifier": client.clinic_identifier,
        "email": client.email,
        "phone": client.phone,
        "locale": client.locale,
        "team": str(client.team_id),
    }
    return {**data, **overrides}


def rows(html: str) -> list[str]:
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]


def test_a_change_shows_who_made_it_when_and_the_old_and_new_values(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    client.force_login(alice)
    edited = client.post(reverse("clients:edit", args=[client_a.pk]), form_data(client_a, family_name="Reed"))
    assert edited.status_code == 302

    response = client.get(url(client_a))

    assert response.status_code == 200
    newest = rows(response.content.decode())[0]
    assert "Wed 1 Jul 2026, 10:30" in newest  # 09:30 UTC in the organisation's time zone
    assert "Alice" in newest and "Client · changed" in newest
    assert "<dt>Family name</dt>" in newest
    assert "<del>Okafor</del> → <ins>Reed</ins>" in newest
    assert "Given name" not in newest  # only what changed
    created = rows(response.content.decode())[-1]
    assert "Client · created" in created and "System" in created  # created by an action, no request


def test_it_lists_every_kind_of_record_newest_first_with_choices_and_links_by_name(
    alice: User, client: HttpClient, client_a: Client, course_a: Course
) -> None:
    with time_machine.travel(NOW + timedelta(seconds=10), tick=False):  # after the course's sessions
        joe = add_person(alice, client_a, name="Joe", relationship="friend")
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        update_person(alice, joe, base_version=joe.version, ring="inner", relationship="partner")
    session = course_a.sessions.get(number=1)
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        record_attendance(alice, session, attendance=Attendance.ATTENDED, modality=Modality.VIDEO)
    with time_machine.travel(NOW + timedelta(minutes=3), tick=False):
        note = save_draft(alice, session, body="First words.", base_version=None)
    with time_machine.travel(NOW + timedelta(minutes=4), tick=False):
        save_draft(alice, session, body="Better words.", base_version=note.version)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        sign_note(alice, note)
    client.force_login(alice)

    html = client.get(url(client_a)).content.decode()

    first, second, third, fourth, fifth, sixth = rows(html)[:6]
    assert "Note (session 1) · changed" in first and "<del>Draft</del> → <ins>Signed</ins>" in first
    assert "<dt>Signed by</dt>" in first and "<del>—</del> → <ins>Alice</ins>" in first
    assert "<del>First words.</del> → <ins>Better words.</ins>" in second
    assert "Note (session 1) · created" in third and "<ins>First words.</ins>" in third
    assert "Session 1 · changed" in fourth
    assert (
        "<del>Scheduled</del> → <ins>Attended</ins>" in fourth
        and "<del>In person</del> → <ins>Video</ins>" in fourth
    )
    assert "Person: Joe · changed" in fifth
    assert "<del>Friend</del> → <ins>Partner or spouse</ins>" in fifth
    assert "<del>Middle ring</del> → <ins>Inner ring (closest)</ins>" in fifth
    assert "Person: Joe · created" in sixth


def test_private_process_notes_never_appear(
    alice: User, client: HttpClient, client_a: Client, course_a: Course
) -> None:
    session = course_a.sessions.get(number=1)
    private = save_private_note(alice, session, body=SECRET, base_version=None)
    save_private_note(alice, session, body=SECRET + " again", base_version=private.version)
    client.force_login(alice)

    html = client.get(url(client_a)).content.decode()

    assert SECRET not in html
    assert "rivate" not in html.split("<tbody>", 1)[1]


def test_the_supervisor_reads_it_and_each_view_is_audited(
    client: HttpClient, alice: User, bob: User, client_a: Client
) -> None:
    client.force_login(bob)

    assert client.get(url(client_a)).status_code == 200
    assert client.get(url(client_a, page=2)).status_code == 200

    events = AuditEvent.objects.filter(action="history.read")
    assert [(e.actor, e.client_id) for e in events] == [(bob, client_a.pk), (bob, client_a.pk)]


@pytest.mark.parametrize("who", ["dave", "charlie"])
def test_another_team_or_organisation_gets_404_and_nothing_leaks(
    client: HttpClient, alice: User, client_a: Client, everyone: dict[str, User], who: str
) -> None:
    update_person(
        alice,
        add_person(alice, client_a, name="Joe", relationship="friend"),
        base_version=1,
        satisfying=SECRET,
    )
    client.force_login(everyone[who])

    response = client.get(url(client_a))

    assert response.status_code == 404
    body = response.content.decode()
    assert SECRET not in body and "Okafor" not in body and "Joe" not in body
    assert not AuditEvent.objects.filter(action="history.read").exists()


def test_an_administrator_is_refused_and_a_stranger_signs_in_first(
    client: HttpClient, erin: User, client_a: Client
) -> None:
    assert client.get(url(client_a))["Location"].startswith("/accounts/login/")
    client.force_login(erin)
    assert client.get(url(client_a)).status_code == 403


def test_it_shows_50_changes_a_page_in_a_fixed_number_of_queries(
    client: HttpClient, alice: User, client_a: Client, django_assert_num_queries: Any
) -> None:
    joe = add_person(alice, client_a, name="Joe", relationship="friend")
    client.force_login(alice)
    client.get(reverse("clients:list"))  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(client_a)).status_code == 200

    for n in range(60):
        with time_machine.travel(NOW + timedelta(minutes=n + 1), tick=False):
            joe = update_person(alice, joe, base_version=joe.version, satisfying=f"Walks, week {n}")

    # The count depends on which kinds of record (and of linked record) a page shows, never on how
    # many changes: page 2 shows the same kinds as the first request did, page 1 fewer.
    with CaptureQueriesContext(connection) as many:
        first = client.get(url(client_a)).content.decode()
    assert len(many.captured_queries) <= len(few.captured_queries)
    with django_assert_num_queries(len(few.captured_queries)):
        second = client.get(url(client_a, page=2)).content.decode()
    assert len(rows(first)) == 50 and "<ins>Walks, week 59</ins>" in rows(first)[0]
    assert len(rows(second)) == 62 - 50  # 60 changes, adding Joe, creating the client
    assert "Page 2 of 2" in second and "Client · created" in rows(second)[-1]
    assert Person.objects.get().history.count() == 61

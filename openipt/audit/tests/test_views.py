"""Administrators read a client's access history and the chain check; nobody else does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from conftest import make_user
from openipt.accounts.models import Organisation, Role, User
from openipt.audit.actions import record
from openipt.audit.models import AuditEvent
from openipt.audit.queries import client_events
from openipt.clients.models import Client

from .helpers import set_row, triggers_dropped


def url(client: Client) -> str:
    return reverse("audit:client", args=[client.pk])


def test_an_admin_sees_who_looked_at_and_changed_the_record(
    client: HttpClient, erin: User, bob: User, client_a: Client, time_machine
) -> None:
    time_machine.move_to(datetime(2030, 3, 2, 9, 5, 7, tzinfo=UTC), tick=False)
    record(bob, "client.view", obj=client_a, client_id=client_a.pk)
    client.force_login(erin)

    r = client.get(url(client_a))

    assert r.status_code == 200
    html = r.content.decode()
    assert "NS-1" in html
    assert "Okafor" not in html and "Maya" not in html
    assert html.index("client.view") < html.index("client.create")  # newest first
    assert "2030-03-02 09:05:07" in html
    assert "bob" in html and "alice" in html
    assert f"clients.client:{client_a.pk}" in html


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dave"])
def test_staff_who_are_not_admins_are_refused_the_chain_check(client: HttpClient, everyone, who) -> None:
    client.force_login(everyone[who])
    assert client.get(reverse("audit:verify")).status_code == 403


@pytest.mark.parametrize(("who", "status"), [("alice", 403), ("dave", 403), ("charlie", 403), ("bob", 200)])
def test_only_the_teams_supervisor_reads_a_clients_access_log(
    client: HttpClient, everyone, client_a: Client, who, status
) -> None:
    client.force_login(everyone[who])
    r = client.get(url(client_a))
    assert r.status_code == status
    assert "Okafor" not in r.content.decode()


def test_a_supervisor_of_another_team_gets_404(client: HttpClient, north, client_a: Client) -> None:
    from openipt.accounts.models import Team

    other = Team.objects.create(organisation=north, name="Elsewhere")
    sam = make_user("sam", north, Role.SUPERVISOR)
    sam.teams.add(other)
    client.force_login(sam)
    assert client.get(url(client_a)).status_code == 404


def test_reading_the_access_log_is_itself_audited(client: HttpClient, erin: User, client_a: Client) -> None:
    client.force_login(erin)
    client.get(url(client_a))
    assert client_events(client_a.pk).filter(action="audit.read", actor=erin).count() == 1


def test_an_admin_of_another_organisation_gets_404(client: HttpClient, river: Organisation, client_a) -> None:
    client.force_login(make_user("rhea", river, Role.ADMIN))
    assert client.get(url(client_a)).status_code == 404
    assert client.get(reverse("audit:client", args=[client_a.pk + 999])).status_code == 404


def test_signed_out_users_are_sent_to_sign_in(client: HttpClient, client_a: Client) -> None:
    r = client.get(url(client_a))
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_the_list_is_paginated_with_constant_queries(
    client: HttpClient, erin: User, alice: User, client_a: Client, django_assert_num_queries
) -> None:
    client.force_login(erin)
    client.get(reverse("audit:verify"))  # warm the session
    with django_assert_num_queries(9) as few:  # session, user, org, grants, client, count, page, audit
        assert client.get(url(client_a)).status_code == 200
    for _ in range(60):
        record(alice, "client.view", client_id=client_a.pk)
    with django_assert_num_queries(len(few.captured_queries)):
        first = client.get(url(client_a))
    with django_assert_num_queries(len(few.captured_queries)):
        second = client.get(url(client_a) + "?page=2")
    total = client_events(client_a.pk).count()  # includes the audit.read rows of these views
    assert 50 < total <= 100
    assert first.content.decode().count("<tr>") == 1 + 50
    assert second.content.decode().count("<tr>") == 1 + total - 50
    assert "Page 2 of 2" in second.content.decode()
    assert '<a href="?page=2">Older</a>' in first.content.decode()
    assert '<a href="?page=1">Newer</a>' in second.content.decode()


def test_the_verify_page_shows_an_intact_chain(client: HttpClient, erin: User, client_a: Client) -> None:
    client.force_login(erin)
    html = client.get(reverse("audit:verify")).content.decode()
    assert "Audit chain intact: 1 row." in html
    head = AuditEvent.objects.get().hash
    assert f"{head[:16]} {head[16:32]} {head[32:48]} {head[48:]}" in html
    assert "Intact" in html


def test_the_verify_page_names_a_broken_row(client: HttpClient, erin: User, client_a: Client) -> None:
    first = AuditEvent.objects.get(action="client.create")
    with triggers_dropped():
        set_row(first.pk, {"action": "client.delete"})
    client.force_login(erin)

    html = client.get(reverse("audit:verify")).content.decode()

    assert f"Audit chain broken at row {first.pk} (edited)" in html
    assert 'role="alert"' in html

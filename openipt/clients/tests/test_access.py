"""Who reaches which client URL: alice writes, bob reads, other teams get 404, the admin 403."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import User
from openipt.audit.queries import change_events
from openipt.clients.models import Client
from openipt.courses.models import Course
from openipt.measures.models import Response

# (URL name, needs write access) for every page reached through one client.
CLIENT_URLS = [
    ("clients:detail", False),
    ("clients:edit", True),
    ("courses:start", True),
    ("measures:record-ad-hoc", True),
]


def client_url(name: str, client: Client) -> str:
    args: list[object] = [client.pk, "phq9"] if name == "measures:record-ad-hoc" else [client.pk]
    return reverse(name, args=args)


def send(http: HttpClient, method: str, url: str) -> Any:
    return http.post(url, POST_DATA) if method == "post" else http.get(url)


def snapshot() -> tuple[int, int, int, int]:
    return (
        change_events().count(),
        Client.objects.count(),
        Course.objects.count(),
        Response.objects.count(),
    )


POST_DATA = {
    "given_name": "X",
    "family_name": "Y",
    "date_of_birth": "1990-01-01",
    "clinic_identifier": "NS-1",
    "locale": "en-gb",
    "protocol_key": "ipt-standard",
    "start_date": "2026-03-02",
    "phq9-source": "client",
}


@pytest.mark.parametrize("username", ["dave", "charlie"])
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("name", "write"), CLIENT_URLS)
def test_it_is_404_for_other_teams_and_organisations(
    client: HttpClient,
    everyone: dict[str, User],
    client_a: Client,
    username: str,
    method: str,
    name: str,
    write: bool,
) -> None:
    client.force_login(everyone[username])
    before = snapshot()
    response = send(client, method, client_url(name, client_a))
    assert response.status_code == 404
    body = response.content.decode()
    assert "Okafor" not in body
    assert "Maya" not in body
    assert snapshot() == before


@pytest.mark.parametrize(("name", "write"), CLIENT_URLS)
def test_it_is_404_for_a_client_that_does_not_exist(
    client: HttpClient, alice: User, client_a: Client, name: str, write: bool
) -> None:
    client.force_login(alice)
    missing = Client(pk=client_a.pk + 1000)
    assert client.get(client_url(name, missing)).status_code == 404


@pytest.mark.parametrize(("name", "write"), CLIENT_URLS)
def test_it_lets_the_supervisor_read_but_not_write(
    client: HttpClient, bob: User, client_a: Client, name: str, write: bool
) -> None:
    client.force_login(bob)
    before = snapshot()
    assert client.get(client_url(name, client_a)).status_code == (403 if write else 200)
    if write:
        assert client.post(client_url(name, client_a), POST_DATA).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("name", "write"), CLIENT_URLS)
def test_it_refuses_the_admin(
    client: HttpClient, erin: User, client_a: Client, method: str, name: str, write: bool
) -> None:
    client.force_login(erin)
    before = snapshot()
    response = send(client, method, client_url(name, client_a))
    assert response.status_code == 403
    assert "Okafor" not in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("name", "write"), CLIENT_URLS)
def test_it_sends_anonymous_visitors_to_sign_in(
    client: HttpClient, client_a: Client, method: str, name: str, write: bool
) -> None:
    url = client_url(name, client_a)
    before = snapshot()
    response = send(client, method, url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"
    assert snapshot() == before


@pytest.mark.parametrize(("name", "write"), CLIENT_URLS)
def test_it_lets_alice_in(client: HttpClient, alice: User, client_a: Client, name: str, write: bool) -> None:
    client.force_login(alice)
    assert client.get(client_url(name, client_a)).status_code == 200


def test_a_user_who_left_the_team_loses_access(client: HttpClient, alice: User, client_a: Client) -> None:
    alice.teams.clear()
    client.force_login(alice)
    assert client.get(client_url("clients:detail", client_a)).status_code == 404


def test_a_deactivated_clinician_is_refused(client: HttpClient, alice: User, client_a: Client) -> None:
    client.force_login(alice)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    response = client.get(client_url("clients:detail", client_a))
    assert response.status_code == 302
    assert "Okafor" not in response.content.decode()

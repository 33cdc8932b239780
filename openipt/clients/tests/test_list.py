"""The client list: search by name or clinic identifier, confined to the user's care teams."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import Team, User
from openipt.clients.actions import create_client
from openipt.clients.models import Client

URL = reverse("clients:list")


def add_client(
    user: User, team: Team, identifier: str, given: str, family: str, preferred: str = ""
) -> Client:
    return create_client(
        user,
        team=team,
        clinic_identifier=identifier,
        given_name=given,
        family_name=family,
        preferred_name=preferred,
        date_of_birth=date(1990, 1, 1),
        email="",
        phone="",
        locale="en-gb",
    )


@pytest.fixture
def clients(alice: User, north_team: Team, client_a: Client) -> list[Client]:
    return [
        client_a,
        add_client(alice, north_team, "NS-2", "Tom", "Baker", preferred="Tommy"),
        add_client(alice, north_team, "NS-3", "Ana", "Zapata"),
    ]


def listed(response: Any) -> list[str]:
    return [c.clinic_identifier for c in response.context["clients"]]


def test_it_lists_the_team_clients_by_family_name(client: HttpClient, alice: User, clients: list) -> None:
    client.force_login(alice)
    response = client.get(URL)
    assert response.status_code == 200
    assert listed(response) == ["NS-2", "NS-1", "NS-3"]
    body = response.content.decode()
    assert "Okafor, Maya" in body
    assert f'href="{reverse("clients:detail", args=[clients[0].pk])}"' in body
    assert f'href="{reverse("clients:create")}"' in body


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("okaf", ["NS-1"]),
        ("MAYA", ["NS-1"]),
        ("tommy", ["NS-2"]),
        ("ns-3", ["NS-3"]),
        ("NS", []),  # identifiers match exactly, never by prefix
        ("a", ["NS-2", "NS-1", "NS-3"]),
        ("nobody", []),
    ],
)
def test_it_searches_names_and_identifiers(
    client: HttpClient, alice: User, clients: list, q: str, expected: list[str]
) -> None:
    client.force_login(alice)
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    assert listed(response) == expected
    if not expected:
        assert "No client matches that search." in response.content.decode()


def test_it_shows_bob_the_team_without_the_add_button(client: HttpClient, bob: User, clients: list) -> None:
    client.force_login(bob)
    response = client.get(URL)
    assert response.status_code == 200
    assert listed(response) == ["NS-2", "NS-1", "NS-3"]
    assert reverse("clients:create") not in response.content.decode()


@pytest.mark.parametrize("username", ["dave", "charlie"])
def test_it_shows_other_teams_none_of_alices_clients(
    client: HttpClient, everyone: dict[str, User], clients: list, username: str
) -> None:
    client.force_login(everyone[username])
    for q in ["", "Okafor", "NS-1"]:
        response = client.get(URL, {"q": q})
        assert response.status_code == 200
        assert listed(response) == []
        assert "Okafor, Maya" not in response.content.decode()


def test_it_lists_daves_own_clients_only(
    client: HttpClient, dave: User, other_team: Team, clients: list
) -> None:
    add_client(dave, other_team, "NS-9", "Dan", "Other")
    client.force_login(dave)
    assert listed(client.get(URL)) == ["NS-9"]


def test_it_refuses_the_admin(client: HttpClient, erin: User, clients: list) -> None:
    client.force_login(erin)
    assert client.get(URL).status_code == 403


def test_it_sends_anonymous_visitors_to_sign_in(client: HttpClient, clients: list) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={URL}"


def test_it_shows_the_first_50_and_says_there_are_more(
    client: HttpClient, alice: User, north_team: Team, client_a: Client
) -> None:
    for n in range(50):
        add_client(alice, north_team, f"B-{n:02}", "Bulk", f"Person{n:02}")
    client.force_login(alice)
    response = client.get(URL)
    assert len(response.context["clients"]) == 50
    assert response.context["more"] is True
    assert "Showing the first 50" in response.content.decode()


def test_it_runs_the_same_queries_for_3_or_40_clients(
    client: HttpClient, alice: User, north_team: Team, clients: list, django_assert_num_queries
) -> None:
    client.force_login(alice)
    with django_assert_num_queries(6):  # 4, and 2 to audit the clients listed (one INSERT)
        client.get(URL)
    for n in range(37):
        add_client(alice, north_team, f"B-{n:02}", "Bulk", f"Person{n:02}")
    with django_assert_num_queries(6):  # 4, and 2 to audit the clients listed (one INSERT)
        response = client.get(URL)
    assert len(response.context["clients"]) == 40

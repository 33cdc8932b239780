"""Editing a client: saved with an audit row, or refused with the field named and nothing changed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import Team, User
from openipt.audit.models import AuditEvent
from openipt.clients.actions import create_client
from openipt.clients.models import Client


def url(client: Client) -> str:
    return reverse("clients:edit", args=[client.pk])


def form_data(team: Team, /, **overrides: str) -> dict[str, str]:
    data = {
        "given_name": "Maya",
        "family_name": "Okafor-Reed",
        "preferred_name": "May",
        "date_of_birth": "1988-04-12",
        "clinic_identifier": "NS-1",
        "email": "maya@example.org",
        "phone": "",
        "locale": "en-gb",
        "team": str(team.pk),
    }
    data.update(overrides)
    return data


@pytest.fixture
def second(alice: User, north_team: Team) -> Client:
    return create_client(
        alice,
        team=north_team,
        clinic_identifier="NS-2",
        given_name="Tom",
        family_name="Baker",
        date_of_birth=date(1970, 1, 1),
    )


def stored(client: Client) -> dict[str, Any]:
    return model_to_dict(Client.objects.get(pk=client.pk))


def test_it_shows_the_form_filled_in_under_the_banner(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    client.force_login(alice)
    response = client.get(url(client_a))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["family_name"].value() == "Okafor"
    assert form["clinic_identifier"].value() == "NS-1"
    body = response.content.decode()
    assert "Edit details" in body
    assert 'aria-label="Client"' in body  # the identity banner


def test_it_saves_the_changes_and_audits(
    client: HttpClient, alice: User, north_team: Team, client_a: Client
) -> None:
    client.force_login(alice)
    response = client.post(url(client_a), form_data(north_team))
    assertRedirects(response, reverse("clients:detail", args=[client_a.pk]), fetch_redirect_response=False)
    client_a.refresh_from_db()
    assert (client_a.family_name, client_a.preferred_name, client_a.email) == (
        "Okafor-Reed",
        "May",
        "maya@example.org",
    )
    assert (client_a.clinician, client_a.organisation_id) == (alice, alice.organisation_id)
    event = AuditEvent.objects.filter(action="client.update").get()
    assert (event.actor, event.client_id, event.object_id) == (alice, client_a.pk, str(client_a.pk))
    assert "Details saved." in client.get(response["Location"]).content.decode()


def test_it_moves_the_client_to_another_of_the_users_teams(
    client: HttpClient, alice: User, other_team: Team, client_a: Client, dave: User
) -> None:
    alice.teams.add(other_team)
    client.force_login(alice)
    response = client.post(url(client_a), form_data(other_team))
    assert response.status_code == 302
    client_a.refresh_from_db()
    assert client_a.team == other_team
    client.force_login(dave)
    assert client.get(reverse("clients:detail", args=[client_a.pk])).status_code == 200


BAD_INPUT = [
    ("given_name", {"given_name": ""}, "This field is required."),
    ("family_name", {"family_name": ""}, "This field is required."),
    ("date_of_birth", {"date_of_birth": "2026-03-11"}, "The date of birth cannot be in the future."),
    (
        "clinic_identifier",
        {"clinic_identifier": "NS-2"},
        "Another client already has this clinic identifier.",
    ),
    ("email", {"email": "maya@"}, "Enter a valid email address."),
]


@pytest.mark.parametrize(("field", "overrides", "message"), BAD_INPUT)
def test_it_refuses_bad_input_and_changes_nothing(
    client: HttpClient,
    alice: User,
    north_team: Team,
    client_a: Client,
    second: Client,
    time_machine: Any,
    field: str,
    overrides: dict[str, str],
    message: str,
) -> None:
    time_machine.move_to(datetime(2026, 3, 10, 12, tzinfo=UTC), tick=False)
    client.force_login(alice)
    before = stored(client_a)
    response = client.post(url(client_a), form_data(north_team, **overrides))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert stored(client_a) == before
    assert not AuditEvent.objects.filter(action="client.update").exists()
    # The identity banner above the form shows the record as stored, not the refused input.
    banner = response.context["banner"].client
    assert (banner.family_name, banner.clinic_identifier) == ("Okafor", "NS-1")
    assert "Okafor-Reed" not in response.content.decode().split("</section>")[0]


@pytest.mark.parametrize("team_fixture", ["other_team", "foreign_team"])
def test_it_refuses_a_team_that_is_not_the_users(
    client: HttpClient, alice: User, client_a: Client, request: pytest.FixtureRequest, team_fixture: str
) -> None:
    if team_fixture == "foreign_team":
        team = request.getfixturevalue("charlie").teams.get()
    else:
        team = request.getfixturevalue(team_fixture)
    client.force_login(alice)
    before = stored(client_a)
    response = client.post(url(client_a), form_data(team))
    assert response.status_code == 400
    assert "team" in response.context["form"].errors
    assert stored(client_a) == before
    assert not AuditEvent.objects.filter(action="client.update").exists()


def test_it_keeps_the_clients_own_identifier(
    client: HttpClient, alice: User, north_team: Team, client_a: Client
) -> None:
    client.force_login(alice)
    response = client.post(
        url(client_a), form_data(north_team, clinic_identifier="NS-1", phone="020 7946 0000")
    )
    assert response.status_code == 302
    assert Client.objects.get(pk=client_a.pk).phone == "+442079460000"


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_refuses_the_supervisor(
    client: HttpClient, bob: User, north_team: Team, client_a: Client, method: str
) -> None:
    client.force_login(bob)
    before = stored(client_a)
    response = getattr(client, method)(url(client_a), form_data(north_team))
    assert response.status_code == 403
    assert stored(client_a) == before
    assert not AuditEvent.objects.filter(action="client.update").exists()


@pytest.mark.parametrize("username", ["dave", "charlie"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_hides_the_client_from_other_teams(
    client: HttpClient,
    everyone: dict[str, User],
    north_team: Team,
    client_a: Client,
    username: str,
    method: str,
) -> None:
    user = everyone[username]
    client.force_login(user)
    before = stored(client_a)
    response = getattr(client, method)(url(client_a), form_data(user.teams.get()))
    assert response.status_code == 404
    assert "Okafor" not in response.content.decode()
    assert stored(client_a) == before


def test_it_refuses_the_admin(client: HttpClient, erin: User, north_team: Team, client_a: Client) -> None:
    client.force_login(erin)
    before = stored(client_a)
    assert client.post(url(client_a), form_data(north_team)).status_code == 403
    assert stored(client_a) == before


def test_the_edit_form_shows_the_stored_date_of_birth_to_the_date_picker(client, alice, client_a) -> None:
    """An HTML date input only understands ISO dates: anything else shows an empty field, and saving
    the form would lose the date of birth."""
    client.force_login(alice)
    body = client.get(f"/clients/{client_a.pk}/edit/").content.decode()
    assert 'value="1988-04-12"' in body

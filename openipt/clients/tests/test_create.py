"""Adding a client: saved with an audit row, or refused with the field named and nothing saved."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import Organisation, Team, User
from openipt.audit.models import AuditEvent
from openipt.clients.actions import create_client
from openipt.clients.models import Client

URL = reverse("clients:create")
TODAY = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def form_data(team: Team, /, **overrides: str) -> dict[str, str]:
    data = {
        "given_name": "Sam",
        "family_name": "Rivera",
        "preferred_name": "Sammy",
        "date_of_birth": "1990-05-01",
        "clinic_identifier": "NS-2",
        "email": "sam@example.org",
        "phone": "01234 567890",
        "locale": "en-ie",
        "team": str(team.pk),
    }
    data.update(overrides)
    return data


def test_it_shows_the_form_with_the_only_team_chosen(
    client: HttpClient, alice: User, north_team: Team
) -> None:
    client.force_login(alice)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["form"]["team"].initial == north_team
    assert "Add a client" in response.content.decode()


def test_it_saves_the_client_and_audits(client: HttpClient, alice: User, north_team: Team) -> None:
    client.force_login(alice)
    response = client.post(URL, form_data(north_team))
    new = Client.objects.get()
    assertRedirects(response, reverse("clients:detail", args=[new.pk]), fetch_redirect_response=False)
    assert (new.given_name, new.family_name, new.preferred_name) == ("Sam", "Rivera", "Sammy")
    assert (new.date_of_birth, new.clinic_identifier, new.locale) == (date(1990, 5, 1), "NS-2", "en-ie")
    assert (new.organisation_id, new.team, new.clinician) == (alice.organisation_id, north_team, alice)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.client_id) == ("client.create", alice, new.pk)
    assert (event.object_type, event.object_id) == ("clients.client", str(new.pk))
    assert event.organisation_id == alice.organisation_id
    assert event.ip_address == "127.0.0.1"
    assert "Client added." in client.get(response["Location"]).content.decode()


def test_it_accepts_an_identifier_used_in_another_organisation(
    client: HttpClient, charlie: User, client_a: Client
) -> None:
    client.force_login(charlie)
    team = charlie.teams.get()
    response = client.post(URL, form_data(team, clinic_identifier=client_a.clinic_identifier))
    assert response.status_code == 302
    assert Client.objects.filter(clinic_identifier="NS-1").count() == 2


def test_it_accepts_a_birth_date_of_today(
    client: HttpClient, alice: User, north_team: Team, time_machine: Any
) -> None:
    time_machine.move_to(TODAY, tick=False)
    client.force_login(alice)
    response = client.post(URL, form_data(north_team, date_of_birth="2026-03-10"))
    assert response.status_code == 302


BAD_INPUT = [
    ("given_name", {"given_name": ""}, "This field is required."),
    ("family_name", {"family_name": "  "}, "This field is required."),
    ("date_of_birth", {"date_of_birth": ""}, "This field is required."),
    ("date_of_birth", {"date_of_birth": "2026-03-11"}, "The date of birth cannot be in the future."),
    ("date_of_birth", {"date_of_birth": "12/31/1990"}, "Enter a valid date."),
    ("clinic_identifier", {"clinic_identifier": ""}, "This field is required."),
    (
        "clinic_identifier",
        {"clinic_identifier": "NS-1"},
        "Another client already has this clinic identifier.",
    ),
    ("email", {"email": "not an address"}, "Enter a valid email address."),
    ("locale", {"locale": "fr-fr"}, "Select a valid choice. fr-fr is not one of the available choices."),
    ("team", {"team": ""}, "This field is required."),
]


@pytest.mark.parametrize(("field", "overrides", "message"), BAD_INPUT)
def test_it_refuses_bad_input_and_saves_nothing(
    client: HttpClient,
    alice: User,
    north_team: Team,
    client_a: Client,
    time_machine: Any,
    field: str,
    overrides: dict[str, str],
    message: str,
) -> None:
    time_machine.move_to(TODAY, tick=False)
    client.force_login(alice)
    before = AuditEvent.objects.count()
    response = client.post(URL, form_data(north_team, **overrides))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert list(Client.objects.values_list("clinic_identifier", flat=True)) == ["NS-1"]
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("team_fixture", ["other_team", "foreign_team"])
def test_it_refuses_a_team_that_is_not_the_users(
    client: HttpClient, alice: User, request: pytest.FixtureRequest, team_fixture: str
) -> None:
    if team_fixture == "foreign_team":
        team = request.getfixturevalue("charlie").teams.get()
    else:
        team = request.getfixturevalue(team_fixture)
    client.force_login(alice)
    response = client.post(URL, form_data(team))
    assert response.status_code == 400
    assert response.context["form"].errors["team"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not Client.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_refuses_a_duplicate_identifier_from_another_team_of_the_organisation(
    client: HttpClient, dave: User, other_team: Team, client_a: Client
) -> None:
    client.force_login(dave)
    response = client.post(URL, form_data(other_team, clinic_identifier="NS-1"))
    assert response.status_code == 400
    assert response.context["form"].errors["clinic_identifier"] == [
        "Another client already has this clinic identifier."
    ]
    assert Client.objects.count() == 1


def test_it_judges_the_future_in_the_organisations_time_zone(
    client: HttpClient, charlie: User, time_machine: Any
) -> None:
    # 02:00 UTC on 11 March is still the evening of 10 March in New York (Riverside's zone).
    time_machine.move_to(datetime(2026, 3, 11, 2, 0, tzinfo=UTC), tick=False)
    client.force_login(charlie)
    response = client.post(URL, form_data(charlie.teams.get(), date_of_birth="2026-03-11"))
    assert response.status_code == 400
    assert response.context["form"].errors["date_of_birth"] == ["The date of birth cannot be in the future."]
    assert not Client.objects.exists()


def test_the_action_refuses_a_team_the_actor_is_not_in(alice: User, other_team: Team) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        create_client(
            alice,
            team=other_team,
            clinic_identifier="X-1",
            given_name="A",
            family_name="B",
            date_of_birth=date(1990, 1, 1),
        )
    assert caught.value.message_dict == {"team": ["Choose one of your care teams."]}
    assert not Client.objects.exists()


def test_the_action_refuses_unknown_fields(alice: User, north_team: Team) -> None:
    with pytest.raises(TypeError, match="organisation"):
        create_client(alice, team=north_team, organisation=None, clinic_identifier="X-1")
    assert not Client.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_refuses_the_supervisor(client: HttpClient, bob: User, north_team: Team, method: str) -> None:
    client.force_login(bob)
    response = getattr(client, method)(URL, form_data(north_team))
    assert response.status_code == 403
    assert not Client.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_refuses_the_admin(client: HttpClient, erin: User, north_team: Team, method: str) -> None:
    client.force_login(erin)
    response = getattr(client, method)(URL, form_data(north_team))
    assert response.status_code == 403
    assert not Client.objects.exists()


def test_it_sends_anonymous_visitors_to_sign_in(client: HttpClient, north_team: Team) -> None:
    response = client.post(URL, form_data(north_team))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Client.objects.exists()


@pytest.mark.parametrize(
    ("country", "typed", "stored", "shown"),
    [
        ("", "01234 567890", "+441234567890", "01234 567890"),  # the default locale's country (GB)
        ("US", "(212) 555-0100", "+12125550100", "(212) 555-0100"),
        ("IE", "01 234 5678", "+35312345678", "(01) 234 5678"),
        ("US", "+44 1234 567890", "+441234567890", "01234 567890"),
    ],
)
def test_it_reads_the_phone_as_written_in_the_clinics_country(
    client: HttpClient, alice: User, north_team: Team, country: str, typed: str, stored: str, shown: str
) -> None:
    Organisation.objects.filter(pk=alice.organisation_id or 0).update(country=country)
    client.force_login(alice)

    response = client.post(URL, form_data(north_team, phone=typed))

    assert response.status_code == 302, response.context["form"].errors
    new = Client.objects.get()
    assert new.phone == stored  # E.164
    assert shown in client.get(response["Location"]).content.decode()


def test_it_shows_every_problem_at_once_and_saves_nothing(
    client: HttpClient, alice: User, north_team: Team, client_a: Client
) -> None:
    client.force_login(alice)

    response = client.post(
        URL, form_data(north_team, clinic_identifier="NS-1", date_of_birth="2999-01-01", phone="12")
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"clinic_identifier", "date_of_birth", "phone"}
    assert "for example 0121 234 5678" in errors["phone"][0]
    assert Client.objects.count() == 1

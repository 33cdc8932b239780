"""Administrators set their organisation's time zone and working days (Settings → Organisation)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.actions import update_organisation_settings
from openipt.accounts.models import Organisation, User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.courses.actions import start_course

URL = reverse("accounts:organisation")


def test_a_new_organisation_works_monday_to_friday(north: Organisation) -> None:
    assert (north.working_days, north.working_weekdays) == ("01234", frozenset({0, 1, 2, 3, 4}))


def test_the_administrator_sets_the_time_zone_and_working_days(
    client: HttpClient, erin: User, north: Organisation
) -> None:
    client.force_login(erin)
    page = client.get(URL).content.decode()
    assert "Europe/London" in page and "Working days" in page

    response = client.post(URL, {"time_zone": "Africa/Kampala", "working_days": ["0", "1", "2", "5"]})

    assert response.status_code == 302
    north.refresh_from_db()
    assert (north.time_zone, north.working_days) == ("Africa/Kampala", "0125")
    event = AuditEvent.objects.get(action="organisation.settings")
    assert (event.actor, event.object_id) == (erin, str(north.pk))
    assert "Organisation settings saved." in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"time_zone": "Mars/Olympus", "working_days": ["0"]}, "Select a valid choice."),
        ({"time_zone": "Europe/London"}, "This field is required."),
        ({"time_zone": "Europe/London", "working_days": ["7"]}, "Select a valid choice."),
    ],
)
def test_it_refuses_bad_settings_and_changes_nothing(
    client: HttpClient, erin: User, north: Organisation, data: dict, message: str
) -> None:
    client.force_login(erin)

    response = client.post(URL, data)

    assert response.status_code == 400 and message in response.content.decode()
    north.refresh_from_db()
    assert (north.time_zone, north.working_days) == ("Europe/London", "01234")
    assert not AuditEvent.objects.filter(action="organisation.settings").exists()


def test_the_action_refuses_what_the_form_cannot_send(erin: User, north: Organisation) -> None:
    with pytest.raises(ValidationError, match="Choose a time zone from the list"):
        update_organisation_settings(erin, time_zone="Not/AZone", working_days=[0])
    with pytest.raises(ValidationError, match="Choose at least one working day"):
        update_organisation_settings(erin, time_zone="UTC", working_days=[])
    north.refresh_from_db()
    assert (north.time_zone, north.working_days) == ("Europe/London", "01234")


def test_only_administrators_reach_it(client: HttpClient, alice: User, bob: User, charlie: User) -> None:
    for user in (alice, bob, charlie):
        client.force_login(user)
        assert client.get(URL).status_code == 403, user


def test_an_administrator_changes_only_their_own_organisation(
    erin: User, north: Organisation, river: Organisation
) -> None:
    update_organisation_settings(erin, time_zone="Asia/Kolkata", working_days=[6])

    river.refresh_from_db()
    assert (river.time_zone, river.working_days) == ("America/New_York", "01234")


def test_new_schedules_follow_the_working_days(erin: User, alice: User, client_a: Client) -> None:
    update_organisation_settings(erin, time_zone="Europe/London", working_days=[1, 3])  # Tue, Thu

    course = start_course(alice, client_a, protocol_key="ipt-standard", start_date=date(2026, 3, 2))

    assert {s.scheduled_date for s in course.sessions.all()} >= {date(2026, 3, 3), date(2026, 3, 10)}
    assert {s.scheduled_date.weekday() for s in course.sessions.all()} == {1}


def test_the_clinics_country_and_crisis_number_are_organisation_settings(
    client: HttpClient, erin: User, north: Organisation
) -> None:
    """One place for the organisation's settings (found walking it: the country and the clinic's
    crisis number were on the crisis-lines page, where an administrator did not look)."""
    client.force_login(erin)
    data = {"time_zone": "Europe/London", "working_days": ["0", "1", "2", "3", "4"]}

    response = client.post(URL, {**data, "country": "gb", "crisis_phone": "0113 496 0000"})

    assert response.status_code == 302
    north.refresh_from_db()
    assert (north.country, north.crisis_phone) == ("GB", "+441134960000")
    assert 'value="0113 496 0000"' in client.get(URL).content.decode()  # shown as people write it
    crisis_page = client.get(reverse("accounts:crisis-list")).content.decode()
    assert "0113 496 0000" in crisis_page and f'href="{URL}"' in crisis_page


def test_every_problem_is_named_at_once_and_nothing_changes(
    client: HttpClient, erin: User, north: Organisation
) -> None:
    client.force_login(erin)

    response = client.post(
        URL, {"time_zone": "Europe/London", "working_days": ["0"], "country": "ZZ", "crisis_phone": "12"}
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"country", "crisis_phone"}
    north.refresh_from_db()
    assert (north.working_days, north.country, north.crisis_phone) == ("01234", "", "")

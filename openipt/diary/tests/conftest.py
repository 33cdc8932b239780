from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client as HttpClient

from openipt.accounts.models import Team, User
from openipt.clients.actions import create_client
from openipt.clients.models import Client
from openipt.courses.models import Course
from openipt.inventory.models import Person
from openipt.portal.tests.conftest import joined

TUESDAY = "2026-03-10 09:00Z"  # session 2 of course_a was on Monday 9 March


@pytest.fixture(autouse=True)
def tuesday(time_machine: Any) -> None:
    time_machine.move_to(TUESDAY, tick=False)


@pytest.fixture
def maya(alice: User, client_a: Client, course_a: Course) -> User:
    """The portal user of client_a, in her active course."""
    return joined(alice, client_a)


def signed_in(user: User) -> HttpClient:
    browser = HttpClient()
    browser.force_login(user)
    return browser


@pytest.fixture
def http(maya: User) -> HttpClient:
    return signed_in(maya)


def person(client: Client, name: str, **fields: Any) -> Person:
    return Person.objects.create(
        client=client, name=name, relationship="sibling", created_by=client.clinician, **fields
    )


@pytest.fixture
def sister(client_a: Client) -> Person:
    return person(client_a, "Ada", support_received="Private clinician note about Ada")


def other_client(alice: User, team: Team) -> Client:
    return create_client(
        alice,
        team=team,
        clinic_identifier="NS-2",
        given_name="Tomas",
        family_name="Reyes",
        preferred_name="",
        date_of_birth=date(1990, 1, 1),
        email="",
        phone="",
        locale="en-gb",
    )

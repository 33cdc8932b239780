"""The test cast, shared by every test.

alice — clinician who leads the client; bob — supervisor in the same team;
dave — clinician in another team of the same organisation; charlie — clinician in another
organisation; erin — Northside administrator. Only alice and bob may see alice's client.
"""

from __future__ import annotations

from datetime import date

import pytest

from openipt.accounts.models import Organisation, Role, Team, User
from openipt.clients.actions import create_client
from openipt.clients.models import Client
from openipt.courses.actions import start_course
from openipt.courses.models import Course

PASSWORD = "correct horse battery staple 42"


def make_user(username: str, org: Organisation | None, role: str, *teams: Team) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, organisation=org, role=role, first_name=username.capitalize()
    )
    user.teams.set(teams)
    return user


@pytest.fixture
def north(db: None) -> Organisation:
    return Organisation.objects.create(name="Northside", slug="northside", time_zone="Europe/London")


@pytest.fixture
def north_team(north: Organisation) -> Team:
    return Team.objects.create(organisation=north, name="Team A")


@pytest.fixture
def other_team(north: Organisation) -> Team:
    return Team.objects.create(organisation=north, name="Team B")


@pytest.fixture
def river(db: None) -> Organisation:
    return Organisation.objects.create(name="Riverside", slug="riverside", time_zone="America/New_York")


@pytest.fixture
def alice(north: Organisation, north_team: Team) -> User:
    return make_user("alice", north, Role.CLINICIAN, north_team)


@pytest.fixture
def bob(north: Organisation, north_team: Team) -> User:
    return make_user("bob", north, Role.SUPERVISOR, north_team)


@pytest.fixture
def dave(north: Organisation, other_team: Team) -> User:
    return make_user("dave", north, Role.CLINICIAN, other_team)


@pytest.fixture
def erin(north: Organisation) -> User:
    return make_user("erin", north, Role.ADMIN)


@pytest.fixture
def charlie(river: Organisation) -> User:
    team = Team.objects.create(organisation=river, name="River team")
    return make_user("charlie", river, Role.CLINICIAN, team)


@pytest.fixture
def client_a(alice: User, north_team: Team) -> Client:
    return create_client(
        alice,
        team=north_team,
        clinic_identifier="NS-1",
        given_name="Maya",
        family_name="Okafor",
        preferred_name="",
        date_of_birth=date(1988, 4, 12),
        email="",
        phone="",
        locale="en-gb",
    )


@pytest.fixture
def course_a(alice: User, client_a: Client) -> Course:
    return start_course(alice, client_a, protocol_key="ipt-standard", start_date=date(2026, 3, 2))


@pytest.fixture
def everyone(alice: User, bob: User, dave: User, charlie: User, erin: User) -> dict[str, User]:
    return {"alice": alice, "bob": bob, "dave": dave, "charlie": charlie, "erin": erin}

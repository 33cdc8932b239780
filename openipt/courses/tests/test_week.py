"""The clinician's week: their appointments Monday to Sunday, with the weeks before and after."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import Team, User
from openipt.clients.actions import create_client
from openipt.clients.models import Client
from openipt.courses.actions import cancel_session, set_appointment, start_course
from openipt.courses.models import Course

URL = reverse("courses:week")


@pytest.fixture(autouse=True)
def today(time_machine: Any) -> None:
    time_machine.move_to("2026-03-04 12:00Z", tick=False)  # a Wednesday


def another_client(alice: User, team: Team, n: int) -> Client:
    return create_client(
        alice,
        team=team,
        clinic_identifier=f"NS-W{n}",
        given_name=f"Given{n}",
        family_name=f"Family{n}",
        preferred_name="",
        date_of_birth=date(1990, 1, 1),
        email="",
        phone="",
        locale="en-gb",
    )


def test_it_shows_this_weeks_appointments_in_time_order(
    client: HttpClient, alice: User, north_team: Team, course_a: Course
) -> None:
    other = another_client(alice, north_team, 1)
    theirs = start_course(alice, other, protocol_key="ipt-standard", start_date=date(2026, 3, 2))
    set_appointment(alice, course_a.sessions.get(number=1), start_time=time(15, 0), modality="in_person")
    set_appointment(alice, theirs.sessions.get(number=1), start_time=time(8, 30), modality="video")
    client.force_login(alice)

    page = client.get(URL).content.decode()

    assert "My week: Mon 2 Mar 2026 to Sun 8 Mar 2026" in page
    assert page.index("08:30–09:20") < page.index("Given1 Family1") < page.index("15:00–15:50")
    assert page.index("15:00–15:50") < page.index("Maya Okafor")
    assert 'href="?start=2026-02-23"' in page and 'href="?start=2026-03-09"' in page
    assert "2 appointments this week." in page
    assert page.count('class="week-day') == 7


def test_any_day_picks_its_week_and_cancelled_appointments_are_left_out(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    cancel_session(alice, course_a.sessions.get(number=2))  # Monday 9 March
    client.force_login(alice)

    page = client.get(URL, {"start": "2026-03-12"}).content.decode()  # a Thursday

    # the cancelled appointment stays on 9 March; session 2 now falls on Monday 16 March
    assert "My week: Mon 9 Mar 2026 to Sun 15 Mar 2026" in page
    assert "Maya Okafor" not in page and "0 appointments this week." in page
    assert "Maya Okafor" in client.get(URL, {"start": "2026-03-16"}).content.decode()


def test_a_week_it_cannot_read_sends_back_to_this_week(client: HttpClient, alice: User) -> None:
    client.force_login(alice)

    response = client.get(URL, {"start": "2026-13-01"}, follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "That week could not be read, so this week is shown." in response.content.decode()


def test_it_shows_only_the_users_own_appointments(
    client: HttpClient, bob: User, dave: User, charlie: User, course_a: Course
) -> None:
    for user in (bob, dave, charlie):
        client.force_login(user)
        page = client.get(URL).content.decode()
        assert "Maya" not in page and "0 appointments this week." in page, user


def test_the_administrator_has_no_week(client: HttpClient, erin: User) -> None:
    client.force_login(erin)

    assert client.get(URL).status_code == 403


def test_it_takes_the_same_queries_for_one_appointment_or_many(
    client: HttpClient,
    alice: User,
    north_team: Team,
    course_a: Course,
    django_assert_num_queries: Any,
) -> None:
    client.force_login(alice)
    client.get(URL)  # warm up: the session row, MFA and the like
    with django_assert_num_queries(WEEK_QUERIES):
        assert "1 appointment this week." in client.get(URL).content.decode()
    for n in range(2, 6):
        start_course(
            alice,
            another_client(alice, north_team, n),
            protocol_key="ipt-standard",
            start_date=date(2026, 3, 3),
        )
    with django_assert_num_queries(WEEK_QUERIES):
        assert "5 appointments this week." in client.get(URL).content.decode()


WEEK_QUERIES = 6  # sign-in session, user, organisation, the week's sessions, audit head and row

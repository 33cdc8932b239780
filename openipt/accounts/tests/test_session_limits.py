"""Signed out after 15 minutes without activity, and staff after 12 hours however active."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client as HttpClient
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import PASSWORD, make_user
from openipt.accounts.models import Organisation, Role, User, UserSession
from openipt.audit.models import AuditEvent

from .helpers import sign_in

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
CASELOAD = reverse("courses:caseload")
LOGIN = reverse("account_login")
IDLE_MESSAGE = "You were signed out after 15 minutes without activity"
LIMIT_MESSAGE = "You were signed out because you had been signed in for 12 hours"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def signed_in(client: HttpClient) -> bool:
    # The sign-out confirmation page: the lightest page there is for a signed-in user.
    return client.get("/accounts/logout/").wsgi_request.user.is_authenticated


def test_fourteen_minutes_idle_is_still_signed_in(client: HttpClient, alice: User, clock) -> None:
    client.force_login(alice)
    clock.shift(timedelta(minutes=14))
    r = client.get(CASELOAD)
    assert r.status_code == 200
    assert r.wsgi_request.user == alice


def test_sixteen_minutes_idle_signs_out_with_a_message(client: HttpClient, alice: User, clock) -> None:
    client.force_login(alice)
    key = client.session.session_key
    clock.shift(timedelta(minutes=16))

    r = client.get(CASELOAD)

    assert r.status_code == 302
    assert r["Location"] == f"{LOGIN}?next={CASELOAD}"
    assert not r.wsgi_request.user.is_authenticated
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    event = AuditEvent.objects.get(action="session.expired")
    assert (event.actor, event.object_id) == (alice, str(alice.pk))
    page = client.get(r["Location"]).content.decode()
    assert IDLE_MESSAGE in page
    assert "Sign in to OpenIPT" in page


def test_idle_time_counts_from_the_last_request(client: HttpClient, alice: User, clock) -> None:
    client.force_login(alice)
    for _ in range(6):  # an hour and a half, a request every 14 minutes
        clock.shift(timedelta(minutes=14))
        assert signed_in(client)


def test_signing_in_again_returns_to_the_page(client: HttpClient, alice: User, clock) -> None:
    client.force_login(alice)
    clock.shift(timedelta(minutes=20))
    r = client.get(reverse("clients:list"))
    r = client.post(r["Location"], {"login": "alice", "password": PASSWORD, "next": reverse("clients:list")})
    assert r["Location"] == reverse("clients:list")


def test_an_htmx_request_after_the_timeout_gets_hx_redirect(client: HttpClient, alice: User, clock) -> None:
    client.force_login(alice)
    clock.shift(timedelta(minutes=16))
    r = client.post(
        reverse("clients:list"),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/clients/"},
    )
    assert r.status_code == 200
    assert r["HX-Redirect"] == f"{LOGIN}?next=/clients/"
    assert not r.content


def test_an_active_staff_member_is_signed_out_after_twelve_hours(
    client: HttpClient, alice: User, clock
) -> None:
    sign_in(client, "alice")
    elapsed = timedelta()
    while signed_in(client):
        clock.shift(timedelta(minutes=10))
        elapsed += timedelta(minutes=10)
        assert elapsed <= timedelta(hours=13), "still signed in after 13 hours"
    assert elapsed == timedelta(hours=12)
    assert AuditEvent.objects.filter(action="session.expired", actor=alice).count() == 1
    assert LIMIT_MESSAGE in client.get(LOGIN).content.decode()


def test_a_portal_client_has_no_absolute_limit(client: HttpClient, north: Organisation, clock) -> None:
    portal = make_user("portal", north, Role.CLIENT)
    client.force_login(portal)
    for _ in range(13 * 6):
        clock.shift(timedelta(minutes=10))
        assert client.get("/accounts/logout/").wsgi_request.user == portal


def test_the_limits_follow_the_settings(client: HttpClient, alice: User, clock) -> None:
    with override_settings(OPENIPT_IDLE_TIMEOUT_MINUTES=5, OPENIPT_SESSION_MAX_HOURS=1):
        client.force_login(alice)
        clock.shift(timedelta(minutes=4))
        assert signed_in(client)
        clock.shift(timedelta(minutes=6))
        assert not signed_in(client)
        client.force_login(alice)
        for _ in range(6):
            clock.shift(timedelta(minutes=4))
            assert signed_in(client)
        for _ in range(10):
            clock.shift(timedelta(minutes=4))
            signed_in(client)
        assert not signed_in(client)


def session_writes(client: HttpClient) -> int:
    with CaptureQueriesContext(connection) as ctx:
        client.get(CASELOAD)
    return sum(1 for q in ctx.captured_queries if q["sql"].startswith("UPDATE") and "session" in q["sql"])


def test_the_last_activity_is_written_at_most_once_a_minute(client: HttpClient, alice: User, clock) -> None:
    # Page views cost no session write (and query counts elsewhere in the suite stay put).
    client.force_login(alice)
    assert session_writes(client) == 0
    clock.shift(timedelta(seconds=59))
    assert session_writes(client) == 0
    clock.shift(timedelta(seconds=1))
    assert session_writes(client) == 2  # the session, and UserSession.last_seen
    assert UserSession.objects.get(user=alice).last_seen == START + timedelta(minutes=1)

"""Failed sign-ins are audited and logged without the username; an account under attack locks.

ACCOUNT_RATE_LIMITS["login_failed"] = "10/m/ip,5/5m/key": five failures for one username in
five minutes lock it, whatever address or host name the attempts come from.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client as HttpClient
from django.test import override_settings

from conftest import PASSWORD
from openipt.accounts.models import User
from openipt.audit.models import AuditEvent

from .helpers import LOGOUT, sign_in, who

LOCKED = "Too many failed login attempts. Try again later."
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def row_text(event: AuditEvent) -> str:
    return " ".join(str(value) for value in vars(event).values())


def test_a_failed_sign_in_is_audited_against_the_account(client: HttpClient, alice: User, caplog) -> None:
    caplog.set_level(logging.INFO)

    sign_in(client, "alice", "a wrong password", REMOTE_ADDR="192.0.2.7")

    event = AuditEvent.objects.get(action="login.failed")
    assert (event.actor, event.object_type, event.object_id) == (alice, "accounts.user", str(alice.pk))
    assert event.organisation_id == alice.organisation_id
    assert event.ip_address == "192.0.2.7"
    assert "a wrong password" not in row_text(event)
    assert f"login.failed for user {alice.pk}" in caplog.text
    assert "alice" not in caplog.text.lower()
    assert "a wrong password" not in caplog.text


def test_an_unknown_username_is_audited_without_naming_it(client: HttpClient, db, caplog) -> None:
    caplog.set_level(logging.INFO)

    sign_in(client, "mallory", PASSWORD)

    event = AuditEvent.objects.get(action="login.failed")
    assert (event.actor, event.actor_label, event.object_id) == (None, "unknown user", "")
    assert "mallory" not in row_text(event)
    assert PASSWORD not in row_text(event)
    assert "login.failed for an unknown user" in caplog.text
    assert "mallory" not in caplog.text


def test_a_successful_sign_in_and_sign_out_are_audited(client: HttpClient, alice: User) -> None:
    sign_in(client, "alice", REMOTE_ADDR="192.0.2.8")
    client.post(LOGOUT, REMOTE_ADDR="192.0.2.8")
    rows = list(AuditEvent.objects.filter(actor=alice).values_list("action", "object_id", "ip_address"))
    assert rows == [("login", str(alice.pk), "192.0.2.8"), ("logout", str(alice.pk), "192.0.2.8")]


def test_the_sixth_attempt_is_refused_even_with_the_right_password(client: HttpClient, alice: User) -> None:
    for _ in range(5):
        sign_in(client, "alice", "a wrong password")

    r = sign_in(client, "alice", PASSWORD)

    assert LOCKED in r.content.decode()
    assert not who(client).is_authenticated
    assert AuditEvent.objects.filter(action="login.failed", actor=alice).count() == 5
    locked = AuditEvent.objects.get(action="login.locked")
    assert (locked.actor, locked.object_id) == (alice, str(alice.pk))
    assert not AuditEvent.objects.filter(action="login").exists()


def test_the_lock_holds_across_addresses_and_host_names(alice: User) -> None:
    hosts = ["127.0.0.1", "localhost", "[::1]"]
    for n in range(5):
        attacker = HttpClient(REMOTE_ADDR=f"198.51.100.{n}", HTTP_HOST=hosts[n % 3])
        r = sign_in(attacker, "alice", f"guess {n}")
        assert LOCKED not in r.content.decode()
    for n, host in enumerate(hosts):
        fresh = HttpClient(REMOTE_ADDR=f"203.0.113.{n}", HTTP_HOST=host)
        r = sign_in(fresh, "ALICE", PASSWORD)  # the username's case does not reset the count
        assert LOCKED in r.content.decode(), host
        assert not who(fresh).is_authenticated
    assert AuditEvent.objects.filter(action="login.locked").count() == 3


def test_other_accounts_are_not_locked(client: HttpClient, alice: User, bob: User) -> None:
    for _ in range(5):
        sign_in(client, "alice", "a wrong password")
    sign_in(client, "bob")
    assert who(client) == bob


def test_the_lock_lifts_after_five_minutes(alice: User) -> None:
    client = HttpClient()
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(5):
            sign_in(client, "alice", "a wrong password")
        traveller.shift(timedelta(minutes=4))
        assert LOCKED in sign_in(client, "alice", PASSWORD).content.decode()
        traveller.shift(timedelta(minutes=1, seconds=1))
        sign_in(client, "alice", PASSWORD)
        assert who(client) == alice


def test_one_address_is_limited_across_accounts(client: HttpClient, everyone: dict[str, User]) -> None:
    # Password spraying: ten failures a minute from one address, whichever usernames they name.
    for n in range(10):
        sign_in(client, ["alice", "bob", "dave", "erin", "charlie"][n % 5], "Summer2026!")
    r = sign_in(client, "dave", PASSWORD)
    assert LOCKED in r.content.decode()
    assert AuditEvent.objects.filter(action="login.locked", actor=everyone["dave"]).count() == 1


@override_settings(OPENIPT_REQUIRE_MFA=True)
def test_the_lock_also_covers_accounts_with_mfa(client: HttpClient, alice: User) -> None:
    from .helpers import enrol

    enrol(alice)
    for _ in range(5):
        sign_in(client, "alice", "a wrong password")
    r = sign_in(client, "alice", PASSWORD)
    assert LOCKED in r.content.decode()
    assert r.status_code == 200  # not on to the code page


@pytest.mark.parametrize("attempt", ["", "   "])
def test_an_empty_username_is_just_a_form_error(client: HttpClient, db, attempt: str) -> None:
    r = sign_in(client, attempt, PASSWORD)
    assert r.status_code == 200
    assert not AuditEvent.objects.filter(action="login.locked").exists()

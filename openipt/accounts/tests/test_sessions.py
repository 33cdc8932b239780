"""A new session id at every sign-in; every session of a user ends on sign-out, deactivation and
password change (the one that changed the password goes on). Two test clients are two browsers."""

from __future__ import annotations

import re

from django.contrib.sessions.models import Session
from django.test import Client as HttpClient
from django.urls import reverse

from conftest import PASSWORD
from openipt.accounts import sessions
from openipt.accounts.models import User, UserSession
from openipt.audit.models import AuditEvent

from .helpers import LOGOUT, sign_in, who

NEW_PASSWORD = "a quieter morning by the river 9"


def two_browsers(username: str) -> tuple[HttpClient, HttpClient]:
    first, second = HttpClient(REMOTE_ADDR="192.0.2.1"), HttpClient(REMOTE_ADDR="192.0.2.2")
    sign_in(first, username)
    sign_in(second, username)
    return first, second


def test_signing_in_rotates_the_session_id(client: HttpClient, alice: User) -> None:
    session = client.session
    session["planted"] = "by an attacker who knows this id"
    session.save()
    before = session.session_key
    assert before is not None

    sign_in(client, "alice")

    after = client.session.session_key
    assert who(client) == alice
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    # The planted id gets nobody in.
    other = HttpClient()
    other.cookies["sessionid"] = before
    assert not who(other).is_authenticated


def test_each_sign_in_is_recorded_with_its_address(alice: User) -> None:
    first, second = two_browsers("alice")
    rows = UserSession.objects.filter(user=alice).order_by("ip")
    assert [(r.session_key, r.ip) for r in rows] == [
        (first.session.session_key, "192.0.2.1"),
        (second.session.session_key, "192.0.2.2"),
    ]


def test_signing_out_ends_every_session_of_the_user(alice: User, bob: User) -> None:
    first, second = two_browsers("alice")
    bobs = HttpClient()
    sign_in(bobs, "bob")
    keys = [first.session.session_key, second.session.session_key]

    r = first.post(LOGOUT)

    assert r["Location"] == reverse("account_login")
    assert not who(first).is_authenticated
    assert not who(second).is_authenticated
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not UserSession.objects.filter(user=alice).exists()
    assert who(bobs) == bob  # nobody else is signed out


def test_deactivation_ends_every_session(alice: User) -> None:
    first, second = two_browsers("alice")

    alice.is_active = False
    alice.save(update_fields=["is_active"])

    assert not who(first).is_authenticated
    assert not who(second).is_authenticated
    assert not UserSession.objects.filter(user=alice).exists()
    again = HttpClient()
    assert sign_in(again, "alice")["Location"] == reverse("account_inactive")  # and no new one starts
    assert not who(again).is_authenticated
    assert AuditEvent.objects.filter(action="login.inactive", actor=alice).count() == 1


def test_a_password_change_ends_the_other_sessions_only(alice: User) -> None:
    first, second = two_browsers("alice")
    second_key = second.session.session_key

    r = first.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert r.status_code == 302
    assert who(first) == alice
    assert not who(second).is_authenticated
    assert not Session.objects.filter(session_key=second_key).exists()
    assert list(UserSession.objects.filter(user=alice).values_list("session_key", flat=True)) == [
        first.session.session_key
    ]
    assert AuditEvent.objects.filter(action="password.change", actor=alice).count() == 1
    sign_in(second, "alice", NEW_PASSWORD)
    assert who(second) == alice


def test_a_password_set_anywhere_else_ends_every_session(alice: User) -> None:
    first, second = two_browsers("alice")
    alice.set_password(NEW_PASSWORD)
    alice.save()
    assert not who(first).is_authenticated
    assert not who(second).is_authenticated


def test_saving_a_user_otherwise_ends_nothing(alice: User) -> None:
    first, _ = two_browsers("alice")
    alice.first_name = "Alicia"
    alice.save()
    assert who(first) == alice


def test_end_sessions_can_keep_one(alice: User) -> None:
    first, second = two_browsers("alice")
    assert sessions.end_sessions(alice, keep=first.session.session_key) == 1
    assert who(first) == alice
    assert not who(second).is_authenticated


def test_rows_of_sessions_that_ended_on_their_own_are_dropped_at_the_next_sign_in(alice: User) -> None:
    first, _ = two_browsers("alice")
    Session.objects.filter(session_key=first.session.session_key).delete()  # expired and cleared
    sign_in(HttpClient(), "alice")
    assert UserSession.objects.filter(user=alice).count() == 2


def test_a_password_reset_by_email_ends_every_session(alice: User, mailoutbox) -> None:
    alice.email = "alice@example.org"
    alice.save(update_fields=["email"])
    first, second = two_browsers("alice")
    forgetful = HttpClient()
    forgetful.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mailoutbox[0].body)
    assert link is not None
    form = forgetful.get(link.group(1))["Location"]

    r = forgetful.post(form, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert r.status_code == 302
    assert not who(first).is_authenticated
    assert not who(second).is_authenticated
    assert not who(forgetful).is_authenticated  # signs in afresh, with the second factor
    assert AuditEvent.objects.filter(action="password.reset", actor=alice).count() == 1

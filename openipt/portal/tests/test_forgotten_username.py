"""A forgotten username is e-mailed to the client's address, and the page never says whose it is."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client as HttpClient

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client

SENT = "If this e-mail address belongs to a portal account, we have sent the username to it."
URL = "/portal/forgotten-username/"


def ask(email: str, ip: str = "10.0.0.1") -> Any:
    return HttpClient(REMOTE_ADDR=ip).post(URL, {"email": email})


def test_it_emails_the_username_to_the_address_on_record(portal_user: User) -> None:
    response = ask("MAYA@example.org")  # addresses are not case-sensitive

    assert response.status_code == 200 and SENT in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["maya@example.org"]
    assert portal_user.username in message.body and "http://testserver/accounts/login/" in message.body
    assert "Maya" not in message.body
    event = AuditEvent.objects.get(action="portal.username_reminder")
    assert event.actor_id == portal_user.pk and "maya@" not in str(event.__dict__)


def test_the_answer_is_the_same_for_an_unknown_address(portal_user: User, alice: User) -> None:
    known = ask("maya@example.org", "10.0.0.1")
    unknown = ask("nobody@example.org", "10.0.0.2")

    assert known.content == unknown.content and known.status_code == unknown.status_code == 200
    assert len(mail.outbox) == 1
    refused = AuditEvent.objects.get(action="portal.username_reminder.refused")
    assert (refused.actor_id, refused.actor_label) == (None, "unknown address")


def test_a_closed_account_is_not_reminded(alice: User, portal_user: User, emailed: Client) -> None:
    from openipt.portal import actions

    actions.revoke(alice, emailed)

    assert SENT in ask("maya@example.org").content.decode() and not mail.outbox


def test_a_mistyped_address_says_what_to_fix(db: None) -> None:
    response = ask("maya at example")

    assert response.status_code == 400
    assert "Type a whole e-mail address, like name@example.org." in response.content.decode()
    assert not mail.outbox


def test_it_is_throttled_per_address_and_per_asker(portal_user: User) -> None:
    for n in range(5):
        assert ask("maya@example.org", f"10.0.1.{n}").status_code == 200
    assert ask("maya@example.org", "10.0.1.99").status_code == 429
    for n in range(5):
        ask(f"other{n}@example.org", "10.0.2.1")
    response = ask("someone@example.org", "10.0.2.1")
    assert response.status_code == 429 and "Too many tries" in response.content.decode()
    assert len(mail.outbox) == 5


def test_known_and_unknown_addresses_take_the_same_time(
    portal_user: User, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same floor as the sign-in link, so timing does not tell which addresses are known."""
    from openipt.portal import views

    settings.OPENIPT_SIGN_IN_LINK_FLOOR_SECONDS = 2
    clock = iter([100.0, 100.25, 200.0, 200.01])
    slept: list[float] = []
    monkeypatch.setattr(views, "_clock", lambda: next(clock))
    monkeypatch.setattr(views, "_sleep", slept.append)
    monkeypatch.setattr(views.secrets, "randbelow", lambda n: 100)
    assert SENT in ask("maya@example.org").content.decode()
    assert SENT in ask("nobody@example.org", ip="10.0.0.2").content.decode()
    assert len(mail.outbox) == 1
    assert slept == [pytest.approx(1.85), pytest.approx(2.09)]

"""One-time sign-in links: e-mailed on request, 15 minutes, once, and only by a POST."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.utils import timezone

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client

from .conftest import joined, link_token

SENT = "If this username has a portal account with an e-mail address, we have sent it a sign-in link."


def ask(username: str, ip: str = "10.0.0.1") -> Any:
    return HttpClient(REMOTE_ADDR=ip).post("/portal/sign-in-link/", {"username": username})


def signed_in_as(http: HttpClient) -> int | None:
    value = http.session.get("_auth_user_id")
    return int(value) if value else None


def test_it_emails_a_link_that_signs_in_once(portal_user: User) -> None:
    response = ask(portal_user.username.upper())  # usernames are not case-sensitive here
    assert response.status_code == 200 and SENT in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["maya@example.org"] and "Maya" not in message.body
    token = link_token(message)
    http = HttpClient()

    page = http.get(f"/portal/sign-in/?t={token}")
    assert page.status_code == 200 and "Sign in now" in page.content.decode()
    assert signed_in_as(http) is None  # a GET (a mail scanner) signs nobody in
    response = http.post("/portal/sign-in/", {"t": token})

    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert signed_in_as(http) == portal_user.pk
    again = HttpClient()
    response = again.post("/portal/sign-in/", {"t": token})
    assert "expired or has already been used" in response.content.decode() and signed_in_as(again) is None
    actions = list(
        AuditEvent.objects.filter(action__startswith="portal.signin").values_list("action", flat=True)
    )
    assert actions == ["portal.signin_link", "portal.signin_link.used"]


@pytest.mark.parametrize(("minutes", "works"), [(14, True), (15, False)])
def test_it_expires_after_15_minutes(portal_user: User, time_machine: Any, minutes: int, works: bool) -> None:
    ask(portal_user.username)
    token = link_token(mail.outbox[0])
    time_machine.move_to(timezone.now() + timedelta(minutes=minutes), tick=False)
    http = HttpClient()

    http.post("/portal/sign-in/", {"t": token})

    assert (signed_in_as(http) == portal_user.pk) is works


def test_the_answer_is_the_same_for_an_unknown_username(
    portal_user: User, alice: User, client_a: Client
) -> None:
    known = ask(portal_user.username, "10.0.0.1")
    unknown = ask("c-nobody", "10.0.0.2")
    staff = ask(alice.username, "10.0.0.3")

    assert known.content == unknown.content == staff.content
    assert known.status_code == unknown.status_code == staff.status_code == 200
    assert len(mail.outbox) == 1
    refused = AuditEvent.objects.filter(action="portal.signin_link.refused")
    assert [(e.actor_id, e.actor_label) for e in refused] == [(None, "unknown user")] * 2


def test_no_link_without_an_email_address(alice: User, client_a: Client) -> None:
    user = joined(alice, client_a)

    response = ask(user.username)

    assert SENT in response.content.decode() and not mail.outbox


def test_it_is_throttled_per_username(portal_user: User) -> None:
    for n in range(5):
        assert ask(portal_user.username, f"10.0.1.{n}").status_code == 200

    response = ask(portal_user.username, "10.0.1.99")

    assert response.status_code == 429 and "Too many" in response.content.decode()
    assert len(mail.outbox) == 5


def test_it_is_throttled_per_address(portal_user: User) -> None:
    for n in range(5):
        ask(f"c-other{n}", "10.0.2.1")

    response = ask(portal_user.username, "10.0.2.1")

    assert response.status_code == 429 and not mail.outbox


def test_a_closed_account_cannot_use_its_link(alice: User, portal_user: User, emailed: Client) -> None:
    from openipt.portal import actions

    ask(portal_user.username)
    token = link_token(mail.outbox[0])
    actions.revoke(alice, emailed)
    http = HttpClient()

    http.post("/portal/sign-in/", {"t": token})

    assert signed_in_as(http) is None


def test_a_link_without_its_token_says_so(db: None) -> None:
    response = HttpClient().get("/portal/sign-in/")

    assert "incomplete" in response.content.decode()


def test_known_and_unknown_usernames_take_the_same_time(
    portal_user: User, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both answers wait out the same floor, so timing does not reveal which usernames exist."""
    from openipt.portal import views

    settings.OPENIPT_SIGN_IN_LINK_FLOOR_SECONDS = 2
    clock = iter([100.0, 100.25, 200.0, 200.01])  # the known name's e-mail took 0.25 s, the unknown 0.01 s
    slept: list[float] = []
    monkeypatch.setattr(views, "_clock", lambda: next(clock))
    monkeypatch.setattr(views, "_sleep", slept.append)
    monkeypatch.setattr(views.secrets, "randbelow", lambda n: 100)  # 0.1 s of jitter
    assert SENT in ask(portal_user.username).content.decode()
    assert SENT in ask("nobody-here", ip="10.0.0.2").content.decode()
    assert len(mail.outbox) == 1
    # each request slept to the same finish: 2 s floor + 0.1 s jitter after it started
    assert slept == [pytest.approx(1.85), pytest.approx(2.09)]

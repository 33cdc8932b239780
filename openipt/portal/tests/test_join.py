"""A client joins with an e-mailed link or a printed code: once, and only while it is open."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client as HttpClient
from django.utils import timezone

from openipt.accounts.models import Role, User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.portal import actions
from openipt.portal.models import PortalAccount, PortalInvitation

from .conftest import NEW_PASSWORD

PASSWORDS = {"username": "maya.reads", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}


def invite(alice: User, client: Client, kind: str = "email") -> str:
    return actions.invite(alice, client, kind=kind, link_base="http://testserver/portal/join/").secret


def state() -> list[Any]:
    return [
        User.objects.count(),
        PortalAccount.objects.count(),
        list(PortalInvitation.objects.order_by("pk").values("used_at", "revoked_at")),
    ]


def test_it_joins_by_link(alice: User, emailed: Client) -> None:
    token = invite(alice, emailed)
    http = HttpClient()

    page = http.get(f"/portal/join/?t={token}")
    assert page.status_code == 200 and "Choose a password" in page.content.decode()
    response = http.post("/portal/join/", {"t": token, **PASSWORDS})

    assert response.status_code == 302 and response["Location"] == "/portal/"
    account = PortalAccount.objects.select_related("user").get(client=emailed)
    user = account.user
    assert user.role == Role.CLIENT and user.organisation_id == emailed.organisation_id
    assert user.username == "maya.reads" and user.check_password(NEW_PASSWORD)
    assert PortalInvitation.objects.get().used_at is not None
    home = http.get("/portal/").content.decode()
    assert "Hello, Maya" in home and user.username in home  # the username, shown once to write down
    event = AuditEvent.objects.get(action="portal.join")
    assert event.actor_id == user.pk and event.client_id == emailed.pk


def test_it_joins_by_code_typed_loosely(alice: User, client_a: Client) -> None:
    code = invite(alice, client_a, "code")
    typed = code.lower().replace("-", " ")

    response = HttpClient().post("/portal/join/", {"code": typed, **PASSWORDS})

    assert response.status_code == 302
    assert PortalAccount.objects.filter(client=client_a).exists()


def test_an_invitation_works_once(alice: User, emailed: Client) -> None:
    token = invite(alice, emailed)
    HttpClient().post("/portal/join/", {"t": token, **PASSWORDS})
    before = state()

    response = HttpClient().post("/portal/join/", {"t": token, **PASSWORDS})

    assert response.status_code == 400
    assert "already been used" in response.content.decode()
    assert state() == before


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("unknown", "This invitation link is not known"),
        ("expired", "This invitation has expired"),
        ("used", "This invitation has already been used"),
        ("revoked", "This invitation was replaced or withdrawn"),
    ],
)
def test_each_problem_has_its_message_and_changes_nothing(
    case: str, message: str, alice: User, emailed: Client, time_machine: Any
) -> None:
    token = invite(alice, emailed)
    if case == "unknown":
        token = token[::-1]
    elif case == "expired":
        time_machine.move_to(timezone.now() + timedelta(hours=72, seconds=1), tick=False)
    elif case == "used":
        actions.join(token=token, password=NEW_PASSWORD)
    elif case == "revoked":
        invite(alice, emailed, "code")
    before = state()

    page = HttpClient().get(f"/portal/join/?t={token}")
    response = HttpClient().post("/portal/join/", {"t": token, **PASSWORDS})

    assert message in page.content.decode() and "Choose a password" not in page.content.decode()
    assert response.status_code == 400 and message in response.content.decode()
    assert state() == before


def test_an_unknown_code_has_its_message(client_a: Client) -> None:
    response = HttpClient().post("/portal/join/", {"code": "AAAAA-BBBBB", **PASSWORDS})

    assert "This code is not known" in response.content.decode()
    assert User.objects.filter(role=Role.CLIENT).count() == 0


def test_code_guessing_is_throttled(alice: User, client_a: Client) -> None:
    code = invite(alice, client_a, "code")
    http = HttpClient()
    for _ in range(10):
        http.post("/portal/join/", {"code": "AAAAA-BBBBB", **PASSWORDS})

    response = http.post("/portal/join/", {"code": code, **PASSWORDS})

    assert "Too many tries" in response.content.decode()
    assert not PortalAccount.objects.exists()


def test_a_weak_password_is_refused_and_the_invitation_stays_open(alice: User, emailed: Client) -> None:
    token = invite(alice, emailed)
    before = state()

    response = HttpClient().post(
        "/portal/join/",
        {"t": token, "username": "maya.reads", "password1": "password", "password2": "password"},
    )

    assert response.status_code == 400 and "too common" in response.content.decode()
    assert state() == before


def test_mismatched_passwords_are_refused(alice: User, emailed: Client) -> None:
    token = invite(alice, emailed)

    response = HttpClient().post("/portal/join/", {"t": token, **PASSWORDS, "password2": "x"})

    assert "not the same" in response.content.decode()
    assert not PortalAccount.objects.exists()


def test_a_second_invitation_sets_a_new_password_for_the_same_account(
    alice: User, emailed: Client, portal_user: User
) -> None:
    token = invite(alice, emailed)
    new = "harbour pencil violet 902"

    HttpClient().post(
        "/portal/join/", {"t": token, "username": portal_user.username, "password1": new, "password2": new}
    )

    portal_user.refresh_from_db()
    assert PortalAccount.objects.count() == 1 and User.objects.filter(role=Role.CLIENT).count() == 1
    assert portal_user.check_password(new) and not portal_user.check_password(NEW_PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_two_joins_at_once_one_wins(alice: User, emailed: Client) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    token = invite(alice, emailed)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            start.wait()
            actions.join(token=token, password=NEW_PASSWORD)
            outcomes.append("joined")
        except actions.InvitationProblem:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["joined", "refused"]
    assert PortalAccount.objects.count() == 1


def test_a_new_invitation_after_closing_access_opens_it_again(alice: User, emailed: Client) -> None:
    user = actions.join(code=invite(alice, emailed, "code"), password=NEW_PASSWORD).user
    actions.revoke(alice, emailed)
    token = invite(alice, emailed)

    http = HttpClient()
    http.post("/portal/join/", {"t": token, **PASSWORDS})

    user.refresh_from_db()
    assert user.is_active is True and PortalAccount.objects.count() == 1
    assert http.get("/portal/").status_code == 200


# --- choosing a username ------------------------------------------------------------------------


def test_the_chosen_username_signs_in_however_it_is_typed(alice: User, emailed: Client) -> None:
    token = invite(alice, emailed)
    HttpClient().post("/portal/join/", {"t": token, **PASSWORDS, "username": "  Maya.Reads "})

    user = PortalAccount.objects.get(client=emailed).user
    assert user.username == "maya.reads"
    http = HttpClient()
    response = http.post("/accounts/login/", {"login": "MAYA.reads", "password": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/portal/"


def test_an_email_address_will_do_as_a_username(alice: User, client_a: Client) -> None:
    code = invite(alice, client_a, "code")

    response = HttpClient().post("/portal/join/", {"code": code, **PASSWORDS, "username": "Maya@Example.org"})

    assert response.status_code == 302
    assert PortalAccount.objects.get(client=client_a).user.username == "maya@example.org"
    signed_in = HttpClient().post("/accounts/login/", {"login": "maya@example.org", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/portal/"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ALICE", "That username is taken. Choose another."),  # a staff member's, in other letters
        ("maya reads", "Use only letters, numbers and the signs . @ + - _ in a username (no spaces)."),
        ("ma", "Choose a username of at least 3 characters."),
        ("", "This field is required."),
    ],
)
def test_a_username_that_cannot_be_used_is_refused_beside_its_field(
    alice: User, emailed: Client, typed: str, message: str
) -> None:
    token = invite(alice, emailed)
    before = state()

    response = HttpClient().post("/portal/join/", {"t": token, **PASSWORDS, "username": typed})

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {"username": [message]}
    assert state() == before  # nothing created, the invitation still open
    body = response.content.decode()
    assert "Alice" not in body and "alice@" not in body  # "taken" says nothing of whose it is


def test_without_an_open_invitation_a_taken_username_is_not_checked(alice: User, emailed: Client) -> None:
    token = invite(alice, emailed)[::-1]

    response = HttpClient().post("/portal/join/", {"t": token, **PASSWORDS, "username": "alice"})

    body = response.content.decode()
    assert "This invitation link is not known" in body and "taken" not in body


def test_a_client_joining_again_may_keep_their_username(
    alice: User, emailed: Client, portal_user: User
) -> None:
    token = invite(alice, emailed)

    response = HttpClient().post("/portal/join/", {"t": token, **PASSWORDS, "username": portal_user.username})

    assert response.status_code == 302
    portal_user.refresh_from_db()
    assert portal_user.check_password(NEW_PASSWORD)

"""Inviting a client to the portal, and closing their access (clinician's side)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.utils import timezone

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.portal import tokens
from openipt.portal.models import PortalInvitation

from .conftest import joined, link_token


def url(client: Client, what: str = "invite") -> str:
    return f"/portal/clients/{client.pk}/{what}/"


def signed_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_it_invites_by_email(alice: User, emailed: Client) -> None:
    response = signed_in(alice).post(url(emailed), {"kind": "email"})

    assert response.status_code == 302 and response["Location"] == f"/clients/{emailed.pk}/"
    invitation = PortalInvitation.objects.get(client=emailed)
    assert invitation.kind == "email" and invitation.created_by == alice
    assert invitation.expires_at - invitation.created_at == timedelta(hours=72)
    [message] = mail.outbox
    assert message.to == ["maya@example.org"]
    assert "Northside" in message.body and "/portal/join/?t=" in message.body
    text = f"{message.subject} {message.body}"
    assert "Maya" not in text and "Okafor" not in text
    token = link_token(message)
    assert len(token) >= 32
    assert invitation.token_hash == tokens.digest(token) and token not in invitation.token_hash
    event = AuditEvent.objects.get(action="portal.invite")
    assert event.client_id == emailed.pk and event.object_id == str(invitation.pk)
    assert token not in str(event.__dict__)


def test_it_refuses_email_when_the_client_has_none(alice: User, client_a: Client) -> None:
    response = signed_in(alice).post(url(client_a), {"kind": "email"}, follow=True)

    assert "has no e-mail address" in response.content.decode()
    assert not PortalInvitation.objects.exists() and not mail.outbox


def test_it_shows_a_printed_code_once(alice: User, client_a: Client) -> None:
    http = signed_in(alice)
    response = http.post(url(client_a), {"kind": "code"})

    assert response.status_code == 200
    invitation = PortalInvitation.objects.get(client=client_a)
    assert invitation.kind == "code"
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)
    code = response.context["code"]
    assert len(tokens.normalise_code(code)) == 10 and code in response.content.decode()
    assert invitation.token_hash == tokens.code_digest(code)
    assert response["Cache-Control"].startswith("no-store")
    page = http.get(f"/clients/{client_a.pk}/").content.decode()
    assert code not in page and "Open invitation" in page
    assert not mail.outbox


def test_a_new_invitation_revokes_the_open_one(alice: User, emailed: Client) -> None:
    http = signed_in(alice)
    http.post(url(emailed), {"kind": "email"})
    http.post(url(emailed), {"kind": "code"})

    first, second = PortalInvitation.objects.order_by("pk")
    assert first.revoked_at is not None and second.revoked_at is None


def test_an_unknown_kind_is_refused(alice: User, client_a: Client) -> None:
    response = signed_in(alice).post(url(client_a), {"kind": "sms"}, follow=True)

    assert "Choose how to invite" in response.content.decode()
    assert not PortalInvitation.objects.exists()


def test_supervisors_cannot_invite_or_revoke(bob: User, client_a: Client) -> None:
    http = signed_in(bob)

    assert http.post(url(client_a), {"kind": "code"}).status_code == 403
    assert http.post(url(client_a, "revoke")).status_code == 403
    assert not PortalInvitation.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="portal.").exists()


def test_another_team_gets_404(dave: User, charlie: User, client_a: Client) -> None:
    for user in (dave, charlie):
        assert signed_in(user).post(url(client_a), {"kind": "code"}).status_code == 404
    assert not PortalInvitation.objects.exists()


def test_get_is_not_allowed(alice: User, client_a: Client) -> None:
    assert signed_in(alice).get(url(client_a)).status_code == 405


def test_the_client_page_shows_the_portal_card(alice: User, bob: User, client_a: Client) -> None:
    page = signed_in(alice).get(f"/clients/{client_a.pk}/").content.decode()
    assert "Portal access" in page and "Print a one-time code" in page and "Invite by e-mail" not in page

    page = signed_in(bob).get(f"/clients/{client_a.pk}/").content.decode()
    assert "Not invited to the portal yet" in page and "Print a one-time code" not in page


def test_revoking_signs_the_client_out_and_keeps_them_out(alice: User, emailed: Client) -> None:
    user = joined(alice, emailed)
    client_browser = signed_in(user)
    assert client_browser.get("/portal/").status_code == 200
    signed_in(alice).post(url(emailed), {"kind": "email"})  # an open invitation is withdrawn too

    response = signed_in(alice).post(url(emailed, "revoke"), {"confirm": "yes"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active is False
    assert client_browser.get("/portal/").status_code == 302  # to sign in
    assert not PortalInvitation.objects.filter(used_at__isnull=True, revoked_at__isnull=True).exists()
    event = AuditEvent.objects.get(action="portal.revoke")
    assert event.client_id == emailed.pk and event.actor_id == alice.pk
    page = signed_in(alice).get(f"/clients/{emailed.pk}/").content.decode()
    assert "Portal access is closed" in page


def test_audit_rows_carry_no_name_or_secret(alice: User, emailed: Client) -> None:
    signed_in(alice).post(url(emailed), {"kind": "email"})
    token = link_token(mail.outbox[0])
    HttpClient().post(
        "/portal/join/",
        {
            "t": token,
            "username": "maya.reads",
            "password1": "kettle meadow lantern 318",
            "password2": "kettle meadow lantern 318",
        },
    )

    rows = " ".join(str(v) for e in AuditEvent.objects.all() for v in e.__dict__.values())
    for secret in (token, "Maya", "Okafor", "maya@example.org", tokens.digest(token)):
        assert secret not in rows
    assert AuditEvent.objects.filter(action="portal.join", at__lte=timezone.now()).count() == 1


def test_a_failed_invitation_email_logs_neither_the_address_nor_the_link(
    alice: User, emailed: Client, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SMTP errors quote the refused address, and some servers echo the message (with its link)."""
    import logging
    import smtplib

    from openipt.portal import actions

    def refuse(subject: str, body: str, sender: object, to: list[str]) -> None:
        raise smtplib.SMTPRecipientsRefused({to[0]: (550, ("5.1.1 unknown; message was: " + body).encode())})

    monkeypatch.setattr(actions, "send_mail", refuse)
    with caplog.at_level(logging.DEBUG):
        invited = actions.invite(
            alice, emailed, kind="email", link_base="https://clinic.example/portal/join/"
        )

    assert not invited.sent
    text = "\n".join(logging.Formatter().format(r) for r in caplog.records)
    assert "SMTPRecipientsRefused" in text
    assert emailed.email not in text and "?t=" not in text and invited.secret not in text

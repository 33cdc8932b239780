"""Two-factor authentication (TOTP with recovery codes) is required for every staff account.

Codes are computed from the stored secret the way an authenticator app computes them, with the
clock frozen so a test never straddles a 30-second step.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core.checks import registry
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse

from conftest import PASSWORD, make_user
from openipt.accounts.checks import check_mfa_required
from openipt.accounts.models import Organisation, Role, User
from openipt.audit.models import AuditEvent

from .helpers import (
    LOGOUT,
    MFA_AUTHENTICATE,
    REAUTHENTICATE,
    RECOVERY_CODES,
    TOTP_ACTIVATE,
    code_for,
    confirm_password,
    current_code,
    enrol,
    recovery_codes,
    sign_in,
    start_enrolment,
    who,
)

CASELOAD = reverse("courses:caseload")
NOON = datetime(2026, 3, 2, 12, 0, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def mfa_required() -> Iterator[None]:
    with override_settings(OPENIPT_REQUIRE_MFA=True):
        yield


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


# Sign-in with an enrolled account


@pytest.mark.usefixtures("frozen")
def test_an_enrolled_user_is_asked_for_the_code_after_the_password(client: HttpClient, alice: User) -> None:
    enrol(alice)

    r = sign_in(client, "alice")

    assert r.status_code == 302
    assert r["Location"] == MFA_AUTHENTICATE
    assert not who(client).is_authenticated  # the password alone signs nobody in
    page = client.get(MFA_AUTHENTICATE)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'autocomplete="one-time-code"' in html
    assert '<label for="id_code">' in html
    assert not AuditEvent.objects.filter(action="login").exists()


@pytest.mark.usefixtures("frozen")
def test_the_code_from_the_authenticator_app_completes_sign_in(client: HttpClient, alice: User) -> None:
    enrol(alice)
    sign_in(client, "alice")

    r = client.post(MFA_AUTHENTICATE, {"code": current_code(alice)})

    assert r.status_code == 302
    assert r["Location"] == CASELOAD
    assert who(client) == alice
    assert client.get(CASELOAD).status_code == 200
    login = AuditEvent.objects.get(action="login")
    assert (login.actor, login.object_id, login.ip_address) == (alice, str(alice.pk), "127.0.0.1")


@pytest.mark.usefixtures("frozen")
def test_a_wrong_code_is_refused_and_audited(client: HttpClient, alice: User) -> None:
    secret = enrol(alice)
    sign_in(client, "alice")
    wrong = f"{(int(code_for(secret)) + 1) % 1_000_000:06d}"

    r = client.post(MFA_AUTHENTICATE, {"code": wrong})

    assert r.status_code == 200
    assert "Incorrect code." in r.content.decode()
    assert not who(client).is_authenticated
    failed = AuditEvent.objects.get(action="login.mfa_failed")
    assert (failed.actor, failed.object_id) == (alice, str(alice.pk))
    assert wrong not in str(vars(failed))
    assert not AuditEvent.objects.filter(action="login").exists()


def test_a_code_from_another_time_step_is_refused(client: HttpClient, alice: User) -> None:
    secret = enrol(alice)
    with time_machine.travel(NOON, tick=False):
        old_code = code_for(secret)
    with time_machine.travel(NOON.replace(minute=5), tick=False):
        sign_in(client, "alice")
        r = client.post(MFA_AUTHENTICATE, {"code": old_code})
        assert "Incorrect code." in r.content.decode()
        assert not who(client).is_authenticated


@pytest.mark.usefixtures("frozen")
def test_a_recovery_code_signs_in_once(client: HttpClient, alice: User) -> None:
    enrol(alice)
    code = recovery_codes(alice)[0]
    sign_in(client, "alice")

    r = client.post(MFA_AUTHENTICATE, {"code": code})

    assert r.status_code == 302
    assert who(client) == alice
    assert AuditEvent.objects.filter(action="mfa.recovery_code_used", actor=alice).count() == 1
    assert code not in recovery_codes(alice)

    other = HttpClient()
    sign_in(other, "alice")
    r = other.post(MFA_AUTHENTICATE, {"code": code})
    assert "Incorrect code." in r.content.decode()
    assert not who(other).is_authenticated


@pytest.mark.usefixtures("frozen")
def test_a_code_cannot_be_replayed(client: HttpClient, alice: User) -> None:
    enrol(alice)
    code = current_code(alice)
    sign_in(client, "alice")
    client.post(MFA_AUTHENTICATE, {"code": code})
    assert who(client) == alice

    other = HttpClient()
    sign_in(other, "alice")
    r = other.post(MFA_AUTHENTICATE, {"code": code})
    assert "Incorrect code." in r.content.decode()
    assert not who(other).is_authenticated


@pytest.mark.usefixtures("frozen")
def test_wrong_codes_are_rate_limited(client: HttpClient, alice: User) -> None:
    enrol(alice)
    sign_in(client, "alice")
    for _ in range(5):
        client.post(MFA_AUTHENTICATE, {"code": "000000"})
    r = client.post(MFA_AUTHENTICATE, {"code": current_code(alice)})
    assert "Too many failed login attempts" in r.content.decode()
    assert not who(client).is_authenticated
    assert AuditEvent.objects.filter(action="login.mfa_failed", actor=alice).count() == 5
    locked = AuditEvent.objects.get(action="login.locked")
    assert (locked.actor, locked.object_id) == (alice, str(alice.pk))


# Enrolment is required


def test_staff_without_an_authenticator_are_sent_to_set_one_up(
    client: HttpClient, everyone: dict[str, User]
) -> None:
    for name in ("alice", "bob", "erin"):
        client.force_login(everyone[name])
        for url in (CASELOAD, reverse("clients:list"), reverse("accounts:user-list"), "/accounts/2fa/"):
            r = client.get(url)
            assert r.status_code == 302, (name, url)
            assert r["Location"] == TOTP_ACTIVATE, (name, url)
        r = client.post(reverse("accounts:user-list"))
        assert r["Location"] == TOTP_ACTIVATE


def test_the_redirect_explains_why_and_asks_for_the_password_first(client: HttpClient, alice: User) -> None:
    sign_in(client, "alice")
    r = client.get(CASELOAD, follow=True)
    assert [url for url, _ in r.redirect_chain] == [
        TOTP_ACTIVATE,
        f"{REAUTHENTICATE}?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F",
    ]
    html = r.content.decode()
    assert "OpenIPT requires two-factor authentication for staff accounts." in html
    assert "Confirm Access" in html

    r = client.post(r.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    assert r.redirect_chain[-1][0] == TOTP_ACTIVATE
    assert "Activate Authenticator App" in r.content.decode()


def test_htmx_requests_get_hx_redirect(client: HttpClient, alice: User) -> None:
    client.force_login(alice)
    r = client.get(CASELOAD, headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert r["HX-Redirect"] == TOTP_ACTIVATE
    assert b"caseload" not in r.content.lower()


def test_the_setup_pages_sign_out_and_static_files_stay_open(client: HttpClient, alice: User) -> None:
    sign_in(client, "alice")
    assert client.get(REAUTHENTICATE).status_code == 200
    confirm_password(client)
    assert client.get(TOTP_ACTIVATE).status_code == 200
    assert client.get(RECOVERY_CODES).get("Location") != TOTP_ACTIVATE
    assert client.get("/static/openipt/openipt.css").status_code == 200
    r = client.post(LOGOUT)
    assert r["Location"] == reverse("account_login")
    assert not who(client).is_authenticated


def test_the_password_is_confirmed_before_enrolling(client: HttpClient, alice: User) -> None:
    # So that someone at an unlocked screen cannot tie the account to their own phone.
    client.force_login(alice)
    r = client.get(TOTP_ACTIVATE)
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(r["Location"]).status_code == 200  # not sent round in a loop


def test_portal_clients_are_not_asked(client: HttpClient, north: Organisation) -> None:
    portal = make_user("portal", north, Role.CLIENT)
    client.force_login(portal)
    response = client.get(CASELOAD)  # the root sends them to their portal, not to the MFA set-up
    assert (response.status_code, response["Location"]) == (302, reverse("portal:home"))


@pytest.mark.usefixtures("frozen")
def test_enrolled_staff_reach_their_pages(client: HttpClient, alice: User) -> None:
    enrol(alice)
    client.force_login(alice)
    assert client.get(CASELOAD).status_code == 200


def test_nothing_is_asked_when_mfa_is_not_required(client: HttpClient, alice: User) -> None:
    with override_settings(OPENIPT_REQUIRE_MFA=False):
        client.force_login(alice)
        assert client.get(CASELOAD).status_code == 200


# Enrolment


@pytest.mark.usefixtures("frozen")
def test_enrolment_with_the_app_shows_recovery_codes_and_then_the_caseload(
    client: HttpClient, alice: User, django_capture_on_commit_callbacks
) -> None:
    start_enrolment(client, "alice")
    html = client.get(TOTP_ACTIVATE).content.decode()  # each visit shows a new secret
    secret = client.session["mfa.totp.secret"]
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code
    assert f'value="{secret}"' in html  # and the secret to type in by hand

    r = client.post(TOTP_ACTIVATE, {"code": "123456" if code_for(secret) != "123456" else "654321"})
    assert "Incorrect code." in r.content.decode()
    assert not Authenticator.objects.filter(user=alice).exists()

    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(TOTP_ACTIVATE, {"code": code_for(secret)})

    assert r.status_code == 302
    assert r["Location"] == RECOVERY_CODES
    codes = client.get(RECOVERY_CODES).content.decode()
    assert "Recovery Codes" in codes
    assert all(code in codes for code in recovery_codes(alice))
    assert f'href="{CASELOAD}">Continue to OpenIPT</a>' in codes  # a way on, to the landing page
    assert f'href="{CASELOAD}">Continue to OpenIPT</a>' in client.get(reverse("mfa_index")).content.decode()
    assert client.get(CASELOAD).status_code == 200
    assert AuditEvent.objects.filter(action="mfa.activate", actor=alice).count() == 1


@pytest.mark.usefixtures("frozen")
def test_after_enrolment_the_next_sign_in_asks_for_the_code(client: HttpClient, alice: User) -> None:
    secret = start_enrolment(client, "alice")
    client.post(TOTP_ACTIVATE, {"code": code_for(secret)})
    client.post(LOGOUT)

    assert sign_in(client, "alice")["Location"] == MFA_AUTHENTICATE


@pytest.mark.usefixtures("frozen")
def test_regenerating_recovery_codes_and_deactivating_are_audited(
    client: HttpClient, alice: User, django_capture_on_commit_callbacks
) -> None:
    enrol(alice)
    before = recovery_codes(alice)
    sign_in(client, "alice")
    client.post(MFA_AUTHENTICATE, {"code": current_code(alice)})
    confirm_password(client)

    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("mfa_generate_recovery_codes"))
    assert r.status_code == 302
    assert set(recovery_codes(alice)).isdisjoint(before)
    assert AuditEvent.objects.filter(action="mfa.recovery_codes", actor=alice).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("mfa_deactivate_totp"))
    assert not Authenticator.objects.filter(user=alice).exists()
    assert AuditEvent.objects.filter(action="mfa.deactivate", actor=alice).count() == 1
    # Still required: the next page is the set-up page again.
    assert client.get(CASELOAD)["Location"] == TOTP_ACTIVATE


@pytest.mark.usefixtures("frozen")
def test_the_mfa_pages_use_the_openipt_layout(client: HttpClient, alice: User) -> None:
    enrol(alice)
    sign_in(client, "alice")
    html = client.get(MFA_AUTHENTICATE).content.decode()
    assert 'href="/static/openipt/openipt.css"' in html
    assert '<form method="post" action="/accounts/2fa/authenticate/" class="stacked card"' in html
    client.post(MFA_AUTHENTICATE, {"code": current_code(alice)})
    html = client.get("/accounts/2fa/").content.decode()
    assert '<section class="card">' in html
    assert 'class="topbar"' in html


# The deploy check


def test_check_deploy_warns_when_mfa_is_not_required() -> None:
    with override_settings(OPENIPT_REQUIRE_MFA=False):
        assert [m.id for m in check_mfa_required()] == ["accounts.W001"]
    assert check_mfa_required() == []


def test_the_mfa_check_runs_with_deploy_only() -> None:
    assert check_mfa_required in registry.registry.get_checks(include_deployment_checks=True)
    assert check_mfa_required not in registry.registry.get_checks(include_deployment_checks=False)

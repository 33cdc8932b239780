"""A clinician's first sign-in in a real browser: set up the authenticator app, see the recovery
codes, sign out, and sign in again with password and code. Every page is checked with axe-core.

The code is computed from the secret shown on the page, as an authenticator app does; the TOTP
tolerance is one step either side so a 30-second boundary between reading and typing is harmless.
"""

from __future__ import annotations

import pytest

from conftest import PASSWORD
from openipt.accounts.tests.helpers import code_for
from openipt.audit.models import AuditEvent
from tests.browser.conftest import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_first_sign_in_enrols_the_authenticator_app(live_server, page, settings, alice, course_a) -> None:
    settings.OPENIPT_REQUIRE_MFA = True
    settings.MFA_TOTP_TOLERANCE = 1
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    # Sent to set up two-factor sign-in, after confirming the password once more.
    page.wait_for_url(f"{base}/accounts/reauthenticate/**")
    assert "OpenIPT requires two-factor authentication" in page.inner_text(".messages")
    check_axe(page, "mfa-01-confirm-password")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/accounts/2fa/totp/activate/")
    assert page.is_visible("img.qr")
    check_axe(page, "mfa-02-activate")

    secret = page.input_value("#authenticator_secret")
    page.fill("#id_code", code_for(secret))
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/accounts/2fa/recovery-codes/")
    codes = page.input_value("#recovery_codes").split()
    assert len(codes) == 10
    check_axe(page, "mfa-03-recovery-codes")

    page.click("nav >> text=Caseload")
    page.wait_for_url(f"{base}/")
    assert "Maya Okafor" in page.inner_text("table.caseload")

    page.click("form.logout button")
    page.wait_for_url(f"{base}/accounts/login/")
    page.fill("#id_login", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
    check_axe(page, "mfa-04-enter-code")
    page.fill("#id_code", codes[0])  # a recovery code works in place of the app's code
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert "My caseload" in page.inner_text("h1")

    actions = list(AuditEvent.objects.filter(actor=alice).values_list("action", flat=True))
    assert actions.count("login") == 2
    assert "mfa.activate" in actions
    assert "mfa.recovery_code_used" in actions

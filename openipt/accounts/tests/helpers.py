"""Signing in the way a browser does, and authenticator codes computed the way an app does."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt
from django.test import Client as HttpClient
from django.urls import reverse

from conftest import PASSWORD
from openipt.accounts.models import User

LOGIN = "/accounts/login/"
LOGOUT = "/accounts/logout/"
MFA_AUTHENTICATE = "/accounts/2fa/authenticate/"
TOTP_ACTIVATE = "/accounts/2fa/totp/activate/"
RECOVERY_CODES = "/accounts/2fa/recovery-codes/"
REAUTHENTICATE = "/accounts/reauthenticate/"


def code_for(secret: str) -> str:
    """The six digits an authenticator app shows now for this secret (RFC 6238, 30-second steps)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def enrol(user: User) -> str:
    """Give the user an authenticator app and recovery codes; returns the TOTP secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def current_code(user: User) -> str:
    """The code for the secret stored on the user's authenticator (as their phone would show)."""
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return code_for(decrypt(totp.data["secret"]))


def recovery_codes(user: User) -> list[str]:
    rc = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return list(RecoveryCodes(rc).get_unused_codes())


def sign_in(client: HttpClient, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(LOGIN, {"login": username, "password": password}, **extra)


def confirm_password(client: HttpClient, password: str = PASSWORD) -> Any:
    """allauth asks for the password again before MFA settings change (activation included)."""
    return client.post(REAUTHENTICATE, {"password": password})


def start_enrolment(client: HttpClient, username: str) -> str:
    """Sign in, confirm the password, open the set-up page; returns the secret it shows."""
    sign_in(client, username)
    confirm_password(client)
    assert client.get(TOTP_ACTIVATE).status_code == 200
    return str(client.session["mfa.totp.secret"])


def who(client: HttpClient) -> Any:
    """The user a request from this client is signed in as (AnonymousUser when signed out)."""
    return client.get(reverse("account_login")).wsgi_request.user

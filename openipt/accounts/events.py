"""Sign-in, sign-out, MFA and password events: audited, logged and tied to the session records.

Audit rows (openipt.audit) written here, none carrying a password, code or clinical value:

=============================  ==========================================================
``login``                      signed in (after the second factor, when one is enrolled)
``login.failed``               wrong username or password (actor: the account, or "unknown user")
``login.locked``               an attempt refused because of too many failures (rate limit)
``login.inactive``             the right password for a deactivated account (refused)
``login.mfa_failed``           a wrong authenticator or recovery code at sign-in
``mfa.reauthenticate_failed``  a wrong code when asked to confirm it is still them
``logout``                     signed out with the sign-out button (every session ends)
``session.expired``            ended by the idle or absolute limit (see middleware.py)
``password.change``            the user changed their password (other sessions end)
``password.reset``             the user reset a forgotten password by e-mail (all sessions end)
``mfa.activate``               an authenticator app was activated
``mfa.deactivate``             the authenticator app was removed by its user
``mfa.recovery_codes``         recovery codes were generated again
``mfa.recovery_code_used``     a recovery code was used to sign in
=============================  ==========================================================

Application log lines name the user by id, never by username.
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.account import signals as account_signals
from allauth.account.utils import filter_users_by_username
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth import signals as auth_signals
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from openipt.audit.actions import record

from . import sessions
from .models import User

logger = logging.getLogger(__name__)

UNKNOWN_USER = "unknown user"


def _account(username: str) -> User | None:
    if not username:
        return None
    match = filter_users_by_username(username).first()
    return match if isinstance(match, User) else None


def note_login_failure(request: HttpRequest, username: str, *, locked: bool) -> None:
    """Audit and log a failed or refused sign-in; the attempted password is never seen here."""
    user = _account(username)
    action = "login.locked" if locked else "login.failed"
    if user is None:
        record(None, action, request=request, actor_label=UNKNOWN_USER)
        logger.warning("%s for an unknown user", action)
    else:
        record(user, action, obj=user, request=request)
        logger.warning("%s for user %s", action, user.pk)


@receiver(auth_signals.user_logged_in)
def on_signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    # Every sign-in (the form, or force_login in tests): the key has just been rotated by login().
    if request is not None and hasattr(request, "session"):
        sessions.start_session(request, user)


@receiver(account_signals.user_logged_in)
def on_signed_in_through_allauth(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    record(user, "login", obj=user, request=request)
    logger.info("user %s signed in", user.pk)


@receiver(auth_signals.user_logged_out)
def on_signed_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        sessions.forget_session(request.session.session_key)


@receiver(post_save, sender=User)
def on_user_saved(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    """A deactivated account, or one whose password changed, keeps no session anywhere.

    AbstractBaseUser.save() still holds the new raw password in `_password` while post_save runs;
    it is how Django itself knows to call the validators' `password_changed`. The session that
    changed its own password is carried on by `update_session_auth_hash` and `on_password_changed`.
    """
    if created:
        return
    if not instance.is_active or getattr(instance, "_password", None) is not None:
        sessions.end_sessions(instance)


@receiver(account_signals.password_changed)
def on_password_changed(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    sessions.carry_session(request, user)
    record(user, "password.change", obj=user, request=request)
    logger.info("user %s changed their password; their other sessions ended", user.pk)


@receiver(account_signals.password_reset)
def on_password_reset(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    # The new password already ended every session (on_user_saved).
    record(user, "password.reset", obj=user, request=request)
    logger.info("user %s reset their password by e-mail; their sessions ended", user.pk)


# Which changes to a user's second factor are audited: (signal, authenticator type, action, log line).
AUTHENTICATOR_EVENTS = [
    (
        mfa_signals.authenticator_added,
        Authenticator.Type.TOTP,
        "mfa.activate",
        "activated an authenticator app",
    ),
    (
        mfa_signals.authenticator_removed,
        Authenticator.Type.TOTP,
        "mfa.deactivate",
        "removed their authenticator app",
    ),
    (
        mfa_signals.authenticator_reset,
        Authenticator.Type.RECOVERY_CODES,
        "mfa.recovery_codes",
        "generated new recovery codes",
    ),
    (
        mfa_signals.authenticator_used,
        Authenticator.Type.RECOVERY_CODES,
        "mfa.recovery_code_used",
        "used a recovery code",
    ),
]


def _audit_authenticator(kind: str, action: str, said: str) -> Any:
    def receiver_(
        sender: Any, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs: Any
    ) -> None:
        if authenticator.type == kind:
            record(user, action, obj=user, request=request)
            logger.info("user %s %s", user.pk, said)

    return receiver_


for _signal, _kind, _action, _said in AUTHENTICATOR_EVENTS:
    _signal.connect(_audit_authenticator(_kind, _action, _said), weak=False, dispatch_uid=_action)


@receiver(mfa_signals.authentication_failed)
def on_mfa_failed(
    sender: Any, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs: Any
) -> None:
    action = "mfa.reauthenticate_failed" if kwargs.get("reauthentication") else "login.mfa_failed"
    record(user, action, obj=user, request=request)
    logger.warning("%s for user %s", action, user.pk)

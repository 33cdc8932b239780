"""How django-allauth signs people in to OpenIPT: no sign-up, audited failures, per-account lockout."""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from openipt.access.rules import landing_url, sign_in_destination
from openipt.audit.actions import record

from . import events, sessions

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by an administrator; nobody signs themselves up.

    Failed sign-ins are audited (`login.failed`) and counted per username across every address
    and host name; past ACCOUNT_RATE_LIMITS["login_failed"] further attempts are refused and
    audited (`login.locked`) until the window passes. Signing out ends every session of the user.
    """

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Clients land on their portal, clinical staff on their caseload, administrators on
        their user list (`rules.landing_url`)."""
        return landing_url(request.user)

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse:
        """The `next` page only when it lies in the user's part of OpenIPT: a client who signs in
        from the front page or a staff page lands on their portal (`rules.sign_in_destination`)."""
        kwargs["redirect_url"] = sign_in_destination(user, kwargs.get("redirect_url"))
        return super().post_login(request, user, **kwargs)

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth counts failures per "host:username"; the Host header is the client's to choose
        # among ALLOWED_HOSTS, which would multiply the attempts allowed. Count per username only,
        # under a prefix of our own (allauth.mfa counts wrong codes under "mfa-auth-user-<id>").
        # (test_lockout.test_the_lock_holds_across_addresses_and_host_names guards this override.)
        return "password:" + str(credentials.get("username", "")).strip().lower()

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            events.note_login_failure(request, str(credentials.get("username", "")), locked=True)
            raise

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        events.note_login_failure(request, str(credentials.get("username", "")), locked=False)

    def respond_user_inactive(self, request: HttpRequest, user: Any) -> HttpResponse:
        # The right password for a deactivated account: refused, and worth knowing about.
        record(user, "login.inactive", obj=user, request=request)
        logger.warning("sign-in refused for deactivated user %s", user.pk)
        return super().respond_user_inactive(request, user)

    def logout(self, request: HttpRequest) -> None:
        user = request.user
        if user.is_authenticated:
            record(user, "logout", obj=user, request=request)
            ended = sessions.end_sessions(user, keep=request.session.session_key)
            logger.info("user %s signed out (%d other session(s) ended)", user.pk, ended)
        super().logout(request)

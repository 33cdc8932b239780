"""Request-wide rules for signed-in users: session limits, required MFA, the organisation's zone."""

from __future__ import annotations

import logging
import time
import zoneinfo
from collections.abc import Callable
from functools import cached_property

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from openipt.audit.actions import record

from . import sessions
from .models import User

logger = logging.getLogger(__name__)


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect the browser follows: htmx swaps a plain 302 into the page, so it gets HX-Redirect."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


class SessionLimitsMiddleware:
    """End a session idle for OPENIPT_IDLE_TIMEOUT_MINUTES, or a staff session older than
    OPENIPT_SESSION_MAX_HOURS however active: sign out, audit `session.expired`, and send the
    browser to the sign-in page with a message that says why. The page asked for is kept as
    `next`, so signing in again returns there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            reason = sessions.expiry_reason(request.session, user, now)
            if reason is not None:
                return self.expire(request, user, reason)
            sessions.note_activity(request, now)
        return self.get_response(request)

    def expire(self, request: HttpRequest, user: User, reason: str) -> HttpResponse:
        record(user, "session.expired", obj=user, request=request)
        logger.info("session of user %s expired (%s limit)", user.pk, reason)
        logout(request)
        if reason == sessions.IDLE:
            minutes = settings.OPENIPT_IDLE_TIMEOUT_MINUTES
            text = _(
                "You were signed out after %(minutes)d minutes without activity, to protect client "
                "records. Sign in again to continue."
            ) % {"minutes": minutes}
        else:
            hours = settings.OPENIPT_SESSION_MAX_HOURS
            text = _(
                "You were signed out because you had been signed in for %(hours)d hours, the longest a "
                "sign-in lasts. Sign in again to continue."
            ) % {"hours": hours}
        messages.info(request, text)
        htmx = getattr(request, "htmx", None)
        back = htmx.current_url_abs_path if htmx else request.get_full_path()
        login_url = redirect_to_login(back or "/")["Location"]
        return _redirect(request, login_url)


class RequireMFAMiddleware:
    """Staff without an activated authenticator app reach only the pages that set one up.

    On when OPENIPT_REQUIRE_MFA is (the default). A clinician, supervisor or administrator signed
    in without TOTP is sent to the activation page; from there only the recovery-code pages, the
    password re-check that activation may ask for, sign-out and static files are open. Portal
    clients are not affected. Costs one query per request of a staff user while on.
    """

    ALLOWED = (
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reauthenticate",
        "account_logout",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @cached_property
    def allowed_paths(self) -> frozenset[str]:
        return frozenset(reverse(name) for name in self.ALLOWED)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.OPENIPT_REQUIRE_MFA and self.must_enrol(request):
            messages.info(
                request,
                _(
                    "OpenIPT requires two-factor authentication for staff accounts. Set up an "
                    "authenticator app on your phone to continue."
                ),
            )
            return _redirect(request, reverse("mfa_activate_totp"))
        return self.get_response(request)

    def must_enrol(self, request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not getattr(user, "is_staff_role", False):
            return False
        path = request.path  # with the script prefix, like reverse() and STATIC_URL
        if path in self.allowed_paths or path.startswith(settings.STATIC_URL):
            return False
        return not is_mfa_enabled(user, [Authenticator.Type.TOTP])


class OrganisationTimezoneMiddleware:
    """Show times in the signed-in user's organisation time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        org = getattr(user, "organisation", None) if user is not None and user.is_authenticated else None
        if org is not None:
            timezone.activate(zoneinfo.ZoneInfo(org.time_zone))
        else:
            timezone.deactivate()
        return self.get_response(request)

"""Signed-in sessions: stamped and recorded at sign-in, limited in time, ended together.

* At sign-in (Django's `user_logged_in`, which fires after the session key has been rotated) the
  session gets its sign-in and last-activity times and a `UserSession` row names it.
* Every request of a signed-in user checks the limits (`expiry_reason`): the idle timeout for
  everyone and the absolute limit for staff. The last-activity time is refreshed at most once a
  minute, so a page view does not cost a session write; the idle limit is therefore measured from
  up to a minute before the latest request, never later.
* `end_sessions` deletes a user's sessions from the session store: on sign-out, deactivation,
  password change and MFA reset (see `openipt.accounts.events`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.utils import timezone

from openipt.audit.actions import client_ip

from .models import UserSession

if TYPE_CHECKING:
    from .models import User

logger = logging.getLogger(__name__)

SIGNED_IN_AT = "openipt.signed_in_at"
LAST_ACTIVITY = "openipt.last_activity"
ACTIVITY_RESOLUTION_SECONDS = 60

IDLE = "idle"
ABSOLUTE = "absolute"


def session_store(session_key: str | None = None) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(session_key)
    return store


def start_session(request: HttpRequest, user: User) -> None:
    """Stamp a fresh sign-in on the session and record it against the user."""
    now = timezone.now()
    request.session[SIGNED_IN_AT] = now.timestamp()
    request.session[LAST_ACTIVITY] = now.timestamp()
    if request.session.session_key is None:
        request.session.save()
    key = request.session.session_key
    assert key is not None  # just saved
    _forget_ended_sessions(user)
    UserSession.objects.update_or_create(
        session_key=key, defaults={"user": user, "created": now, "last_seen": now, "ip": client_ip(request)}
    )


def carry_session(request: HttpRequest, user: User) -> None:
    """Record the current session again after its key changed (a password change rotates it)."""
    key = request.session.session_key
    if key is None:
        return
    now = timezone.now()
    started = request.session.get(SIGNED_IN_AT)
    created = datetime.fromtimestamp(started, tz=UTC) if started else now
    UserSession.objects.update_or_create(
        session_key=key,
        defaults={"user": user, "created": created, "last_seen": now, "ip": client_ip(request)},
    )


def forget_session(session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def end_sessions(user: Any, *, keep: str | None = None) -> int:
    """Sign the user out everywhere (but the session `keep`): delete their sessions from the store.

    Returns how many sessions were ended.
    """
    rows = UserSession.objects.filter(user_id=user.pk)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    store = session_store()
    for key in keys:
        store.delete(key)
    rows.delete()
    if keys:
        logger.info("ended %d session(s) of user %s", len(keys), user.pk)
    return len(keys)


def _forget_ended_sessions(user: User) -> None:
    """Drop rows whose session has already gone from the store (expired, or the browser closed)."""
    store = session_store()
    keys = UserSession.objects.filter(user=user).values_list("session_key", flat=True)
    gone = [key for key in keys if not store.exists(key)]
    if gone:
        UserSession.objects.filter(session_key__in=gone).delete()


def expiry_reason(session: SessionBase, user: Any, now: float) -> str | None:
    """Why this signed-in session must end now (IDLE or ABSOLUTE), or None while it may go on."""
    last = session.get(LAST_ACTIVITY)
    if last is not None and now - last >= settings.OPENIPT_IDLE_TIMEOUT_MINUTES * 60:
        return IDLE
    started = session.get(SIGNED_IN_AT)
    staff = bool(getattr(user, "is_staff_role", False))
    if staff and started is not None and now - started >= settings.OPENIPT_SESSION_MAX_HOURS * 60 * 60:
        return ABSOLUTE
    return None


def note_activity(request: HttpRequest, now: float) -> None:
    """Move the last-activity time on, at most once a minute (each move is a session write)."""
    session = request.session
    if session.get(SIGNED_IN_AT) is None:
        # A session signed in before these limits existed: its clock starts now.
        session[SIGNED_IN_AT] = now
    last = session.get(LAST_ACTIVITY)
    if last is None or now - last >= ACTIVITY_RESOLUTION_SECONDS:
        session[LAST_ACTIVITY] = now
        if session.session_key:
            UserSession.objects.filter(session_key=session.session_key).update(last_seen=timezone.now())

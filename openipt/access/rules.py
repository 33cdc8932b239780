"""Who may do what to which record: every object-level access rule of OpenIPT, in one place.

The rules, in words:

* Everyone is confined to their own organisation; an inactive account reaches nothing.
* A **clinician** reads and writes the records of the clients of their care teams.
* A **supervisor** reads their teams' clients' records and acknowledges their alerts, and writes
  nothing else clinical.
* An **administrator** manages users and settings and reads clinical content only through
  audited emergency (break-glass) access: a reason, a time box, the team's supervisors notified
  (see `openipt.access.breakglass`). Under it the access is read-only.
* A **client** (portal user) reaches no staff page at all.
* A therapist's private process notes (psychotherapy notes) are readable by their author only.

Gates (`openipt.*.access.get_*_for_user`) fetch records through `visible_clients`, so a record
outside it is a 404 whatever its kind, and they call `note_read` so that every page that showed
a client's record is audited (`openipt.access.middleware.ClientReadAuditMiddleware`).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from openipt.accounts.models import Role
from openipt.clients.models import Client

from .models import BreakGlassGrant

STAFF_ROLES = frozenset({Role.CLINICIAN, Role.SUPERVISOR, Role.ADMIN})


def is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def is_staff_member(user: Any) -> bool:
    """An active clinician, supervisor or administrator of an organisation."""
    return is_signed_in(user) and user.organisation_id is not None and user.role in STAFF_ROLES


def has_team_access(user: Any) -> bool:
    """Clinicians and supervisors: they reach the clients of their care teams."""
    return is_staff_member(user) and user.role in (Role.CLINICIAN, Role.SUPERVISOR)


def is_administrator(user: Any) -> bool:
    return is_staff_member(user) and user.role == Role.ADMIN


def is_supervisor(user: Any) -> bool:
    return is_staff_member(user) and user.role == Role.SUPERVISOR


def active_grants(user: Any) -> QuerySet[BreakGlassGrant]:
    """The user's emergency-access grants in force now (always empty for a non-administrator)."""
    if not is_administrator(user):
        return BreakGlassGrant.objects.none()
    return BreakGlassGrant.objects.filter(
        user=user,
        ended_at__isnull=True,
        expires_at__gt=timezone.now(),
        client__organisation_id=user.organisation_id,
    )


def team_clients(user: Any) -> QuerySet[Client]:
    """The clients of the user's care teams in their organisation (their ordinary reach)."""
    if not has_team_access(user):
        return Client.objects.none()
    return Client.objects.filter(organisation_id=user.organisation_id, team__in=user.teams.all())


def visible_clients(user: Any) -> QuerySet[Client]:
    """Clients whose record the user may read now: their teams' clients, or for an administrator
    the clients of their emergency-access grants in force."""
    if has_team_access(user):
        return team_clients(user)
    if is_administrator(user):
        return Client.objects.filter(
            organisation_id=user.organisation_id, pk__in=active_grants(user).values("client_id")
        )
    return Client.objects.none()


def may_enter_clinical_pages(user: Any) -> bool:
    """Clinicians and supervisors always; an administrator while an emergency grant is in force."""
    return has_team_access(user) or (is_administrator(user) and active_grants(user).exists())


def landing_url(user: Any, *, grants_in_force: bool | None = None) -> str:
    """Where this user's OpenIPT begins: after signing in, from the brand link, from an error
    page. A client's portal; the caseload for whoever may enter clinical pages; an
    administrator's user list (their caseload would refuse them) unless an emergency grant is in
    force. `grants_in_force`, when the caller has already read the grants, saves the query."""
    from django.urls import reverse

    if getattr(user, "role", None) == Role.CLIENT:
        return reverse("portal:home")
    if is_administrator(user):
        in_force = active_grants(user).exists() if grants_in_force is None else grants_in_force
        if not in_force:
            return reverse("accounts:user-list")
    return reverse("courses:caseload")


def sign_in_destination(user: Any, requested: str | None) -> str:
    """Where signing in leads: the page asked for (`next`) when it lies in this user's part of
    OpenIPT, else `landing_url`. The front page (`/`) means "where my OpenIPT begins", whoever
    asks. A client's part is the portal and their own account pages, so a client sent to sign in
    from a staff page (or the front page) lands on the portal, never on a refusal; staff are
    never sent into the client's portal."""
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve

    path = urlsplit(requested or "").path
    try:
        match = resolve(path) if path else None
    except Resolver404:
        match = None
    if match is None or match.view_name == "courses:caseload":
        return landing_url(user)
    in_portal = "portal" in match.namespaces
    own_account = (match.url_name or "").startswith(("account_", "mfa_"))
    is_client = getattr(user, "role", None) == Role.CLIENT
    if in_portal != is_client and not (is_client and own_account):
        return landing_url(user)
    return str(requested)


def reads_by_break_glass(user: Any) -> bool:
    """Whether this user's clinical reads happen under emergency access (audited as such)."""
    return is_administrator(user)


def can_write(user: Any, client: Client) -> bool:
    """Clinicians of the care team write; supervisors and emergency readers do not."""
    return (
        is_staff_member(user)
        and user.role == Role.CLINICIAN
        and team_clients(user).filter(pk=client.pk).exists()
    )


def can_acknowledge_alert(user: Any, client_id: int) -> bool:
    """Clinicians and supervisors of the care team acknowledge a client's risk alerts."""
    return team_clients(user).filter(pk=client_id).exists()


def can_read_private_note(user: Any, author_id: int | None) -> bool:
    """A psychotherapy (private process) note is its author's alone."""
    return has_team_access(user) and author_id is not None and author_id == user.pk


def can_administer(user: Any) -> bool:
    """Organisation settings, users, instruments, crisis lines, the audit pages, emergency access."""
    return is_administrator(user)


def can_supervise(user: Any) -> bool:
    return is_supervisor(user)


# Which clients' records the current request showed; read by the audit middleware.
_read: ContextVar[set[int] | None] = ContextVar("openipt_client_reads", default=None)


def start_read_tracking() -> Any:
    return _read.set(set())


def stop_read_tracking(token: Any) -> set[int]:
    seen = _read.get() or set()
    _read.reset(token)
    return seen


def note_read(client_id: int) -> None:
    """Called by every access gate that returns a record of this client."""
    seen = _read.get()
    if seen is not None:
        seen.add(client_id)


def portal_client(user: Any) -> Client | None:
    """The client whose portal this user is: an active CLIENT-role user linked by a portal account
    to a client of their own organisation. Everything a portal page shows comes through this."""
    if not is_signed_in(user) or user.role != Role.CLIENT or user.organisation_id is None:
        return None
    return Client.objects.filter(portal_account__user=user, organisation_id=user.organisation_id).first()

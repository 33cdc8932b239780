"""User management by an organisation's administrator: every change audited as a permission change.

Each action runs in one transaction, refuses with a ValidationError that says what to do, and
writes one audit row per change (`user.create`, `user.role`, `user.teams`, `user.deactivate`,
`user.reactivate`, `user.mfa_reset`) with the user as the object and no other values.
Administrators reach staff of their own organisation only (see `get_staff_for_admin`).
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Iterable

import phonenumbers
from allauth.mfa.models import Authenticator
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from openipt.audit.actions import record
from openipt.lib import phones

from . import sessions
from .models import STAFF_ROLES, Organisation, Role, Team, User

logger = logging.getLogger(__name__)


def staff_of(admin: User) -> QuerySet[User]:
    """The staff accounts an administrator manages: their organisation's, never portal clients."""
    # `or 0`: never match "no organisation" (admin_view already refuses an admin without one).
    return User.objects.filter(organisation_id=admin.organisation_id or 0, role__in=STAFF_ROLES)


def get_staff_for_admin(admin: User, user_id: int) -> User:
    user = staff_of(admin).filter(pk=user_id).first()
    if user is None:
        raise Http404("No such user")
    return user


def _check_teams(admin: User, teams: Iterable[Team]) -> list[Team]:
    teams = list(teams)
    if any(team.organisation_id != admin.organisation_id for team in teams):
        raise ValidationError({"teams": _("Choose teams of your own organisation.")})
    return teams


def _check_role(role: str) -> None:
    if role not in STAFF_ROLES:
        raise ValidationError({"role": _("Choose clinician, supervisor or administrator.")})


@transaction.atomic
def create_user(
    admin: User,
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    teams: Iterable[Team],
    password: str,
    request: HttpRequest | None = None,
) -> User:
    """A new staff account in the administrator's organisation, with an initial password that
    passes every password validator (they enrol their authenticator app at first sign-in)."""
    _check_role(role)
    team_list = _check_teams(admin, teams)
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        role=role,
        organisation_id=admin.organisation_id,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save()
    user.teams.set(team_list)
    record(admin, "user.create", obj=user, request=request)
    _tell_supervisors_on_commit(admin, user, [t.pk for t in team_list])
    logger.info("user %s created by administrator %s", user.pk, admin.pk)
    return user


@transaction.atomic
def change_access(
    admin: User, user: User, *, role: str, teams: Iterable[Team], request: HttpRequest | None = None
) -> list[str]:
    """Set a user's role and care teams; audits each that changed. Returns the audited actions."""
    _check_role(role)
    team_list = _check_teams(admin, teams)
    if user.pk == admin.pk and role != Role.ADMIN:
        raise ValidationError(
            {"role": _("You cannot take away your own administrator role. Ask another administrator.")}
        )
    done = []
    before_teams = set(user.teams.values_list("pk", flat=True))
    role_changed = role != user.role
    if role != user.role:
        user.role = role
        user.save(update_fields=["role"])
        record(admin, "user.role", obj=user, request=request)
        done.append("user.role")
    if {t.pk for t in team_list} != set(user.teams.values_list("pk", flat=True)):
        user.teams.set(team_list)
        record(admin, "user.teams", obj=user, request=request)
        done.append("user.teams")
    after_teams = {t.pk for t in team_list}
    # Who now reaches a team's clients who did not (or differently) before: tell its supervisors.
    told = after_teams if role_changed else after_teams - before_teams
    _tell_supervisors_on_commit(admin, user, sorted(told))
    return done


def _tell_supervisors_on_commit(admin: User, user: User, team_ids: list[int]) -> None:
    """Administrators create and change accounts; a team's supervisors must know when someone
    gains access to their clients (an administrator cannot quietly give themselves a clinician's
    reach). E-mailed after commit; nothing clinical in it; failures logged, never raised."""
    if not team_ids or user.role not in (Role.CLINICIAN, Role.SUPERVISOR):
        return
    transaction.on_commit(lambda: tell_supervisors(admin.pk, user.pk, team_ids), robust=True)


def tell_supervisors(admin_id: int, user_id: int, team_ids: list[int]) -> int:
    admin = User.objects.get(pk=admin_id)
    user = User.objects.get(pk=user_id)
    sent = 0
    for team in Team.objects.filter(pk__in=team_ids).order_by("pk"):
        supervisors = User.objects.filter(
            teams=team, role=Role.SUPERVISOR, is_active=True, organisation_id=team.organisation_id
        ).exclude(pk=user.pk)
        for supervisor in supervisors.order_by("pk"):
            if not supervisor.email:
                continue
            subject = _("OpenIPT: a staff account now reaches your team's clients")
            body = _(
                "The administrator %(admin)s gave %(user)s (%(role)s) access to the clients of the "
                "care team %(team)s. If you did not expect this, speak to the administrator or your "
                "information governance lead."
            ) % {
                "admin": admin.get_username(),
                "user": user.get_username(),
                "role": user.get_role_display(),
                "team": team.name,
            }
            try:
                send_mail(subject, body, None, [supervisor.email])
            except Exception as exc:
                logger.warning("access change for user %s: e-mail failed (%s)", user.pk, type(exc).__name__)
                continue
            sent += 1
    return sent


@transaction.atomic
def deactivate_user(admin: User, user: User, *, request: HttpRequest | None = None) -> None:
    """The user can no longer sign in; every session of theirs ends (by the User post_save
    receiver in events.py, which also covers any other path that deactivates an account)."""
    if user.pk == admin.pk:
        raise ValidationError(_("You cannot deactivate your own account. Ask another administrator."))
    if not user.is_active:
        return
    user.is_active = False
    user.save(update_fields=["is_active"])
    record(admin, "user.deactivate", obj=user, request=request)
    logger.info("user %s deactivated by administrator %s", user.pk, admin.pk)


@transaction.atomic
def reactivate_user(admin: User, user: User, *, request: HttpRequest | None = None) -> None:
    if user.is_active:
        return
    user.is_active = True
    user.save(update_fields=["is_active"])
    record(admin, "user.reactivate", obj=user, request=request)
    logger.info("user %s reactivated by administrator %s", user.pk, admin.pk)


@transaction.atomic
def reset_mfa(admin: User, user: User, *, request: HttpRequest | None = None) -> None:
    """Remove the user's authenticator app and recovery codes (a lost phone) and end their
    sessions: at their next sign-in they must enrol again."""
    if user.pk == admin.pk:
        raise ValidationError(
            _("You cannot reset your own two-factor authentication here. Ask another administrator.")
        )
    Authenticator.objects.filter(user=user).delete()
    sessions.end_sessions(user)
    record(admin, "user.mfa_reset", obj=user, request=request)
    logger.info("two-factor authentication of user %s reset by administrator %s", user.pk, admin.pk)


def update_organisation_settings(
    admin: User,
    *,
    time_zone: str,
    working_days: Iterable[int],
    country: str | None = None,
    crisis_phone: str | None = None,
    request: HttpRequest | None = None,
) -> Organisation:
    """Set the administrator's organisation's settings, naming every problem at once: its time
    zone (an IANA name), working days, country (how phone numbers are read; None keeps it) and
    its own number for clients in crisis (shown before the national lines; None keeps it).

    Sessions keep their date and clock time; new schedules, moves and cancellations keep to the
    new working days. Audited as `organisation.settings`.
    """
    errors: dict[str, list[str]] = {}
    if time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = [_("Choose a time zone from the list, such as Europe/London.")]
    days = sorted(set(working_days))
    if not days or any(not 0 <= d <= 6 for d in days):
        errors["working_days"] = [_("Choose at least one working day.")]
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=admin.organisation_id or 0)
        country = org.country if country is None else country.strip().upper()
        if country and country not in phonenumbers.SUPPORTED_REGIONS:
            errors["country"] = [_("Write the country as its two-letter code, e.g. GB, IE or US.")]
            country = org.country
        number = org.crisis_phone
        if crisis_phone is not None:
            try:
                number = phones.normalise(crisis_phone, phones.region_of(country, org.default_locale))
            except ValidationError as e:
                errors["crisis_phone"] = e.messages
        if errors:
            raise ValidationError(errors)
        org.time_zone = time_zone
        org.working_days = "".join(str(d) for d in days)
        org.country, org.crisis_phone = country, number
        org.save(update_fields=["time_zone", "working_days", "country", "crisis_phone"])
        record(admin, "organisation.settings", obj=org, request=request)
    return org

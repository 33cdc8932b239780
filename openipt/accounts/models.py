from __future__ import annotations

import uuid
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from openipt.lib import phones


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a known time zone (e.g. Europe/London)."), params={"value": value}
        )


WEEKDAY_NAMES = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)


def validate_working_days(value: str) -> None:
    """Working days are weekday digits, 0 (Monday) to 6 (Sunday), each at most once, at least one."""
    if not value or any(c not in "0123456" for c in value) or len(set(value)) != len(value):
        raise ValidationError(_("Choose at least one working day."))


class Organisation(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    default_locale = models.CharField(_("default locale"), max_length=16, default="en-gb")
    # Sessions are only scheduled on these weekdays (0 = Monday … 6 = Sunday), e.g. "01234" Mon–Fri.
    working_days = models.CharField(
        _("working days"), max_length=7, default="01234", validators=[validate_working_days]
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text=_("Two letters, e.g. GB or US: phone numbers are read as people write them there."),
    )
    crisis_phone = models.CharField(
        _("the clinic's number for clients in crisis"),
        max_length=40,
        blank=True,
        help_text=_("Shown to clients first, before the national crisis lines."),
    )
    alert_escalation_minutes = models.PositiveIntegerField(
        _("escalate unacknowledged risk alerts after (minutes)"),
        default=60,
        help_text=_("An open risk alert not acknowledged within this time is escalated to the supervisors."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def working_weekdays(self) -> frozenset[int]:
        return frozenset(int(c) for c in self.working_days)

    @property
    def phone_region(self) -> str:
        """The country phone numbers are read in: `country`, else the default locale's region."""
        return phones.region_of(self.country, self.default_locale)

    @property
    def crisis_tel(self) -> str:
        return phones.tel(self.crisis_phone)

    @property
    def crisis_phone_display(self) -> str:
        return phones.display(self.crisis_phone)


class Team(models.Model):
    """A care team: the clinicians and supervisor who share a set of clients."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique_in_org")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CLINICIAN = "clinician", _("Clinician")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")
    CLIENT = "client", _("Client (portal)")


# Staff roles sign in with a second factor and are held to the absolute session limit.
STAFF_ROLES = frozenset({Role.CLINICIAN, Role.SUPERVISOR, Role.ADMIN})


class User(AbstractUser):
    """A staff member. Clinical access follows `role` and team membership (see clients.access)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CLINICIAN)
    teams = models.ManyToManyField(Team, related_name="members", blank=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_clinician(self) -> bool:
        return self.role == Role.CLINICIAN

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def is_org_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff_role(self) -> bool:
        """A clinician, supervisor or administrator (not a portal client): MFA is required."""
        return self.role in STAFF_ROLES

    @property
    def has_clinical_access(self) -> bool:
        return (
            self.is_active
            and self.organisation_id is not None
            and self.role
            in {
                Role.CLINICIAN,
                Role.SUPERVISOR,
            }
        )


class UserSession(models.Model):
    """One signed-in session of a user, so that all of a user's sessions can be ended at once.

    Written when the user signs in and removed when the session ends (see `openipt.accounts.sessions`).
    `session_key` names the row in the session store; deleting that row signs the browser out.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created = models.DateTimeField(_("signed in at"))
    last_seen = models.DateTimeField(_("last seen"))
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"session of user {self.user_id} since {self.created:%Y-%m-%d %H:%M}"

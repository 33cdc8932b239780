from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from openipt.accounts.models import Organisation, Team
from openipt.lib import phones

LOCALE_CHOICES = [
    ("en-gb", _("English (United Kingdom)")),
    ("en-ie", _("English (Ireland)")),
    ("en-us", _("English (United States)")),
]


class Client(models.Model):
    """A person receiving IPT (FHIR Patient). Always confined to one organisation and care team."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="clients")
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="clients", verbose_name=_("care team")
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="clients",
        verbose_name=_("lead clinician"),
    )
    clinic_identifier = models.CharField(_("clinic identifier"), max_length=40)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    locale = models.CharField(
        _("language and region"), max_length=16, choices=LOCALE_CHOICES, default="en-gb"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "clinic_identifier"], name="client_identifier_unique_in_org"
            )
        ]
        indexes = [models.Index(fields=["organisation", "family_name"], name="client_org_family")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def phone_display(self) -> str:
        """The number as people read it in its country (stored in E.164)."""
        return phones.display(self.phone)

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

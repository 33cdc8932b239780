from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from openipt.accounts.models import Organisation
from openipt.clients.models import Client
from openipt.lib import phones
from openipt.lib.db import guards
from openipt.measures.models import Response


class Severity(models.TextChoices):
    HIGH = "high", _("High")
    MODERATE = "moderate", _("Moderate")
    LOW = "low", _("Low")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


# What an alert was raised for: fixed from the start, whatever the alert's status.
RAISED_FIELDS = guards.ALERT_RAISED_COLUMNS


class RiskAlertQuerySet(guards.FinalRowsQuerySet[guards.M]):
    final = Q(status=AlertStatus.ACKNOWLEDGED)
    refusal = guards.ACKNOWLEDGED_ALERT

    def update(self, **kwargs: Any) -> int:
        if {getattr(self.model._meta.get_field(name), "attname", name) for name in kwargs} & set(
            RAISED_FIELDS
        ):
            raise guards.ImmutableRecordError(guards.RAISED_ALERT)
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise guards.ImmutableRecordError(guards.RAISED_ALERT)


class RiskAlert(models.Model):
    """A risk answer that needs a clinician's action. Raised in the same transaction as the response.

    The only changes an alert ever sees: while open, it is escalated (`escalated_at`) and then
    acknowledged (status, who, when, the action taken). Once acknowledged it is final, what it was
    raised for never changes, and no alert is deleted; `save()`, `delete()`, the QuerySet and the
    database's triggers all refuse anything else (openipt/lib/db/guards.py).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="alerts")
    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="alerts")
    flag = models.CharField(max_length=64)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    summary = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    raised_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action_taken = models.TextField(_("action taken"), blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    objects = RiskAlertQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "flag"], name="one_alert_per_flag_per_response"),
            models.CheckConstraint(
                condition=Q(status="open") | (Q(acknowledged_at__isnull=False) & ~Q(action_taken="")),
                name="acknowledged_alert_has_action",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "client"], name="alert_status_client"),
            models.Index(fields=["status", "escalated_at", "raised_at"], name="alert_escalation_scan"),
        ]

    def __str__(self) -> str:
        return f"{self.flag} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = RiskAlert.objects.filter(pk=self.pk).values("status", *RAISED_FIELDS).first()
            if stored is not None and stored["status"] == AlertStatus.ACKNOWLEDGED:
                raise guards.ImmutableRecordError(guards.ACKNOWLEDGED_ALERT)
            if stored is not None and any(stored[name] != getattr(self, name) for name in RAISED_FIELDS):
                raise guards.ImmutableRecordError(guards.RAISED_ALERT)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise guards.ImmutableRecordError(guards.RAISED_ALERT)

    @property
    def is_open(self) -> bool:
        return self.status == AlertStatus.OPEN


class CrisisResource(models.Model):
    """A crisis line or service shown with every alert and to clients, configured per locale."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="crisis_resources")
    locale = models.CharField(_("locale"), max_length=16, help_text=_("e.g. en-gb, en-us"))
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    text = models.CharField(_("text number"), max_length=40, blank=True)
    url = models.URLField(_("web address"), blank=True)
    hours = models.CharField(_("hours"), max_length=80, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_emergency = models.BooleanField(
        _("emergency number"), default=False, help_text=_("The local emergency number, shown first.")
    )
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_emergency", "position", "name"]
        indexes = [models.Index(fields=["organisation", "locale"], name="crisis_org_locale")]

    def __str__(self) -> str:
        return f"{self.name} ({self.locale})"

    @property
    def phone_display(self) -> str:
        return phones.display(self.phone)

    @property
    def text_display(self) -> str:
        return phones.display(self.text)


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class AlertEscalation(models.Model):
    """One escalation of an unacknowledged alert to the team's supervisors, and how delivery went."""

    alert = models.ForeignKey(RiskAlert, on_delete=models.PROTECT, related_name="escalations")
    at = models.DateTimeField()
    recipients = models.JSONField(default=list, help_text="User ids notified (never addresses or names).")
    delivery = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    delivered_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Escalation of alert {self.alert_id} ({self.delivery})"


class SafetyPlanQuerySet(guards.FinalRowsQuerySet[guards.M]):
    refusal = guards.SAFETY_PLAN


class SafetyPlan(models.Model):
    """One version of a client's safety plan (the six-step structure plus reasons for living).

    Versions are never changed: saving the plan writes a new version, so earlier ones stay readable.
    Being versions already, they need no HistoricalRecords; like a response they are refused
    changes and deletion on every path, the database included (openipt/lib/db/guards.py).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="safety_plans")
    version = models.PositiveIntegerField()
    warning_signs = models.TextField(_("1. Warning signs"), blank=True)
    internal_coping = models.TextField(
        _("2. Things I can do on my own to take my mind off things"), blank=True
    )
    social_distraction = models.TextField(_("3. People and places that help me feel better"), blank=True)
    people_to_ask = models.TextField(_("4. People I can ask for help"), blank=True)
    professionals = models.TextField(_("5. Professionals and crisis lines I can contact"), blank=True)
    environment_safety = models.TextField(_("6. Making my surroundings safer"), blank=True)
    reasons_for_living = models.TextField(_("Reasons for living"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    shared_with_client = models.BooleanField(_("shared with the client"), default=False)

    objects = SafetyPlanQuerySet.as_manager()

    class Meta:
        ordering = ["client", "-version"]
        constraints = [models.UniqueConstraint(fields=["client", "version"], name="one_safety_plan_version")]

    def __str__(self) -> str:
        return f"Safety plan v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise guards.ImmutableRecordError(guards.SAFETY_PLAN)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise guards.ImmutableRecordError(guards.SAFETY_PLAN)

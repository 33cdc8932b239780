"""Reminders to portal clients: their choice of channel, and the log of every reminder sent.

A client with portal access who has never opened the reminders page gets e-mail reminders (when
the clinic has their e-mail address): `ReminderPreference.default_for` is that choice, unsaved.
The log holds no message text and no address, only what kind of reminder went, for which session,
by which channel, and how its delivery went.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openipt.clients.models import Client


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")


class ReminderKind(models.TextChoices):
    SESSION = "session", _("Session reminder")
    QUESTIONNAIRES = "questionnaires", _("Questionnaire reminder")


class ReminderStatus(models.TextChoices):
    # The values of openipt.safety.models.DeliveryStatus, plus "skipped".
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent: no longer needed")


class ReminderPreference(models.Model):
    """The client's own choice, made on the portal: reminders on or off, by e-mail or text."""

    client = models.OneToOneField(Client, on_delete=models.PROTECT, related_name="reminder_preference")
    enabled = models.BooleanField(_("send reminders"), default=True)
    channel = models.CharField(_("send by"), max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    # The number for text messages, in international form (+447700900123). Kept apart from
    # Client.phone, which the clinic keeps in any form and may not be a mobile.
    phone = models.CharField(_("mobile number for text messages"), max_length=16, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"reminder preference of client {self.client_id}"

    @classmethod
    def default_for(cls, client: Client) -> ReminderPreference:
        """The unsaved preference of a client who has not chosen: on, by e-mail."""
        return cls(client=client, enabled=True, channel=Channel.EMAIL, phone="")

    def address_for(self, client: Client) -> str:
        """Where reminders go now: the e-mail address or mobile number; "" when nowhere."""
        if not self.enabled:
            return ""
        return client.email if self.channel == Channel.EMAIL else self.phone


class ReminderDelivery(models.Model):
    """One reminder to one client about one session, by one channel: made once, sent at most once.

    The unique key makes a second scan, or a second worker scanning at the same moment, find the
    row already there instead of sending again. The session's date is part of the key, so a
    session moved to another day is reminded of again. The session is referred to by id, not by a
    foreign key: a session deleted when a course is shortened must not be held back by its log.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="reminder_deliveries")
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    session_ref = models.PositiveBigIntegerField(help_text="id of the courses.Session reminded of")
    session_date = models.DateField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=8, choices=ReminderStatus.choices, default=ReminderStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The class name of the last error only (SMTP and gateway messages can contain addresses).
    error = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "kind", "session_ref", "session_date"],
                name="one_reminder_per_session_date",
            )
        ]
        indexes = [
            models.Index(fields=["status", "queued_at"], name="reminder_status_queued"),
            models.Index(fields=["session_date", "kind"], name="reminder_session_date"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder {self.pk} ({self.channel}, {self.status}) of client {self.client_id}"

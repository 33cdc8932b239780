"""Portal access: a client's own sign-in, and the one-time invitations and links that open it.

Secrets (invitation links, printed codes, sign-in links) are stored only as SHA-256 hashes: a copy
of the database does not let anyone in.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openipt.clients.models import Client
from openipt.courses.models import Session


class PortalAccount(models.Model):
    """The portal user (role CLIENT) of one client: at most one per client and per user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="portal_account"
    )
    client = models.OneToOneField(Client, on_delete=models.PROTECT, related_name="portal_account")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    def __str__(self) -> str:
        return f"portal account {self.pk} of client {self.client_id}"


class InvitationKind(models.TextChoices):
    EMAIL = "email", _("E-mail link")
    CODE = "code", _("Printed code")


class PortalInvitation(models.Model):
    """One invitation to join (or to set a new password): works once, until it expires or is revoked."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="portal_invitations")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=8, choices=InvitationKind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["client"], condition=Q(used_at__isnull=True, revoked_at__isnull=True), name="open_inv"
            )
        ]

    def __str__(self) -> str:
        return f"portal invitation {self.pk} ({self.kind}) for client {self.client_id}"


class SignInLink(models.Model):
    """A one-time, short-lived sign-in link e-mailed to a portal user."""

    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="sign_in_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sign-in link {self.pk} of portal account {self.account_id}"


class QuestionnaireDraft(models.Model):
    """A questionnaire a client has started in the portal and not yet sent: one per client,
    instrument and session, so it can be finished on any device.

    `answers` maps link id to option index (None for an optional question skipped). `uuid`
    becomes the stored response's uuid: sending twice stores one response. The draft is deleted
    in the transaction that records the response, except when a positive risk answer sent it
    at once while risk questions were still to come (the PHQ-A's supplementary suicide
    questions): then `sent` is that response, the draft goes on with the questions after it
    (asked after crisis help) and, once they are answered, records the response completing it.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="questionnaire_drafts")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="questionnaire_drafts")
    instrument = models.CharField(max_length=32)
    answers = models.JSONField(default=dict)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent = models.ForeignKey(
        "measures.Response", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "session", "instrument"], name="one_draft_per_questionnaire"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} draft of client {self.client_id} for session {self.session_id}"

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BreakGlassGrant(models.Model):
    """An administrator's time-boxed, read-only emergency access to one client's record.

    Opened with a reason (kept here, never in the audit log, which holds no free text); the care
    team's supervisors are told. It ends at `expires_at` or earlier when ended by hand. Rows are
    never deleted; once ended, nothing in them changes.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    opened_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["user", "expires_at"], name="breakglass_user_expiry")]

    def __str__(self) -> str:
        return f"emergency access {self.pk} to client {self.client_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Only one change is ever allowed: ending a grant still in force (ended_at, ended_by)."""
        if not self._state.adding:
            stored = BreakGlassGrant.objects.get(pk=self.pk)
            fixed = ("user_id", "client_id", "reason", "opened_at", "expires_at")
            if stored.ended_at is not None or any(getattr(self, f) != getattr(stored, f) for f in fixed):
                raise ValueError("An emergency access grant cannot be changed, only ended while in force.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("An emergency access grant is never deleted.")

    @property
    def in_force(self) -> bool:
        return self.ended_at is None and self.expires_at > timezone.now()

    @property
    def closes_at(self) -> Any:
        return self.ended_at or self.expires_at

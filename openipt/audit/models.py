from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .chain import GENESIS


class AuditEvent(models.Model):
    """One append-only record of who did what to which record, when and from where.

    It never carries clinical values: only the kind of action and identifiers. Rows form a hash
    chain (see chain.py): `prev_hash` is the previous row's `hash`, and the database refuses any
    UPDATE or DELETE (see triggers.py). Rows are written only by `openipt.audit.actions.record`.
    """

    at = models.DateTimeField(_("when (UTC)"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    client_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, unique=True, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["client_id", "at"], name="audit_client_at")]

    def __str__(self) -> str:
        when = f"{self.at:%Y-%m-%d %H:%M:%S}"
        return f"{when} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("An audit record cannot be changed.")
        if not self.hash:
            raise ValueError("Audit records are written by openipt.audit.actions.record only.")
        super().save(*args, **kwargs)


class AuditHead(models.Model):
    """The single row (id 1) naming the newest audit row and its hash.

    `record()` locks it (SELECT ... FOR UPDATE) before appending, so two writers never chain off
    the same row; a database trigger moves it to each new row in the same transaction.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)

    def __str__(self) -> str:
        return f"audit head: row {self.last_id} {self.hash[:12]}"

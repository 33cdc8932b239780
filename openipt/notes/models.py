from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from openipt.courses.models import Session
from openipt.lib.db import guards


class NoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")


class SignedRecordError(guards.ImmutableRecordError):
    """Raised when something tries to change or delete a signed note or an addendum."""


class NoteQuerySet(guards.FinalRowsQuerySet[guards.M]):
    final = Q(status=NoteStatus.SIGNED)
    refusal = guards.SIGNED_NOTE
    error = SignedRecordError


class AddendumQuerySet(guards.FinalRowsQuerySet[guards.M]):
    refusal = guards.ADDENDUM
    error = SignedRecordError


class Note(models.Model):
    """The session's progress note. Editable as a draft; once signed it never changes.

    Signing is final on every path: `save()`, `delete()`, QuerySet `update()`/`delete()` and the
    database's triggers all refuse a signed row (openipt/lib/db/guards.py); corrections are addenda.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="note")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("note"), blank=True)
    status = models.CharField(max_length=16, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NoteQuerySet.as_manager()
    history = HistoricalRecords()  # the draft's versions; a signed note has no later ones

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_at__isnull=False, signed_by__isnull=False),
                name="signed_note_has_signer",
            )
        ]

    def __str__(self) -> str:
        return f"Note for {self.session}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and self._stored_signed():
            raise SignedRecordError(guards.SIGNED_NOTE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.pk is not None and self._stored_signed():
            raise SignedRecordError(guards.SIGNED_NOTE)
        return super().delete(*args, **kwargs)

    def _stored_signed(self) -> bool:
        """Whether the row as stored is signed: the in-memory status may be the change being refused."""
        return Note.objects.filter(pk=self.pk, status=NoteStatus.SIGNED).exists()

    @property
    def is_signed(self) -> bool:
        return self.status == NoteStatus.SIGNED


class Addendum(models.Model):
    """A dated correction or addition beneath a signed note. Addenda are never changed either."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("addendum"))
    created_at = models.DateTimeField()

    objects = AddendumQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Addendum to {self.note_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise SignedRecordError(guards.ADDENDUM)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise SignedRecordError(guards.ADDENDUM)


class PsychotherapyNote(models.Model):
    """The therapist's private process notes for a session (HIPAA "psychotherapy notes").

    Kept apart from the progress note: visible only to their author — not to the care team, a
    supervisor or an administrator — and never included in exports, the client portal or reports.
    Deliberately without version history (HistoricalRecords): history rows are read by the care
    team's history page, and earlier versions of private notes must stay as private as the notes.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("private process notes"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "author"], name="one_private_note_per_author_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"Private note {self.pk}"

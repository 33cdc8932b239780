"""The client's mood and interpersonal-event diary, kept in the portal between sessions.

Two kinds of entry: a quick mood rating (0–10) with the people and events of the day, and a guided
communication analysis of one conversation. An entry belongs to the client and records the course
that was active when it was written. The client may change or delete it on the day it was written;
after that it is part of the record. Every version is kept (django-simple-history), including
which people it named.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from openipt.clients.models import Client
from openipt.courses.models import Course
from openipt.inventory.models import Person

MOOD_MIN, MOOD_MAX = 0, 10


class EntryKind(models.TextChoices):
    MOOD = "mood", _("Mood and the day")
    COMMUNICATION = "communication", _("A conversation, step by step")


class DiaryEntry(models.Model):
    """One diary entry, written by the client in the portal."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="diary_entries")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="diary_entries")
    entry_date = models.DateField(_("date"))  # the organisation's local date when written
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    mood = models.PositiveSmallIntegerField(_("mood (0–10)"), null=True, blank=True)
    people = models.ManyToManyField(
        Person, blank=True, related_name="diary_entries", verbose_name=_("people")
    )
    someone_else = models.CharField(_("someone else"), max_length=200, blank=True)
    events = models.TextField(_("what happened today"), blank=True)
    # the guided communication analysis (kind "communication")
    what_happened = models.TextField(_("what happened"), blank=True)
    what_i_said = models.TextField(_("what I said"), blank=True)
    what_they_said = models.TextField(_("what they said"), blank=True)
    what_i_felt = models.TextField(_("what I felt"), blank=True)
    what_i_wanted = models.TextField(_("what I wanted"), blank=True)
    what_else = models.TextField(_("what else I could have said"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)  # +1 per change: a form made from another is stale

    history = HistoricalRecords(m2m_fields=["people"])

    class Meta:
        ordering = ["-entry_date", "-created_at", "-id"]
        indexes = [models.Index(fields=["client", "entry_date"], name="diary_client_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(mood__isnull=True) | Q(mood__gte=MOOD_MIN, mood__lte=MOOD_MAX),
                name="diary_mood_0_to_10",
            ),
            models.CheckConstraint(
                condition=~Q(kind="mood") | Q(mood__isnull=False), name="diary_mood_entry_has_mood"
            ),
        ]
        verbose_name_plural = "diary entries"

    def __str__(self) -> str:
        return f"Diary entry {self.pk} ({self.kind}, {self.entry_date})"

    @property
    def is_communication(self) -> bool:
        return self.kind == EntryKind.COMMUNICATION

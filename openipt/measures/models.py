from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from openipt.clients.models import Client
from openipt.courses.models import Course, Session
from openipt.lib.db import guards


class Source(models.TextChoices):
    """Who answered (FHIR QuestionnaireResponse.source)."""

    CLIENT = "client", _("Client")
    CLINICIAN = "clinician", _("Clinician")
    PARENT = "parent", _("Parent or carer")


class Channel(models.TextChoices):
    """How the answers reached OpenIPT."""

    IN_SESSION = "in_session", _("Entered in session")
    PAPER = "paper", _("Transcribed from paper")
    PORTAL = "portal", _("Client portal")
    API = "api", _("API")
    IMPORT = "import", _("Import")


class ResponseQuerySet(guards.FinalRowsQuerySet[guards.M]):
    refusal = guards.RESPONSE


class ScoreQuerySet(guards.FinalRowsQuerySet[guards.M]):
    refusal = guards.SCORE


class Response(models.Model):
    """A completed questionnaire (FHIR QuestionnaireResponse). Never changed or deleted once stored:
    `save()`, `delete()`, QuerySet `update()`/`delete()` and database triggers all refuse
    (openipt/lib/db/guards.py). A mistaken response is followed by a new one.

    Keeps apart who it is about (`client`), who answered (`source`) and who entered it
    (`entered_by`).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True)
    instrument = models.CharField(max_length=32)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="responses")
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="responses", null=True, blank=True
    )
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="responses", null=True, blank=True
    )
    source = models.CharField(_("answered by"), max_length=20, choices=Source.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    answers = models.JSONField()
    completed_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A questionnaire sent at once after a positive risk answer, whose remaining questions were
    # asked after crisis help (the PHQ-A's supplementary suicide questions after item 9), is
    # completed by a later response that points back to it; that one's alerts are not raised twice.
    completes = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="completed_by", null=True, blank=True
    )

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["completed_at", "id"]
        indexes = [
            models.Index(fields=["client", "instrument", "completed_at"], name="response_client_instr")
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.completed_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise guards.ImmutableRecordError(guards.RESPONSE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise guards.ImmutableRecordError(guards.RESPONSE)

    @property
    def instrument_name(self) -> str:
        from .instruments import INSTRUMENTS

        instrument = INSTRUMENTS.get(self.instrument)
        return instrument.short_name if instrument else self.instrument


class Score(models.Model):
    """The score derived from one response (FHIR Observation, derivedFrom the response). As
    immutable as its response, on every path."""

    response = models.OneToOneField(Response, on_delete=models.PROTECT, related_name="score")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="scores")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="scores", null=True, blank=True)
    instrument = models.CharField(max_length=32)
    total = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=32)
    risk = models.JSONField(default=list)
    completed_at = models.DateTimeField()

    objects = ScoreQuerySet.as_manager()

    class Meta:
        ordering = ["completed_at", "id"]
        indexes = [
            models.Index(fields=["client", "instrument", "completed_at"], name="score_client_instr"),
            models.Index(fields=["course", "instrument", "completed_at"], name="score_course_instr"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument}={self.total}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise guards.ImmutableRecordError(guards.SCORE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise guards.ImmutableRecordError(guards.SCORE)

    @property
    def band_label(self) -> str:
        """The band as printed ("Moderately severe"), untranslated: templates translate it."""
        from .instruments import INSTRUMENTS

        instrument = INSTRUMENTS.get(self.instrument)
        bands = {band.key: band.label for band in instrument.bands} if instrument else {}
        return bands.get(self.band, self.band)


class InstrumentPermission(models.Model):
    """A clinic's confirmation that it holds permission to use a licence-restricted instrument.

    Until one exists (and is enabled) for the organisation, the instrument cannot be administered.
    The item texts come from a local file the clinic supplies; OpenIPT never ships them.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="instrument_permissions"
    )
    instrument = models.CharField(max_length=32)
    enabled = models.BooleanField(default=True)
    item_texts = models.JSONField(default=list)
    source_file_name = models.CharField(max_length=200, blank=True)
    permission_note = models.CharField(
        _("permission held"), max_length=300, help_text=_("Who granted permission, and the reference.")
    )
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "instrument"], name="one_permission_per_instrument"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} ({'enabled' if self.enabled else 'disabled'})"


class ExpectedCurveSet(models.Model):
    """Expected-recovery curves for "not on track" flags, fitted on a clinic's completed courses."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    instrument = models.CharField(max_length=32)
    curves = models.JSONField()
    n_courses = models.PositiveIntegerField()
    z = models.FloatField()
    fitted_at = models.DateTimeField()
    fitted_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-fitted_at", "-id"]
        indexes = [models.Index(fields=["organisation", "instrument", "fitted_at"], name="curves_org_instr")]

    def __str__(self) -> str:
        return f"{self.instrument} curves ({self.fitted_at:%Y-%m-%d}, n={self.n_courses})"

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from openipt.clients.models import Client
from openipt.protocols import Phase, Protocol, get_protocol


class CourseStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    ENDED_EARLY = "ended_early", _("Ended early")


class Course(models.Model):
    """One client's episode of IPT on one protocol (FHIR EpisodeOfCare + CarePlan)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="courses")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="courses")
    protocol_key = models.CharField(_("protocol"), max_length=64)
    protocol_version = models.CharField(max_length=32)
    start_date = models.DateField(_("start date"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), null=True, blank=True)
    planned_sessions = models.PositiveSmallIntegerField(_("number of sessions"))
    current_phase = models.CharField(_("phase"), max_length=32)
    status = models.CharField(max_length=20, choices=CourseStatus.choices, default=CourseStatus.ACTIVE)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(status="active"), name="one_active_course_per_client"
            )
        ]
        indexes = [models.Index(fields=["status", "client"], name="course_status_client")]

    def __str__(self) -> str:
        return f"{self.protocol.name} ({self.start_date:%d %b %Y})"

    @property
    def protocol(self) -> Protocol:
        return get_protocol(self.protocol_key)

    @property
    def phase(self) -> Phase:
        return next(p for p in self.protocol.phases if p.key == self.current_phase)

    @property
    def is_active(self) -> bool:
        return self.status == CourseStatus.ACTIVE


class Attendance(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    ATTENDED = "attended", _("Attended")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("Did not attend")


class Modality(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video")
    PHONE = "phone", _("Phone")


class Session(models.Model):
    """One appointment of one client's course (FHIR Encounter).

    Attendance and measures belong to the person at the session: in a group programme each member's
    course has its own Session row, linked later to the shared group meeting.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("session number"))
    scheduled_date = models.DateField(_("date"))
    attendance = models.CharField(
        _("attendance"), max_length=20, choices=Attendance.choices, default=Attendance.SCHEDULED
    )
    modality = models.CharField(
        _("modality"), max_length=20, choices=Modality.choices, default=Modality.IN_PERSON
    )
    phase_key = models.CharField(max_length=32)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_date", "number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "number"],
                condition=~Q(attendance="cancelled"),
                name="one_live_session_per_number",
            )
        ]
        indexes = [models.Index(fields=["course", "scheduled_date"], name="session_course_date")]

    def __str__(self) -> str:
        return f"Session {self.number} ({self.scheduled_date:%d %b %Y})"

    @property
    def is_cancelled(self) -> bool:
        return self.attendance == Attendance.CANCELLED


class TaskRecord(models.Model):
    """Whether one agenda task was covered at one session, with the clinician's note."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="task_records")
    task_key = models.CharField(max_length=64)
    done = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "task_key"], name="one_record_per_task")]

    def __str__(self) -> str:
        return f"{self.task_key}: {'done' if self.done else 'open'}"

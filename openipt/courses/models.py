from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, time, timedelta, tzinfo
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import dateformat
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

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
    onset_date = models.DateField(_("onset of the current episode"), null=True, blank=True)
    previous_course = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="following_courses"
    )
    # The session chosen for each task the protocol holds once (`Task.once`, e.g. IPT-A's
    # middle-phase session with a parent): task key -> this course's session number.
    chosen_sessions = models.JSONField(_("sessions chosen for tasks held once"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(status="active"), name="one_active_course_per_client"
            )
        ]
        indexes = [models.Index(fields=["status", "client"], name="course_status_client")]

    def __str__(self) -> str:
        return f"{_(self.protocol.name)} ({dateformat.format(self.start_date, 'D j M Y')})"

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


DEFAULT_START_TIME = time(9, 0)

_S = TypeVar("_S", bound=models.Model)  # generic, so that annotate() keeps its typed attributes


class SessionQuerySet(models.QuerySet[_S]):
    """Keeps a version of sessions written in bulk too.

    Version history comes from save and delete signals, which `bulk_create`, `bulk_update` and
    `update()` do not send; courses create, reschedule and cancel their sessions in bulk, so here
    those write their versions as well (`bulk_update` goes through `update()`).
    """

    def bulk_create(self, objs: Iterable[_S], *args: Any, **kwargs: Any) -> list[_S]:
        with transaction.atomic(savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            history = self.model.history  # type: ignore[attr-defined]
            history.bulk_history_create([s for s in created if s.pk is not None])
        return created

    def update(self, **kwargs: Any) -> int:
        with transaction.atomic(savepoint=False):
            pks = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            history = self.model.history  # type: ignore[attr-defined]
            history.bulk_history_create(list(self.model._default_manager.filter(pk__in=pks)), update=True)
        return count


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
    # The time of day on the clock of the organisation's time zone, with the date above.
    start_time = models.TimeField(_("time"), default=DEFAULT_START_TIME)
    duration_minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=50)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    phase_key = models.CharField(max_length=32)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()
    history = HistoricalRecords()

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
        return _("Session %(n)d (%(date)s)") % {
            "n": self.number,
            "date": dateformat.format(self.scheduled_date, "D j M Y"),
        }

    @property
    def is_cancelled(self) -> bool:
        return self.attendance == Attendance.CANCELLED

    @property
    def is_video(self) -> bool:
        return self.modality == Modality.VIDEO

    @property
    def ends_at(self) -> time:
        """The time of day the session ends (a session past midnight is not scheduled)."""
        return (
            datetime.combine(self.scheduled_date, self.start_time) + timedelta(minutes=self.duration_minutes)
        ).time()

    def starts_at(self, zone: tzinfo) -> datetime:
        """The start as an aware datetime in `zone` (the organisation's time zone)."""
        return datetime.combine(self.scheduled_date, self.start_time, tzinfo=zone)


class TaskRecord(models.Model):
    """Whether one agenda task was covered at one session, with the clinician's note."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="task_records")
    task_key = models.CharField(max_length=64)
    done = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "task_key"], name="one_record_per_task")]

    def __str__(self) -> str:
        return f"{self.task_key}: {'done' if self.done else 'open'}"


class DisputeStage(models.TextChoices):
    RENEGOTIATION = "renegotiation", _("Renegotiation")
    IMPASSE = "impasse", _("Impasse")
    DISSOLUTION = "dissolution", _("Dissolution")


class Formulation(models.Model):
    """The interpersonal formulation: the chosen problem area(s), why, and the agreed text."""

    course = models.OneToOneField(Course, on_delete=models.PROTECT, related_name="formulation")
    problem_areas = models.JSONField(_("problem areas"), default=list)
    rationale = models.TextField(_("why this area"), blank=True)
    text = models.TextField(_("formulation"), blank=True)
    dispute_stage = models.CharField(
        _("dispute stage"), max_length=20, choices=DisputeStage.choices, blank=True
    )
    client_agreed = models.BooleanField(_("the client agrees"), default=False)
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Formulation of course {self.course_id}"


class Contract(models.Model):
    """The treatment contract: number of sessions, focus, goals, what happens when sessions are missed."""

    course = models.OneToOneField(Course, on_delete=models.PROTECT, related_name="contract")
    sessions = models.PositiveSmallIntegerField(_("number of sessions"))
    focus = models.TextField(_("focus"), blank=True)
    goals = models.TextField(_("goals"), blank=True)
    missed_sessions = models.TextField(_("if sessions are missed"), blank=True)
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    # shown in the client's portal while set; sharing is not a change to the terms (no new version)
    shared_with_client = models.BooleanField(_("shared with the client"), default=False)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Contract of course {self.course_id}"


class SessionWork(models.Model):
    """What a session worked on: the interval since last time, the techniques, the dispute stage."""

    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="work")
    interval_mood = models.PositiveSmallIntegerField(_("mood since last time (0–10)"), null=True, blank=True)
    interval_events = models.TextField(_("interpersonal events since last time"), blank=True)
    techniques = models.JSONField(_("techniques used"), default=list)
    dispute_stage = models.CharField(
        _("dispute stage"), max_length=20, choices=DisputeStage.choices, blank=True
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Work of session {self.session_id}"


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    ACHIEVED = "achieved", _("Achieved")


class GoalReview(models.Model):
    """How one of the problem area's goals stood at one session."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="goal_reviews")
    area = models.CharField(max_length=32)
    goal_index = models.PositiveSmallIntegerField()
    goal = models.CharField(max_length=300)
    status = models.CharField(max_length=16, choices=GoalStatus.choices)
    note = models.TextField(blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "area", "goal_index"], name="one_review_per_goal_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area}#{self.goal_index}: {self.status}"


class CommunicationAnalysis(models.Model):
    """A worksheet reconstructing one recent conversation.

    The communication analysis of Weissman, Markowitz & Klerman (2018).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="communication_analyses")
    person = models.ForeignKey(
        "inventory.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("with"),
    )
    situation = models.TextField(_("what happened"))
    what_said = models.TextField(_("what was said"), blank=True)
    what_meant = models.TextField(_("what was meant"), blank=True)
    what_felt = models.TextField(_("what was felt"), blank=True)
    what_else = models.TextField(_("what else could be said"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Communication analysis {self.pk}"


class HomeworkOutcome(models.TextChoices):
    DONE = "done", _("Done")
    PARTLY = "partly", _("Partly done")
    NOT_DONE = "not_done", _("Not done")


class Homework(models.Model):
    """A between-session task: set in one session, reviewed in a later one."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="homework")
    set_in = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="homework_set")
    task = models.TextField(_("task"))
    reviewed_in = models.ForeignKey(
        Session, on_delete=models.PROTECT, null=True, blank=True, related_name="homework_reviewed"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=HomeworkOutcome.choices, blank=True)
    outcome_note = models.TextField(_("how it went"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # the client's own answer, from the portal
    client_status = models.CharField(
        _("how it went for you"), max_length=16, choices=HomeworkOutcome.choices, blank=True
    )
    client_reflection = models.TextField(_("your thoughts"), blank=True)
    client_updated_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Homework {self.pk}"


class Recommendation(models.TextChoices):
    NONE = "none", _("No further treatment needed now")
    MAINTENANCE = "maintenance", _("Maintenance IPT (monthly)")
    OTHER_TREATMENT = "other_treatment", _("Another treatment (e.g. medication, CBT)")
    REFERRAL = "referral", _("Referral to another service")


class TerminationPlan(models.Model):
    """The ending: progress review, feelings about ending, relapse-prevention plan, recommendation."""

    course = models.OneToOneField(Course, on_delete=models.PROTECT, related_name="termination")
    progress_review = models.TextField(_("progress review"), blank=True)
    goals_achieved = models.TextField(_("goals achieved"), blank=True)
    feelings_about_ending = models.TextField(_("feelings about ending"), blank=True)
    warning_signs = models.TextField(_("my personal warning signs"), blank=True)
    what_helps = models.TextField(_("what helps"), blank=True)
    who_to_contact = models.TextField(_("who to contact"), blank=True)
    when_to_come_back = models.TextField(_("when to come back"), blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=20, choices=Recommendation.choices, blank=True
    )
    recommendation_note = models.TextField(_("about the recommendation"), blank=True)
    shared_with_client = models.BooleanField(_("shared with the client"), default=False)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Termination plan of course {self.course_id}"

    @property
    def has_relapse_plan(self) -> bool:
        return bool(self.warning_signs.strip() and (self.what_helps.strip() or self.who_to_contact.strip()))

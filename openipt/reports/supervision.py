"""The supervisor's team caseload: what needs a supervisor's attention, in a fixed number of queries.

Open and escalated risk alerts; clients not on track; overdue measures; courses near their end
without a relapse-prevention plan. Open alerts of team clients with no active course (a course that
has ended, an extra measure before a course starts) are listed too: they have no row of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, F, Q

from openipt.clients.access import visible_clients
from openipt.courses.models import Attendance, Course, CourseStatus, TaskRecord, TerminationPlan
from openipt.measures.due import SessionMeasure, measures_for_courses
from openipt.measures.tracking import TrackStatus, track_courses
from openipt.safety.models import AlertStatus, RiskAlert

TERMINATION_PLAN_TASK = "relapse_prevention"
NEAR_END_SESSIONS = 3
TEAM_ROW_FIELDS = (
    "protocol_key",
    "protocol_version",
    "planned_sessions",
    "current_phase",
    "status",
    "client__organisation_id",
    "client__given_name",
    "client__family_name",
    "clinician__username",
    "clinician__first_name",
    "clinician__last_name",
)


@dataclass
class TeamRow:
    course: Course
    remaining: int
    alerts: list[RiskAlert] = field(default_factory=list)
    overdue: list[SessionMeasure] = field(default_factory=list)
    track: TrackStatus | None = None
    needs_plan: bool = False

    @property
    def not_on_track(self) -> bool:
        return self.track is not None and self.track.status == "not_on_track"

    @property
    def escalated(self) -> bool:
        return any(a.escalated_at for a in self.alerts)

    @property
    def attention(self) -> bool:
        return bool(self.alerts or self.overdue or self.not_on_track or self.needs_plan)


def team_rows(user: Any, today: date) -> list[TeamRow]:
    courses = list(
        Course.objects.filter(status=CourseStatus.ACTIVE, client__in=visible_clients(user))
        .select_related("client", "clinician")
        # What the rows show and sort by: a team's hundreds of full rows cost more to build
        # than to read.
        .only(*TEAM_ROW_FIELDS)
        .annotate(remaining=Count("sessions", filter=Q(sessions__attendance=Attendance.SCHEDULED)))
    )
    rows = {c.pk: TeamRow(course=c, remaining=c.remaining) for c in courses}
    if not rows:
        return []
    by_client = {r.course.client_id: r for r in rows.values()}
    for alert in RiskAlert.objects.filter(status=AlertStatus.OPEN, client_id__in=by_client).select_related(
        "response"
    ):
        by_client[alert.client_id].alerts.append(alert)
    for course_id, status in measures_for_courses(courses, today, overdue_only=True).items():
        rows[course_id].overdue = status.overdue
    for course_id, track in track_courses(courses).items():
        rows[course_id].track = track
    planned = set(
        TaskRecord.objects.filter(
            session__course_id__in=rows, task_key=TERMINATION_PLAN_TASK, done=True
        ).values_list("session__course_id", flat=True)
    )
    # A relapse-prevention plan written on the course's ending page counts as much as the ticked task.
    planned.update(
        plan.course_id
        for plan in TerminationPlan.objects.filter(course_id__in=rows).only(
            "course_id", "warning_signs", "what_helps", "who_to_contact"
        )
        if plan.has_relapse_plan
    )
    for row in rows.values():
        has_plan_task = any(
            t.key == TERMINATION_PLAN_TASK for p in row.course.protocol.phases for t in p.tasks
        )
        row.needs_plan = has_plan_task and row.remaining <= NEAR_END_SESSIONS and row.course.pk not in planned
    return sorted(
        rows.values(),
        key=lambda r: (
            not r.alerts,
            not r.escalated,
            not r.not_on_track,
            not r.overdue,
            not r.needs_plan,
            r.course.client.family_name,
        ),
    )


def alerts_without_course(user: Any, rows: list[TeamRow]) -> list[RiskAlert]:
    """Open alerts of the user's team clients that have no active course, escalated first (1 query)."""
    return list(
        RiskAlert.objects.filter(status=AlertStatus.OPEN, client__in=visible_clients(user))
        .exclude(client_id__in=[r.course.client_id for r in rows])
        .select_related("client", "response")
        .order_by(F("escalated_at").asc(nulls_last=True), "raised_at", "id")
    )

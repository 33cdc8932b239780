"""Read-only assembly of what the caseload, client and session pages show.

Each function issues a fixed number of queries, whatever the number of clients or sessions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Min, Q
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from openipt.clients.access import visible_clients
from openipt.clients.models import Client
from openipt.lib import charts
from openipt.measures.instruments import Instrument, get_instrument
from openipt.measures.models import Score
from openipt.measures.tracking import track_courses
from openipt.measures.trajectories import OnTrack
from openipt.safety.models import AlertStatus, RiskAlert

from .models import Attendance, Course, CourseStatus


@dataclass
class Banner:
    client: Client
    course: Course | None
    open_alerts: list[RiskAlert]
    sessions_held: int = 0


def banner_for(client: Client) -> Banner:
    """The identity banner shown on every page about one client (2 queries)."""
    course = (
        # Through the client's own manager, so that course.client is this client, not a query.
        client.courses.filter(status=CourseStatus.ACTIVE)
        .annotate(held=Count("sessions", filter=Q(sessions__attendance=Attendance.ATTENDED)))
        .first()
    )
    alerts = list(
        RiskAlert.objects.filter(client=client, status=AlertStatus.OPEN)
        .select_related("response")  # the alert box names each alert's instrument
        .order_by("-raised_at")
    )
    return Banner(client=client, course=course, open_alerts=alerts, sessions_held=getattr(course, "held", 0))


@dataclass
class CaseloadRow:
    course: Course
    client: Client
    held: int
    next_date: date | None
    alerts: list[RiskAlert] = field(default_factory=list)
    # Totals of the course's depression measure (its protocol's: PHQ-9, or PHQ-A for IPT-A).
    scores: list[int] = field(default_factory=list)
    track: OnTrack | None = None

    @property
    def measure(self) -> Instrument:
        return get_instrument(self.course.protocol.depression_measure)

    @property
    def not_on_track(self) -> bool:
        return self.track is not None and self.track.status == "not_on_track"

    @property
    def latest(self) -> int | None:
        return self.scores[-1] if self.scores else None

    @property
    def baseline(self) -> int | None:
        return self.scores[0] if self.scores else None

    @property
    def change(self) -> int | None:
        if len(self.scores) < 2:
            return None
        return self.scores[-1] - self.scores[0]

    @property
    def band(self) -> str:
        return self.measure.band_for(self.latest).key if self.latest is not None else ""

    @property
    def band_label(self) -> str:
        return self.measure.band_for(self.latest).label if self.latest is not None else ""

    @property
    def sparkline(self) -> str:
        label = _("%(measure)s trend: %(values)s") % {
            "measure": _(self.measure.short_name),
            "values": ", ".join(str(v) for v in self.scores) or _("none"),
        }
        return charts.sparkline(self.scores, self.measure.max_total, label=label)


def caseload_rows(user: Any, *, whole_team: bool) -> list[CaseloadRow]:
    """Active courses for the caseload, the user's own or the whole team's, open risk alerts
    first, then not on track, then the next session soonest (3 queries, and 1 in `add_scores`).

    The depression scores a row shows come from `add_scores`, called for the rows a page shows: the
    order does not depend on it, and a team of hundreds is shown a page at a time."""
    courses = Course.objects.filter(status=CourseStatus.ACTIVE, client__in=visible_clients(user))
    if not whole_team:
        courses = courses.filter(clinician=user)
    # Only what a row shows and sorts by (a whole team's full rows cost more to build than to read).
    courses = courses.select_related("client", "clinician").only(
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
    courses = courses.annotate(
        held=Count("sessions", filter=Q(sessions__attendance=Attendance.ATTENDED)),
        next_date=Min("sessions__scheduled_date", filter=Q(sessions__attendance=Attendance.SCHEDULED)),
    )
    rows = {c.pk: CaseloadRow(course=c, client=c.client, held=c.held, next_date=c.next_date) for c in courses}
    if not rows:
        return []
    by_client = {row.client.pk: row for row in rows.values()}
    for alert in RiskAlert.objects.filter(status=AlertStatus.OPEN, client_id__in=by_client):
        by_client[alert.client_id].alerts.append(alert)
    for course_id, track in track_courses([row.course for row in rows.values()]).items():
        rows[course_id].track = track
    return sorted(
        rows.values(),
        key=lambda r: (
            not r.alerts,
            not r.not_on_track,
            r.next_date or date.max,
            r.client.family_name,
            r.client.given_name,
        ),
    )


def add_scores(rows: Sequence[CaseloadRow]) -> None:
    """Fill in each row's totals of its course's depression measure, oldest first (1 query)."""
    by_course = {row.course.pk: row for row in rows}
    measures = {pk: row.course.protocol.depression_measure for pk, row in by_course.items()}
    scores = Score.objects.filter(course_id__in=by_course, instrument__in=set(measures.values()))
    for course_id, instrument, total in scores.order_by("completed_at", "id").values_list(
        "course_id", "instrument", "total"
    ):
        if instrument == measures[course_id]:
            by_course[course_id].scores.append(total)


def score_chart(client: Client, instrument_key: str, course: Course | None = None) -> tuple[str, list[Score]]:
    """An SVG trend chart of one instrument for a client (or one course), severity bands shaded."""
    instrument = get_instrument(instrument_key)
    # Only what the chart and its caption show: a response's answers (JSON) are not read here.
    # A response completed by a later one (the portal's questions after crisis help) counts once.
    scores = (
        Score.objects.filter(client=client, instrument=instrument_key, response__completed_by__isnull=True)
        .select_related("response__session")
        .only("total", "band", "instrument", "completed_at", "response__session__number")
    )
    if course is not None:
        scores = scores.filter(course=course)
    items = list(scores.order_by("completed_at", "id"))
    points: list[charts.Point] = []
    for s in items:
        session = s.response.session
        label = (
            (_("S%(n)s") % {"n": session.number})
            if session
            else dateformat.format(timezone.localtime(s.completed_at), "j M")
        )
        long_label = (
            (_("session %(n)s") % {"n": session.number})
            if session
            else dateformat.format(timezone.localtime(s.completed_at), "D j M Y")
        )
        points.append(
            charts.Point(x_label=label, value=s.total, position=float(len(points) + 1), long_label=long_label)
        )
    bands = [
        charts.BandShade(low=b.low, high=b.high, label=str(b.label), tone="band-" + b.key.replace("_", "-"))
        for b in instrument.bands
    ]
    svg = charts.trend_chart(
        [charts.Series(name=instrument.short_name, points=points)],
        max_value=instrument.max_total,
        bands=bands,
        title=_("%(name)s over time") % {"name": instrument.short_name},
        chart_id=f"chart-{instrument_key}",
        gettext=_,
    )
    return svg, items

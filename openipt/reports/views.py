from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from openipt.access import rules
from openipt.access.breakglass import recent_for_teams
from openipt.lib.decorators import clinical_view
from openipt.lib.http import AuthedRequest

from .supervision import TeamRow, alerts_without_course, team_rows

# Each count on the page links to the rows it counts (`?only=<tile>`).
TILES: dict[str, Callable[[TeamRow], bool]] = {
    "": lambda row: True,
    "alerts": lambda row: bool(row.alerts),
    "not_on_track": lambda row: row.not_on_track,
    "overdue": lambda row: bool(row.overdue),
    "needs_plan": lambda row: row.needs_plan,
}


@clinical_view
def supervision(request: AuthedRequest) -> HttpResponse:
    """The supervisor's team caseload: alerts, not on track, overdue measures, endings without a plan."""
    if not rules.can_supervise(request.user):
        raise PermissionDenied
    rows = team_rows(request.user, timezone.localdate())
    other_alerts = alerts_without_course(request.user, rows)
    only = request.GET.get("only", "")
    shown = TILES.get(only, TILES[""])
    attention = [r for r in rows if r.attention and shown(r)]
    emergency = recent_for_teams(request.user)
    # Audited as one row per client the page names (in any of its tables); the others are only counted.
    named = (
        {row.course.client_id for row in attention}
        | {alert.client_id for alert in other_alerts}
        | {grant.client_id for grant in emergency}
    )
    for client_id in named:
        rules.note_read(client_id)
    context = {
        "rows": rows,
        "attention": attention,
        "only": only if only in TILES else "",
        "other_alerts": other_alerts,
        "emergency": emergency,
        "counts": {
            "alerts": sum(len(r.alerts) for r in rows) + len(other_alerts),
            "escalated": sum(1 for r in rows if r.escalated) + sum(1 for a in other_alerts if a.escalated_at),
            "not_on_track": sum(1 for r in rows if r.not_on_track),
            "overdue": sum(1 for r in rows if r.overdue),
            "needs_plan": sum(1 for r in rows if r.needs_plan),
        },
    }
    return render(request, "reports/supervision.html", context)

"""My progress: the client's charts, sessions, calendar file and the plans shared with them.

Read-only pages of the signed-in client's own record (`portal_view`); no URL names a record."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from openipt.clients.models import Client

from . import progress
from .views import portal_view


@require_GET
@portal_view
def progress_page(request: HttpRequest, client: Client) -> HttpResponse:
    context = {
        "measures": progress.measures_for(client),
        "schedule": progress.schedule_for(client, timezone.localdate()),
        "plans": progress.shared_plans(client),
    }
    return render(request, "portal/progress.html", context)


@require_GET
@portal_view
def schedule(request: HttpRequest, client: Client) -> HttpResponse:
    context = {"schedule": progress.schedule_for(client, timezone.localdate())}
    return render(request, "portal/progress_schedule.html", context)


@require_GET
@portal_view
def schedule_ics(request: HttpRequest, client: Client) -> HttpResponse:
    """The active course's sessions as an iCalendar file, to add to a phone's calendar."""
    events = progress.calendar_events(client, request.get_host().partition(":")[0])
    if not events:
        messages.info(request, _("There are no sessions booked at the moment, so there is nothing to add."))
        return redirect("portal:schedule")
    body = progress.ics_calendar(events, now=timezone.now(), name=_("Appointments"))
    response = HttpResponse(body.encode(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="appointments.ics"'
    return response


@require_GET
@portal_view
def plan_contract(request: HttpRequest, client: Client) -> HttpResponse:
    contract = progress.shared_contract(client)
    context = {"contract": contract, "cadence": progress.cadence(contract.course) if contract else ""}
    return render(request, "portal/progress_contract.html", context)


@require_GET
@portal_view
def plan_relapse(request: HttpRequest, client: Client) -> HttpResponse:
    plan = progress.shared_relapse_plan(client)
    sections = progress.relapse_sections(plan) if plan else []
    return render(request, "portal/progress_relapse.html", {"plan": plan, "sections": sections})


@require_GET
@portal_view
def plan_safety(request: HttpRequest, client: Client) -> HttpResponse:
    plan = progress.shared_safety_plan(client)
    sections = progress.safety_sections(plan) if plan else []
    return render(request, "portal/progress_safety.html", {"plan": plan, "sections": sections})

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from openipt.access import rules
from openipt.access.rules import note_read
from openipt.courses import summary
from openipt.courses.models import Attendance, Course, Formulation
from openipt.courses.session_work import interval_rows
from openipt.lib.decorators import clinical_view
from openipt.lib.forms import apply_error
from openipt.lib.http import AuthedRequest
from openipt.measures.due import measures_for_courses
from openipt.measures.licensing import available_instruments
from openipt.measures.outcomes import instrument_name, outcome_name
from openipt.measures.tracking import outcomes_for_course, track_courses
from openipt.protocols.model import DEPRESSION_MEASURE
from openipt.safety.actions import crisis_resources_for
from openipt.safety.alerts import acknowledged_alerts

from . import actions
from .access import can_write, get_client_for_user, visible_clients
from .forms import ClientForm

PAGE_SIZE = 50


@clinical_view
def client_list(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    clients = visible_clients(request.user).select_related("team", "clinician")
    if q:
        clients = clients.filter(
            Q(given_name__icontains=q)
            | Q(family_name__icontains=q)
            | Q(preferred_name__icontains=q)
            | Q(clinic_identifier__iexact=q)
        )
    page = list(clients.order_by("family_name", "given_name", "id")[: PAGE_SIZE + 1])
    for shown in page[:PAGE_SIZE]:
        note_read(shown.pk)  # audited as one row per client listed
    context = {
        "clients": page[:PAGE_SIZE],
        "more": len(page) > PAGE_SIZE,
        "q": q,
        "can_add": request.user.is_clinician,
    }
    return render(request, "clients/list.html", context)


@clinical_view
def client_create(request: AuthedRequest) -> HttpResponse:
    if not request.user.is_clinician:
        raise PermissionDenied
    form = ClientForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            client = actions.create_client(request.user, request=request, **data)
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Client added."))
            return redirect("clients:detail", client.pk)
    return render(request, "clients/form.html", {"form": form}, status=400 if form.errors else 200)


@clinical_view
def client_edit(request: AuthedRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request.user, client_id)
    if not can_write(request.user, client):
        raise PermissionDenied
    form = ClientForm(request.POST or None, instance=client, user=request.user)
    valid = request.method == "POST" and form.is_valid()
    if form.is_bound:
        # Validation copies the input onto the instance, even refused input; the banner and the
        # action need the record as stored.
        client.refresh_from_db()
    if valid:
        data = dict(form.cleaned_data)
        try:
            actions.update_client(request.user, client, request=request, **data)
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Details saved."))
            return redirect("clients:detail", client.pk)
    context = {"form": form, "client": client, "banner": summary.banner_for(client)}
    return render(request, "clients/form.html", context, status=400 if form.errors else 200)


def _formulation(course: Course | None) -> dict[str, Any]:
    formulation = Formulation.objects.filter(course=course).first() if course else None
    if course is None or formulation is None:
        return {"formulation": None, "formulation_areas": []}
    names = {a.key: a.name for a in course.protocol.problem_areas}
    return {
        "formulation": formulation,
        "formulation_areas": [names.get(k, k) for k in formulation.problem_areas],
    }


@clinical_view
def client_detail(request: AuthedRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request.user, client_id)
    banner = summary.banner_for(client)
    course = banner.course
    sessions = list(course.sessions.order_by("scheduled_date", "number", "id")) if course else []
    past = list(client.courses.exclude(pk=course.pk if course else 0).order_by("-start_date"))
    outcome_course = course or (past[0] if past else None)
    today = timezone.localdate()
    # The depression measure of the course the outcomes are about (PHQ-A for IPT-A), else PHQ-9.
    depression = outcome_course.protocol.depression_measure if outcome_course else DEPRESSION_MEASURE
    depression_chart, depression_scores = summary.score_chart(client, depression)
    gad7_chart, gad7_scores = summary.score_chart(client, "gad7")
    context = {
        "client": client,
        "banner": banner,
        "course": course,
        "sessions": sessions,
        "next_session": next((s for s in sessions if s.attendance == Attendance.SCHEDULED), None),
        "past_courses": past,
        "charts": [
            (_(instrument_name(depression)), depression_chart, depression_scores),
            (_(instrument_name("gad7")), gad7_chart, gad7_scores),
        ],
        "depression_label": outcome_name(depression, _),
        "crisis": crisis_resources_for(client.organisation_id, client.locale) if banner.open_alerts else [],
        "outcome_course": outcome_course,
        "outcomes": outcomes_for_course(outcome_course) if outcome_course else None,
        "track": track_courses([course]).get(course.pk) if course else None,
        "measures": measures_for_courses([course], today)[course.pk] if course else None,
        "safety_plan": client.safety_plans.order_by("-version").first(),
        "past_alerts": acknowledged_alerts(client),
        "people_count": client.people.count(),
        "interval_rows": interval_rows(course) if course else [],
        **_formulation(course or outcome_course),
        "can_write": can_write(request.user, client),
        "can_read_access_log": rules.can_administer(request.user) or rules.can_supervise(request.user),
        "instruments": available_instruments(client.organisation_id),
    }
    return render(request, "clients/detail.html", context)

"""The client's safety plan: the current version, editing (a new version), history, print."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from openipt.clients.access import can_write, get_client_for_user
from openipt.clients.models import Client
from openipt.courses import summary
from openipt.lib.decorators import clinical_view
from openipt.lib.forms import apply_error
from openipt.lib.http import AuthedRequest

from . import plans
from .actions import crisis_resources_for
from .models import SafetyPlan
from .plan_forms import SafetyPlanForm, initial_for


def _context(client: Client, **extra: Any) -> dict[str, Any]:
    return {"client": client, "banner": summary.banner_for(client), **extra}


@clinical_view
def plan(request: AuthedRequest, client_id: int) -> HttpResponse:
    """The current version, or an empty state offering to write the first one."""
    client = get_client_for_user(request.user, client_id)
    current = plans.latest_plan(client)
    context = _context(
        client,
        plan=current,
        sections=plans.sections(current) if current else [],
        can_write=can_write(request.user, client),
    )
    if context["banner"].open_alerts:  # the alert box lists the crisis lines beside each alert
        context["crisis"] = crisis_resources_for(client.organisation_id, client.locale)
    return render(request, "safety/plan.html", context)


@clinical_view
def plan_edit(request: AuthedRequest, client_id: int) -> HttpResponse:
    """The plan prefilled from the current version; saving writes the next version."""
    client = get_client_for_user(request.user, client_id)
    if not can_write(request.user, client):
        raise PermissionDenied
    latest = plans.latest_plan(client)
    form = SafetyPlanForm(request.POST or None, initial=initial_for(latest))
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        base_version = data.pop("version")
        try:
            saved = plans.save_safety_plan(
                request.user, client, base_version=base_version, request=request, **data
            )
        except ValidationError as exc:
            form, conflict = _refused(client, form, exc, request.POST)
        else:
            messages.success(request, _("Safety plan saved as version %(n)d.") % {"n": saved.version})
            return redirect("safety:plan", client.pk)
    context = _context(client, form=form, latest=conflict or latest, conflict=conflict)
    if conflict is not None:
        context["conflict_sections"] = plans.sections_against(conflict, form.cleaned_data)
    return render(request, "safety/plan_edit.html", context, status=400 if form.errors else 200)


def _refused(
    client: Client, form: SafetyPlanForm, exc: ValidationError, post: QueryDict
) -> tuple[SafetyPlanForm, SafetyPlan | None]:
    """The refused form with the typed text kept. When a newer version was saved meanwhile, it is
    shown under the form and the form moves onto it, so saving again is a deliberate choice made
    after reading it."""
    latest = plans.latest_plan(client)
    if latest is not None and form.cleaned_data["version"] != latest.version:
        data = post.copy()
        data["version"] = str(latest.version)
        form = SafetyPlanForm(data)
        form.is_valid()
    else:
        latest = None
    apply_error(form, exc)
    return form, latest


@clinical_view
def plan_history(request: AuthedRequest, client_id: int) -> HttpResponse:
    """Every version, newest first, with the parts that changed from the one before."""
    client = get_client_for_user(request.user, client_id)
    return render(request, "safety/plan_history.html", _context(client, rows=plans.history(client)))


@clinical_view
def plan_version(request: AuthedRequest, client_id: int, version: int) -> HttpResponse:
    """One version, read-only, each part marked changed or unchanged since the version before."""
    client = get_client_for_user(request.user, client_id)
    versions = {
        p.version: p
        for p in client.safety_plans.select_related("created_by").filter(version__in=[version, version - 1])
    }
    if version not in versions:
        raise Http404("No such version")
    shown, previous = versions[version], versions.get(version - 1)
    context = _context(
        client,
        plan=shown,
        previous=previous,
        sections=plans.sections(shown, previous),
        changes=plans.changes(shown, previous),
        latest_version=client.safety_plans.aggregate(n=Max("version"))["n"],
    )
    return render(request, "safety/plan_version.html", context)


@clinical_view
def plan_print(request: AuthedRequest, client_id: int) -> HttpResponse:
    """The current version laid out for paper, with the crisis lines for the client's locale."""
    client = get_client_for_user(request.user, client_id)
    current = plans.latest_plan(client)
    if current is None:
        messages.info(request, _("There is no safety plan to print yet."))
        return redirect("safety:plan", client.pk)
    plans.record_plan_print(request.user, current, request=request)
    context = _context(
        client,
        plan=current,
        sections=plans.sections(current),
        crisis=crisis_resources_for(client.organisation_id, client.locale),
    )
    return render(request, "safety/plan_print.html", context)

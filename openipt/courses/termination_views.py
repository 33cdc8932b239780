"""The end of a course: the termination tasks with the relapse-prevention plan, the client's
printable copy of that plan, and starting maintenance IPT after a completed course."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from openipt.clients.access import can_write
from openipt.lib.decorators import clinical_view
from openipt.lib.forms import apply_error
from openipt.lib.http import AuthedRequest
from openipt.protocols import get_protocol
from openipt.safety.actions import crisis_resources_for

from . import summary, termination
from .access import get_course_for_user
from .models import Course, Formulation, TerminationPlan
from .termination_forms import MaintenanceForm, TerminationForm, initial_for


def _context(course: Course, **extra: Any) -> dict[str, Any]:
    client = course.client
    context = {"course": course, "client": client, "banner": summary.banner_for(client), **extra}
    if context["banner"].open_alerts:  # the alert box lists the crisis lines beside each alert
        context["crisis"] = crisis_resources_for(client.organisation_id, client.locale)
    return context


def _plan_sections(plan: TerminationPlan | None, names: tuple[str, ...]) -> list[tuple[str, str, str]]:
    return [(name, termination.label(name), getattr(plan, name) if plan else "") for name in names]


@clinical_view
def termination_tasks(request: AuthedRequest, course_id: int) -> HttpResponse:
    """The progress review with its facts, feelings about ending and the relapse-prevention plan."""
    course = get_course_for_user(request.user, course_id)
    writer = can_write(request.user, course.client)
    if request.method == "POST" and not writer:
        raise PermissionDenied
    plan = termination.plan_for(course)
    progress = termination.progress_for(course)
    form = TerminationForm(request.POST or None, initial=initial_for(plan, progress)) if writer else None
    conflict = None
    if form is not None and request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        base_version = data.pop("version")
        try:
            termination.save_termination(
                request.user, course, base_version=base_version, request=request, **data
            )
        except ValidationError as exc:
            form, conflict = _refused(course, form, exc, request.POST)
        else:
            messages.success(request, _("The ending of the course is saved."))
            return redirect("ending:termination", course.pk)
    shown = conflict or plan
    context = _context(
        course,
        plan=shown,
        conflict=conflict,
        form=form,
        progress=progress,
        can_write=writer,
        tasks=_plan_sections(shown, termination.FIELDS[:3]),
        relapse_plan=_plan_sections(shown, termination.PLAN_FIELDS),
    )
    context["maintenance_refusal"] = termination.maintenance_refusal(course, context["banner"].course)
    return render(request, "courses/termination.html", context, status=400 if form and form.errors else 200)


def _refused(
    course: Course, form: TerminationForm, exc: ValidationError, post: QueryDict
) -> tuple[TerminationForm, TerminationPlan | None]:
    """The refused form with the typed text kept. When the plan was saved meanwhile, the saved text is
    shown under the form and the form moves onto its version, so saving again is a deliberate choice."""
    latest = termination.plan_for(course)
    current = latest.version if latest else None
    if form.cleaned_data["version"] == current:
        apply_error(form, exc)
        return form, None
    data = post.copy()
    data["version"] = "" if current is None else str(current)
    form = TerminationForm(data)
    form.is_valid()
    apply_error(form, exc)
    return form, latest


@clinical_view
def termination_print(request: AuthedRequest, course_id: int) -> HttpResponse:
    """The client's copy of the relapse-prevention plan, with the crisis lines for their locale."""
    course = get_course_for_user(request.user, course_id)
    plan = termination.plan_for(course)
    if plan is None or not plan.has_relapse_plan:
        messages.info(
            request,
            _(
                "There is no relapse-prevention plan to print yet: write the warning signs and what helps "
                "or who to contact."
            ),
        )
        return redirect("ending:termination", course.pk)
    plan.course = course
    termination.record_print(request.user, plan, request=request)
    client = course.client
    context = _context(
        course,
        plan=plan,
        sections=_plan_sections(plan, termination.PLAN_FIELDS),
        crisis=crisis_resources_for(client.organisation_id, client.locale),
    )
    return render(request, "courses/termination_print.html", context)


@clinical_view
def maintenance(request: AuthedRequest, course_id: int) -> HttpResponse:
    """Start monthly maintenance IPT after a completed course."""
    course = get_course_for_user(request.user, course_id)
    if not can_write(request.user, course.client):
        raise PermissionDenied
    protocol = get_protocol(termination.MAINTENANCE_PROTOCOL)
    initial = {
        "start_date": termination.suggested_start(course, timezone.localdate()),
        "planned_sessions": protocol.default_sessions,
    }
    form = MaintenanceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            following = termination.start_maintenance(
                request.user, course, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            first = following.sessions.order_by("number").first()
            messages.success(
                request,
                _("Maintenance IPT started: %(n)s monthly sessions, the first on %(date)s.")
                % {
                    "n": following.planned_sessions,
                    "date": date_format(first.scheduled_date if first else following.start_date, "D j M Y"),
                },
            )
            return redirect("clients:detail", course.client_id)
    context = _context(course, form=form, protocol=protocol)
    formulation = Formulation.objects.filter(course=course).first()
    context.update(
        refusal=termination.maintenance_refusal(course, context["banner"].course),
        formulation=formulation,
        areas=termination.area_names(course, formulation.problem_areas) if formulation else [],
        plan=termination.plan_for(course),
    )
    return render(request, "courses/maintenance.html", context, status=400 if form.errors else 200)

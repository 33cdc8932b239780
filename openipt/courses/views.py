from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openipt.access.rules import note_read
from openipt.clients.access import can_write, get_client_for_user
from openipt.lib.decorators import clinical_view
from openipt.lib.forms import apply_error
from openipt.lib.http import AuthedRequest
from openipt.safety.actions import crisis_resources_for

from . import actions, summary, termination, week
from .access import get_course_for_user, get_session_for_user
from .forms import (
    AgendaForm,
    AppointmentForm,
    AttendanceForm,
    EndCourseForm,
    MoveSessionForm,
    StartCourseForm,
)
from .models import Session
from .session_page import agenda_items, back_to, session_context, shown_phase
from .termination_forms import RecommendationForm

CASELOAD_PAGE = 50  # rows a page shows: a clinician's whole caseload, a team's a page at a time


@clinical_view
def caseload(request: AuthedRequest) -> HttpResponse:
    whole_team = request.GET.get("view") == "team" or request.user.is_supervisor
    rows = summary.caseload_rows(request.user, whole_team=whole_team)
    page = Paginator(rows, CASELOAD_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    summary.add_scores(shown)
    for row in shown:
        note_read(row.client.pk)  # audited as one row per client shown
    alerts_here = sum(1 for row in shown if row.alerts)
    context = {
        "rows": shown,
        "page": page,
        "whole_team": whole_team,
        "page_query": "view=team&" if whole_team else "",
        "alerts_elsewhere": sum(1 for row in rows if row.alerts) - alerts_here,
    }
    return render(request, "courses/caseload.html", context)


@clinical_view
def start_course(request: AuthedRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request.user, client_id)
    if not can_write(request.user, client):
        raise PermissionDenied
    form = StartCourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = actions.start_course(request.user, client, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_error(form, exc)
            if form.has_error("age_confirmed"):
                form.ask_to_confirm_age()
        else:
            messages.success(
                request, _("Course started: %(n)s sessions scheduled.") % {"n": course.planned_sessions}
            )
            return redirect("clients:detail", client.pk)
    return render(
        request,
        "courses/start_course.html",
        {"client": client, "banner": summary.banner_for(client), "form": form},
        status=400 if form.errors else 200,
    )


@clinical_view
@require_POST
def advance_phase(request: AuthedRequest, course_id: int) -> HttpResponse:
    course = get_course_for_user(request.user, course_id)
    if not can_write(request.user, course.client):
        raise PermissionDenied
    try:
        course = actions.advance_phase(request.user, course, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Moved to the %(phase)s.") % {"phase": _(course.phase.name)})
    session_id = request.POST.get("session", "")
    if session_id.isdigit():
        return redirect("courses:session", int(session_id))
    return redirect("clients:detail", course.client_id)


@clinical_view
def end_course(request: AuthedRequest, course_id: int) -> HttpResponse:
    """End the course and record what follows it, saying plainly when the client has not improved."""
    course = get_course_for_user(request.user, course_id)
    if not can_write(request.user, course.client):
        raise PermissionDenied
    progress = termination.progress_for(course)
    form = EndCourseForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    next_form = RecommendationForm(
        request.POST or None, initial=termination.recommendation_initial(course, progress)
    )
    if request.method == "POST" and all([form.is_valid(), next_form.is_valid()]):
        chosen = next_form.cleaned_data
        try:
            with transaction.atomic():
                ending = {k: v for k, v in form.cleaned_data.items() if k != "confirm"}
                actions.end_course(request.user, course, request=request, **ending)
                if chosen["recommendation"]:
                    termination.set_recommendation(request.user, course, request=request, **chosen)
        except ValidationError as exc:
            apply_error(
                next_form if set(getattr(exc, "error_dict", ())) & set(next_form.fields) else form, exc
            )
        else:
            messages.success(request, _("The course has ended."))
            return redirect("clients:detail", course.client_id)
    client = course.client
    banner = summary.banner_for(client)
    context = {
        "course": course,
        "client": client,
        "banner": banner,
        "crisis": crisis_resources_for(client.organisation_id, client.locale) if banner.open_alerts else [],
        "form": form,
        "next_form": next_form,
        "progress": progress,
    }
    status = 400 if form.errors or next_form.errors else 200
    return render(request, "courses/end_course.html", context, status=status)


@clinical_view
def session_detail(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request.user, session_id)
    return render(request, "courses/session.html", session_context(request, session))


def _session_post(request: AuthedRequest, session_id: int) -> Session:
    session = get_session_for_user(request.user, session_id)
    if not can_write(request.user, session.course.client):
        raise PermissionDenied
    return session


def _rerender(request: AuthedRequest, session: Session, **forms: Any) -> HttpResponse:
    return render(request, "courses/session.html", session_context(request, session, **forms), status=400)


@clinical_view
@require_POST
def record_attendance(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = _session_post(request, session_id)
    form = AttendanceForm(request.POST, future=session.scheduled_date > timezone.localdate())
    if form.is_valid():
        try:
            actions.record_attendance(request.user, session, request=request, **form.cleaned_data)
        except ValidationError as exc:
            if "confirm_future" in getattr(exc, "error_dict", {}) and "confirm_future" not in form.fields:
                form = AttendanceForm(request.POST, future=True)  # the date passed meanwhile: ask
                form.is_valid()
            apply_error(form, exc)
        else:
            messages.success(request, _("Attendance saved."))
            return back_to(session, "att-h")
    return _rerender(request, session, attendance_form=form)


@clinical_view
@require_POST
def move_session(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = _session_post(request, session_id)
    form = MoveSessionForm(request.POST)
    if form.is_valid():
        try:
            actions.move_session(request.user, session, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Session moved; later sessions shifted with it."))
            return back_to(session, "move-h")
    return _rerender(request, session, move_form=form)


@clinical_view
@require_POST
def set_appointment(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = _session_post(request, session_id)
    form = AppointmentForm(request.POST)
    if form.is_valid():
        try:
            actions.set_appointment(request.user, session, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Appointment saved."))
            return back_to(session, "appt-h")
    return _rerender(request, session, appointment_form=form)


@clinical_view
def week_view(request: AuthedRequest) -> HttpResponse:
    """The signed-in clinician's appointments, Monday to Sunday (?start=YYYY-MM-DD picks the week)."""
    today = timezone.localdate()
    start = week.parse_start(request.GET.get("start"), today)
    if start is None:
        messages.error(request, _("That week could not be read, so this week is shown."))
        return redirect("courses:week")
    context = {"week": week.week_for(request.user, start, today), "this_week": week.monday_of(today)}
    return render(request, "courses/week.html", context)


@clinical_view
@require_POST
def cancel_session(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = _session_post(request, session_id)
    try:
        replacement = actions.cancel_session(request.user, session, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("courses:session", session.pk)
    messages.success(
        request,
        _("Appointment cancelled; session %(n)s is now on %(date)s.")
        % {"n": replacement.number, "date": date_format(replacement.scheduled_date, "D j M Y")},
    )
    return redirect("courses:session", replacement.pk)


@clinical_view
@require_POST
def save_agenda(request: AuthedRequest, session_id: int) -> HttpResponse:
    """Save every tick and note of the agenda at once; htmx swaps in the agenda section alone."""
    session = _session_post(request, session_id)
    form = AgendaForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            actions.save_agenda(request.user, session, form.entries(), request=request)
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            saved = True
    if not request.htmx:
        if saved:
            messages.success(request, _("Agenda saved."))
            return back_to(session, "agenda-h")
        return _rerender(request, session, agenda_form=form)
    context = {
        "agenda": agenda_items(session, shown_phase(session), None if saved else form),
        "agenda_form": form,
        "agenda_saved": saved,
        "session": session,
        "phase": shown_phase(session),
        "can_write": True,
        "open": {"agenda": True},
    }
    return render(request, "courses/_agenda.html", context, status=200 if saved else 400)


@clinical_view
@require_POST
def choose_task_session(request: AuthedRequest, session_id: int) -> HttpResponse:
    """Hold a task the protocol holds once (IPT-A's session with a parent) at this session, or take
    the choice back (`release`)."""
    session = _session_post(request, session_id)
    try:
        here = "release" not in request.POST
        task_key = request.POST.get("task_key", "")
        actions.choose_task_session(request.user, session, task_key=task_key, here=here, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Planned for this session.")
            if here
            else _("No session planned: every session of the phase offers it."),
        )
    return back_to(session, "agenda-h")

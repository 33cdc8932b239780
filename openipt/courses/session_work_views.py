"""The session's work: thin views over the actions in session_work.py.

Each form posts to its own URL and, once saved, returns to the session page at its section; a
refused form re-renders the session page with the error beside the field and the text kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openipt.clients.access import can_write
from openipt.inventory.models import Person
from openipt.lib.decorators import clinical_view
from openipt.lib.forms import apply_error
from openipt.lib.http import AuthedRequest
from openipt.safety.actions import crisis_resources_for

from . import session_work as work
from . import session_work_forms as work_forms
from . import summary
from .access import get_session_for_user
from .models import Session
from .session_page import session_context


def _writable_session(request: AuthedRequest, session_id: int) -> Session:
    session = get_session_for_user(request.user, session_id)
    if not can_write(request.user, session.course.client):
        raise PermissionDenied
    return session


def _back(session: Session, anchor: str) -> HttpResponse:
    return redirect(reverse("courses:session", args=[session.pk]) + f"#{anchor}")


def _refused(request: AuthedRequest, session: Session, **overrides: Any) -> HttpResponse:
    return render(request, "courses/session.html", session_context(request, session, **overrides), status=400)


def _submit(
    request: AuthedRequest,
    session: Session,
    form: forms.Form,
    save: Callable[[dict[str, Any]], object],
    *,
    form_name: str,
    anchor: str,
    done: str,
    **overrides: Any,
) -> HttpResponse:
    """Validate the form, run the action, and go back to the section (or show the refusal)."""
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            _refuse(request, form, exc)
        else:
            messages.success(request, done)
            return _back(session, anchor)
    _surface_hidden_errors(request, form)
    return _refused(request, session, **{form_name: form}, **overrides)


def _refuse(request: AuthedRequest, form: forms.Form, exc: ValidationError) -> None:
    """Show a refusal beside the field it names. A refusal about the whole course, session or item
    (ended, cancelled, reviewed elsewhere), or about a hidden field (a stale or altered form), goes
    to the top of the page: the form it came from is no longer offered there."""
    if not hasattr(exc, "error_dict"):
        messages.error(request, " ".join(exc.messages))
        return
    apply_error(form, exc)


def _surface_hidden_errors(request: AuthedRequest, form: forms.Form) -> None:
    for name in [f.name for f in form.hidden_fields() if f.errors]:
        for error in form.errors.pop(name):
            messages.error(request, str(error))


@clinical_view
@require_POST
def save_interval(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = _writable_session(request, session_id)
    return _submit(
        request,
        session,
        work_forms.IntervalForm(request.POST),
        lambda data: work.save_interval(
            request.user, session, mood=data["mood"], events=data["events"], request=request
        ),
        form_name="interval_form",
        anchor="interval-h",
        done=_("Interval saved."),
    )


@clinical_view
@require_POST
def set_techniques(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = _writable_session(request, session_id)
    return _submit(
        request,
        session,
        work_forms.TechniquesForm(request.POST),
        lambda data: work.set_techniques(
            request.user, session, techniques=data["techniques"], request=request
        ),
        form_name="techniques_form",
        anchor="techniques-h",
        done=_("Techniques saved."),
    )


@clinical_view
@require_POST
def set_dispute_stage(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = _writable_session(request, session_id)
    return _submit(
        request,
        session,
        work_forms.DisputeStageForm(request.POST),
        lambda data: work.set_dispute_stage(request.user, session, stage=data["stage"], request=request),
        form_name="dispute_form",
        anchor="dispute-h",
        done=_("Dispute stage saved."),
    )


@clinical_view
@require_POST
def review_goal(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = _writable_session(request, session_id)
    form = work_forms.GoalReviewForm(request.POST)
    return _submit(
        request,
        session,
        form,
        lambda data: work.review_goal(request.user, session, request=request, **data),
        form_name="goal_form",
        anchor=form.anchor,
        done=_("Goal review saved."),
    )


@clinical_view
@require_POST
def add_analysis(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = _writable_session(request, session_id)
    people = list(Person.objects.filter(client_id=session.course.client_id))
    return _submit(
        request,
        session,
        work_forms.AnalysisForm(request.POST, people=people),
        lambda data: work.add_analysis(
            request.user, session, person_id=data.pop("person"), request=request, **data
        ),
        form_name="analysis_form",
        anchor="analyses-h",
        done=_("Communication analysis added."),
    )


@clinical_view
@require_POST
def set_homework(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = _writable_session(request, session_id)
    return _submit(
        request,
        session,
        work_forms.HomeworkForm(request.POST),
        lambda data: work.set_homework(request.user, session, task=data["task"], request=request),
        form_name="homework_form",
        anchor="homework-set-h",
        done=_("Homework set; it will be listed for review at the next session."),
    )


@clinical_view
@require_POST
def review_homework(request: AuthedRequest, session_id: int, homework_id: int) -> HttpResponse:
    session = _writable_session(request, session_id)
    homework = work.get_homework_for_user(request.user, homework_id)
    if homework.course_id != session.course_id:
        raise PermissionDenied
    form = work_forms.HomeworkReviewForm.for_homework(homework, request.POST)
    return _submit(
        request,
        session,
        form,
        lambda data: work.review_homework(
            request.user,
            homework,
            session,
            outcome=data["outcome"],
            note=data["outcome_note"],
            request=request,
        ),
        form_name="review_form",
        anchor=f"homework-{homework.pk}",
        done=_("Homework review saved."),
        review_homework_id=homework.pk,
    )


@clinical_view
def analysis_detail(request: AuthedRequest, analysis_id: int) -> HttpResponse:
    """One worksheet; its care team's clinicians edit it while the course is active."""
    analysis = work.get_analysis_for_user(request.user, analysis_id)
    session = analysis.session
    client = session.course.client
    writable = can_write(request.user, client)
    if request.method == "POST" and not writable:
        raise PermissionDenied
    editable = writable and session.course.is_active and not session.is_cancelled
    people = list(Person.objects.filter(client_id=client.pk)) if editable else []
    initial = {"person": analysis.person_id, "situation": analysis.situation}
    initial.update({name: getattr(analysis, name) for name in work.ANALYSIS_FIELDS})
    form = work_forms.AnalysisForm(request.POST or None, people=people, initial=initial)
    refused = False
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            work.update_analysis(
                request.user, analysis, person_id=data.pop("person"), request=request, **data
            )
        except ValidationError as exc:
            _refuse(request, form, exc)
            refused = True
        else:
            messages.success(request, _("Communication analysis saved."))
            return redirect("work:analysis", analysis.pk)
    banner = summary.banner_for(client)
    context = {
        "analysis": analysis,
        "session": session,
        "client": client,
        "banner": banner,
        "form": form,
        "can_write": editable,
        "crisis": crisis_resources_for(client.organisation_id, client.locale) if banner.open_alerts else [],
    }
    status = 400 if form.errors or refused else 200
    return render(request, "courses/communication_analysis.html", context, status=status)

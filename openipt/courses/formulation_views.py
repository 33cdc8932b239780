"""The formulation page (problem area, formulation, what the initial phase covered) and the contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from openipt.clients.access import can_write
from openipt.inventory import formulation as rules
from openipt.inventory.facts import facts_for, onset_window
from openipt.lib.decorators import clinical_view
from openipt.lib.forms import apply_error
from openipt.lib.http import AuthedRequest
from openipt.protocols.model import CADENCE_LABELS, ProblemArea
from openipt.safety.actions import crisis_resources_for

from . import formulation_actions as actions
from . import summary
from .access import get_course_for_user
from .formulation_forms import (
    ChooseAreasForm,
    ContractForm,
    ContractShareForm,
    FormulationForm,
    choose_initial,
    contract_initial,
    formulation_initial,
)
from .models import Attendance, Contract, Course, Formulation, TaskRecord

# How each area reads on the client's copy: plain words, addressed to the client.
CLIENT_WORDS = {
    "grief": gettext_lazy("Grief: the death of someone important to you"),
    "role_dispute": gettext_lazy("A disagreement with someone important to you"),
    "role_transition": gettext_lazy("A change in your life that has been hard"),
    "interpersonal_deficits": gettext_lazy("Feeling alone, and making and keeping relationships"),
}


@dataclass
class AreaRow:
    """One problem area on the page: the protocol's words, the suggestion and whether it is chosen."""

    area: ProblemArea
    suggested: bool
    strength: str
    reasons: list[str]
    chosen: bool


@dataclass
class Covered:
    """One initial-phase task and the sessions at which it was ticked, with their notes."""

    title: str
    times: list[TaskRecord] = field(default_factory=list)


@dataclass
class Coverage:
    done: list[Covered] = field(default_factory=list)
    open_titles: list[str] = field(default_factory=list)


def _base(course: Course, **extra: Any) -> dict[str, Any]:
    banner = summary.banner_for(course.client)
    context = {"course": course, "client": course.client, "banner": banner, **extra}
    if banner.open_alerts:  # the alert box lists the crisis lines beside each alert
        context["crisis"] = crisis_resources_for(course.client.organisation_id, course.client.locale)
    return context


def _formulation(course: Course) -> Formulation | None:
    return Formulation.objects.filter(course=course).select_related("updated_by").first()


def _contract(course: Course) -> Contract | None:
    return Contract.objects.filter(course=course).select_related("updated_by").first()


@dataclass(frozen=True)
class Facts:
    people: list[rules.PersonFacts]
    events: list[rules.EventFacts]
    onset: date | None


def _facts(course: Course) -> Facts:
    return Facts(*facts_for(course.client, course))


def _house_date(day: date) -> str:
    return date_format(day, "D j M Y")


def _suggestion(course: Course, facts: Facts) -> rules.Suggestion:
    return rules.suggest(
        facts.people,
        facts.events,
        facts.onset,
        window=onset_window(course),
        format_date=_house_date,
        gettext=_,
    )


def _area_rows(
    course: Course, suggestion: rules.Suggestion, formulation: Formulation | None
) -> list[AreaRow]:
    """The four areas in the suggestion's order (suggested first), with the protocol's words."""
    chosen = set(formulation.problem_areas) if formulation else set()
    return [
        AreaRow(
            area=course.protocol.problem_area(s.area),
            suggested=s.suggested,
            strength=s.strength,
            reasons=list(s.reasons),
            chosen=s.area in chosen,
        )
        for s in suggestion.areas
    ]


def coverage(course: Course) -> Coverage:
    """The initial-phase tasks ticked at this course's sessions, in the protocol's order, each with
    its sessions in date order (one query)."""
    protocol = course.protocol
    if "initial" not in protocol.phase_keys:
        return Coverage()
    tasks = {t.key: Covered(title=_(t.title)) for t in protocol.phase("initial").tasks}
    records = (
        TaskRecord.objects.filter(session__course=course, done=True, task_key__in=tasks)
        .exclude(session__attendance=Attendance.CANCELLED)
        .select_related("session")
        .order_by("session__scheduled_date", "session__number", "id")
    )
    for record in records:
        tasks[record.task_key].times.append(record)
    return Coverage(
        done=[c for c in tasks.values() if c.times],
        open_titles=[c.title for c in tasks.values() if not c.times],
    )


def _draft(course: Course, formulation: Formulation, suggestion: rules.Suggestion, facts: Facts) -> str:
    """A first draft from what was recorded, in the client's words (the pure module's goals)."""
    client = course.client
    return rules.draft_formulation(
        list(formulation.problem_areas),
        suggestion,
        facts.people,
        facts.events,
        facts.onset,
        client_name=client.preferred_name or client.given_name,
        format_date=_house_date,
        gettext=_,
    )


def _page(
    request: AuthedRequest,
    course: Course,
    *,
    choose_form: ChooseAreasForm | None = None,
    text_form: FormulationForm | None = None,
    conflict: Formulation | None = None,
    status: int = 200,
) -> HttpResponse:
    formulation = _formulation(course)
    facts = _facts(course)
    suggestion = _suggestion(course, facts)
    writable = can_write(request.user, course.client) and course.is_active
    draft = _draft(course, formulation, suggestion, facts) if formulation else ""
    if writable and choose_form is None:
        choose_form = ChooseAreasForm(initial=choose_initial(formulation), protocol=course.protocol)
    if writable and formulation and text_form is None:
        text_form = FormulationForm(initial=formulation_initial(formulation, draft))
    context = _base(
        course,
        formulation=formulation,
        areas=_area_rows(course, suggestion, formulation),
        notes=suggestion.notes,
        chosen_areas=[course.protocol.problem_area(k) for k in formulation.problem_areas]
        if formulation
        else [],
        draft=draft,
        coverage=coverage(course),
        contract=_contract(course),
        can_write=writable,
        choose_form=choose_form,
        text_form=text_form,
        conflict=conflict,
    )
    return render(request, "courses/formulation.html", context, status=status)


def _writable_course(request: AuthedRequest, course_id: int) -> Course:
    course = get_course_for_user(request.user, course_id)
    if not can_write(request.user, course.client):
        raise PermissionDenied
    return course


@clinical_view
def formulation(request: AuthedRequest, course_id: int) -> HttpResponse:
    """Suggested problem areas, the clinician's choice, the formulation and what was covered."""
    return _page(request, get_course_for_user(request.user, course_id))


@clinical_view
@require_POST
def choose(request: AuthedRequest, course_id: int) -> HttpResponse:
    course = _writable_course(request, course_id)
    form = ChooseAreasForm(request.POST, protocol=course.protocol)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            actions.choose_problem_areas(
                request.user, course, base_version=data.pop("version"), request=request, **data
            )
        except ValidationError as exc:
            latest = _formulation(course)
            if _moved_on(form, latest):
                form = ChooseAreasForm(_on_version(request.POST, latest), protocol=course.protocol)
                form.is_valid()
            apply_error(form, exc)
        else:
            messages.success(request, _("Problem area saved."))
            return redirect("formulation:formulation", course.pk)
    return _page(request, course, choose_form=form, status=400)


@clinical_view
@require_POST
def save_text(request: AuthedRequest, course_id: int) -> HttpResponse:
    course = _writable_course(request, course_id)
    form = FormulationForm(request.POST)
    conflict = None
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            actions.save_formulation(
                request.user, course, base_version=data.pop("version"), request=request, **data
            )
        except ValidationError as exc:
            # Someone saved meanwhile: keep the typed text, show theirs under the form and move the
            # form onto their version, so saving again is a deliberate choice made after reading it.
            latest = _formulation(course)
            if _moved_on(form, latest):
                form, conflict = FormulationForm(_on_version(request.POST, latest)), latest
                form.is_valid()
            apply_error(form, exc)
        else:
            messages.success(request, _("Formulation saved."))
            return redirect("formulation:formulation", course.pk)
    return _page(request, course, text_form=form, conflict=conflict, status=400)


def _moved_on(form: Any, latest: Formulation | Contract | None) -> bool:
    """Whether a version newer than the one the form was opened on is stored."""
    return latest is not None and form.cleaned_data["version"] != latest.version


def _on_version(post: QueryDict, latest: Formulation | Contract | None) -> QueryDict:
    data = post.copy()
    data["version"] = str(latest.version) if latest else ""
    return data


@clinical_view
def formulation_print(request: AuthedRequest, course_id: int) -> HttpResponse:
    """The client's copy in plain words: their name, the chosen area, the formulation, the date."""
    course = get_course_for_user(request.user, course_id)
    current = _formulation(course)
    if current is None or not current.text:
        messages.info(request, _("There is no formulation to print yet."))
        return redirect("formulation:formulation", course.pk)
    actions.record_formulation_print(request.user, current, request=request)
    areas = [CLIENT_WORDS.get(key, key) for key in current.problem_areas]
    return render(
        request, "courses/formulation_print.html", _base(course, formulation=current, client_areas=areas)
    )


# --- Contract -------------------------------------------------------------------------------------


def _contract_draft(course: Course) -> tuple[str, str]:
    """Focus and goals of a first contract in the client's words, from the chosen area(s)."""
    current = _formulation(course)
    if current is None:
        return "", ""
    focus = "; ".join(str(CLIENT_WORDS[k]) for k in current.problem_areas)
    goals = "\n".join(f"- {_(g)}" for k in current.problem_areas for g in rules.DEFAULT_GOALS[k])
    return focus, goals


@clinical_view
def contract(request: AuthedRequest, course_id: int) -> HttpResponse:
    """The contract: number of sessions (which sets the schedule), focus, goals, missed sessions."""
    course = get_course_for_user(request.user, course_id)
    current = _contract(course)
    writable = can_write(request.user, course.client) and course.is_active
    form = None
    conflict = None
    status = 200
    if request.method == "POST":
        if not can_write(request.user, course.client):
            raise PermissionDenied
        if "share" in request.POST:
            return _share(request, course)
        form = ContractForm(request.POST, protocol=course.protocol)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                saved = actions.set_contract(
                    request.user, course, base_version=data.pop("version"), request=request, **data
                )
            except ValidationError as exc:
                latest = _contract(course)
                if _moved_on(form, latest):
                    form, conflict = (
                        ContractForm(_on_version(request.POST, latest), protocol=course.protocol),
                        latest,
                    )
                    form.is_valid()
                apply_error(form, exc)
            else:
                messages.success(request, _("Contract saved: %(n)s sessions.") % {"n": saved.sessions})
                return redirect("formulation:contract", course.pk)
        status = 400
    elif writable:
        form = ContractForm(
            initial=contract_initial(current, course.planned_sessions, *_contract_draft(course)),
            protocol=course.protocol,
        )
    phases = course.protocol.phases_for(course.planned_sessions)
    phase_names = {p.key: _(p.name) for p in phases}
    return render(
        request,
        "courses/contract.html",
        _base(
            course,
            contract=conflict or current,
            conflict=conflict,
            form=form,
            can_write=writable,
            sessions=[(s, phase_names.get(s.phase_key, s.phase_key)) for s in _schedule(course)],
            phases=phases,
            cadence=_(CADENCE_LABELS[course.protocol.cadence]),
        ),
        status=status,
    )


def _share(request: AuthedRequest, course: Course) -> HttpResponse:
    """The share / stop sharing button: a message either way, then back to the contract."""
    form = ContractShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page was incomplete, so nothing changed. Reload it and try again."))
        return redirect("formulation:contract", course.pk)
    try:
        saved = actions.share_contract(
            request.user,
            course,
            shared=form.cleaned_data["share"],
            base_version=form.cleaned_data["version"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("formulation:contract", course.pk)
    if saved.shared_with_client:
        messages.success(request, _("Contract shared: the client can read it in their portal."))
    else:
        messages.success(request, _("Contract no longer shared: the client's portal no longer shows it."))
    return redirect("formulation:contract", course.pk)


def _schedule(course: Course) -> list[Any]:
    return list(course.sessions.exclude(attendance=Attendance.CANCELLED).order_by("number"))


@clinical_view
def contract_print(request: AuthedRequest, course_id: int) -> HttpResponse:
    """The client's copy of the contract: how often, how many, the dates, the focus and goals."""
    course = get_course_for_user(request.user, course_id)
    current = _contract(course)
    if current is None:
        messages.info(request, _("There is no contract to print yet."))
        return redirect("formulation:contract", course.pk)
    actions.record_contract_print(request.user, current, request=request)
    return render(
        request,
        "courses/contract_print.html",
        _base(
            course,
            contract=current,
            sessions=_schedule(course),
            protocol=course.protocol,
            cadence=_(CADENCE_LABELS[course.protocol.cadence]),
        ),
    )

"""The interpersonal inventory (people and the closeness circle) and the timeline around the onset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openipt.clients.access import can_write, get_client_for_user
from openipt.clients.models import Client
from openipt.courses import summary
from openipt.courses.models import Course
from openipt.lib.decorators import clinical_view
from openipt.lib.forms import apply_error
from openipt.lib.http import AuthedRequest
from openipt.measures.instruments import get_instrument
from openipt.measures.models import Score
from openipt.protocols.model import DEPRESSION_MEASURE
from openipt.safety.actions import crisis_resources_for

from . import actions, diagrams
from .access import get_event_for_user, get_person_for_user
from .forms import (
    EDITABLE,
    EventForm,
    MergeForm,
    OnsetForm,
    PersonForm,
    QuickPersonForm,
    RetireForm,
    initial_for,
)
from .models import Conflict, LifeEvent, Person, Ring

# Events this close to the onset are drawn as "near the onset" on the timeline. A display choice:
# the manuals ask for changes around the onset but give no number of days.
NEAR_DAYS = 90
# The timeline's width in CSS pixels: its text is drawn at a fixed size in these units.
TIMELINE_WIDTH = 640
# Room left on the timeline before the first and after the last date shown.
MARGIN = timedelta(days=30)


def _context(
    request: AuthedRequest, client: Client, banner: summary.Banner | None = None, **extra: Any
) -> dict[str, Any]:
    banner = banner or summary.banner_for(client)
    context = {"client": client, "banner": banner, "can_write": can_write(request.user, client), **extra}
    if banner.open_alerts:  # the alert box lists the crisis lines beside each alert
        context["crisis"] = crisis_resources_for(client.organisation_id, client.locale)
    return context


def _writer(request: AuthedRequest, client: Client) -> None:
    if not can_write(request.user, client):
        raise PermissionDenied


def safe_next(request: AuthedRequest, value: str | None) -> str | None:
    """`value` if it is a path on this site (such as the session page), otherwise None."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return None
    ok = url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=False)
    return value if ok else None


def _day(value: date) -> str:
    return date_format(value, "D j M Y")


@dataclass(frozen=True)
class RingGroup:
    key: str
    label: str
    people: list[Person]


def _by_ring(everyone: list[Person]) -> list[RingGroup]:
    return [RingGroup(key, str(label), [p for p in everyone if p.ring == key]) for key, label in Ring.choices]


def _circle(client: Client, everyone: list[Person]) -> SafeString:
    marks = [
        diagrams.CirclePerson(
            id=p.pk,
            name=p.name,
            relationship=str(p.get_relationship_display()),
            ring=p.ring,
            conflict=p.conflict != Conflict.NONE,
            serious_conflict=p.conflict == Conflict.SERIOUS,
            changed_recently=p.changed_around_onset,
            lost=p.deceased,
        )
        for p in everyone
    ]
    # The diagrams escape every string they draw (openipt/inventory/tests/test_diagrams.py).
    return mark_safe(  # noqa: S308  # nosec B308 B703  # closeness_circle escapes every name and label
        diagrams.closeness_circle(
            marks,
            client_label=client.preferred_name or client.given_name,
            title=_("Closeness circle of %(name)s") % {"name": client.display_name},
            chart_id="closeness-circle",
            gettext=_,
        )
    )


def _timeline(client: Client, course: Course | None, events: list[LifeEvent]) -> SafeString:
    """The timeline picture: the events, the course's onset, and the totals of the course's
    depression measure (PHQ-9; PHQ-A for IPT-A) as mood."""
    measure = get_instrument(mood_measure(course))
    scores = Score.objects.filter(client=client, instrument=measure.key).order_by("completed_at", "id")
    mood = [
        diagrams.MoodPoint(on=timezone.localdate(at), value=total, max_value=measure.max_total)
        for at, total in scores.values_list("completed_at", "total")
    ]
    onset = course.onset_date if course else None
    days = [e.on for e in events] + [m.on for m in mood] + ([onset] if onset else [])
    start = min(days, default=timezone.localdate()) - MARGIN
    end = max(days, default=timezone.localdate()) + MARGIN
    svg = diagrams.timeline(
        [diagrams.TimelineEvent(on=e.on, label=_event_label(e), id=e.pk) for e in events],
        onset=onset,
        mood=mood,
        start=start,
        end=end,
        title=_("Timeline of %(name)s") % {"name": client.display_name},
        near_days=NEAR_DAYS,
        mood_label=_("%(measure)s total") % {"measure": _(measure.short_name)},
        width=TIMELINE_WIDTH,
        format_date=_day,
        chart_id="timeline",
        gettext=_,
    )
    # Drawn at its own size rather than squeezed to the screen, so its words stay legible on a
    # phone; the page lets it scroll sideways there.
    head, rest = svg.split(">", 1)
    sized = head.replace(' width="100%"', f' width="{TIMELINE_WIDTH}"', 1) + ">" + rest
    return mark_safe(sized)  # noqa: S308  # nosec B308 B703  # diagrams.timeline escapes every label


def mood_measure(course: Course | None) -> str:
    """The instrument the timeline draws as mood: the course's depression measure, else PHQ-9."""
    return course.protocol.depression_measure if course else DEPRESSION_MEASURE


def _event_label(event: LifeEvent) -> str:
    return event.description or str(event.get_kind_display())


# ---- People ----


@clinical_view
def people(request: AuthedRequest, client_id: int) -> HttpResponse:
    """The closeness circle on top, then the people ring by ring, and the quick add."""
    client = get_client_for_user(request.user, client_id)
    everyone = list(client.people.all())
    context = _context(
        request,
        client,
        circle=_circle(client, everyone),
        rings=_by_ring(everyone),
        form=QuickPersonForm(),
    )
    return render(request, "inventory/people.html", context)


@clinical_view
def person_add(request: AuthedRequest, client_id: int) -> HttpResponse:
    """The quick add (name, relationship, ring), on its own page for use from a session."""
    client = get_client_for_user(request.user, client_id)
    _writer(request, client)
    form = QuickPersonForm(
        request.POST or None, initial={"next": safe_next(request, request.GET.get("next"))}
    )
    duplicates: list[Person] = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        back = safe_next(request, data.pop("next"))
        try:
            person = actions.add_person(request.user, client, request=request, **data)
        except actions.PossibleDuplicate as exc:
            apply_error(form, exc)
            form.offer_confirmation()
            duplicates = exc.people
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("%(name)s added to the inventory.") % {"name": person.name})
            return redirect(back or "inventory:people", client.pk)
    back = safe_next(request, form["next"].value())
    context = _context(request, client, form=form, back=back, duplicates=duplicates)
    return render(request, "inventory/person_add.html", context, status=400 if form.errors else 200)


@clinical_view
def person_retire(request: AuthedRequest, person_id: int) -> HttpResponse:
    """Remove a person added by mistake (with a reason), or merge them into another record of
    the same person. Either way the record stays in the history."""
    person = get_person_for_user(request.user, person_id)
    client = person.client
    _writer(request, client)
    others = [p for p in client.people.all() if p.pk != person.pk]
    posted = request.POST if request.method == "POST" else None
    action = request.POST.get("do") if posted else None
    retire_form = RetireForm(posted if action == "retire" else None)
    merge_form = MergeForm(posted if action == "merge" else None, people=others)
    form = retire_form if action == "retire" else merge_form
    if action in {"retire", "merge"} and form.is_valid():
        try:
            if action == "retire":
                actions.retire_person(request.user, person, request=request, **retire_form.cleaned_data)
                done = _("%(name)s removed from the inventory.") % {"name": person.name}
            else:
                keep = next(p for p in others if p.pk == merge_form.cleaned_data["keep"])
                actions.merge_people(request.user, keep, person, request=request)
                done = _("%(name)s merged into %(kept)s.") % {"name": person.name, "kept": keep.name}
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("inventory:people", client.pk)
    context = _context(request, client, person=person, retire_form=retire_form, merge_form=merge_form)
    status = 400 if retire_form.errors or merge_form.errors else 200
    return render(request, "inventory/person_retire.html", context, status=status)


@clinical_view
def person_edit(request: AuthedRequest, person_id: int) -> HttpResponse:
    """Everything about one person; a save made after someone else's is refused, words kept."""
    person = get_person_for_user(request.user, person_id)
    client = person.client
    _writer(request, client)
    form = PersonForm(request.POST or None, initial=initial_for(person))
    stored = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        base_version = data.pop("version")
        try:
            actions.update_person(request.user, person, base_version=base_version, request=request, **data)
        except ValidationError as exc:
            form, stored = _refused_person(person, form, exc, request.POST)
        else:
            messages.success(request, _("Saved what is known about %(name)s.") % {"name": data["name"]})
            return redirect("inventory:people", client.pk)
    context = _context(request, client, person=person, form=form, stored=stored)
    if stored is not None:
        context["differences"] = _differences(stored, form)
    return render(request, "inventory/person_edit.html", context, status=400 if form.errors else 200)


def _refused_person(
    person: Person, form: PersonForm, exc: ValidationError, post: QueryDict
) -> tuple[PersonForm, Person | None]:
    """The refused form with the typed words kept. If someone saved meanwhile, their version is
    returned to show under the form, and the form moves onto it so saving again is deliberate."""
    stored = Person.objects.get(pk=person.pk)
    if form.cleaned_data["version"] != stored.version:
        data = post.copy()
        data["version"] = str(stored.version)
        form = PersonForm(data)
        form.is_valid()
        apply_error(form, exc)
        return form, stored
    apply_error(form, exc)
    return form, None


@dataclass(frozen=True)
class Difference:
    label: str
    value: str
    changed: bool


def _differences(stored: Person, form: PersonForm) -> list[Difference]:
    """What someone else saved, field by field, marked where it differs from the typed text."""
    rows = []
    for name in EDITABLE:
        field = form[name]
        value = getattr(stored, name)
        typed = form.cleaned_data.get(name) if name in form.cleaned_data else field.value()
        if isinstance(value, str):
            typed = str(typed or "").replace("\r\n", "\n").strip()
            changed = value.strip() != typed
        else:
            changed = value != typed
        shown = _display(stored, name, value)
        rows.append(Difference(str(field.label), shown, changed))
    return rows


def _display(person: Person, name: str, value: Any) -> str:
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, date):
        return _day(value)
    if value is None:
        return ""
    display = getattr(person, f"get_{name}_display", None)
    return str(display()) if display and value else str(value)


# ---- Timeline ----


def _timeline_page(request: AuthedRequest, client: Client, status: int = 200, **forms: Form) -> HttpResponse:
    banner = summary.banner_for(client)
    course = banner.course
    events = list(client.life_events.prefetch_related("people"))
    context = _context(
        request,
        client,
        banner,
        course=course,
        events=events,
        timeline=_timeline(client, course, events),
        mood_measure=_(get_instrument(mood_measure(course)).short_name),
        event_form=forms.get("event_form") or EventForm(people=client.people.all()),
        onset_form=forms.get("onset_form")
        or OnsetForm(initial={"onset_date": course.onset_date if course else None}),
    )
    return render(request, "inventory/timeline.html", context, status=status)


@clinical_view
def timeline(request: AuthedRequest, client_id: int) -> HttpResponse:
    """The timeline picture (events, the onset, PHQ-9 as mood), the events, and their forms."""
    client = get_client_for_user(request.user, client_id)
    return _timeline_page(request, client)


@clinical_view
@require_POST
def event_add(request: AuthedRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request.user, client_id)
    _writer(request, client)
    form = EventForm(request.POST, people=client.people.all())
    if form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("base")
        try:
            actions.add_event(request.user, client, request=request, **data)
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Event added to the timeline."))
            return redirect("inventory:timeline", client.pk)
    return _timeline_page(request, client, status=400, event_form=form)


@clinical_view
def event_edit(request: AuthedRequest, event_id: int) -> HttpResponse:
    """Change an event; a save made after someone else's is refused, with the typed input kept."""
    event = get_event_for_user(request.user, event_id)
    client = event.client
    _writer(request, client)
    people = list(client.people.all())
    form = EventForm(request.POST or None, initial=_event_initial(event), people=people)
    stored = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_event(request.user, event, request=request, **form.cleaned_data)
        except ValidationError as exc:
            current = _event_initial(LifeEvent.objects.get(pk=event.pk))
            if current["base"] != form.cleaned_data["base"]:
                # Changed meanwhile: show it under the form, and build on it if saved again.
                data = request.POST.copy()
                data["base"] = current["base"]
                form = EventForm(data, people=people)
                form.is_valid()
                stored = LifeEvent.objects.prefetch_related("people").get(pk=event.pk)
            apply_error(form, exc)
        else:
            messages.success(request, _("Event saved."))
            return redirect("inventory:timeline", client.pk)
    context = _context(request, client, event=event, form=form, stored=stored)
    return render(request, "inventory/event_edit.html", context, status=400 if form.errors else 200)


def _event_initial(event: LifeEvent) -> dict[str, Any]:
    """The edit form's values, with the fingerprint that detects a later change by someone else."""
    linked = list(event.people.values_list("pk", flat=True))
    return {
        "kind": event.kind,
        "on": event.on,
        "description": event.description,
        "people": [str(pk) for pk in linked],
        "base": actions.event_fingerprint(event, linked),
    }


@clinical_view
@require_POST
def onset(request: AuthedRequest, client_id: int) -> HttpResponse:
    """Set (or clear) the onset of the current episode on the client's active course."""
    client = get_client_for_user(request.user, client_id)
    _writer(request, client)
    course = summary.banner_for(client).course
    if course is None:
        messages.error(request, _("Start a course before recording the onset of the current episode."))
        return redirect("inventory:timeline", client.pk)
    form = OnsetForm(request.POST)
    if form.is_valid():
        try:
            actions.set_onset(
                request.user, course, onset_date=form.cleaned_data["onset_date"], request=request
            )
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Onset saved."))
            return redirect("inventory:timeline", client.pk)
    return _timeline_page(request, client, status=400, onset_form=form)

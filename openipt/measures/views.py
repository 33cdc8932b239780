from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openipt.clients.access import can_write, get_client_for_user
from openipt.clients.models import Client
from openipt.courses import summary
from openipt.courses.access import get_session_for_user
from openipt.courses.models import Course, CourseStatus, Session
from openipt.courses.session_page import back_to, session_context
from openipt.lib.decorators import clinical_view
from openipt.lib.forms import apply_error
from openipt.lib.http import AuthedRequest

from . import actions
from .forms import InstrumentForm
from .instruments import Instrument
from .licensing import administrable, available_instruments
from .models import Channel, Response


def _instrument(organisation_id: int, key: str) -> Instrument:
    """The instrument as the client's organisation administers it; 404 when unknown or not enabled."""
    instrument = administrable(organisation_id, key)
    if instrument is None:
        raise Http404("No such instrument")
    return instrument


def _saved_message(request: AuthedRequest, instrument: Instrument, response: Response) -> None:
    """Name the questionnaire and its result: "PHQ-9 saved: total 11 (moderate)."."""
    score = response.score
    band = _(score.band_label)
    values = {"name": _(instrument.short_name), "total": score.total, "band": band[:1].lower() + band[1:]}
    if instrument.has_total:
        saved = _("%(name)s saved: total %(total)s (%(band)s).") % values
    else:  # a triage level (C-SSRS screener): the band is the result
        saved = _("%(name)s saved: %(band)s.") % values
    if response.alerts.exists():
        messages.error(
            request, saved + " " + _("A risk answer was given: a risk alert is open for this client.")
        )
    else:
        messages.success(request, saved)


def _record(
    request: AuthedRequest,
    form: InstrumentForm,
    client: Client,
    channel: str,
    *,
    session: Session | None = None,
    course: Course | None = None,
) -> Response | None:
    """Store the form's answers through the one recording action; on refusal, errors go on the form."""
    try:
        response = actions.record_response(
            request.user,
            client,
            instrument=form.instrument.key,
            answers=form.answers(),
            source=form.cleaned_data["source"],
            channel=channel,
            session=session,
            course=course,
            completed_at=form.when_completed(),
            response_uuid=form.cleaned_data["response_uuid"],
            once_per_session=session is not None,
            request=request,
        )
    except ValidationError as exc:
        apply_error(form, exc)
        return None
    _saved_message(request, form.instrument, response)
    return response


@clinical_view
@require_POST
def record_in_session(request: AuthedRequest, session_id: int, instrument: str) -> HttpResponse:
    session = get_session_for_user(request.user, session_id)
    if not can_write(request.user, session.course.client):
        raise PermissionDenied
    inst = _instrument(session.course.client.organisation_id, instrument)
    form = InstrumentForm(inst, request.POST)
    if form.is_valid():
        response = _record(request, form, session.course.client, Channel.IN_SESSION, session=session)
        if response is not None:
            return back_to(session, "measures-h")
        if Response.objects.filter(session=session, instrument=inst.key).exists():
            # recorded meanwhile (the client, on the portal): the page now shows that score, not
            # this form, so the refusal goes in a message
            messages.error(request, " ".join(str(e) for e in form.non_field_errors()))
    context = session_context(request, session, measure_forms={inst.key: form})
    return render(request, "courses/session.html", context, status=400)


@clinical_view
def record_ad_hoc(request: AuthedRequest, client_id: int, instrument: str) -> HttpResponse:
    """An extra measure outside the protocol's schedule (e.g. a paper form brought in)."""
    client = get_client_for_user(request.user, client_id)
    if not can_write(request.user, client):
        raise PermissionDenied
    inst = _instrument(client.organisation_id, instrument)
    form = InstrumentForm(inst, request.POST or None, completed_on=True)
    if request.method == "POST" and form.is_valid():
        course = client.courses.filter(status=CourseStatus.ACTIVE).first()
        if _record(request, form, client, Channel.PAPER, course=course) is not None:
            return redirect("clients:detail", client.pk)
    context = {
        "client": client,
        "banner": summary.banner_for(client),
        "form": form,
        "instrument": inst,
        "instruments": available_instruments(client.organisation_id),
    }
    return render(request, "measures/ad_hoc.html", context, status=400 if form.errors else 200)

"""Recording questionnaire responses: validate, score, store, raise alerts, audit — in one transaction."""

from __future__ import annotations

import uuid as uuid_mod
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from openipt.audit.actions import record
from openipt.clients.models import Client
from openipt.courses.models import Course, Session
from openipt.lib.errors import refuse
from openipt.safety.actions import raise_alerts

from . import scoring
from .licensing import instrument_for
from .models import Channel, Response, Score, Source


def record_response(
    actor: Any,
    client: Client,
    *,
    instrument: str,
    answers: Sequence[int] | Mapping[str, int],
    source: str = Source.CLIENT,
    channel: str = Channel.IN_SESSION,
    course: Course | None = None,
    session: Session | None = None,
    completed_at: datetime | None = None,
    response_uuid: uuid_mod.UUID | None = None,
    once_per_session: bool = False,
    completes: Response | None = None,
    request: HttpRequest | None = None,
) -> Response:
    """Store a completed questionnaire with its score, and any risk alert, atomically.

    Every input path (session page, CLI, API, portal, import) calls this function, so a positive
    risk answer can never be stored without its alert. Re-sending the same `response_uuid`
    (a double-submitted form, a retried sync) returns the stored response instead of a duplicate.
    `once_per_session` refuses a second response to the same instrument for the session (a form
    opened before someone else, or the client on the portal, recorded it). `completes` is the
    response sent at once after a positive risk answer that this one completes (same client,
    instrument and session): the flags it carried were alerted already and are not raised again.
    """
    instrument_for(client.organisation_id, instrument)  # refuses unknown and not-enabled instruments
    try:
        result = scoring.score(instrument, answers)
    except scoring.ScoringError as exc:
        raise refuse(str(exc), "answers") from None
    if source not in Source.values:
        raise refuse(_("Say who answered: the client, a clinician or a parent."), "source")
    if session is not None and (course is None or session.course_id != course.pk):
        course = session.course
    if course is not None and course.client_id != client.pk:
        raise refuse(_("That course belongs to another client."), "course")
    if completes is not None and (
        (completes.client_id, completes.instrument, completes.session_id)
        != (client.pk, instrument, session.pk if session is not None else None)
    ):
        raise refuse(_("A response can only complete an earlier one of the same questionnaire and session."))
    now = timezone.now()
    completed_at = completed_at or now
    if timezone.is_naive(completed_at):
        raise refuse(_("Give the completion time with its time zone."), "completed_at")
    if completed_at > now + timedelta(minutes=5):
        raise refuse(
            _("The date completed cannot be in the future: give the date it was filled in."), "completed_at"
        )
    if course is not None and timezone.localdate(completed_at) < course.start_date:
        raise refuse(
            _(
                "The date completed cannot be before the course started (%(start)s): check the date "
                "on the form."
            )
            % {"start": date_format(course.start_date, "D j M Y")},
            "completed_at",
        )
    with transaction.atomic():
        if response_uuid is not None:
            existing = Response.objects.filter(uuid=response_uuid).first()
            if existing is not None:
                if existing.client_id != client.pk or existing.instrument != instrument:
                    raise refuse(_("This form was already used for another questionnaire; reload the page."))
                return existing
        if once_per_session and session is not None:
            Session.objects.select_for_update().filter(pk=session.pk).first()  # one at a time
            earlier = Response.objects.filter(client=client, session=session, instrument=instrument).first()
            if earlier is not None:
                raise refuse(_already_recorded(earlier))
        response = Response.objects.create(
            uuid=response_uuid or uuid_mod.uuid4(),
            instrument=instrument,
            client=client,
            course=course,
            session=session,
            source=source,
            channel=channel,
            entered_by=actor if getattr(actor, "is_authenticated", False) else None,
            answers=dict(result.answers),
            completed_at=completed_at,
            completes=completes,
        )
        Score.objects.create(
            response=response,
            client=client,
            course=course,
            instrument=instrument,
            total=result.total,
            band=result.band,
            risk=list(result.risk),
            completed_at=completed_at,
        )
        raise_alerts(response, result, already_raised=set(completes.score.risk) if completes else set())
        record(actor, "response.record", obj=response, client_id=client.pk, request=request)
    return response


def _already_recorded(earlier: Response) -> str:
    when = date_format(timezone.localtime(earlier.completed_at), "j M Y, H:i")
    how = earlier.get_channel_display().lower()
    return _(
        "This questionnaire was already recorded for this session (%(how)s, %(when)s), so nothing was "
        "saved. If another is needed, record it as an extra measure from the client page."
    ) % {"how": how, "when": when}

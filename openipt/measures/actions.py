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
from .instruments import INSTRUMENTS
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


def raise_missed_alerts(*, now: datetime) -> list[str]:
    """Raise the risk alerts that stored responses should have raised under today's rules.

    A risk rule corrected after answers were stored leaves them without their alert: before
    December 2026, HAM-D item 3 at its lowest positive answer ("feels life is not worth living")
    raised none. Each stored response is scored again; every risk flag with no alert (on it, or on
    the response it completes) becomes an open alert raised `now`, so it reaches the clinician and
    escalates like any other, audited and in the response's client's record. Nothing alerted is
    raised again, so running it twice raises nothing more. Returns one line per alert raised,
    without clinical values ("response 12 (HAM-D 17): suicidal_ideation").
    """
    from openipt.safety.models import RiskAlert

    risk_instruments = [key for key, inst in INSTRUMENTS.items() if any(i.risk_flag for i in inst.items)]
    alerted: dict[int, set[str]] = {}
    for response_id, flag in RiskAlert.objects.values_list("response_id", "flag").iterator():
        alerted.setdefault(response_id, set()).add(flag)
    raised: list[str] = []
    responses = (
        Response.objects.filter(instrument__in=risk_instruments)
        .select_related("completes__score")
        .order_by("id")
        .iterator(chunk_size=2000)
    )
    for response in responses:
        result = scoring.score(response.instrument, response.answers)
        covered = alerted.get(response.pk, set())
        if response.completes is not None:
            covered = covered | set(response.completes.score.risk) | alerted.get(response.completes.pk, set())
        missing = [flag for flag in result.risk if flag not in covered]
        if not missing:
            continue
        with transaction.atomic():
            raise_alerts(response, result, already_raised=set(result.risk) - set(missing), raised_at=now)
        name = INSTRUMENTS[response.instrument].short_name
        raised += [f"response {response.pk} ({name}): {flag}" for flag in missing]
    return raised

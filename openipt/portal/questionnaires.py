"""Questionnaires in the portal: the ones due before a session, one question per screen, kept in a
server-side draft (so they can be finished on any device) and sent once.

What is offered: the measures the client's protocol makes due at the next session, or left
overdue at the session just held (`measures.due`), of instruments the organisation may
administer (`licensing.administrable`: a licence-gated instrument without permission is never
offered) that the client rates themself (HAM-D is rated by the clinician and never offered), and
whose positive risk answers can be sent at once (below).

Risk first. A positive answer to a risk item (one its `Item.risk_severity` flags: the rule scoring
and the alerts use) must reach the clinician even if the client stops there and never comes back,
and alerts exist only on stored responses (`measures.actions.record_response`, as on every other
path). So a positive risk answer *sends the questionnaire at once*: the answers given so far are
recorded as the response, in the same transaction as its alert, and the next page is the crisis
help. This needs the answers so far to be complete, so the portal offers an instrument only when
no required question follows any of its risk items (`sends_on_risk`). PHQ-9, PHQ-A and EPDS
qualify: their risk items come after every required item, and only optional ones follow. The
C-SSRS screener and the QIDS-SR16 ask required questions after a risk item, so the portal does
not offer them: a client who stopped after a positive answer would leave it unseen, since no
alert can be raised from a draft.

Risk questions are never skipped (`Item.never_skipped`). When one is still to come after a
positive answer (the PHQ-A's supplementary suicide questions after item 9), the questionnaire
goes on *after* the crisis help: the draft keeps the answers already sent (`draft.sent`, locked),
asks the questions still to come, and records them as a response that completes the first one
(`Response.completes`; its alerts are not raised twice). A positive answer among them is sent at
once again, with crisis help again. Otherwise the optional questions after a positive answer
(PHQ-9's difficulty question) are left out of the response.

Bad input (an unknown question, one skip logic leaves out, an answer that is not one of the
options, answering ahead) is refused with a message and saves nothing. A questionnaire already
sent for that session, by the client or entered by the clinician, is never sent again; sending
the same draft twice (a double tap, the back button, a second tab) returns the stored response.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from openipt.audit.actions import record
from openipt.clients.models import Client
from openipt.courses.models import Course, CourseStatus, Session
from openipt.lib.errors import refuse
from openipt.measures.actions import record_response
from openipt.measures.due import SessionMeasure, measures_for_courses
from openipt.measures.instruments import Instrument, Item
from openipt.measures.licensing import administrable
from openipt.measures.models import Channel, Response, Source

from .models import QuestionnaireDraft

logger = logging.getLogger(__name__)


# --- What is offered ---------------------------------------------------------------------------


def sends_on_risk(instrument: Instrument) -> bool:
    """Whether every positive risk answer leaves a complete answer set: no required item comes
    after a risk item (skip-logic items count as required, since they may be asked)."""
    risk_seen = False
    for item in instrument.items:
        if risk_seen and item.required:
            return False
        risk_seen = risk_seen or item.risk_flag is not None
    return True


def offered_instrument(organisation_id: int, key: str) -> Instrument | None:
    """The instrument as the organisation administers it, if the portal may offer it."""
    instrument = administrable(organisation_id, key)
    if instrument is None or instrument.respondent != "client" or not sends_on_risk(instrument):
        return None
    return instrument


@dataclass(frozen=True)
class DueQuestionnaire:
    """One questionnaire to fill in before (or just after) a session, for the portal's pages."""

    instrument: str
    title: str  # the short name, translated ("PHQ-9")
    name: str  # the full name, translated
    session_id: int
    session_number: int
    session_date: date
    overdue: bool  # for the session just held, not the next one
    in_progress: bool
    answered: int

    @property
    def url(self) -> str:
        return reverse("portal:questionnaire", args=[self.session_id, self.instrument])


def active_course(client: Client) -> Course | None:
    return Course.objects.filter(client=client, status=CourseStatus.ACTIVE).first()


def due_questionnaires(client: Client, today: date) -> list[DueQuestionnaire]:
    """The questionnaires the client can fill in now: those due at the next session of their
    active course, those left overdue at the session just held unless the same one is due at
    the next, and those sent at once after a positive risk answer whose risk questions are still
    to answer. Oldest session first, in the protocol's order."""
    course = active_course(client)
    if course is None:
        return []
    measures = measures_for_courses([course], today)[course.pk].items
    due_keys = {m.instrument for m in measures if m.status == "due"}
    held = [m.session_number for m in measures if m.status in ("overdue", "completed")]
    last_held = max(held, default=None)
    chosen = [
        m
        for m in measures
        if m.status == "due"
        or (m.status == "overdue" and m.session_number == last_held and m.instrument not in due_keys)
    ]
    drafts = {
        (d.session_id, d.instrument): d
        for d in QuestionnaireDraft.objects.filter(
            Q(session_id__in={m.session_id for m in chosen}) | Q(sent__isnull=False, session__course=course),
            client=client,
        ).select_related("session")
    }
    chosen_keys = {(m.session_id, m.instrument) for m in chosen}
    chosen += [
        SessionMeasure(d.session_id, d.session.number, d.session.scheduled_date, d.instrument, "due")
        for d in drafts.values()
        if d.sent_id is not None and (d.session_id, d.instrument) not in chosen_keys
    ]
    instruments: dict[str, Instrument | None] = {}
    for m in chosen:
        if m.instrument not in instruments:
            instruments[m.instrument] = offered_instrument(client.organisation_id, m.instrument)
    result = []
    for m in sorted(chosen, key=lambda m: (m.session_date, m.session_number)):
        instrument = instruments[m.instrument]
        if instrument is None:
            continue
        draft = drafts.get((m.session_id, m.instrument))
        result.append(
            DueQuestionnaire(
                instrument=m.instrument,
                title=_(instrument.short_name),
                name=_(instrument.name),
                session_id=m.session_id,
                session_number=m.session_number,
                session_date=m.session_date,
                overdue=m.status == "overdue",
                in_progress=draft is not None,
                answered=len(draft.answers) if draft else 0,
            )
        )
    return result


# --- One questionnaire -------------------------------------------------------------------------


def asked(instrument: Instrument, answers: dict[str, Any]) -> list[tuple[int, Item]]:
    """(printed number, item) for every item skip logic asks, given the answers so far."""
    return [
        (number, item)
        for number, item in enumerate(instrument.items, start=1)
        if item.enable_when is None or answers.get(item.enable_when[0]) == item.enable_when[1]
    ]


def skippable(item: Item) -> bool:
    """Whether the client may skip this question: optional, and not a risk question."""
    return not item.required and not item.never_skipped


def _pruned(instrument: Instrument, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers to items still asked: changing an earlier answer can leave later ones out."""
    kept: dict[str, Any] = {}
    for item in instrument.items:
        if item.enable_when is not None and kept.get(item.enable_when[0]) != item.enable_when[1]:
            continue
        if item.link_id in answers:
            kept[item.link_id] = answers[item.link_id]
    return kept


def is_positive(item: Item, index: int | None) -> bool:
    """Whether this answer raises the item's risk flag, by the rule scoring uses."""
    if index is None or item.risk_flag is None:
        return False
    value = item.options[index].value
    return value is not None and item.risk_severity(value) is not None


@dataclass
class Questionnaire:
    """One instrument for one session of one client, with the draft and any stored response."""

    client: Client
    session: Session
    instrument: Instrument
    draft: QuestionnaireDraft | None
    response: Response | None

    @property
    def key(self) -> str:
        return self.instrument.key

    @property
    def answers(self) -> dict[str, Any]:
        return dict(self.draft.answers) if self.draft else {}

    @property
    def following(self) -> bool:
        """Sent at once after a positive risk answer, with risk questions still to answer."""
        return self.draft is not None and self.draft.sent_id is not None

    def first_open(self) -> int:
        """The first question that may still be answered: those sent already are locked."""
        if self.draft is None or self.draft.sent is None:
            return 1
        sent = self.draft.sent.answers
        numbers = [n for n, item in enumerate(self.instrument.items, start=1) if item.link_id in sent]
        return max(numbers, default=0) + 1

    @property
    def ended(self) -> bool:
        return self.session.course.status != CourseStatus.ACTIVE

    def ended_now(self) -> bool:
        """Whether the course has ended by now (it may have since this questionnaire was loaded)."""
        return Course.objects.filter(pk=self.session.course_id).exclude(status=CourseStatus.ACTIVE).exists()

    def asked(self) -> list[tuple[int, Item]]:
        return asked(self.instrument, self.answers)

    def next_number(self) -> int | None:
        """The first question asked and not answered yet; None when all are."""
        answers = self.answers
        return next((n for n, item in self.asked() if item.link_id not in answers), None)

    def reachable(self, number: int) -> bool:
        """Asked, not sent already, and either answered already or the next one: questions come
        in order."""
        numbers = [n for n, _item in self.asked()]
        upto = self.next_number()
        return number in numbers and number >= self.first_open() and (upto is None or number <= upto)

    def stamp(self) -> str:
        """What a review page was made from: a later change makes it stale."""
        return self.draft.updated_at.isoformat() if self.draft else ""

    def url(self, name: str = "questionnaire", *extra: Any) -> str:
        return reverse(f"portal:{name}", args=[self.session.pk, self.key, *extra])


def _scheduled(session: Session) -> tuple[str, ...]:
    course = session.course
    try:
        return course.protocol.measures_due(session.number, course.planned_sessions)
    except ValueError:
        return ()


def get_questionnaire(client: Client, session_id: int, key: str) -> Questionnaire:
    """The questionnaire if the session is one of this client's and the protocol has the portal
    offer this instrument at it; otherwise 404 (another client's session is a 404)."""
    session = Session.objects.select_related("course").filter(pk=session_id, course__client=client).first()
    if session is None:
        raise Http404("No such questionnaire")
    instrument = offered_instrument(client.organisation_id, key)
    if instrument is None or key not in _scheduled(session):
        raise Http404("No such questionnaire")
    draft = (
        QuestionnaireDraft.objects.select_related("sent")
        .filter(client=client, session=session, instrument=key)
        .first()
    )
    response = (
        Response.objects.filter(client=client, session=session, instrument=key)
        .order_by("completed_at", "id")
        .last()
    )
    return Questionnaire(client, session, instrument, draft, response)


def is_open(q: Questionnaire, today: date) -> bool:
    """Started already, or offered now (`due_questionnaires`)."""
    if q.draft is not None:
        return True
    return any(
        d.session_id == q.session.pk and d.instrument == q.key for d in due_questionnaires(q.client, today)
    )


# --- Answering and sending ---------------------------------------------------------------------


class AlreadySent(Exception):
    """A response for this questionnaire and session is stored: nothing more is taken."""

    def __init__(self, response: Response) -> None:
        super().__init__("already sent")
        self.response = response


def ended_message() -> str:
    return _("This course of therapy has ended, so its questionnaires can no longer be filled in.")


def _check_open(q: Questionnaire, draft: QuestionnaireDraft | None) -> None:
    """Inside the transaction: refuse an ended course, stop at a stored response (unless the
    draft goes on after it: sent at once after a positive risk answer)."""
    if Course.objects.filter(pk=q.session.course_id).exclude(status=CourseStatus.ACTIVE).exists():
        raise refuse(ended_message())
    stored = (
        Response.objects.filter(client=q.client, session=q.session, instrument=q.key)
        .order_by("completed_at", "id")
        .last()
    )
    if stored is not None and (draft is None or draft.sent_id != stored.pk):
        raise AlreadySent(stored)


def parse_answer(item: Item, raw: str | None, skip: bool) -> int | None:
    """The option index chosen, or None for an optional question skipped; refused otherwise (a
    risk question is never skipped)."""
    if skip and skippable(item):
        return None
    if raw is None or raw == "":
        raise refuse(_("Choose an answer to go on."), "answer")
    if raw not in {str(index) for index in range(len(item.options))}:
        raise refuse(_("That answer is not one of the choices. Choose one of the answers shown."), "answer")
    return int(raw)


@dataclass(frozen=True)
class Answered:
    positive: bool  # a positive risk answer: show crisis help next
    sent: Response | None  # the response recorded at once because of it


def save_answer(
    actor: Any,
    q: Questionnaire,
    number: int,
    raw: str | None,
    *,
    skip: bool = False,
    request: HttpRequest | None = None,
) -> Answered:
    """Keep one answer in the draft. A positive risk answer sends the questionnaire at once."""
    if not 1 <= number <= len(q.instrument.items):
        raise refuse(_("There is no question %(n)d in this questionnaire.") % {"n": number})
    item = q.instrument.items[number - 1]
    index = parse_answer(item, raw, skip)
    with transaction.atomic():
        draft = (
            QuestionnaireDraft.objects.select_for_update()
            .filter(client=q.client, session=q.session, instrument=q.key)
            .first()
        )
        _check_open(q, draft)
        if draft is None:
            draft = QuestionnaireDraft.objects.create(client=q.client, session=q.session, instrument=q.key)
        q.draft = draft
        if not q.reachable(number):
            raise refuse(_("Please answer the questions in order."))
        draft.answers = _pruned(q.instrument, {**draft.answers, item.link_id: index})
        draft.updated_at = timezone.now()
        draft.save(update_fields=["answers", "updated_at"])
        record(actor, "portal.questionnaire.answer", obj=draft, client_id=q.client.pk, request=request)
        if not is_positive(item, index):
            return Answered(positive=False, sent=None)
        # Sent in the same transaction as the answer (send's own block is a savepoint), so no
        # other tab can change the risk answer in between.
        try:
            sent = send(actor, q, at_risk=True, request=request)
        except (ValidationError, AlreadySent) as exc:
            # The answer stays in the draft and goes with the rest; the crisis page says so. The
            # exception's class only: a scoring message can quote answers.
            logger.error(
                "Portal questionnaire draft %s: a risk answer could not be sent (%s)",
                draft.pk,
                type(exc).__name__,
            )
            sent = None
    return Answered(positive=True, sent=sent)


def posted_positive(q: Questionnaire, number: int, raw: str | None) -> bool:
    """Whether a posted answer is a positive risk answer (nothing stored, nothing refused)."""
    if not 1 <= number <= len(q.instrument.items):
        return False
    item = q.instrument.items[number - 1]
    try:
        return is_positive(item, parse_answer(item, raw, skip=False))
    except ValidationError:
        return False


def keep_risk_answer(
    actor: Any, q: Questionnaire, number: int, raw: str | None, *, request: HttpRequest | None = None
) -> Response | None:
    """A positive risk answer the questionnaire can no longer take is never dropped.

    It arrives after the questionnaire was closed under the client: sent already (a double tap on
    the answer, or the clinician recorded it in session meanwhile) or the course ended. If this
    very answer was already sent with its alert (the double tap), that response is returned.
    Otherwise the draft's answers with this one are recorded as an ad-hoc response (no session;
    the course only while it is active) through `record_response`, so the alert opens as on every
    path, and the draft goes. None when nothing could be recorded; that is logged without values.
    """
    if not posted_positive(q, number, raw):
        return None
    item = q.instrument.items[number - 1]
    index = parse_answer(item, raw, skip=False)
    with transaction.atomic():
        draft = (
            QuestionnaireDraft.objects.select_for_update()
            .filter(client=q.client, session=q.session, instrument=q.key)
            .first()
        )
        stored = Response.objects.filter(client=q.client, session=q.session, instrument=q.key).first()
        if (
            draft is None
            and stored is not None
            and stored.channel == Channel.PORTAL
            and stored.alerts.exists()
        ):
            return stored  # this answer, sent a moment ago with its alert
        answers = dict(draft.answers) if draft is not None else {}
        answers = _pruned(q.instrument, {**answers, item.link_id: index})
        course = q.session.course
        try:
            response = record_response(
                actor,
                q.client,
                instrument=q.key,
                answers={link_id: i for link_id, i in answers.items() if i is not None},
                source=Source.CLIENT,
                channel=Channel.PORTAL,
                course=course if course.status == CourseStatus.ACTIVE else None,
                response_uuid=draft.uuid if draft is not None else None,
                request=request,
            )
        except ValidationError as exc:
            logger.error(
                "Portal questionnaire for session %s: a late risk answer could not be recorded (%s)",
                q.session.pk,
                type(exc).__name__,
            )
            return None
        if draft is not None and draft.sent_id is None:
            draft.delete()  # a draft going on after a sent response keeps its questions
    return response


def _sent_as(q: Questionnaire, draft_uuid: str) -> Response | None:
    """This questionnaire's response, if it was stored from the draft with this uuid."""
    try:
        key = uuid.UUID(draft_uuid)
    except ValueError:
        return None
    return Response.objects.filter(client=q.client, session=q.session, instrument=q.key, uuid=key).first()


def send(
    actor: Any,
    q: Questionnaire,
    *,
    draft_uuid: str = "",
    stamp: str | None = None,
    at_risk: bool = False,
    request: HttpRequest | None = None,
) -> Response:
    """Record the draft as the client's response (with its alerts) and delete it, in one
    transaction. Sending the same draft again returns the stored response; a questionnaire
    already stored for the session is `AlreadySent`. Every question asked must have been answered
    or skipped, except `at_risk`: after a positive risk answer, the questions still to come (all
    optional, see `sends_on_risk`) are left out, or, when risk questions are among them, asked
    next (the draft goes on, `draft.sent` locking the answers sent)."""
    with transaction.atomic():
        draft = (
            QuestionnaireDraft.objects.select_for_update()
            .filter(client=q.client, session=q.session, instrument=q.key)
            .first()
        )
        if draft is None and (done := _sent_as(q, draft_uuid)) is not None:
            return done
        _check_open(q, draft)
        if draft is None:
            raise refuse(_("There are no answers to send yet."))
        q.draft = draft
        if stamp is not None and stamp != q.stamp():
            raise refuse(
                _("Your answers changed since you opened this page. Check them below, then send again.")
            )
        if not at_risk and q.next_number() is not None:
            raise refuse(_("Some questions are not answered yet."))
        response = record_response(
            actor,
            q.client,
            instrument=q.key,
            answers={link_id: index for link_id, index in draft.answers.items() if index is not None},
            source=Source.CLIENT,
            channel=Channel.PORTAL,
            session=q.session,
            response_uuid=draft.uuid,
            completes=draft.sent,
            request=request,
        )
        q.response = response
        if at_risk and _risk_questions_to_come(q):
            draft.sent, draft.uuid = response, uuid.uuid4()
            draft.save(update_fields=["sent", "uuid"])
            return response
        draft.delete()
    q.draft = None
    return response


def _risk_questions_to_come(q: Questionnaire) -> bool:
    """Whether a risk question is still to be answered (asked after the crisis help)."""
    answers = q.answers
    return any(item.never_skipped and item.link_id not in answers for _n, item in q.asked())

"""Which reminders are due at a moment: the rules of who is reminded of what, and when.

A reminder is about one scheduled session of a client's active course. It is sent on the day
`lead.days` before the session, from `lead.hour` until LATEST_HOUR, both in the organisation's
time zone, so "tomorrow" means tomorrow where the client lives and nothing arrives at night. A
reminder not sent in that window (the worker was down all day) is not sent late.

Who: clients with active portal access who have not turned reminders off and have an address for
their channel (their e-mail address on the client record, or the mobile number they gave for texts).
Questionnaire reminders go only when something the client can answer in the portal is due.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, QuerySet

from openipt.accounts.models import Organisation, Role
from openipt.clients.models import Client
from openipt.courses.models import Attendance, Course, CourseStatus, Session
from openipt.measures.due import measures_for_courses
from openipt.portal.questionnaires import offered_instrument

from .models import ReminderDelivery, ReminderKind, ReminderPreference

LATEST_HOUR = 21  # nothing is sent from 21:00 in the organisation's time zone


@dataclass(frozen=True)
class Lead:
    days: int  # days before the session; 0 = on the day
    hour: int  # sent from this hour of the organisation's day


@dataclass(frozen=True)
class Due:
    """One reminder due now: to `address` by `channel`, about `session`."""

    client: Client
    kind: str
    session: Session
    channel: str
    address: str
    days_before: int
    questionnaires: int = 0  # how many, for a questionnaire reminder; never which

    @property
    def key(self) -> tuple[int, str, int, date]:
        """One reminder of a kind per session date, whichever channel: a client who switches from
        e-mail to text messages after it went is not reminded twice."""
        return (self.client.pk, self.kind, self.session.pk, self.session.scheduled_date)


def lead_for(kind: str) -> Lead:
    days = (
        settings.OPENIPT_REMINDER_SESSION_DAYS
        if kind == ReminderKind.SESSION
        else settings.OPENIPT_REMINDER_QUESTIONNAIRE_DAYS
    )
    return Lead(days=days, hour=settings.OPENIPT_REMINDER_HOUR)


def in_window(local_now: datetime, lead: Lead) -> bool:
    return lead.hour <= local_now.hour < LATEST_HOUR


def preference_of(client: Client) -> ReminderPreference:
    """The client's saved choice, or the default (on, by e-mail) when they have not chosen."""
    # Read through the descriptor, so that select_related("...reminder_preference") saves a query.
    try:
        saved: ReminderPreference = getattr(client, "reminder_preference")  # noqa: B009
    except ReminderPreference.DoesNotExist:
        return ReminderPreference.default_for(client)
    return saved


def live_sessions() -> QuerySet[Session]:
    """Scheduled sessions of active courses of clients whose portal access is open."""
    return Session.objects.filter(
        attendance=Attendance.SCHEDULED,
        course__status=CourseStatus.ACTIVE,
        course__client__portal_account__user__is_active=True,
        course__client__portal_account__user__role=Role.CLIENT,
        course__client__portal_account__user__organisation_id=F("course__client__organisation_id"),
    ).select_related("course__client__organisation", "course__client__reminder_preference")


def due_questionnaires(courses: Iterable[Course], today: date) -> dict[int, list[str]]:
    """The instruments due at each course's next session (by session id) that the client answers
    in the portal: exactly those the portal offers (openipt.portal.questionnaires.offered_instrument:
    client-rated, administrable in the organisation, safe to send at a risk answer)."""
    courses = list(courses)
    organisation_of = {c.pk: c.client.organisation_id for c in courses}
    answerable: dict[tuple[int, str], bool] = {}
    found: dict[int, list[str]] = defaultdict(list)
    for course_id, measures in measures_for_courses(courses, today).items():
        for measure in measures.due:
            key = (organisation_of[course_id], measure.instrument)
            if key not in answerable:
                answerable[key] = offered_instrument(*key) is not None  # what the portal will offer
            if answerable[key]:
                found[measure.session_id].append(measure.instrument)
    return found


def reminders_for(kind: str, sessions: list[Session], today: date, days_before: int) -> list[Due]:
    """The reminders of this kind that the clients of these sessions want and can receive."""
    counts = (
        {pk: len(keys) for pk, keys in due_questionnaires({s.course for s in sessions}, today).items()}
        if kind == ReminderKind.QUESTIONNAIRES and sessions
        else {}
    )
    found = []
    for session in sessions:
        client = session.course.client
        preference = preference_of(client)
        address = preference.address_for(client)
        count = counts.get(session.pk, 0)
        if not address or (kind == ReminderKind.QUESTIONNAIRES and not count):
            continue
        found.append(Due(client, kind, session, preference.channel, address, days_before, count))
    return found


def due_reminders(now: datetime) -> list[Due]:
    """Every reminder due at `now`, whether or not it has been sent already."""
    found: list[Due] = []
    zones = Organisation.objects.order_by().values_list("time_zone", flat=True).distinct()
    for zone in sorted(zones):
        local = now.astimezone(ZoneInfo(zone))
        for kind in ReminderKind.values:
            lead = lead_for(kind)
            if not in_window(local, lead):
                continue
            sessions = list(
                live_sessions()
                .filter(
                    scheduled_date=local.date() + timedelta(days=lead.days),
                    course__client__organisation__time_zone=zone,
                )
                .order_by("pk")
            )
            found.extend(reminders_for(kind, sessions, local.date(), lead.days))
    return found


def still_due(delivery: ReminderDelivery, now: datetime) -> Due | None:
    """The reminder this log row stands for, if it is still wanted now by the same channel."""
    local = now.astimezone(ZoneInfo(delivery.client.organisation.time_zone))
    lead = lead_for(delivery.kind)
    if not in_window(local, lead) or local.date() + timedelta(days=lead.days) != delivery.session_date:
        return None
    session = live_sessions().filter(pk=delivery.session_ref, scheduled_date=delivery.session_date).first()
    if session is None or session.course.client_id != delivery.client_id:
        return None
    found = reminders_for(delivery.kind, [session], local.date(), lead.days)
    return found[0] if found and found[0].channel == delivery.channel else None

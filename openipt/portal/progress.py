"""My progress in the portal: the client's own scores as charts, their sessions (also as a calendar
file) and the plans their therapist has shared. Nothing here changes anything.

What the client sees, and why:

- **Scores**: only questionnaires the client answered themselves (`Response.source` is the
  client) on the symptom measures in `CHARTED`, all of them "lower is better". Left out: the
  clinician-rated HAM-D (the clinician's rating, not the client's answers), the C-SSRS screener
  (a risk triage level, not a score) and the WAI-SR (about the therapy relationship, where higher
  is better, and read with the therapist). Totals and bands only, never item answers.
- **Every course**: scores from ended courses stay on the chart, so a client whose course ended
  still sees how far they came; the schedule and contract of an ended course stay readable too.
- **Schedule**: the sessions of the current course: the active one, or else the most recent.
  The calendar file holds the active course's sessions only, at their times, named "Appointment"
  and nothing more than how it is held (a family may share the calendar: no video link either).
- **Plans**, each only while the clinician shares it: the current course's contract; the newest
  relapse-prevention ("staying well") plan marked shared, which after maintenance IPT starts may
  be the completed course's; the safety plan's latest version, if that version is shared (a
  version saved unshared hides the plan: that is how a clinician stops sharing it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from openipt.clients.models import Client
from openipt.courses import schedule as schedule_rules
from openipt.courses import termination
from openipt.courses.models import Attendance, Contract, Course, CourseStatus, Session, TerminationPlan
from openipt.lib import charts
from openipt.measures.instruments import Instrument, get_instrument
from openipt.measures.models import Score, Source
from openipt.protocols.model import CADENCE_LABELS
from openipt.safety import plans as safety_plans
from openipt.safety.models import SafetyPlan

# The measures a client sees charted, with what each asks about in plain words.
CHARTED: dict[str, tuple[StrOrPromise, StrOrPromise]] = {
    "phq9": (gettext_lazy("Mood"), gettext_lazy("Low mood, sleep, energy and interest in things.")),
    "phqa": (gettext_lazy("Mood"), gettext_lazy("Low mood, sleep, energy and interest in things.")),
    "phq2": (gettext_lazy("Mood, short check"), gettext_lazy("Low mood and interest in things.")),
    "qids_sr16": (gettext_lazy("Mood"), gettext_lazy("Low mood, sleep, appetite and energy.")),
    "epds": (gettext_lazy("Mood"), gettext_lazy("How you have been feeling since your baby was born.")),
    "gad7": (gettext_lazy("Worry"), gettext_lazy("Feeling nervous, worrying and being unable to relax.")),
    "wsas": (
        gettext_lazy("Daily life"),
        gettext_lazy("How much your problems get in the way of work, home and seeing people."),
    ),
}

# Band names in plain words; (instrument, band) first, then the band alone, else the instrument's.
PLAIN_BANDS: dict[str, StrOrPromise] = {
    "none": gettext_lazy("None"),
    "minimal": gettext_lazy("Very mild"),
    "mild": gettext_lazy("Mild"),
    "moderate": gettext_lazy("Moderate"),
    "moderately_severe": gettext_lazy("Quite severe"),
    "severe": gettext_lazy("Severe"),
    "very_severe": gettext_lazy("Very severe"),
}
PLAIN_INSTRUMENT_BANDS: dict[tuple[str, str], StrOrPromise] = {
    ("phq2", "negative"): gettext_lazy("Low"),
    ("phq2", "positive"): gettext_lazy("High"),
    ("epds", "unlikely"): gettext_lazy("Low"),
    ("epds", "possible"): gettext_lazy("Medium"),
    ("epds", "probable"): gettext_lazy("High"),
    ("wsas", "subclinical"): gettext_lazy("Little effect"),
    ("wsas", "significant"): gettext_lazy("Some effect"),
    ("wsas", "severe"): gettext_lazy("Large effect"),
}
# The stylesheet's band colours, mildest first (openipt.css, "Charts").
TONES = ("minimal", "mild", "moderate", "moderately-severe", "severe")

# Chart size in viewBox units: drawn for a phone, so its text stays readable at 320 px.
CHART_WIDTH = 320
CHART_HEIGHT = 210


def plain_band(instrument: Instrument, band_key: str) -> str:
    """The band's name as the client reads it ("Quite severe" for PHQ-9's "Moderately severe")."""
    plain = PLAIN_INSTRUMENT_BANDS.get((instrument.key, band_key)) or PLAIN_BANDS.get(band_key)
    if plain is not None:
        return str(plain)
    return next((_(b.label) for b in instrument.bands if b.key == band_key), band_key)


def _tone(instrument: Instrument, index: int) -> str:
    key = instrument.bands[index].key.replace("_", "-")
    if key in TONES:
        return f"band-{key}"
    last = max(len(instrument.bands) - 1, 1)
    return f"band-{TONES[round(index * (len(TONES) - 1) / last)]}"


# --- Scores ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreRow:
    day: date
    total: int
    band: str


@dataclass(frozen=True)
class Measure:
    """One charted questionnaire: its plain name, its scores oldest first and the chart."""

    key: str
    name: str
    short_name: str
    about: str
    max_total: int
    rows: tuple[ScoreRow, ...]
    chart: SafeString

    @property
    def latest(self) -> ScoreRow:
        return self.rows[-1]

    @property
    def newest_first(self) -> list[ScoreRow]:
        return list(reversed(self.rows))


def own_scores(client: Client) -> list[Score]:
    """The client's scores on the charted measures, from answers they gave themselves, oldest first;
    a response completed by a later one (the questions after crisis help) counts once, as that one."""
    return list(
        Score.objects.filter(
            client=client,
            instrument__in=CHARTED,
            response__source=Source.CLIENT,
            response__completed_by__isnull=True,
        )
        .only("instrument", "total", "band", "completed_at")
        .order_by("completed_at", "id")
    )


def measures_for(client: Client) -> list[Measure]:
    """One chart per charted measure the client has answered, in `CHARTED` order (one query)."""
    by_instrument: dict[str, list[Score]] = {}
    for score in own_scores(client):
        by_instrument.setdefault(score.instrument, []).append(score)
    return [_measure(get_instrument(key), by_instrument[key]) for key in CHARTED if key in by_instrument]


def _measure(instrument: Instrument, scores: Sequence[Score]) -> Measure:
    name, about = CHARTED[instrument.key]
    short = _(instrument.short_name)
    rows = tuple(
        ScoreRow(timezone.localdate(s.completed_at), s.total, plain_band(instrument, s.band)) for s in scores
    )
    return Measure(
        key=instrument.key,
        name=_("%(what)s (%(short)s)") % {"what": name, "short": short},
        short_name=short,
        about=str(about),
        max_total=instrument.max_total,
        rows=rows,
        chart=_chart(instrument, scores, short),
    )


def _chart(instrument: Instrument, scores: Sequence[Score], short: str) -> SafeString:
    first = scores[0].completed_at
    points = []
    for s in scores:
        day = timezone.localdate(s.completed_at)
        points.append(
            charts.Point(
                x_label=date_format(day, "j M"),
                value=s.total,
                position=(s.completed_at - first).total_seconds() / 86400,
                long_label=date_format(day, "j M Y"),
            )
        )
    bands = [
        charts.BandShade(b.low, b.high, plain_band(instrument, b.key), _tone(instrument, n))
        for n, b in enumerate(instrument.bands)
    ]
    svg = charts.trend_chart(
        [charts.Series(name=short, points=points)],
        max_value=instrument.max_total,
        bands=bands,
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        title=_("Your %(name)s scores over time") % {"name": short},
        chart_id=f"chart-{instrument.key.replace('_', '-')}",
        gettext=_,
    )
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703  # trend_chart escapes every string it is given


# --- Sessions ----------------------------------------------------------------------------------

# What a session's attendance means for the client, in plain words.
SESSION_WORDS: dict[str, StrOrPromise] = {
    Attendance.ATTENDED: gettext_lazy("You came"),
    Attendance.NO_SHOW: gettext_lazy("Missed"),
    Attendance.CANCELLED: gettext_lazy("Cancelled"),
}


def current_course(client: Client) -> Course | None:
    """The active course, or else the most recently started one (None before any course)."""
    courses = Course.objects.filter(client=client)
    active = courses.filter(status=CourseStatus.ACTIVE).first()
    return active or courses.order_by("-start_date", "-id").first()


@dataclass(frozen=True)
class SessionRow:
    session: Session
    words: str
    upcoming: bool

    @property
    def cancelled(self) -> bool:
        return self.session.is_cancelled


@dataclass(frozen=True)
class Schedule:
    course: Course | None
    upcoming: list[SessionRow]
    past: list[SessionRow]
    next: SessionRow | None = None

    @property
    def ended(self) -> bool:
        return self.course is not None and not self.course.is_active


def next_session(client: Client, today: date) -> Session | None:
    """The client's next session, as the home page, the schedule, the questionnaires and the
    calendar file name it (`courses.schedule.next_session`, on the active course; one query)."""
    sessions = Session.objects.filter(course__client=client, course__status=CourseStatus.ACTIVE)
    return schedule_rules.next_session(sessions.filter(scheduled_date__gte=today), today)


def schedule_for(client: Client, today: date) -> Schedule:
    """The current course's sessions: today and later (date order), then earlier ones (newest first).

    Once the course has ended everything is past, and sessions still booked after its end date,
    which were never held, are left out.
    """
    course = current_course(client)
    if course is None:
        return Schedule(None, [], [])
    found = course.sessions.order_by("scheduled_date", "number", "id")
    if not course.is_active and course.ended_on is not None:
        found = found.exclude(attendance=Attendance.SCHEDULED, scheduled_date__gt=course.ended_on)
    upcoming: list[SessionRow] = []
    past: list[SessionRow] = []
    sessions = list(found)
    following = schedule_rules.next_session(sessions, today) if course.is_active else None
    for s in sessions:
        soon = s.scheduled_date >= today and course.is_active
        row = SessionRow(s, _session_words(s, soon, today), soon)
        (upcoming if soon else past).append(row)
    next_row = next((row for row in upcoming if row.session is following), None)
    return Schedule(course, upcoming, list(reversed(past)), next_row)


def _session_words(session: Session, upcoming: bool, today: date) -> str:
    if session.attendance in SESSION_WORDS:
        return str(SESSION_WORDS[session.attendance])
    if session.scheduled_date == today:
        return _("Today")
    return _("Booked") if upcoming else _("Not recorded yet")


# --- Calendar file (RFC 5545) ------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEvent:
    """One appointment: its start (an aware datetime) and length."""

    uid: str
    start: datetime
    length: timedelta
    summary: str
    description: str = ""
    cancelled: bool = False
    sequence: int = 0


def ics_calendar(events: Iterable[CalendarEvent], *, now: datetime, name: str) -> str:
    """A VCALENDAR (written by the `icalendar` library: escaped, folded, CRLF line ends).

    Each event starts at a UTC time (DTSTART ending in Z) and lasts DURATION, so any calendar shows
    it at the right moment in its own time zone without a time-zone definition in the file.
    """
    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//Client portal//Appointments//EN")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for event in events:
        vevent = icalendar.Event()
        vevent.add("uid", event.uid)
        vevent.add("dtstamp", now.astimezone(UTC))
        vevent.add("dtstart", event.start.astimezone(UTC))
        vevent.add("duration", event.length)
        vevent.add("sequence", event.sequence)
        vevent.add("summary", event.summary)
        if event.description:
            vevent.add("description", event.description)
        vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
        vevent.add("transp", "OPAQUE")
        calendar.add_component(vevent)
    return calendar.to_ical().decode()


MODALITY_WORDS = {
    "in_person": gettext_lazy("In person"),
    "video": gettext_lazy("Video call"),
    "phone": gettext_lazy("Phone call"),
}


def calendar_events(client: Client, host: str) -> list[CalendarEvent]:
    """The active course's sessions, cancelled ones marked so, as "Appointment" and how it is held.

    Each starts at its time on the clock of the organisation's time zone. A video session's link is
    left out: a calendar may be shared with the family, and the link would let them join the
    session; the client finds it on the portal's home page. A UID is stable per session, so
    importing the file again updates the events; SEQUENCE counts the session's saved versions, so
    a moved session replaces the old date.
    """
    zone = ZoneInfo(client.organisation.time_zone)
    sessions = list(
        Session.objects.filter(course__client=client, course__status=CourseStatus.ACTIVE).order_by(
            "scheduled_date", "start_time", "number", "id"
        )
    )
    history: Any = Session.history
    counted = history.filter(id__in=[s.pk for s in sessions]).order_by().values_list("id")
    versions = dict(counted.annotate(n=Count("history_id")))
    return [
        CalendarEvent(
            uid=f"session-{s.uuid}@{host}",
            start=s.starts_at(zone),
            length=timedelta(minutes=s.duration_minutes),
            summary=_("Appointment"),
            description=str(MODALITY_WORDS.get(s.modality, "")),
            cancelled=s.is_cancelled,
            sequence=max(versions.get(s.pk, 1) - 1, 0),
        )
        for s in sessions
    ]


# --- Shared plans ------------------------------------------------------------------------------


def shared_contract(client: Client) -> Contract | None:
    """The current course's contract, if the clinician shares it."""
    course = current_course(client)
    if course is None:
        return None
    return Contract.objects.filter(course=course, shared_with_client=True).select_related("course").first()


def cadence(course: Course) -> str:
    """How often the sessions are, in words: "weekly", "monthly"."""
    return _(CADENCE_LABELS[course.protocol.cadence])


def shared_relapse_plan(client: Client) -> TerminationPlan | None:
    """The newest relapse-prevention plan marked shared, over the client's courses."""
    return (
        TerminationPlan.objects.filter(course__client=client, shared_with_client=True)
        .select_related("course")
        .order_by("-course__start_date", "-course_id")
        .first()
    )


def shared_safety_plan(client: Client) -> SafetyPlan | None:
    """The safety plan's latest version, if that version is shared."""
    latest = client.safety_plans.order_by("-version").first()
    return latest if latest is not None and latest.shared_with_client else None


def relapse_sections(plan: TerminationPlan) -> list[tuple[str, str, str]]:
    """The parts of the ending plan meant for the client: (field, heading, text)."""
    return [(name, termination.label(name), getattr(plan, name)) for name in termination.PLAN_FIELDS]


def safety_sections(plan: SafetyPlan) -> list[safety_plans.Section]:
    return safety_plans.sections(plan)


@dataclass(frozen=True)
class SharedPlans:
    contract: bool
    relapse: bool
    safety: bool

    @property
    def any(self) -> bool:
        return self.contract or self.relapse or self.safety


def shared_plans(client: Client) -> SharedPlans:
    return SharedPlans(
        contract=shared_contract(client) is not None,
        relapse=shared_relapse_plan(client) is not None,
        safety=shared_safety_plan(client) is not None,
    )


# --- The home page's card ----------------------------------------------------------------------


@dataclass(frozen=True)
class LatestScore:
    name: str
    total: int
    max_total: int
    band: str
    day: date


@dataclass(frozen=True)
class ProgressCard:
    """What the portal home page's "My progress" card shows: `portal/progress_card.html`."""

    latest: list[LatestScore]
    plans: SharedPlans


def home_card(client: Client) -> ProgressCard:
    """The newest own score of each charted measure and which plans are shared (five queries)."""
    newest: dict[str, Score] = {}
    for score in own_scores(client):
        newest[score.instrument] = score
    latest = []
    for key in CHARTED:
        if key in newest:
            instrument, score = get_instrument(key), newest[key]
            latest.append(
                LatestScore(
                    name=_("%(what)s (%(short)s)")
                    % {"what": CHARTED[key][0], "short": _(instrument.short_name)},
                    total=score.total,
                    max_total=instrument.max_total,
                    band=plain_band(instrument, score.band),
                    day=timezone.localdate(score.completed_at),
                )
            )
    return ProgressCard(latest=latest, plans=shared_plans(client))

"""My progress in the portal: own scores charted with plain-language bands, the sessions and their
calendar file, the plans the clinician shared; and the clinician's control to share the contract."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openipt.accounts.models import Team, User
from openipt.audit.models import AuditEvent
from openipt.clients.actions import create_client
from openipt.clients.models import Client
from openipt.courses.actions import end_course, set_appointment, start_course
from openipt.courses.formulation_actions import set_contract
from openipt.courses.models import Attendance, Contract, Course, Session
from openipt.courses.termination import save_termination
from openipt.measures.actions import record_response
from openipt.measures.models import Source
from openipt.notes.models import PsychotherapyNote
from openipt.portal import progress
from openipt.safety.plans import save_safety_plan

from .conftest import joined

NOW = datetime(2026, 4, 1, 11, 0, tzinfo=UTC)
PAGES = ["/portal/progress/", "/portal/progress/sessions/", "/portal/progress/agreement/"]
PAGES += ["/portal/progress/staying-well/", "/portal/progress/safety-plan/"]
NOT_SHARED = "Your therapist has not shared this yet"


@pytest.fixture
def now(time_machine: Any) -> datetime:
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def http(alice: User, client_a: Client, now: datetime) -> HttpClient:
    browser = HttpClient()
    browser.force_login(joined(alice, client_a))
    return browser


def staff(user: User) -> HttpClient:
    browser = HttpClient()
    browser.force_login(user)
    return browser


def phq9(total: int) -> list[int]:
    """PHQ-9 answers adding up to `total` (at most 24), the risk item left at 0."""
    answers = [min(3, max(0, total - 3 * i)) for i in range(8)]
    return [*answers, 0]


def scored(actor: User, client: Client, total: int, day: date, **kwargs: Any) -> None:
    when = datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)
    record_response(actor, client, instrument="phq9", answers=phq9(total), completed_at=when, **kwargs)


def other_client(alice: User, team: Team, name: str = "Reyes") -> Client:
    return create_client(
        alice,
        team=team,
        clinic_identifier=f"NS-{name}",
        given_name="Tomas",
        family_name=name,
        preferred_name="",
        date_of_birth=date(1990, 1, 1),
        email="",
        phone="",
        locale="en-gb",
    )


def rows(page: str) -> list[tuple[str, str, str]]:
    return re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td><td>([^<]+)</td></tr>", page)


# --- Scores ------------------------------------------------------------------------------------


def test_the_chart_shows_only_the_clients_own_answers(
    alice: User, north_team: Team, client_a: Client, course_a: Course, http: HttpClient
) -> None:
    scored(alice, client_a, 18, date(2026, 3, 2), course=course_a)
    scored(alice, client_a, 9, date(2026, 3, 16), course=course_a)
    scored(alice, client_a, 21, date(2026, 3, 9), source=Source.PARENT)  # not the client's answers
    record_response(alice, client_a, instrument="hamd17", answers=[1] * 17, source=Source.CLINICIAN)
    scored(alice, other_client(alice, north_team), 24, date(2026, 3, 9))

    page = http.get("/portal/progress/").content.decode()

    assert "Mood (PHQ-9)" in page
    assert rows(page) == [("16 Mar 2026", "9", "Mild"), ("2 Mar 2026", "18", "Quite severe")]
    assert "Your latest score: <strong>9</strong> out of 27 (Mild), on 16 Mar 2026." in page
    assert "HAM-D" not in page and ">21<" not in page and ">24<" not in page
    assert "Lower is better" in page


def test_the_chart_is_an_svg_with_plain_bands_and_a_text_alternative(
    alice: User, client_a: Client, http: HttpClient
) -> None:
    scored(alice, client_a, 18, date(2026, 3, 2))
    scored(alice, client_a, 12, date(2026, 3, 23))

    page = http.get("/portal/progress/").content.decode()

    svg = re.search(r"<svg .*?</svg>", page, re.S)
    assert svg is not None
    chart = svg.group(0)
    assert 'viewBox="0 0 320 210"' in chart and 'width="100%"' in chart and 'role="img"' in chart
    assert '<title id="chart-phq9-title">Your PHQ-9 scores over time</title>' in chart
    assert re.search(r'<desc id="chart-phq9-desc">PHQ-9: first score 18 \(Quite severe\)', chart)
    for band in ("Very mild", "Mild", "Moderate", "Quite severe", "Severe"):
        assert f">{band}<" in chart, band
    assert chart.count("chart-marker chart-marker-1") >= 2
    assert "<table>" in page and "<caption" in page and "Your PHQ-9 scores as a table" in page
    assert "<script" not in page and "style=" not in page


def test_plain_band_names(client_a: Client) -> None:
    from openipt.measures.instruments import get_instrument

    assert progress.plain_band(get_instrument("phq9"), "moderately_severe") == "Quite severe"
    assert progress.plain_band(get_instrument("wsas"), "severe") == "Large effect"
    assert progress.plain_band(get_instrument("epds"), "probable") == "High"
    assert progress.plain_band(get_instrument("gad7"), "unknown") == "unknown"


def test_without_scores_the_page_says_so(http: HttpClient) -> None:
    page = http.get("/portal/progress/").content.decode()

    assert "No scores yet" in page and "<svg" not in page


def test_scores_of_an_ended_course_stay_readable(
    alice: User, client_a: Client, course_a: Course, http: HttpClient
) -> None:
    scored(alice, client_a, 15, date(2026, 3, 2), course=course_a)
    end_course(alice, course_a, status="completed", ended_on=date(2026, 3, 30))

    page = http.get("/portal/progress/").content.decode()
    sessions = http.get("/portal/progress/sessions/").content.decode()

    assert rows(page) == [("2 Mar 2026", "15", "Quite severe")]
    assert "Your course of therapy has ended." in page
    assert "Your course of therapy ended on 30 March 2026" in sessions
    assert "Coming up" not in sessions and "Add to my calendar" not in sessions
    assert "Monday 30 March 2026" in sessions and "Monday 6 April 2026" not in sessions  # never held


def test_the_progress_page_makes_the_same_queries_however_many_scores(
    alice: User, client_a: Client, course_a: Course, http: HttpClient
) -> None:
    scored(alice, client_a, 18, date(2026, 3, 2))
    with CaptureQueriesContext(connection) as few:
        http.get("/portal/progress/")
    for day in (9, 16, 23, 30):
        scored(alice, client_a, 10, date(2026, 3, day))
    record_response(alice, client_a, instrument="gad7", answers=[1] * 7)

    with CaptureQueriesContext(connection) as many:
        http.get("/portal/progress/")

    assert len(many) == len(few)


# --- Sessions and the calendar file ------------------------------------------------------------


def mark(course: Course, number: int, attendance: str) -> Session:
    Session.objects.filter(course=course, number=number).update(attendance=attendance)
    return course.sessions.get(number=number)


def test_the_schedule_says_what_happened_in_plain_words(course_a: Course, http: HttpClient) -> None:
    mark(course_a, 1, Attendance.ATTENDED)
    mark(course_a, 2, Attendance.NO_SHOW)
    mark(course_a, 3, Attendance.CANCELLED)

    page = http.get("/portal/progress/sessions/").content.decode()

    upcoming, past = page.split("Earlier sessions")
    assert "Coming up" in upcoming and "Wednesday 1 April 2026" not in upcoming
    assert "Monday 6 April 2026" in upcoming and "Booked" in upcoming
    assert upcoming.index("6 April 2026") < upcoming.index("13 April 2026")
    assert "You came" in past and "Missed" in past and "Cancelled" in past and "Not recorded yet" in past
    assert past.index("30 March 2026") < past.index("2 March 2026")  # newest first
    assert 'class="portal-session-cancelled"' in past
    assert 'href="/portal/progress/sessions/appointments.ics"' in upcoming


def ics(http: HttpClient) -> str:
    response = http.get("/portal/progress/sessions/appointments.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="appointments.ics"'
    return response.content.decode()


def test_the_calendar_file_follows_rfc_5545(course_a: Course, http: HttpClient) -> None:
    cancelled = mark(course_a, 3, Attendance.CANCELLED)

    body = ics(http)

    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    events = body.split("BEGIN:VEVENT")[1:]
    assert len(events) == course_a.sessions.count() == 16
    first = course_a.sessions.get(number=1)
    assert f"UID:session-{first.uuid}@testserver\r\n" in events[0]
    assert "DTSTAMP:20260401T110000Z\r\n" in events[0]
    # 09:00 in London (GMT in March) is 09:00 UTC; the protocol's sessions last 50 minutes
    assert "DTSTART:20260302T090000Z\r\n" in events[0] and "DURATION:PT50M\r\n" in events[0]
    assert "SUMMARY:Appointment\r\n" in events[0] and "DESCRIPTION:In person\r\n" in events[0]
    assert "STATUS:CONFIRMED" in events[0]
    assert f"UID:session-{cancelled.uuid}@testserver\r\n" in events[2] and "STATUS:CANCELLED" in events[2]


def test_the_calendar_file_says_nothing_clinical(
    alice: User, north_team: Team, client_a: Client, course_a: Course, http: HttpClient
) -> None:
    theirs = start_course(
        alice, other_client(alice, north_team), protocol_key="ipt-brief", start_date=NOW.date()
    )
    set_contract(
        alice,
        course_a,
        sessions=16,
        focus="Grief after my father died",
        goals="Sleep",
        missed_sessions="",
        agreed_on=None,
        base_version=None,
    )

    body = ics(http)

    for words in (
        "Okafor",
        "Maya",
        "OpenIPT",
        "Interpersonal",
        "Grief",
        "depress",
        "phase",
        "alice",
        "Alice",
        "Session ",
    ):
        assert words not in body, words
    assert not any(str(s.uuid) in body for s in theirs.sessions.all())


def test_a_moved_session_keeps_its_uid_and_raises_its_sequence(course_a: Course, http: HttpClient) -> None:
    session = course_a.sessions.get(number=8)
    before = ics(http)
    Session.objects.filter(pk=session.pk).update(scheduled_date=date(2026, 4, 22))

    after = ics(http)

    uid = f"UID:session-{session.uuid}@testserver\r\n"
    old = next(e for e in before.split("BEGIN:VEVENT") if uid in e)
    new = next(e for e in after.split("BEGIN:VEVENT") if uid in e)
    # 09:00 in London on 22 April (summer time) is 08:00 UTC
    assert "SEQUENCE:0" in old and "SEQUENCE:1" in new and "DTSTART:20260422T080000Z" in new


def test_without_an_active_course_there_is_no_calendar_file(http: HttpClient) -> None:
    response = http.get("/portal/progress/sessions/appointments.ics", follow=True)

    assert response.redirect_chain == [("/portal/progress/sessions/", 302)]
    assert "nothing to add" in response.content.decode()


def test_the_calendar_serialiser_folds_and_escapes_a_long_summary() -> None:
    event = progress.CalendarEvent(
        uid="session-1@example.org",
        start=datetime(2026, 3, 2, 14, 0, tzinfo=UTC),
        length=timedelta(minutes=50),
        summary="A, b; " * 20,
    )

    body = progress.ics_calendar([event], now=NOW, name="Appointments")

    assert "SUMMARY:A\\, b\\; A\\, b\\;" in body
    assert "\r\n A\\, b" in body or "\r\n " in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    unfolded = body.replace("\r\n ", "")
    assert "SUMMARY:" + "A\\, b\\; " * 20 + "\r\n" in unfolded


# --- Shared plans ------------------------------------------------------------------------------

PLAN: dict[str, Any] = {"warning_signs": "MARKSIGNS", "what_helps": "MARKHELPS", "who_to_contact": "MARKWHO"}


def contract(alice: User, course: Course) -> Contract:
    return set_contract(
        alice,
        course,
        sessions=16,
        focus="MARKFOCUS",
        goals="MARKGOALS",
        missed_sessions="MARKMISSED",
        agreed_on=date(2026, 3, 9),
        base_version=None,
    )


def share(course: Course, on: bool = True) -> None:
    Contract.objects.filter(course=course).update(shared_with_client=on)


def everything_written(alice: User, client: Client, course: Course, *, shared: bool) -> None:
    contract(alice, course)
    if shared:
        share(course)
    save_termination(
        alice,
        course,
        base_version=None,
        shared_with_client=shared,
        progress_review="MARKREVIEW",
        feelings_about_ending="MARKFEELINGS",
        **PLAN,
    )
    save_safety_plan(
        alice, client, base_version=None, shared_with_client=shared, internal_coping="MARKCOPING"
    )
    session = course.sessions.get(number=1)
    PsychotherapyNote.objects.create(session=session, author=alice, body="MARKPROCESS")


def test_unshared_plans_are_not_shown(
    alice: User, client_a: Client, course_a: Course, http: HttpClient
) -> None:
    everything_written(alice, client_a, course_a, shared=False)

    for url in PAGES[2:]:
        page = http.get(url).content.decode()
        assert NOT_SHARED in page, url
        assert "MARK" not in page, url
    assert "MARK" not in http.get("/portal/progress/").content.decode()
    assert http.get("/portal/progress/").content.decode().count("not shared yet") == 3


def test_shared_plans_are_shown_without_the_clinicians_own_parts(
    alice: User, client_a: Client, course_a: Course, http: HttpClient
) -> None:
    everything_written(alice, client_a, course_a, shared=True)

    agreement = http.get("/portal/progress/agreement/").content.decode()
    staying_well = http.get("/portal/progress/staying-well/").content.decode()
    safety = http.get("/portal/progress/safety-plan/").content.decode()

    assert all(m in agreement for m in ("MARKFOCUS", "MARKGOALS", "MARKMISSED"))
    assert "We will meet 16 times, weekly" in agreement and "9 March 2026" in agreement
    assert all(m in staying_well for m in ("MARKSIGNS", "MARKHELPS", "MARKWHO"))
    assert "My personal warning signs" in staying_well
    assert "MARKREVIEW" not in staying_well and "MARKFEELINGS" not in staying_well
    assert "MARKCOPING" in safety and "2. Things I can do on my own" in safety
    assert 'href="/portal/crisis/"' in safety
    for page in (agreement, staying_well, safety, http.get("/portal/progress/").content.decode()):
        assert NOT_SHARED not in page and "MARKPROCESS" not in page


def test_the_safety_plan_shows_only_while_its_latest_version_is_shared(
    alice: User, client_a: Client, http: HttpClient
) -> None:
    save_safety_plan(alice, client_a, base_version=None, shared_with_client=True, warning_signs="MARKONE")
    save_safety_plan(alice, client_a, base_version=1, shared_with_client=False, warning_signs="MARKTWO")

    hidden = http.get("/portal/progress/safety-plan/").content.decode()
    save_safety_plan(alice, client_a, base_version=2, shared_with_client=True, warning_signs="MARKTHREE")
    shown = http.get("/portal/progress/safety-plan/").content.decode()

    assert NOT_SHARED in hidden and "MARK" not in hidden
    assert "MARKTHREE" in shown and "MARKONE" not in shown and "MARKTWO" not in shown


def test_the_staying_well_plan_of_a_completed_course_stays_after_maintenance_starts(
    alice: User, client_a: Client, course_a: Course, http: HttpClient
) -> None:
    from openipt.courses.termination import start_maintenance

    save_termination(alice, course_a, base_version=None, shared_with_client=True, **PLAN)
    end_course(alice, course_a, status="completed", ended_on=date(2026, 3, 30))
    start_maintenance(alice, course_a, start_date=date(2026, 4, 27))  # an unshared copy of the plan

    page = http.get("/portal/progress/staying-well/").content.decode()

    assert "MARKSIGNS" in page


def test_the_contract_of_an_ended_course_stays_readable(
    alice: User, client_a: Client, course_a: Course, http: HttpClient
) -> None:
    contract(alice, course_a)
    share(course_a)
    end_course(alice, course_a, status="completed", ended_on=date(2026, 3, 30))

    page = http.get("/portal/progress/agreement/").content.decode()

    assert "MARKFOCUS" in page and "which has ended" in page


def test_another_clients_records_never_appear(
    alice: User, north_team: Team, client_a: Client, course_a: Course, http: HttpClient
) -> None:
    other = other_client(alice, north_team)
    theirs = start_course(alice, other, protocol_key="ipt-standard", start_date=date(2026, 3, 3))
    everything_written(alice, other, theirs, shared=True)
    scored(alice, other, 20, date(2026, 3, 3))

    for url in PAGES:
        page = http.get(url).content.decode()
        assert "MARK" not in page and "Reyes" not in page, url
        assert not re.search(r"\b3 Mar", page), url
    assert "MARK" not in ics(http)


def test_staff_and_anonymous_visitors_cannot_open_the_clients_pages(alice: User, course_a: Course) -> None:
    for url in [*PAGES, "/portal/progress/sessions/appointments.ics"]:
        assert staff(alice).get(url).status_code == 403, url
        response = HttpClient().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_the_home_card_names_the_latest_scores_and_shared_plans(
    alice: User, client_a: Client, course_a: Course, now: datetime
) -> None:
    scored(alice, client_a, 18, date(2026, 3, 2))
    scored(alice, client_a, 7, date(2026, 3, 30))
    contract(alice, course_a)
    share(course_a)

    card = progress.home_card(client_a)

    assert [(s.name, s.total, s.band, s.day) for s in card.latest] == [
        ("Mood (PHQ-9)", 7, "Mild", date(2026, 3, 30))
    ]
    assert (card.plans.contract, card.plans.relapse, card.plans.safety) == (True, False, False)


# --- The clinician shares the contract --------------------------------------------------------


def contract_url(course: Course) -> str:
    return reverse("formulation:contract", args=[course.pk])


def test_the_clinician_shares_and_stops_sharing_the_contract(
    alice: User, client_a: Client, course_a: Course, http: HttpClient
) -> None:
    saved = contract(alice, course_a)
    clinician = staff(alice)
    assert "Not yet shared" in clinician.get(contract_url(course_a)).content.decode()

    response = clinician.post(contract_url(course_a), {"share": "on", "version": saved.version})

    assert response.status_code == 302 and response["Location"] == contract_url(course_a)
    saved.refresh_from_db()
    assert saved.shared_with_client is True and saved.version == 1
    event = AuditEvent.objects.get(action="contract.share")
    assert event.client_id == client_a.pk and "MARK" not in str(event.__dict__)
    assert "MARKFOCUS" in http.get("/portal/progress/agreement/").content.decode()
    assert "Stop sharing with the client" in clinician.get(contract_url(course_a)).content.decode()

    clinician.post(contract_url(course_a), {"share": "off", "version": saved.version})

    saved.refresh_from_db()
    assert saved.shared_with_client is False
    assert AuditEvent.objects.filter(action="contract.unshare", client_id=client_a.pk).count() == 1
    assert NOT_SHARED in http.get("/portal/progress/agreement/").content.decode()


@pytest.mark.parametrize(("username", "status"), [("dave", 404), ("charlie", 404), ("bob", 403)])
def test_only_a_clinician_of_the_care_team_may_share(
    everyone: dict[str, User], course_a: Course, username: str, status: int
) -> None:
    saved = contract(everyone["alice"], course_a)

    response = staff(everyone[username]).post(
        contract_url(course_a), {"share": "on", "version": saved.version}
    )

    assert response.status_code == status
    saved.refresh_from_db()
    assert saved.shared_with_client is False
    assert not AuditEvent.objects.filter(action__startswith="contract.share").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"share": "on", "version": "7"}, "Someone saved the contract after you opened this page"),
        ({"share": "maybe", "version": "1"}, "The page was incomplete"),
        ({"share": "on"}, "The page was incomplete"),
    ],
)
def test_a_stale_or_broken_share_changes_nothing(
    alice: User, course_a: Course, data: dict[str, str], message: str
) -> None:
    saved = contract(alice, course_a)

    response = staff(alice).post(contract_url(course_a), data, follow=True)

    assert message in response.content.decode()
    saved.refresh_from_db()
    assert saved.shared_with_client is False
    assert not AuditEvent.objects.filter(action__startswith="contract.share").exists()


def test_there_is_nothing_to_share_before_the_contract_is_saved(alice: User, course_a: Course) -> None:
    response = staff(alice).post(contract_url(course_a), {"share": "on", "version": "1"}, follow=True)

    assert "Save the contract before sharing it" in response.content.decode()
    assert not Contract.objects.exists()


def test_the_contract_of_an_ended_course_cannot_be_shared(alice: User, course_a: Course) -> None:
    saved = contract(alice, course_a)
    end_course(alice, course_a, status="completed", ended_on=timezone.localdate())

    response = staff(alice).post(contract_url(course_a), {"share": "on", "version": "1"}, follow=True)

    assert "This course has ended" in response.content.decode()
    saved.refresh_from_db()
    assert saved.shared_with_client is False


def test_the_calendar_file_gives_each_session_its_time_on_the_organisations_clock(
    alice: User, client_a: Client, course_a: Course, http: HttpClient
) -> None:
    client_a.organisation.time_zone = "America/New_York"
    client_a.organisation.save(update_fields=["time_zone"])
    first = course_a.sessions.get(number=1)
    set_appointment(
        alice, first, start_time=time(14, 30), modality="video", video_url="https://meet.example.org/x"
    )

    events = ics(http).split("BEGIN:VEVENT")[1:]

    # 14:30 in New York on 2 March (UTC-5) is 19:30 UTC
    assert "DTSTART:20260302T193000Z\r\n" in events[0] and "DURATION:PT50M\r\n" in events[0]
    # the link would let anyone who shares the calendar join: the portal shows it, the file does not
    assert "DESCRIPTION:Video call\r\n" in events[0] and "meet.example.org" not in events[0]
    assert "DTSTART:20260309T130000Z\r\n" in events[1]  # 09:00 in New York (summer time from 8 March)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # session 6 held early, today: the next is session 7, not today's
        ({6: (date(2026, 4, 1), Attendance.ATTENDED)}, ("Monday 13 April 2026", "20260413")),
        # session 7 moved before session 6: the earliest date is next, whatever its number
        ({7: (date(2026, 4, 5), Attendance.SCHEDULED)}, ("Sunday 5 April 2026", "20260405")),
    ],
)
def test_every_page_names_the_same_next_session(
    course_a: Course, http: HttpClient, changes: dict[int, tuple[date, str]], expected: tuple[str, str]
) -> None:
    for number, (day, attendance) in changes.items():
        found = Session.objects.filter(course=course_a, number=number)
        found.update(scheduled_date=day, attendance=attendance)
    shown, ics_day = expected

    home = http.get("/portal/").content.decode()
    overview = http.get("/portal/progress/").content.decode()
    schedule = http.get("/portal/progress/sessions/").content.decode()
    questionnaires = http.get("/portal/questionnaires/").content.decode()
    ics = http.get("/portal/progress/sessions/appointments.ics").content.decode()

    assert re.search(r"Your next session</h2>\s*<p class=\"portal-big\">" + shown, home)
    assert f"Next session: <strong>{shown}</strong>" in overview
    assert f"Next session: <strong>{shown}</strong>" in schedule
    assert f"Before your session on {shown.rsplit(' ', 1)[0]}." in questionnaires
    assert f"DTSTART:{ics_day}T" in ics
    following = progress.schedule_for(course_a.client, NOW.date()).next
    assert following is not None
    assert progress.next_session(course_a.client, NOW.date()) == following.session

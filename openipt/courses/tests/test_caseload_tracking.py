"""The caseload's "Not on track" flag: shown with its reason, sorted after alerts and before the rest."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import Organisation, Team, User
from openipt.clients.actions import create_client
from openipt.courses.actions import record_attendance, start_course
from openipt.courses.models import Course
from openipt.measures.actions import record_response
from openipt.measures.models import ExpectedCurveSet
from openipt.measures.trajectories import ExpectedCurve

URL = reverse("courses:caseload")
NOW = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
STUCK = [18, 18, 18, 18, 18, 18]  # 18 at session 6: above the default upper limit of 15
IMPROVING = [18, 16, 14, 12, 10, 8]


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def open_every_day(north: Organisation) -> None:
    # The next sessions fall 1 to 6 days from today, some at weekends: keep them where they fall.
    Organisation.objects.filter(pk=north.pk).update(working_days="0123456")


def phq9(total: int, item9: int = 0) -> list[int]:
    answers, left = [0] * 9, total - item9
    for i in range(8):
        answers[i] = min(3, left)
        left -= answers[i]
    answers[8] = item9
    return answers


def add_course(
    user: User,
    team: Team,
    family_name: str,
    totals: Sequence[int],
    *,
    next_in_days: int,
    risk: bool = False,
    protocol: str = "ipt-standard",
) -> Course:
    """Sessions 1..len(totals) held with a score each on the protocol's depression measure (PHQ-9;
    PHQ-A, with its four extra questions answered "no", for IPT-A, whose client is 15); the next
    one `next_in_days` from today."""
    teen = protocol == "ipt-adolescent"
    client = create_client(
        user,
        team=team,
        clinic_identifier=f"ID-{family_name}",
        given_name="Client",
        family_name=family_name,
        date_of_birth=date(2011, 1, 1) if teen else date(1980, 1, 1),
    )
    start = TODAY - timedelta(weeks=len(totals)) + timedelta(days=next_in_days)
    course = start_course(user, client, protocol_key=protocol, start_date=start)
    instrument = course.protocol.depression_measure
    for session, total in zip(course.sessions.order_by("number"), totals, strict=False):
        record_attendance(user, session, attendance="attended", modality="in_person")
        item9 = 1 if risk and session.number == len(totals) else 0
        at = datetime.combine(session.scheduled_date, time(10), tzinfo=UTC)
        answers = [*phq9(total, item9), 0, 0, 0, 0] if teen else phq9(total, item9)
        record_response(
            user, client, instrument=instrument, answers=answers, session=session, completed_at=at
        )
    return course


def names(response: Any) -> list[str]:
    return [row.client.family_name for row in response.context["rows"]]


def row_html(html: str, family_name: str) -> str:
    body = html.split("<tbody>", 1)[1]
    (row,) = [r for r in re.findall(r"<tr.*?</tr>", body, re.S) if f"Client {family_name}</a>" in r]
    return row


def test_a_not_on_track_course_shows_the_badge_with_its_reason(
    client: HttpClient, alice: User, north_team: Team
) -> None:
    add_course(alice, north_team, "Stuck", STUCK, next_in_days=3)
    add_course(alice, north_team, "Fine", IMPROVING, next_in_days=1)
    client.force_login(alice)

    response = client.get(URL)

    html = response.content.decode()
    stuck = row_html(html, "Stuck")
    assert '<span class="badge badge-warn">Not on track</span>' in stuck
    assert (
        '<span class="small">PHQ-9 of 18 at session 6 is above the expected range for clients starting '
        "15–19 (expected about 11, upper limit 15).</span>"
    ) in stuck
    fine = row_html(html, "Fine")
    assert "Not on track" not in fine
    assert "expected range" not in fine  # an on-track reason is not shown on the caseload
    rows = {row.client.family_name: row for row in response.context["rows"]}
    assert (rows["Stuck"].not_on_track, rows["Fine"].not_on_track) == (True, False)
    assert rows["Fine"].track is not None and rows["Fine"].track.status == "on_track"


def test_an_ipt_a_course_shows_its_phqa_scores_and_is_flagged_when_worsening(
    client: HttpClient, alice: User, north_team: Team
) -> None:
    add_course(alice, north_team, "Teen", [16, 17, 17, 18, 19, 19], next_in_days=3, protocol="ipt-adolescent")
    client.force_login(alice)

    response = client.get(URL)

    teen = row_html(response.content.decode(), "Teen")
    assert '<span class="badge badge-warn">Not on track</span>' in teen
    assert "PHQ-A of 19 at session 6 is above the expected range" in teen
    assert '<span class="small muted">PHQ-A</span> <span class="badge band-moderately_severe">19 · ' in teen
    assert "+3" in teen
    assert 'aria-label="PHQ-A trend: 16, 17, 17, 18, 19, 19"' in teen


def test_not_on_track_sorts_after_open_alerts_and_before_the_rest(
    client: HttpClient, alice: User, bob: User, north_team: Team
) -> None:
    add_course(alice, north_team, "Able", IMPROVING, next_in_days=1)
    add_course(alice, north_team, "Stuck", STUCK, next_in_days=6)
    add_course(alice, north_team, "Risky", IMPROVING, next_in_days=2, risk=True)
    add_course(alice, north_team, "Both", STUCK, next_in_days=5, risk=True)
    add_course(alice, north_team, "Later", IMPROVING, next_in_days=4)
    add_course(alice, north_team, "Mild", [8, 9, 9, 9, 9, 9], next_in_days=3)  # no curve below caseness
    expected = ["Both", "Risky", "Stuck", "Able", "Mild", "Later"]

    client.force_login(alice)
    mine = client.get(URL)
    client.force_login(bob)
    team = client.get(URL)

    assert names(mine) == expected
    assert names(team) == expected
    html = team.content.decode()
    both = row_html(html, "Both")
    assert "⚠ 1 risk alert</span>" in both
    assert "Not on track" in both
    assert "Not on track" not in row_html(html, "Mild")
    mild = next(r for r in team.context["rows"] if r.client.family_name == "Mild")
    assert mild.track is not None and mild.track.status == "no_curve"


def test_the_clinics_fitted_curves_decide_the_flag(
    client: HttpClient, alice: User, north: Organisation, north_team: Team
) -> None:
    add_course(alice, north_team, "Slow", [18, 17, 16, 15, 14, 14], next_in_days=1)
    add_course(alice, north_team, "Quick", IMPROVING, next_in_days=2)
    client.force_login(alice)
    assert "Not on track" not in client.get(URL).content.decode()

    fitted = ExpectedCurve("phq9", 15, 19, 11.0, 0.0, 1.0, 40, "fitted", "Fitted from 40 completed courses.")
    ExpectedCurveSet.objects.create(
        organisation=north,
        instrument="phq9",
        curves=[asdict(fitted)],
        n_courses=40,
        z=1.28,
        fitted_at=NOW - timedelta(days=1),
        fitted_by="openipt outcomes fit",
    )
    response = client.get(URL)

    assert names(response) == ["Slow", "Quick"]
    assert (
        "PHQ-9 of 14 at session 6 is above the expected range for clients starting 15–19 "
        "(expected about 11, upper limit 12)."
    ) in row_html(response.content.decode(), "Slow")


def test_flags_cost_no_extra_queries_per_course(
    client: HttpClient, alice: User, north: Organisation, north_team: Team, django_assert_num_queries: Any
) -> None:
    for n in range(3):
        add_course(alice, north_team, f"A{n}", STUCK if n % 2 else IMPROVING, next_in_days=n + 1)
    client.force_login(alice)
    with django_assert_num_queries(10):  # 8, and 2 to audit the clients shown (one INSERT)
        small = client.get(URL)
    for n in range(10):
        add_course(alice, north_team, f"B{n}", STUCK if n % 2 else IMPROVING, next_in_days=n % 6 + 1)

    with django_assert_num_queries(10):  # 8, and 2 to audit the clients shown (one INSERT)
        large = client.get(URL)

    assert len(small.context["rows"]) == 3
    assert len(large.context["rows"]) == 13
    assert sum(row.not_on_track for row in large.context["rows"]) == 1 + 5

"""The client page's Outcomes, not-on-track, Measures due and Safety plan sections."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils.html import escape

from openipt.accounts.models import Team, User
from openipt.clients.actions import create_client
from openipt.clients.models import Client
from openipt.courses.actions import end_course, record_attendance
from openipt.courses.models import Course, CourseStatus
from openipt.measures.actions import record_response
from openipt.measures.tracking import outcomes_for_course
from openipt.safety.plans import save_safety_plan

# course_a: Mondays from 2 March 2026; S6 is 6 April, S7 13 April.
NOW = datetime(2026, 4, 8, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def url(client: Client) -> str:
    return reverse("clients:detail", args=[client.pk])


def answers(instrument: str, total: int) -> list[int]:
    count = 9 if instrument == "phq9" else 7
    result, left = [0] * count, total
    for i in range(count - 1 if instrument == "phq9" else count):  # PHQ-9 item 9 stays 0
        result[i] = min(3, left)
        left -= result[i]
    return result


def hold(user: User, course: Course, phq9: Sequence[int | None], gad7: dict[int, int]) -> None:
    """Attend sessions 1..len(phq9), recording PHQ-9 (None: not recorded) and GAD-7 where given."""
    for number, total in enumerate(phq9, start=1):
        session = course.sessions.get(number=number)
        record_attendance(user, session, attendance="attended", modality="in_person")
        at = datetime.combine(session.scheduled_date, time(10), tzinfo=UTC)
        scores = {"phq9": total, "gad7": gad7.get(number)}
        for key, value in scores.items():
            if value is not None:
                record_response(
                    user,
                    course.client,
                    instrument=key,
                    answers=answers(key, value),
                    session=session,
                    completed_at=at,
                )


def section(html: str, heading: str) -> str:
    """The <section> whose <h2> starts with `heading`."""
    found = [
        s for s in re.findall(r"<section.*?</section>", html, re.S) if re.search(rf"<h2[^>]*>{heading}", s)
    ]
    assert len(found) == 1, heading
    return found[0]


def cells(table_html: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", table_html.split("<tbody>", 1)[1], re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows
    ]


def test_it_shows_the_outcomes_of_the_course(client: HttpClient, alice: User, course_a: Course) -> None:
    hold(alice, course_a, [18, 16, 14, 12, 10, 8], gad7={1: 12, 4: 9, 6: 6})
    client.force_login(alice)

    response = client.get(url(course_a.client))

    assert response.status_code == 200
    outcomes = section(response.content.decode(), "Outcomes")
    assert cells(outcomes) == [
        ["PHQ-9", "18 → 8", "Yes", "No", "Reliable improvement"],
        ["GAD-7", "12 → 6", "—", "—", "Reliable improvement"],
    ]
    assert "(last course)" not in outcomes
    assert "Response and remission are not defined for GAD-7." in outcomes
    assert "clinical reference" not in outcomes
    assert "NHS Talking Therapies outcomes (PHQ-9 and GAD-7 together)" in outcomes
    expected = outcomes_for_course(course_a).talking_therapies
    assert expected is not None
    for reason in (
        "Finished course: 6 attended appointments (at least 2 needed).",
        "At caseness at the start: PHQ-9 18, GAD-7 12 (cut-offs PHQ-9 10, GAD-7 8).",
        "Reliable improvement: PHQ-9 from 18 to 8, GAD-7 from 12 to 6.",
        "No reliable deterioration: PHQ-9 from 18 to 8, GAD-7 from 12 to 6.",
        "Recovered: at caseness at the start and below caseness on both measures at the end "
        "(PHQ-9 8, GAD-7 6).",
        "Reliably recovered: recovered, and reliably improved.",
    ):
        assert escape(reason) in outcomes
    assert [f"<li>{escape(r)}</li>" in outcomes for r in expected.reasons] == [True] * 6
    assert '<span class="badge badge-ok">On track</span>' in outcomes
    assert "PHQ-9 of 8 at session 6 is within the expected range for clients starting 15–19" in outcomes
    assert (
        "(expected range: provisional defaults until fitted on this clinic's completed courses)" in outcomes
    )


def test_it_says_why_a_client_is_not_on_track(
    client: HttpClient, bob: User, alice: User, course_a: Course
) -> None:
    hold(alice, course_a, [18, 18, 18, 18, 18, 18], gad7={1: 12, 4: 12})
    client.force_login(bob)  # the supervisor reads the same

    outcomes = section(client.get(url(course_a.client)).content.decode(), "Outcomes")

    assert '<span class="badge badge-warn">Not on track</span>' in outcomes
    assert (
        "PHQ-9 of 18 at session 6 is above the expected range for clients starting 15–19 "
        "(expected about 11, upper limit 15)."
    ) in outcomes
    assert cells(outcomes)[0] == ["PHQ-9", "18 → 18", "No", "No", "No reliable change"]


def test_overdue_measures_link_to_their_session(client: HttpClient, alice: User, course_a: Course) -> None:
    hold(alice, course_a, [18, 16, None, 12, 10, 8], gad7={1: 12})  # no PHQ-9 at S3, no GAD-7 at S4
    client.force_login(alice)

    due = section(client.get(url(course_a.client)).content.decode(), "Measures due")

    s3 = course_a.sessions.get(number=3)
    s4 = course_a.sessions.get(number=4)
    assert '<span class="badge badge-warn">Overdue</span>' in due
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', due)
    assert links == [
        (reverse("courses:session", args=[s3.pk]), "PHQ-9 — session 3, 16 Mar"),
        (reverse("courses:session", args=[s4.pk]), "GAD-7 — session 4, 23 Mar"),
    ]
    assert "Next session: PHQ-9" in due


def test_without_an_active_course_nothing_is_due(
    client: HttpClient, alice: User, client_a: Client, course_a: Course
) -> None:
    end_course(alice, course_a, status=CourseStatus.ENDED_EARLY, ended_on=date(2026, 3, 2), reason="Moved")
    client.force_login(alice)

    html = client.get(url(client_a)).content.decode()

    assert "Measures due" not in html


def test_the_safety_plan_section(client: HttpClient, alice: User, bob: User, client_a: Client) -> None:
    client.force_login(alice)
    plan_url = reverse("safety:plan", args=[client_a.pk])
    before = section(client.get(url(client_a)).content.decode(), "Safety plan")
    assert "No safety plan yet." in before
    assert f'<a href="{plan_url}">Write a safety plan</a>' in before
    client.force_login(bob)
    assert f'<a href="{plan_url}">Safety plan</a>' in section(
        client.get(url(client_a)).content.decode(), "Safety plan"
    )

    save_safety_plan(
        alice, client_a, base_version=None, shared_with_client=True, warning_signs="Staying in bed all day"
    )

    after = section(client.get(url(client_a)).content.decode(), "Safety plan")
    assert "Version 1, 8 Apr 2026. Shared with the client." in after
    assert f'<a href="{plan_url}">Open the safety plan</a>' in after
    assert "No safety plan yet." not in after


def test_a_course_without_scores_shows_no_outcomes_and_does_not_fail(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    client.force_login(alice)

    response = client.get(url(course_a.client))

    assert response.status_code == 200
    assert response.context["outcomes"].instruments == ()
    assert response.context["track"] is None
    outcomes = section(response.content.decode(), "Outcomes")
    assert "<table" not in outcomes
    assert "No scores recorded in this course yet." in outcomes
    assert "NHS Talking Therapies outcomes need a first and a last PHQ-9." in outcomes
    assert "Not on track" not in outcomes
    assert "NHS Talking Therapies outcomes (PHQ-9 and GAD-7 together)" not in outcomes


def test_a_single_score_shows_without_change(client: HttpClient, alice: User, course_a: Course) -> None:
    hold(alice, course_a, [18], gad7={1: 12})
    client.force_login(alice)

    outcomes = section(client.get(url(course_a.client)).content.decode(), "Outcomes")

    assert cells(outcomes) == [["PHQ-9", "18 → 18", "—", "—", "—"], ["GAD-7", "12 → 12", "—", "—", "—"]]
    assert "NHS Talking Therapies outcomes need a first and a last PHQ-9." in outcomes


def test_a_client_without_any_course_has_no_outcomes_section(
    client: HttpClient, alice: User, north_team: Team
) -> None:
    newcomer = create_client(
        alice,
        team=north_team,
        clinic_identifier="NS-9",
        given_name="New",
        family_name="Client",
        date_of_birth=date(1990, 1, 1),
    )
    client.force_login(alice)

    response = client.get(url(newcomer))

    assert response.status_code == 200
    assert response.context["outcomes"] is None
    assert 'id="outcomes-h"' not in response.content.decode()


def test_the_last_course_outcomes_show_once_it_has_ended(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    hold(alice, course_a, [18, 16, 14, 12, 10, 8], gad7={1: 12, 4: 9, 6: 6})
    end_course(alice, course_a, status=CourseStatus.COMPLETED, ended_on=NOW.date())
    client.force_login(alice)

    outcomes = section(client.get(url(course_a.client)).content.decode(), "Outcomes")

    assert "(last course)" in outcomes
    assert cells(outcomes)[0] == ["PHQ-9", "18 → 8", "Yes", "No", "Reliable improvement"]
    assert "Not on track" not in outcomes and "On track" not in outcomes  # no flag for an ended course


@pytest.mark.parametrize("name", ["dave", "charlie"])
def test_other_teams_and_organisations_get_404(
    client: HttpClient, everyone: dict[str, User], course_a: Course, name: str
) -> None:
    hold(everyone["alice"], course_a, [18, 16], gad7={1: 12})
    client.force_login(everyone[name])

    response = client.get(url(course_a.client))

    assert response.status_code == 404
    assert "18 → 16" not in response.content.decode()


def test_an_ipt_a_course_shows_its_phqa_outcomes_judged_on_phq9_thresholds(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    from openipt.courses.actions import start_course

    client_a.date_of_birth = date(2011, 5, 1)  # 14 when the course starts
    client_a.save(update_fields=["date_of_birth"])
    course = start_course(alice, client_a, protocol_key="ipt-adolescent", start_date=date(2026, 3, 2))
    for number, total in enumerate((18, 14, 12, 10, 8), start=1):
        session = course.sessions.get(number=number)
        record_attendance(alice, session, attendance="attended", modality="in_person")
        at = datetime.combine(session.scheduled_date, time(10), tzinfo=UTC)
        phqa = [*answers("phq9", total), 0, 0, 0, 0]
        record_response(alice, client_a, instrument="phqa", answers=phqa, session=session, completed_at=at)
    client.force_login(alice)

    response = client.get(url(client_a))

    outcomes = section(response.content.decode(), "Outcomes")
    assert cells(outcomes) == [
        ["PHQ-A (judged on PHQ-9 thresholds)", "18 → 8", "Yes", "No", "Reliable improvement"]
    ]
    assert "PHQ-A is judged on the PHQ-9 thresholds" in outcomes
    assert (
        "NHS Talking Therapies outcomes (PHQ-A (judged on PHQ-9 thresholds) and GAD-7 together)" in outcomes
    )
    (name, _chart, scores), _gad7 = response.context["charts"]
    assert (name, [s.total for s in scores]) == ("PHQ-A", [18, 14, 12, 10, 8])

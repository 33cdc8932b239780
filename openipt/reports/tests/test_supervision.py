"""The supervisor's team view: what needs attention, most urgent first, in a fixed number of queries."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from conftest import make_user
from openipt.accounts.models import Organisation, Role, Team, User
from openipt.clients.actions import create_client
from openipt.courses.actions import end_course, record_attendance, set_task, start_course
from openipt.courses.models import Attendance, Course, CourseStatus
from openipt.measures.actions import record_response
from openipt.safety.models import RiskAlert

URL = reverse("reports:supervision")
NOW = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)  # a Wednesday
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def phq9(total: int, item9: int = 0) -> list[int]:
    answers, left = [0] * 9, total - item9
    for i in range(8):
        answers[i] = min(3, left)
        left -= answers[i]
    answers[8] = item9
    return answers


def course_with(
    user: User,
    team: Team,
    family_name: str,
    totals: Sequence[int],
    *,
    planned: int = 16,
    risk_at: int | None = None,
    skip: Sequence[int] = (),
    protocol: str = "ipt-standard",
) -> Course:
    """A client whose first len(totals) sessions were held, with every due measure recorded (except at
    the session numbers in `skip`); the next session is two days from today."""
    client = create_client(
        user,
        team=team,
        clinic_identifier=f"ID-{family_name}",
        given_name="Client",
        family_name=family_name,
        date_of_birth=date(2011, 1, 1) if protocol == "ipt-adolescent" else date(1980, 1, 1),
    )
    start = TODAY - timedelta(weeks=len(totals)) + timedelta(days=2)
    course = start_course(user, client, protocol_key=protocol, start_date=start, planned_sessions=planned)
    for session, total in zip(course.sessions.order_by("number"), totals, strict=False):
        record_attendance(user, session, attendance=Attendance.ATTENDED, modality="in_person")
        if session.number in skip:
            continue
        at = datetime.combine(session.scheduled_date, time(10), tzinfo=UTC)
        for key in course.protocol.measures_due(session.number, planned):
            depression = phq9(total, 1 if session.number == risk_at else 0)
            answers = {"phq9": depression, "phqa": [*depression, 0, 0, 0, 0]}.get(key, [1] * 7)
            record_response(user, client, instrument=key, answers=answers, session=session, completed_at=at)
    return course


IMPROVING = [18, 16, 14]


@pytest.fixture
def team_a(alice: User, north_team: Team) -> dict[str, Course]:
    """One course for each reason to look, and one with nothing to look at."""
    courses = {
        "calm": course_with(alice, north_team, "Adams", IMPROVING),
        "stuck": course_with(alice, north_team, "Baker", [18, 18, 18, 18, 18, 18]),
        "overdue": course_with(alice, north_team, "Clark", IMPROVING, skip=[2]),
        "ending": course_with(alice, north_team, "Dunne", [18, 16, 14, 12, 11, 10, 9, 8, 7], planned=12),
        "alert": course_with(alice, north_team, "Evans", IMPROVING, risk_at=3),
        "escalated": course_with(alice, north_team, "Frost", IMPROVING, risk_at=2),
    }
    RiskAlert.objects.filter(client=courses["escalated"].client).update(escalated_at=NOW - timedelta(hours=2))
    return courses


def family_names(response: Any, key: str = "attention") -> list[str]:
    return [row.course.client.family_name for row in response.context[key]]


def attention_rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr.*?</tr>", body, re.S)


def test_bob_sees_what_needs_attention_most_urgent_first(
    client: HttpClient, bob: User, team_a: dict[str, Course]
) -> None:
    client.force_login(bob)
    response = client.get(URL)

    assert response.status_code == 200
    assert family_names(response) == ["Frost", "Evans", "Baker", "Clark", "Dunne"]
    assert family_names(response, "rows") == ["Frost", "Evans", "Baker", "Clark", "Dunne", "Adams"]
    assert response.context["counts"] == {
        "alerts": 2,
        "escalated": 1,
        "not_on_track": 1,
        "overdue": 1,
        "needs_plan": 1,
    }
    html = response.content.decode()
    assert "<strong>2</strong> open risk alerts (1 escalated)" in html
    assert "6 active courses in your teams." in html
    frost, evans, baker, clark, dunne = attention_rows(html)

    escalated = RiskAlert.objects.get(client=team_a["escalated"].client)
    assert 'class="has-alert"' in frost
    assert "⚠ Moderate · escalated</span>" in frost
    assert f'href="{reverse("safety:acknowledge", args=[escalated.pk])}">Review</a>' in frost
    assert 'class="has-alert"' in evans
    assert "⚠ Moderate</span>" in evans
    assert "escalated" not in evans

    assert "Not on track" in baker
    assert (
        "PHQ-9 of 18 at session 6 is above the expected range for clients starting 15–19 "
        "(expected about 11, upper limit 15)."
    ) in baker
    assert "provisional defaults until fitted" in baker

    assert "1 overdue" in clark
    assert "PHQ-9 (session 2)" in clark and "PHQ9" not in html  # the name people know, never the key

    assert "3 sessions left, no relapse-prevention plan" in dunne
    for row in (frost, evans, baker, clark):
        assert "relapse-prevention" not in row
    assert "Adams" not in html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


@pytest.mark.parametrize(
    ("only", "names"),
    [
        ("alerts", ["Frost", "Evans"]),
        ("not_on_track", ["Baker"]),
        ("overdue", ["Clark"]),
        ("needs_plan", ["Dunne"]),
        ("nonsense", ["Frost", "Evans", "Baker", "Clark", "Dunne"]),
    ],
)
def test_each_count_links_to_the_clients_it_counts(
    client: HttpClient, bob: User, team_a: dict[str, Course], only: str, names: list[str]
) -> None:
    client.force_login(bob)
    assert f'href="?only={only}#attention"' in client.get(URL).content.decode() or only == "nonsense"

    response = client.get(URL, {"only": only})

    assert response.status_code == 200
    assert family_names(response) == names
    assert response.context["counts"]["not_on_track"] == 1  # the counts stay those of the whole team


def test_the_plan_flag_goes_once_relapse_prevention_is_ticked(
    client: HttpClient, alice: User, bob: User, team_a: dict[str, Course]
) -> None:
    ending = team_a["ending"]
    last_held = ending.sessions.get(number=9)
    set_task(alice, last_held, task_key="relapse_prevention", done=False, note="Started on warning signs.")
    client.force_login(bob)
    assert "Dunne" in family_names(client.get(URL))

    set_task(alice, last_held, task_key="relapse_prevention", done=True, note="Plan agreed.")

    response = client.get(URL)
    assert "Dunne" not in family_names(response)
    assert response.context["counts"]["needs_plan"] == 0
    assert "no relapse-prevention plan</span>" not in response.content.decode()


def test_four_sessions_left_is_not_yet_near_the_end(
    client: HttpClient, alice: User, bob: User, north_team: Team
) -> None:
    course_with(alice, north_team, "Dunne", [18, 16, 14, 12, 11, 10, 9, 8], planned=12)
    client.force_login(bob)

    response = client.get(URL)

    assert family_names(response) == []
    assert "Nothing needs your attention right now." in response.content.decode()


def test_ended_courses_and_other_teams_have_no_row(
    client: HttpClient, alice: User, bob: User, dave: User, other_team: Team, north_team: Team
) -> None:
    ended = course_with(alice, north_team, "Gale", [18, 18, 18, 18, 18, 18])
    end_course(alice, ended, status=CourseStatus.ENDED_EARLY, ended_on=TODAY, reason="Moved away")
    course_with(dave, other_team, "Hurst", [18, 18, 18, 18, 18, 18], risk_at=6)
    client.force_login(bob)

    response = client.get(URL)

    assert response.context["rows"] == []
    assert response.context["other_alerts"] == []
    html = response.content.decode()
    assert "Hurst" not in html
    assert "Gale" not in html
    assert "Nothing needs your attention right now." in html


def test_open_alerts_of_clients_without_an_active_course_are_still_shown(
    client: HttpClient, alice: User, bob: User, north_team: Team, team_a: dict[str, Course]
) -> None:
    # Regression: these alerts had no row, so the page said nothing needed attention.
    ended = course_with(alice, north_team, "Gale", [18, 18, 18, 18, 18, 18], risk_at=6)
    end_course(alice, ended, status=CourseStatus.ENDED_EARLY, ended_on=TODAY, reason="Moved away")
    no_course = create_client(
        alice,
        team=north_team,
        clinic_identifier="ID-Hale",
        given_name="Client",
        family_name="Hale",
        date_of_birth=date(1980, 1, 1),
    )
    record_response(alice, no_course, instrument="phq9", answers=phq9(20, 3), completed_at=NOW)
    RiskAlert.objects.filter(client=no_course).update(escalated_at=NOW)
    client.force_login(bob)

    response = client.get(URL)

    assert [a.client.family_name for a in response.context["other_alerts"]] == ["Hale", "Gale"]
    assert family_names(response) == ["Frost", "Evans", "Baker", "Clark", "Dunne"]
    assert (response.context["counts"]["alerts"], response.context["counts"]["escalated"]) == (4, 2)
    html = response.content.decode()
    assert "<strong>4</strong> open risk alerts (2 escalated)" in html
    section = html.split('id="other-alerts-h"', 1)[1].split("</section>", 1)[0]
    hale_alert = RiskAlert.objects.get(client=no_course)
    assert f'href="{reverse("clients:detail", args=[no_course.pk])}">Client Hale</a>' in section
    assert "⚠ High · escalated</span>" in section
    assert f'href="{reverse("safety:acknowledge", args=[hale_alert.pk])}">Review</a>' in section
    assert "⚠ Moderate</span>" in section


def test_alerts_without_a_course_alone_do_not_read_as_nothing_to_do(
    client: HttpClient, alice: User, bob: User, north_team: Team
) -> None:
    ended = course_with(alice, north_team, "Gale", [18, 18], risk_at=2)
    end_course(alice, ended, status=CourseStatus.COMPLETED, ended_on=TODAY)
    client.force_login(bob)

    html = client.get(URL).content.decode()

    assert "Nothing needs your attention right now." not in html
    assert "No active course needs your attention right now." in html
    assert "Open risk alerts for clients without an active course" in html


@pytest.mark.parametrize("name", ["alice", "dave", "charlie", "erin"])
def test_only_supervisors_may_open_it(
    client: HttpClient, everyone: dict[str, User], team_a: dict[str, Course], name: str
) -> None:
    client.force_login(everyone[name])

    response = client.get(URL)

    assert response.status_code == 403
    assert "Baker" not in response.content.decode()


def test_a_supervisor_sees_only_their_own_teams(
    client: HttpClient, north: Organisation, other_team: Team, river: Organisation, team_a: dict[str, Course]
) -> None:
    team_b_supervisor = make_user("sue", north, Role.SUPERVISOR, other_team)
    river_supervisor = make_user(
        "rita", river, Role.SUPERVISOR, Team.objects.create(organisation=river, name="R")
    )
    for user in (team_b_supervisor, river_supervisor):
        client.force_login(user)
        response = client.get(URL)
        assert response.status_code == 200
        assert response.context["rows"] == []
        html = response.content.decode()
        assert "Nothing needs your attention right now." in html
        for name in ("Adams", "Baker", "Clark", "Dunne", "Evans", "Frost"):
            assert name not in html


def test_signed_out_visitors_are_sent_to_sign_in(client: HttpClient) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_number_of_queries_does_not_grow_with_the_team(
    client: HttpClient,
    alice: User,
    bob: User,
    north_team: Team,
    team_a: dict[str, Course],
    django_assert_num_queries: Any,
) -> None:
    # 6 courses in team_a; trim to 3 first (the ended ones keep their open alerts, now shown without a
    # row), then grow to 13, each kind of row represented.
    for key in ("calm", "stuck", "alert"):
        course = team_a[key]
        end_course(alice, course, status=CourseStatus.COMPLETED, ended_on=TODAY)
    client.force_login(bob)
    with django_assert_num_queries(QUERIES):
        small = client.get(URL)
    assert len(small.context["rows"]) == 3
    assert len(small.context["other_alerts"]) == 1

    for n in range(10):
        kind = n % 4
        course_with(
            alice,
            north_team,
            f"More{n}",
            [18, 18, 18, 18, 18, 18] if kind == 0 else IMPROVING,
            skip=[2] if kind == 1 else (),
            risk_at=3 if kind == 2 else None,
        )
    with django_assert_num_queries(QUERIES):
        large = client.get(URL)
    assert len(large.context["rows"]) == 13
    assert large.context["counts"]["alerts"] == 1 + 2 + 1  # Frost, two new ones, Evans (course ended)


# Session, user and organisation for the request; courses, open alerts, measures due (2), not on
# track (2), relapse-prevention tasks, relapse-prevention plans, and open alerts of clients without an
# active course.
QUERIES = 15  # 12, 1 for the emergency accesses, 2 to audit the clients shown


def test_the_access_log_names_the_clients_the_page_names_and_no_others(
    client: HttpClient, bob: User, team_a: dict[str, Course]
) -> None:
    from openipt.audit.models import AuditEvent

    client.force_login(bob)
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    response = client.get(URL)

    shown = {row.course.client_id for row in response.context["attention"]}
    read = set(
        AuditEvent.objects.filter(id__gt=before, action="read:reports:supervision").values_list(
            "client_id", flat=True
        )
    )
    assert read == shown
    assert team_a["calm"].client_id not in read  # counted in the totals, never named
    assert team_a["calm"].client.family_name not in response.content.decode()


def test_a_client_named_in_the_emergency_access_table_is_in_the_access_log(
    client: HttpClient, bob: User, erin: User, team_a: dict[str, Course]
) -> None:
    from openipt.access.breakglass import open_grant
    from openipt.audit.models import AuditEvent

    calm = team_a["calm"].client  # needs no attention: named only in the emergency table
    open_grant(erin, clinic_identifier=calm.clinic_identifier, reason="Urgent call from the GP", minutes=15)
    client.force_login(bob)
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    response = client.get(URL)

    assert calm.family_name in response.content.decode()
    read = set(
        AuditEvent.objects.filter(id__gt=before, action="read:reports:supervision").values_list(
            "client_id", flat=True
        )
    )
    assert calm.pk in read


def test_an_ipt_a_course_with_worsening_phqa_scores_needs_attention(
    client: HttpClient, bob: User, alice: User, north_team: Team
) -> None:
    course_with(alice, north_team, "Young", [16, 17, 18, 18, 19, 19], planned=12, protocol="ipt-adolescent")
    client.force_login(bob)

    response = client.get(URL)

    assert family_names(response) == ["Young"]
    assert response.context["counts"]["not_on_track"] == 1
    (young,) = attention_rows(response.content.decode())
    assert "Not on track" in young and "PHQ-A of 19 at session 6 is above the expected range" in young

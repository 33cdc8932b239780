"""The caseload: active courses with phase, progress, next session and PHQ-9 trend; alerts first."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from conftest import make_user
from openipt.accounts.models import Role, Team, User
from openipt.clients.actions import create_client
from openipt.courses.actions import end_course, record_attendance, start_course
from openipt.courses.models import Course, CourseStatus
from openipt.measures.actions import record_response

URL = reverse("courses:caseload")
NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


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


def add_course(
    user: User,
    team: Team,
    identifier: str,
    family_name: str,
    scores: list[int],
    *,
    start: date = date(2026, 3, 2),
    protocol: str = "ipt-standard",
    risk_at: int | None = None,
) -> Course:
    """A client on a course whose first sessions were held, one PHQ-9 score each."""
    client = create_client(
        user,
        team=team,
        clinic_identifier=identifier,
        given_name="Client",
        family_name=family_name,
        date_of_birth=date(1980, 1, 1),
    )
    course = start_course(user, client, protocol_key=protocol, start_date=start)
    for session, total in zip(course.sessions.order_by("number"), scores, strict=False):
        record_attendance(user, session, attendance="attended", modality="in_person")
        item9 = 1 if session.number == risk_at else 0
        at = datetime.combine(session.scheduled_date, time(10), tzinfo=UTC)
        record_response(
            user, client, instrument="phq9", answers=phq9(total, item9), session=session, completed_at=at
        )
    return course


def rows(response: Any) -> list[str]:
    return [row.client.clinic_identifier for row in response.context["rows"]]


@pytest.fixture
def frank(north: Any, north_team: Team) -> User:
    """A second clinician in alice's team."""
    return make_user("frank", north, Role.CLINICIAN, north_team)


def test_it_shows_alices_course_with_progress_and_trend(
    client: HttpClient, alice: User, north_team: Team
) -> None:
    course = add_course(alice, north_team, "NS-2", "Ekwueme", [18, 15, 13])
    client.force_login(alice)
    response = client.get(URL)
    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert (row.course, row.held, row.next_date) == (course, 3, date(2026, 3, 23))
    assert (row.latest, row.baseline, row.change, row.band) == (13, 18, -5, "moderate")
    body = response.content.decode()
    assert "My caseload" in body
    assert f'href="{reverse("clients:detail", args=[course.client_id])}">Client Ekwueme</a>' in body
    assert "Interpersonal Psychotherapy (IPT), standard weekly course" in body
    assert "Initial phase" in body
    assert "3 of 16" in body
    assert "Mon 23 Mar" in body
    assert '<span class="badge band-moderate">13 · Moderate</span>' in body
    assert '-5 <span class="small muted">from 18</span>' in body
    assert 'class="sparkline"' in body
    assert 'aria-label="PHQ-9 trend: 18, 15, 13"' in body


def test_it_shows_a_course_without_scores(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    response = client.get(URL)
    (row,) = response.context["rows"]
    assert (row.latest, row.change, row.held, row.next_date) == (None, None, 0, date(2026, 3, 2))
    body = response.content.decode()
    assert "0 of 16" in body
    assert 'aria-label="PHQ-9 trend: none"' in body


def test_a_single_score_has_no_change_yet(client: HttpClient, alice: User, north_team: Team) -> None:
    add_course(alice, north_team, "NS-2", "Ekwueme", [21])
    client.force_login(alice)
    (row,) = client.get(URL).context["rows"]
    assert (row.latest, row.baseline, row.change, row.band) == (21, 21, None, "severe")


def test_it_puts_open_alerts_first(client: HttpClient, alice: User, north_team: Team) -> None:
    add_course(alice, north_team, "NS-2", "Abbott", [10, 9], start=date(2026, 3, 2))
    add_course(alice, north_team, "NS-3", "Zimmer", [12, 14], start=date(2026, 4, 6), risk_at=2)
    add_course(alice, north_team, "NS-4", "Brown", [8], start=date(2026, 3, 3))
    client.force_login(alice)
    response = client.get(URL)
    assert rows(response) == ["NS-3", "NS-4", "NS-2"]  # the alert, then by next session date
    first = response.context["rows"][0]
    assert len(first.alerts) == 1
    body = response.content.decode()
    assert '<tr class="has-alert">' in body
    assert "1 risk alert" in body


def test_it_leaves_out_ended_courses(client: HttpClient, alice: User, course_a: Course) -> None:
    end_course(alice, course_a, status=CourseStatus.COMPLETED, ended_on=date(2026, 6, 15))
    client.force_login(alice)
    response = client.get(URL)
    assert response.context["rows"] == []
    assert "No active courses." in response.content.decode()


def test_it_shows_alice_only_her_own_courses_unless_she_asks_for_the_team(
    client: HttpClient, alice: User, frank: User, north_team: Team, course_a: Course
) -> None:
    add_course(frank, north_team, "NS-2", "Franks", [12])
    client.force_login(alice)
    assert rows(client.get(URL)) == ["NS-1"]
    assert 'data-label="Clinician"' not in client.get(URL).content.decode()  # her own: all hers
    response = client.get(URL, {"view": "team"})
    assert rows(response) == ["NS-1", "NS-2"]
    assert "Team caseload" in response.content.decode()
    assert '<td data-label="Clinician">Frank</td>' in response.content.decode()


def test_it_shows_the_supervisor_the_whole_team(
    client: HttpClient, alice: User, bob: User, frank: User, north_team: Team, course_a: Course
) -> None:
    add_course(frank, north_team, "NS-2", "Franks", [12])
    client.force_login(bob)
    response = client.get(URL)
    assert rows(response) == ["NS-1", "NS-2"]
    body = response.content.decode()
    assert "Team caseload" in body
    assert '<td data-label="Clinician">Alice</td>' in body and '<td data-label="Clinician">Frank</td>' in body
    assert "Show only my clients" not in body
    assert reverse("clients:create") not in body


@pytest.mark.parametrize("username", ["dave", "charlie"])
@pytest.mark.parametrize("view", ["", "team"])
def test_it_shows_other_teams_none_of_alices_clients(
    client: HttpClient, everyone: dict[str, User], course_a: Course, username: str, view: str
) -> None:
    client.force_login(everyone[username])
    response = client.get(URL, {"view": view})
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "Okafor" not in response.content.decode()


def test_it_shows_charlie_his_own_clients_only(client: HttpClient, charlie: User, course_a: Course) -> None:
    add_course(charlie, charlie.teams.get(), "NS-1", "Riverside", [9])
    client.force_login(charlie)
    response = client.get(URL)
    assert [r.client.family_name for r in response.context["rows"]] == ["Riverside"]


def test_it_refuses_the_admin(client: HttpClient, erin: User, course_a: Course) -> None:
    """No caseload for an administrator: the root sends them to the user list (test below)."""
    client.force_login(erin)
    response = client.get(URL)
    assert response.status_code == 302 and course_a.client.family_name not in response.content.decode()


def test_it_sends_anonymous_visitors_to_sign_in(client: HttpClient) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={URL}"


def test_it_runs_the_same_queries_for_3_or_13_courses(
    client: HttpClient, alice: User, bob: User, north_team: Team, django_assert_num_queries: Any
) -> None:
    add_course(alice, north_team, "C-0", "Alpha", [20, 18, 17], risk_at=2)
    add_course(alice, north_team, "C-1", "Beta", [14, 12])
    add_course(alice, north_team, "C-2", "Gamma", [9])
    client.force_login(alice)
    with django_assert_num_queries(10):  # 8, and 2 to audit the clients shown (one INSERT)
        client.get(URL)

    for n in range(10):
        scores = [22 - n, 20 - n, 18 - n, 15 - n, 12 - n]
        start = date(2026, 3, 2) + timedelta(days=n)
        protocol = "ipt-brief" if n % 3 == 0 else "ipt-standard"
        add_course(
            alice,
            north_team,
            f"D-{n}",
            f"Delta{n}",
            scores,
            start=start,
            protocol=protocol,
            risk_at=n % 4 or None,
        )
    with django_assert_num_queries(10):  # 8, and 2 to audit the clients shown (one INSERT)
        response = client.get(URL)
    assert len(response.context["rows"]) == 13
    assert sum(len(r.alerts) for r in response.context["rows"]) == 1 + 7

    client.force_login(bob)  # the whole team, through the supervisor's view
    with django_assert_num_queries(10):  # 8, and 2 to audit the clients shown (one INSERT)
        response = client.get(URL)
    assert len(response.context["rows"]) == 13


def test_a_long_caseload_is_shown_a_page_at_a_time_alerts_first(
    client: HttpClient, alice: User, north_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openipt.audit.models import AuditEvent

    monkeypatch.setattr("openipt.courses.views.CASELOAD_PAGE", 2)
    add_course(alice, north_team, "NS-2", "Abbott", [10, 9], start=date(2026, 3, 2))
    add_course(alice, north_team, "NS-3", "Zimmer", [12, 14], start=date(2026, 4, 6), risk_at=2)
    add_course(alice, north_team, "NS-4", "Brown", [8, 6], start=date(2026, 3, 3))
    client.force_login(alice)

    first = client.get(URL, {"view": "team"})
    assert rows(first) == ["NS-3", "NS-2"]  # the alert, then by next session date
    body = first.content.decode()
    assert "Showing 1–2 of 3 active courses, open risk alerts first." in body
    assert "on another page" not in body
    assert 'href="?view=team&amp;page=2">Next</a>' in body
    assert [r.change for r in first.context["rows"]] == [2, -1]  # scores loaded for the rows shown

    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    second = client.get(URL, {"view": "team", "page": "2"})
    assert rows(second) == ["NS-4"]
    assert second.context["rows"][0].change == -2
    body = second.content.decode()
    assert "1 client with an open risk alert is on another page." in body
    assert 'href="?view=team&amp;page=1">First page</a>' in body
    read = AuditEvent.objects.filter(id__gt=before, action="read:courses:caseload")
    assert list(read.values_list("client_id", flat=True)) == [second.context["rows"][0].client.pk]

    assert rows(client.get(URL, {"view": "team", "page": "99"})) == ["NS-4"]  # past the end: the last page
    assert rows(client.get(URL, {"view": "team", "page": "x"})) == ["NS-3", "NS-2"]  # not a number: the first


def test_one_page_has_no_page_links(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    body = client.get(URL).content.decode()
    assert "Showing" not in body
    assert "Page 1 of" not in body


def test_it_sends_a_signed_in_client_from_the_root_to_their_portal(client: HttpClient, north: Any) -> None:
    portal = make_user("portal", north, Role.CLIENT)
    client.force_login(portal)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_it_sends_an_administrator_from_the_root_to_the_user_list(client: HttpClient, erin: Any) -> None:
    """Found walking the release: erin's bookmark of / gave a 403 page."""
    client.force_login(erin)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user-list")


def test_a_client_still_gets_a_refusal_on_other_staff_pages(
    client: HttpClient, north: Any, course_a: Course
) -> None:
    portal = make_user("portal", north, Role.CLIENT)
    client.force_login(portal)
    session = course_a.sessions.order_by("number").first()
    assert session is not None
    response = client.get(reverse("courses:session", args=[session.pk]))
    assert response.status_code == 403

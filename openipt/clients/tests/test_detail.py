"""The client page: identity banner, current course and its sessions, score charts, alerts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.courses.actions import end_course, record_attendance, start_course
from openipt.courses.models import Course, CourseStatus, Session
from openipt.measures.actions import record_response

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def url(client: Client) -> str:
    return reverse("clients:detail", args=[client.pk])


def phq9(total: int, item9: int = 0) -> list[int]:
    """PHQ-9 answers adding up to `total`, with item 9 (thoughts of self-harm) as given."""
    answers, left = [0] * 9, total - item9
    for i in range(8):
        answers[i] = min(3, left)
        left -= answers[i]
    answers[8] = item9
    return answers


def hold(user: User, session: Session, **scores: int) -> None:
    """Record the session as attended with the given totals (phq9=…, gad7=…) on its date."""
    record_attendance(user, session, attendance="attended", modality="in_person")
    at = datetime.combine(session.scheduled_date, time(10), tzinfo=UTC)
    for key, total in scores.items():
        answers = phq9(total) if key == "phq9" else [min(3, max(0, total - 3 * i)) for i in range(7)]
        record_response(
            user, session.course.client, instrument=key, answers=answers, session=session, completed_at=at
        )


def sessions(course: Course) -> list[Session]:
    return list(course.sessions.order_by("number"))


def test_it_shows_the_banner_course_and_sessions(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    response = client.get(url(course_a.client))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Maya Okafor" in body
    assert "Tue 12 Apr 1988" in body  # date of birth
    assert "NS-1" in body
    assert "Interpersonal Psychotherapy (IPT), standard weekly course · Initial phase · 0 of 16 held" in body
    assert "None open" in body
    rows = response.context["sessions"]
    assert [s.number for s in rows] == list(range(1, 17))
    for s in rows:
        assert f'href="{reverse("courses:session", args=[s.pk])}"' in body
    assert response.context["next_session"] == rows[0]
    assert "Session 1, Mon 2 Mar 2026" in body
    # alice leads the care: the writing links are there
    assert f'href="{reverse("clients:edit", args=[course_a.client_id])}"' in body
    assert f'action="{reverse("courses:advance-phase", args=[course_a.pk])}"' in body
    assert f'href="{reverse("courses:end", args=[course_a.pk])}"' in body
    assert f'href="{reverse("measures:record-ad-hoc", args=[course_a.client_id, "phq9"])}"' in body


def test_it_draws_the_scores_as_svg_charts(client: HttpClient, alice: User, course_a: Course) -> None:
    s1, s2, s3 = sessions(course_a)[:3]
    hold(alice, s1, phq9=18, gad7=12)
    hold(alice, s2, phq9=15)
    hold(alice, s3, phq9=11)
    client.force_login(alice)
    response = client.get(url(course_a.client))
    body = response.content.decode()
    assert body.count("<svg") == 2
    assert 'id="chart-phq9' in body
    assert 'id="chart-gad7' in body
    assert "PHQ-9 over time" in body
    assert "GAD-7 over time" in body
    assert "First: 18 · latest: 11 (Moderate, 16 Mar 2026)" in body
    assert "0 of 16 held" not in body
    assert "3 of 16 held" in body
    (_, _, phq9_scores), (_, _, gad7_scores) = response.context["charts"]
    assert [s.total for s in phq9_scores] == [18, 15, 11]
    assert [s.total for s in gad7_scores] == [12]
    assert response.context["next_session"].number == 4


def test_it_charts_an_empty_history_without_failing(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    client.force_login(alice)
    response = client.get(url(client_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<svg") == 2
    assert "No active course." in body
    assert f'href="{reverse("courses:start", args=[client_a.pk])}"' in body


def test_it_shows_an_open_alert_with_crisis_resources(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    s1 = sessions(course_a)[0]
    record_response(alice, course_a.client, instrument="phq9", answers=phq9(14, item9=2), session=s1)
    client.force_login(alice)
    body = client.get(url(course_a.client)).content.decode()
    assert "1 open alert" in body
    assert "Open risk alert" in body
    assert "High:" in body
    assert "Your local emergency number" in body


def test_it_lists_earlier_courses(client: HttpClient, alice: User, course_a: Course) -> None:
    end_course(
        alice, course_a, status=CourseStatus.ENDED_EARLY, ended_on=date(2026, 3, 20), reason="Moved away"
    )
    client.force_login(alice)
    response = client.get(url(course_a.client))
    body = response.content.decode()
    assert response.context["course"] is None
    assert response.context["past_courses"] == [course_a]
    assert "Earlier courses" in body
    assert "Ended early — Moved away" in body
    assert "No active course." in body


def test_it_shows_bob_the_page_without_writing_links(client: HttpClient, bob: User, course_a: Course) -> None:
    client.force_login(bob)
    response = client.get(url(course_a.client))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Maya Okafor" in body
    for forbidden in [
        reverse("clients:edit", args=[course_a.client_id]),
        reverse("courses:advance-phase", args=[course_a.pk]),
        reverse("courses:end", args=[course_a.pk]),
        reverse("measures:record-ad-hoc", args=[course_a.client_id, "phq9"]),
    ]:
        assert forbidden not in body


def test_a_read_writes_one_audit_row_without_content(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    client.force_login(alice)
    before = AuditEvent.objects.count()
    client.get(url(course_a.client))
    rows = list(AuditEvent.objects.order_by("id")[before:])
    assert [(r.action, r.client_id, r.actor_id) for r in rows] == [
        ("read:clients:detail", course_a.client_id, alice.pk)
    ]
    assert "Okafor" not in str(rows[0]) and "Maya" not in str(rows[0])


def test_it_runs_the_same_queries_however_long_the_history(
    client: HttpClient, alice: User, course_a: Course, django_assert_num_queries: Any
) -> None:
    client_a = course_a.client
    s = sessions(course_a)
    hold(alice, s[0], phq9=20, gad7=15)
    record_response(alice, client_a, instrument="phq9", answers=phq9(19, item9=1), session=s[1])
    client.force_login(alice)
    with django_assert_num_queries(28):
        client.get(url(client_a))

    # Twelve more sessions held with scores, two more open alerts and an earlier course.
    for session in s[2:14]:
        hold(alice, session, phq9=16, gad7=10)
    record_response(alice, client_a, instrument="phq9", answers=phq9(16, item9=1), session=s[14])
    record_response(alice, client_a, instrument="phq9", answers=phq9(16, item9=3), session=s[15])
    end_course(alice, course_a, status=CourseStatus.COMPLETED, ended_on=date(2026, 6, 15))
    again = start_course(alice, client_a, protocol_key="ipt-standard", start_date=date(2026, 6, 22))
    for session in sessions(again)[:4]:
        hold(alice, session, phq9=9, gad7=6)
    with django_assert_num_queries(28):
        response = client.get(url(client_a))
    assert len(response.context["banner"].open_alerts) == 3
    assert len(response.context["charts"][0][2]) == 20
    assert len(response.context["past_courses"]) == 1


def test_the_access_log_is_one_click_away_for_those_who_may_read_it(
    client: HttpClient, alice: User, bob: User, course_a: Course
) -> None:
    log = f'href="{reverse("audit:client", args=[course_a.client_id])}"'
    client.force_login(bob)
    assert log in client.get(url(course_a.client)).content.decode()
    assert client.get(reverse("audit:client", args=[course_a.client_id])).status_code == 200

    client.force_login(alice)  # a clinician may not read the access log: no link to a refusal
    assert log not in client.get(url(course_a.client)).content.decode()

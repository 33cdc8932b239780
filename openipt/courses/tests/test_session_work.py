"""The interval since last time, the techniques used and the dispute stage; who may reach /work/;
the client page's interval table; the session page's query count."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.audit.queries import change_events
from openipt.courses import session_work as work
from openipt.courses.actions import advance_phase, cancel_session, end_course, record_attendance
from openipt.courses.models import (
    CommunicationAnalysis,
    Course,
    CourseStatus,
    Formulation,
    GoalReview,
    Homework,
    Session,
    SessionWork,
)
from openipt.inventory.models import Person
from openipt.measures.actions import record_response

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def number(course: Course, n: int) -> Session:
    return course.sessions.get(number=n)


def page(session: Session) -> str:
    return reverse("courses:session", args=[session.pk])


def hold(user: User, session: Session, phq9: int | None = None) -> None:
    record_attendance(user, session, attendance="attended", modality="in_person")
    if phq9 is not None:
        answers = [min(3, max(0, phq9 - 3 * i)) for i in range(8)] + [0]
        at = datetime.combine(session.scheduled_date, time(10), tzinfo=UTC)
        record_response(
            user, session.course.client, instrument="phq9", answers=answers, session=session, completed_at=at
        )


@pytest.fixture
def middle(alice: User, course_a: Course) -> Session:
    """Session 5 of course_a, in the middle phase, with sessions 1–4 held."""
    for n in range(1, 5):
        hold(alice, number(course_a, n))
        if n == 3:
            advance_phase(alice, course_a)
    return number(course_a, 5)


def dispute(course: Course, user: User) -> Formulation:
    return Formulation.objects.create(
        course=course, problem_areas=["role_dispute"], dispute_stage="impasse", updated_by=user
    )


def audit(action: str) -> list[tuple[str, int | None, str]]:
    return list(AuditEvent.objects.filter(action=action).values_list("actor_label", "client_id", "object_id"))


# --- The interval ---------------------------------------------------------------------------------


def test_it_saves_the_interval_and_audits(client: HttpClient, alice: User, middle: Session) -> None:
    client.force_login(alice)
    url = reverse("work:interval", args=[middle.pk])
    response = client.post(url, {"mood": "6", "events": "Argued with Joe about the rota.\r\nMade up."})
    assertRedirects(response, page(middle) + "#interval-h", fetch_redirect_response=False)
    saved = SessionWork.objects.get(session=middle)
    assert (saved.interval_mood, saved.interval_events) == (6, "Argued with Joe about the rota.\nMade up.")
    assert saved.updated_by == alice
    assert audit("session.work") == [("alice", middle.course.client_id, str(middle.pk))]
    body = client.get(page(middle)).content.decode()
    assert "Interval since last time" in body
    assert 'value="6"' in body
    assert "Argued with Joe about the rota." in body


def test_it_shows_the_previous_sessions_interval_for_comparison(
    client: HttpClient, alice: User, course_a: Course, middle: Session
) -> None:
    work.save_interval(alice, number(course_a, 4), mood=3, events="Sister cancelled the visit.")
    client.force_login(alice)
    body = client.get(page(middle)).content.decode()
    assert "Last session (Mon 23 Mar):" in body
    assert "mood 3 / 10 — Sister cancelled the visit." in body


def test_it_keeps_an_empty_mood_as_not_rated(alice: User, middle: Session) -> None:
    saved = work.save_interval(alice, middle, mood=None, events="")
    assert saved.interval_mood is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"mood": "11", "events": "x"}, "mood", "Rate the mood from 0 to 10, or leave it empty."),
        ({"mood": "-1", "events": "x"}, "mood", "Rate the mood from 0 to 10, or leave it empty."),
        ({"mood": "six", "events": "x"}, "mood", "Enter a whole number."),
        (
            {"mood": "5", "events": "x" * 5001},
            "events",
            ("This can be at most 5,000 characters (you have 5,001). Shorten it, then save again."),
        ),
    ],
)
def test_it_refuses_a_bad_interval_beside_the_field(
    client: HttpClient, alice: User, middle: Session, data: dict[str, str], field: str, message: str
) -> None:
    client.force_login(alice)
    response = client.post(reverse("work:interval", args=[middle.pk]), data)
    assert response.status_code == 400
    form = response.context["interval_form"]
    assert form.errors == {field: [message]}
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body
    assert data["events"][:50] in body  # what was typed is kept
    assert not SessionWork.objects.exists()
    assert not audit("session.work")


def test_the_action_refuses_mood_11(alice: User, middle: Session) -> None:
    with pytest.raises(ValidationError) as exc:
        work.save_interval(alice, middle, mood=11, events="")
    assert exc.value.message_dict == {"mood": ["Rate the mood from 0 to 10, or leave it empty."]}
    assert not SessionWork.objects.exists()


def test_it_refuses_work_on_a_finished_course(client: HttpClient, alice: User, middle: Session) -> None:
    end_course(alice, middle.course, status=CourseStatus.COMPLETED, ended_on=date(2026, 6, 15))
    client.force_login(alice)
    response = client.post(reverse("work:interval", args=[middle.pk]), {"mood": "5", "events": ""})
    assert response.status_code == 400
    assert "This course has ended" in response.content.decode()
    assert not SessionWork.objects.exists()
    body = client.get(page(middle)).content.decode()
    assert reverse("work:interval", args=[middle.pk]) not in body


def test_it_refuses_work_on_a_cancelled_appointment(alice: User, course_a: Course) -> None:
    s2 = number(course_a, 2)
    cancel_session(alice, s2)
    with pytest.raises(ValidationError, match="This appointment was cancelled"):
        work.set_techniques(alice, s2, techniques=["role_play"])
    assert not SessionWork.objects.exists()


# --- Techniques ----------------------------------------------------------------------------------


def test_it_saves_the_techniques_in_the_listed_order(
    client: HttpClient, alice: User, middle: Session
) -> None:
    work.save_interval(alice, middle, mood=4, events="kept")
    client.force_login(alice)
    url = reverse("work:techniques", args=[middle.pk])
    response = client.post(url, {"techniques": ["role_play", "clarification"]})
    assertRedirects(response, page(middle) + "#techniques-h", fetch_redirect_response=False)
    saved = SessionWork.objects.get()
    assert saved.techniques == ["clarification", "role_play"]
    assert (saved.interval_mood, saved.interval_events) == (4, "kept")  # the interval is untouched
    assert len(audit("session.work")) == 2
    body = client.get(page(middle)).content.decode()
    assert (
        'value="role_play" id="technique-role_play" aria-describedby="technique-role_play-d" checked' in body
    )
    assert 'value="decision_analysis" id="technique-decision_analysis" aria-describedby' in body
    assert "Rehearsing a difficult conversation in the session." in body
    client.post(url, {})
    assert SessionWork.objects.get().techniques == []


def test_it_lists_the_seven_techniques_of_the_manual() -> None:
    assert work.TECHNIQUE_KEYS == (
        "exploratory_questioning",
        "encouragement_of_affect",
        "clarification",
        "communication_analysis",
        "decision_analysis",
        "role_play",
        "therapeutic_relationship",
    )
    assert all(str(t.name) and str(t.description) for t in work.TECHNIQUES)


def test_it_refuses_an_unknown_technique(client: HttpClient, alice: User, middle: Session) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("work:techniques", args=[middle.pk]), {"techniques": ["role_play", "hypnosis"]}
    )
    assert response.status_code == 400
    assert response.context["techniques_form"].errors == {"techniques": ["Choose techniques from the list."]}
    body = response.content.decode()
    assert 'id="techniques_error"' in body
    assert 'id="technique-role_play" aria-describedby="technique-role_play-d" checked' in body  # kept
    assert not SessionWork.objects.exists()
    with pytest.raises(ValidationError):
        work.set_techniques(alice, middle, techniques=["hypnosis"])


# --- Dispute stage ---------------------------------------------------------------------------------


def test_it_records_the_dispute_stage_per_session(
    client: HttpClient, alice: User, course_a: Course, middle: Session
) -> None:
    dispute(course_a, alice)
    work.set_dispute_stage(alice, number(course_a, 4), stage="impasse")
    client.force_login(alice)
    body = client.get(page(middle)).content.decode()
    assert "Stage of the dispute" in body
    assert "At the formulation: Impasse." in body
    assert "Last session: Impasse." in body
    response = client.post(reverse("work:dispute", args=[middle.pk]), {"stage": "renegotiation"})
    assertRedirects(response, page(middle) + "#dispute-h", fetch_redirect_response=False)
    assert SessionWork.objects.get(session=middle).dispute_stage == "renegotiation"
    assert len(audit("session.work")) == 2


@pytest.mark.parametrize(
    ("areas", "stage", "message"),
    [
        (["role_dispute"], "truce", "Choose renegotiation, impasse or dissolution."),
        (["grief"], "impasse", "A role dispute is not a chosen problem area of this course."),
    ],
)
def test_it_refuses_a_bad_dispute_stage(
    client: HttpClient, alice: User, middle: Session, areas: list[str], stage: str, message: str
) -> None:
    Formulation.objects.create(course=middle.course, problem_areas=areas, updated_by=alice)
    client.force_login(alice)
    response = client.post(reverse("work:dispute", args=[middle.pk]), {"stage": stage})
    assert response.status_code == 400
    assert response.context["dispute_form"].errors == {"stage": [message]}
    assert not SessionWork.objects.exists()


# --- Who may reach /work/ ----------------------------------------------------------------------------


@pytest.fixture
def everything(alice: User, course_a: Course, middle: Session) -> dict[str, Any]:
    dispute(course_a, alice)
    person = Person.objects.create(
        client=course_a.client, name="Joe", relationship="partner", ring="inner", created_by=alice
    )
    homework = work.set_homework(alice, number(course_a, 4), task="Ask Joe for ten minutes.")
    analysis = work.add_analysis(alice, middle, person_id=person.pk, situation="Row about the rota.")
    return {"session": middle, "homework": homework, "analysis": analysis, "person": person}


def post_urls(ids: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    s, h = ids["session"].pk, ids["homework"].pk
    return [
        (reverse("work:interval", args=[s]), {"mood": "5", "events": "x"}),
        (reverse("work:techniques", args=[s]), {"techniques": ["role_play"]}),
        (reverse("work:dispute", args=[s]), {"stage": "impasse"}),
        (reverse("work:goal", args=[s]), {"area": "role_dispute", "goal_index": "0", "status": "achieved"}),
        (reverse("work:add-analysis", args=[s]), {"situation": "x"}),
        (reverse("work:set-homework", args=[s]), {"task": "x"}),
        (reverse("work:review-homework", args=[s, h]), {"outcome": "done"}),
        (reverse("work:analysis", args=[ids["analysis"].pk]), {"situation": "changed"}),
    ]


def snapshot() -> list[Any]:
    return [
        list(SessionWork.objects.values()),
        list(GoalReview.objects.values()),
        list(CommunicationAnalysis.objects.values()),
        list(Homework.objects.values()),
        change_events().count(),
    ]


@pytest.mark.parametrize("who", ["dave", "charlie"])
def test_it_hides_every_work_url_from_other_teams_and_orgs(
    client: HttpClient, everyone: dict[str, User], everything: dict[str, Any], who: str
) -> None:
    before = snapshot()
    client.force_login(everyone[who])
    for url, data in post_urls(everything):
        for response in (client.get(url), client.post(url, data)):
            assert response.status_code in (404, 405), url
            assert "Okafor" not in response.content.decode()
    assert client.get(reverse("work:analysis", args=[everything["analysis"].pk])).status_code == 404
    assert snapshot() == before


def test_it_lets_bob_read_but_not_write(client: HttpClient, bob: User, everything: dict[str, Any]) -> None:
    before = snapshot()
    client.force_login(bob)
    for url, data in post_urls(everything):
        assert client.post(url, data).status_code == 403, url
    assert snapshot() == before
    response = client.get(reverse("work:analysis", args=[everything["analysis"].pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Row about the rota." in body
    assert 'method="post"' not in body.split("</header>")[1]
    body = client.get(page(everything["session"])).content.decode()
    assert "Problem area goals" in body
    assert "Row about the rota." in body
    assert "Ask Joe for ten minutes." in body
    assert 'method="post"' not in body.split("</header>")[1]


def test_the_actions_refuse_bob(bob: User, middle: Session) -> None:
    with pytest.raises(PermissionDenied):
        work.save_interval(bob, middle, mood=5, events="")
    with pytest.raises(PermissionDenied):
        work.set_homework(bob, middle, task="x")
    assert not SessionWork.objects.exists()


# --- The session page -------------------------------------------------------------------------------


def test_it_lays_out_the_session_in_the_order_it_goes(
    client: HttpClient, alice: User, everything: dict[str, Any]
) -> None:
    client.force_login(alice)
    body = client.get(page(everything["session"])).content.decode()
    # the phase's checklist first, then its work, then what every session records
    headings = [
        'id="agenda-h"',
        'id="goals-h"',
        'id="homework-review-h"',
        'id="measures-h"',
        'id="interval-h"',
        'id="techniques-h"',
        'id="analyses-h"',
        'id="homework-set-h"',
        'id="note-h"',
    ]
    positions = [body.index(h) for h in headings]
    assert positions == sorted(positions)


def test_it_runs_the_same_queries_however_much_work_was_recorded(
    client: HttpClient,
    alice: User,
    course_a: Course,
    everything: dict[str, Any],
    django_assert_num_queries: Any,
) -> None:
    session = everything["session"]
    client.force_login(alice)
    with django_assert_num_queries(22):  # 21, and 1 for the client's diary
        client.get(page(session))
    person = everything["person"]
    for n in range(3):
        work.add_analysis(alice, session, person_id=person.pk, situation=f"Row {n}", what_said="x")
        work.set_homework(alice, number(course_a, 4), task=f"Task {n}")
        work.set_homework(alice, session, task=f"Next {n}")
        Person.objects.create(client=course_a.client, name=f"P{n}", relationship="friend", created_by=alice)
    for i in range(3):
        work.review_goal(
            alice, number(course_a, 4), area="role_dispute", goal_index=i, status="in_progress", note=""
        )
        work.review_goal(alice, session, area="role_dispute", goal_index=i, status="achieved", note="ok")
    work.save_interval(alice, session, mood=7, events="Better week.")
    work.save_interval(alice, number(course_a, 4), mood=4, events="Hard week.")
    work.set_techniques(alice, session, techniques=["role_play"])
    with django_assert_num_queries(22):  # 21, and 1 for the client's diary
        response = client.get(page(session))
    section = response.context["work"]
    assert len(section.analyses) == 4
    assert len(section.to_review) == 4
    assert len(section.set_here) == 3
    assert [r.review.status for r in section.areas[0].goals] == ["achieved"] * 3
    assert [r.previous.status for r in section.areas[0].goals] == ["in_progress"] * 3


# --- The client page's interval table -----------------------------------------------------------------


def test_interval_rows_lists_each_held_session_side_by_side(
    alice: User, course_a: Course, django_assert_num_queries: Any
) -> None:
    hold(alice, number(course_a, 1), phq9=18)
    hold(alice, number(course_a, 2))
    record_attendance(alice, number(course_a, 3), attendance="no_show", modality="in_person")
    hold(alice, number(course_a, 4), phq9=12)
    work.save_interval(alice, number(course_a, 2), mood=3, events="Row with Joe.")
    work.save_interval(alice, number(course_a, 4), mood=6, events="Talked it through with Joe.")
    work.save_interval(alice, number(course_a, 5), mood=9, events="not held yet")
    with django_assert_num_queries(1):
        rows = work.interval_rows(course_a)
    assert {r.measure for r in rows} == {"PHQ-9"}
    assert [(r.number, r.date, r.mood, r.depression, r.events) for r in rows] == [
        (1, date(2026, 3, 2), None, 18, ""),
        (2, date(2026, 3, 9), 3, None, "Row with Joe."),
        (4, date(2026, 3, 23), 6, 12, "Talked it through with Joe."),
    ]


def test_the_interval_table_partial_shows_mood_phq9_and_events(alice: User, course_a: Course) -> None:
    hold(alice, number(course_a, 1), phq9=18)
    hold(alice, number(course_a, 2), phq9=14)
    work.save_interval(alice, number(course_a, 2), mood=3, events="Row with Joe.\nMade up on Sunday.")
    html = render_to_string("courses/_interval_table.html", {"interval_rows": work.interval_rows(course_a)})
    assert "Mood and events, session by session" in html
    s2 = number(course_a, 2)
    assert f'<a href="{page(s2)}">2 · Mon 9 Mar 2026</a>' in html
    assert '<td data-label="Mood (0–10)">3</td>' in html
    assert '<td data-label="PHQ-9">14</td>' in html
    assert '<td data-label="PHQ-9">18</td>' in html
    assert "Row with Joe.<br>Made up on Sunday." in html
    assert '<td data-label="Mood (0–10)">—</td>' in html  # session 1 had no interval
    empty = render_to_string("courses/_interval_table.html", {"interval_rows": []})
    assert "No sessions held yet." in empty


def test_an_ipt_a_interval_table_shows_the_phqa(alice: User, client_a: Any) -> None:
    from openipt.courses.actions import start_course

    client_a.date_of_birth = date(2011, 5, 1)  # 14 when the course starts
    client_a.save(update_fields=["date_of_birth"])
    course = start_course(alice, client_a, protocol_key="ipt-adolescent", start_date=date(2026, 3, 2))
    session = number(course, 1)
    record_attendance(alice, session, attendance="attended", modality="in_person")
    at = datetime.combine(session.scheduled_date, time(10), tzinfo=UTC)
    answers = [3, 3, 3, 3, 2, 0, 0, 0, 0, 1, 1, 0, 0]  # PHQ-A total 14
    record_response(alice, client_a, instrument="phqa", answers=answers, session=session, completed_at=at)

    html = render_to_string("courses/_interval_table.html", {"interval_rows": work.interval_rows(course)})

    assert '<th scope="col">PHQ-A</th>' in html
    assert '<td data-label="PHQ-A">14</td>' in html

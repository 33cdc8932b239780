"""The session page: the phase's agenda, the measures due, the interval, the note; read-only for bob."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.courses.actions import advance_phase, cancel_session, end_course, record_attendance, set_task
from openipt.courses.models import Course, CourseStatus, Session
from openipt.measures.actions import record_response
from openipt.notes.actions import add_addendum, save_draft, sign_note
from openipt.protocols import get_protocol

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def url(session: Session) -> str:
    return reverse("courses:session", args=[session.pk])


def number(course: Course, n: int) -> Session:
    return course.sessions.get(number=n)


def phq9(total: int, item9: int = 0) -> list[int]:
    answers, left = [0] * 9, total - item9
    for i in range(8):
        answers[i] = min(3, left)
        left -= answers[i]
    answers[8] = item9
    return answers


def hold(user: User, session: Session, phq9_total: int | None = None, gad7: bool = False) -> None:
    record_attendance(user, session, attendance="attended", modality="in_person")
    at = datetime.combine(session.scheduled_date, time(10), tzinfo=UTC)
    client = session.course.client
    if phq9_total is not None:
        record_response(
            user, client, instrument="phq9", answers=phq9(phq9_total), session=session, completed_at=at
        )
    if gad7:
        record_response(user, client, instrument="gad7", answers=[1] * 7, session=session, completed_at=at)


def write_urls(session: Session) -> list[str]:
    return [
        reverse("courses:attendance", args=[session.pk]),
        reverse("courses:move", args=[session.pk]),
        reverse("courses:cancel", args=[session.pk]),
        reverse("courses:agenda", args=[session.pk]),
        reverse("measures:record-in-session", args=[session.pk, "phq9"]),
        reverse("measures:record-in-session", args=[session.pk, "gad7"]),
        reverse("notes:save", args=[session.pk]),
        reverse("notes:private", args=[session.pk]),
    ]


def test_it_shows_the_first_session_of_the_initial_phase(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    s1 = number(course_a, 1)
    client.force_login(alice)
    response = client.get(url(s1))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Session 1 of 16 — Mon 2 Mar 2026" in body
    assert "Maya Okafor" in body  # the banner
    assert "<strong>Initial phase</strong>: Name and explain the depression" in body
    assert "Agenda — Initial phase" in body
    assert "phase phase" not in body
    initial = get_protocol("ipt-standard").phase("initial")
    assert [i.task.key for i in response.context["agenda"]] == [t.key for t in initial.tasks]
    for task in initial.tasks:
        assert f'id="task-{task.key}"' in body
        assert task.title in body
    assert "First session held in this course." in body
    assert "Session note" in body
    for write_url in write_urls(s1):
        assert write_url in body


def test_it_offers_phq9_every_session_and_gad7_at_the_first(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    client.force_login(alice)
    due = {n: [m.key for m in client.get(url(number(course_a, n))).context["due"]] for n in (1, 2, 3, 4, 16)}
    assert due == {1: ["phq9", "gad7"], 2: ["phq9"], 3: ["phq9"], 4: ["phq9", "gad7"], 16: ["phq9", "gad7"]}
    body = client.get(url(number(course_a, 1))).content.decode()
    assert "Patient Health Questionnaire-9" in body
    assert "Generalized Anxiety Disorder-7" in body
    assert 'name="phq9-phq9-9"' in body
    assert 'name="gad7-gad7-7"' in body


def test_it_shows_a_recorded_score_instead_of_the_form(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    s1 = number(course_a, 1)
    hold(alice, s1, phq9_total=16)
    client.force_login(alice)
    response = client.get(url(s1))
    body = response.content.decode()
    assert "Total 16 · Moderately severe" in body
    assert 'name="phq9-phq9-1"' not in body
    assert 'name="gad7-gad7-1"' in body
    assert reverse("measures:record-in-session", args=[s1.pk, "phq9"]) not in body


def test_it_shows_the_interval_since_the_last_attended_session(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    hold(alice, number(course_a, 1))
    record_attendance(alice, number(course_a, 2), attendance="no_show", modality="in_person")
    client.force_login(alice)
    body = client.get(url(number(course_a, 2))).content.decode()
    assert "7 days since the last session (Mon 2 Mar)." in body
    # The missed session 2 does not count: 14 days since session 1.
    body = client.get(url(number(course_a, 3))).content.decode()
    assert "14 days since the last session (Mon 2 Mar)." in body


def test_it_shows_the_agenda_of_the_current_phase_for_an_unheld_session(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    s3 = number(course_a, 3)
    advance_phase(alice, course_a)
    client.force_login(alice)
    response = client.get(url(s3))
    middle = get_protocol("ipt-standard").phase("middle")
    assert [i.task.key for i in response.context["agenda"]] == [t.key for t in middle.tasks]
    body = response.content.decode()
    assert "The protocol places this session in the Initial phase." in body


def test_it_offers_to_move_on_when_the_protocol_expects_the_next_phase(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    s4 = number(course_a, 4)
    client.force_login(alice)
    body = client.get(url(s4)).content.decode()
    assert "The protocol places this session in the Middle phase." in body
    assert "Move to the Middle phase" in body
    assert f'name="session" value="{s4.pk}"' in body


def test_it_shows_ticked_tasks_with_their_notes(client: HttpClient, alice: User, course_a: Course) -> None:
    s1 = number(course_a, 1)
    set_task(alice, s1, task_key="name_diagnosis", done=True, note="Named it plainly.")
    client.force_login(alice)
    response = client.get(url(s1))
    item = next(i for i in response.context["agenda"] if i.task.key == "name_diagnosis")
    assert item.done is True
    body = response.content.decode()
    assert 'id="task-name_diagnosis" class="done"' in body
    assert "Named it plainly." in body


def test_it_shows_a_signed_note_with_the_addendum_form(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    s1 = number(course_a, 1)
    hold(alice, s1)
    note = save_draft(alice, s1, body="Engaged well; inventory started.", base_version=None)
    sign_note(alice, note, base_version=note.version)
    client.force_login(alice)
    body = client.get(url(s1)).content.decode()
    assert "Engaged well; inventory started." in body
    assert "A signed note cannot be changed" in body
    assert reverse("notes:addendum", args=[note.pk]) in body
    assert f'action="{reverse("notes:save", args=[s1.pk])}"' not in body


def test_it_shows_bob_the_session_without_any_form_to_write(
    client: HttpClient, alice: User, bob: User, course_a: Course
) -> None:
    s1 = number(course_a, 1)
    set_task(alice, s1, task_key="sick_role", done=True, note="Agreed.")
    save_draft(alice, s1, body="Draft by alice.", base_version=None)
    client.force_login(bob)
    response = client.get(url(s1))
    assert response.status_code == 200
    assert response.context["can_write"] is False
    assert all(m.form is None for m in response.context["due"])
    body = response.content.decode()
    assert "Session 1 of 16" in body
    assert "Give the sick role" in body
    assert "Agreed." in body
    assert "Draft by alice." in body
    assert "Not recorded." in body
    for write_url in [*write_urls(s1), reverse("courses:advance-phase", args=[course_a.pk])]:
        assert write_url not in body
    assert 'method="post"' not in body.split("</header>")[1]


def test_it_shows_a_finished_course_read_only(client: HttpClient, alice: User, course_a: Course) -> None:
    s1 = number(course_a, 1)
    end_course(alice, course_a, status=CourseStatus.COMPLETED, ended_on=date(2026, 6, 15))
    client.force_login(alice)
    response = client.get(url(s1))
    assert response.status_code == 200
    assert response.context["can_write"] is False
    body = response.content.decode()
    for write_url in write_urls(s1):
        assert write_url not in body


def test_it_shows_a_cancelled_appointment(client: HttpClient, alice: User, course_a: Course) -> None:
    s2 = number(course_a, 2)
    cancel_session(alice, s2)
    client.force_login(alice)
    body = client.get(url(s2)).content.decode()
    assert "This appointment was cancelled." in body
    assert reverse("courses:attendance", args=[s2.pk]) not in body
    assert reverse("courses:move", args=[s2.pk]) not in body


def test_it_shows_an_open_alert_and_crisis_resources(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    s1 = number(course_a, 1)
    record_response(alice, course_a.client, instrument="phq9", answers=phq9(12, item9=1), session=s1)
    client.force_login(alice)
    body = client.get(url(s1)).content.decode()
    assert "Open risk alert" in body
    assert "Moderate:" in body
    assert "risk answer" in body
    assert "Your local emergency number" in body


def test_a_read_writes_one_audit_row(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    before = AuditEvent.objects.count()
    client.get(url(number(course_a, 1)))
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "client_id")[before:])
    assert actions == [("read:courses:session", course_a.client_id)]


def test_it_runs_the_same_queries_however_long_the_history(
    client: HttpClient, alice: User, course_a: Course, django_assert_num_queries: Any
) -> None:
    s = list(course_a.sessions.order_by("number"))
    page = s[4]
    hold(alice, s[0], phq9_total=20, gad7=True)
    advance_phase(alice, course_a)
    record_response(alice, course_a.client, instrument="phq9", answers=phq9(14, item9=2), session=s[1])
    hold(alice, page, phq9_total=14)
    set_task(alice, page, task_key="interval_review", done=True, note="done")
    note = save_draft(alice, page, body="Note.", base_version=None)
    note = sign_note(alice, note, base_version=note.version)
    add_addendum(alice, note, body="First correction.")
    client.force_login(alice)
    with django_assert_num_queries(25):  # 24, and 1 for the client's diary
        client.get(url(page))

    # More sessions held with scores, this session's GAD-7, more ticks, addenda and alerts.
    for session in s[1:4]:
        hold(alice, session, phq9_total=15, gad7=True)
    record_response(alice, course_a.client, instrument="gad7", answers=[2] * 7, session=page)
    record_response(alice, course_a.client, instrument="phq9", answers=phq9(9, item9=1), session=s[3])
    for key in ["symptom_rating", "problem_area_work", "techniques"]:
        set_task(alice, page, task_key=key, done=True, note="done")
    add_addendum(alice, note, body="Second correction.")
    add_addendum(alice, note, body="Third correction.")
    with django_assert_num_queries(25):  # 24, and 1 for the client's diary
        response = client.get(url(page))
    assert len(response.context["banner"].open_alerts) == 2
    assert len(response.context["note"].addenda.all()) == 3
    assert sum(i.done for i in response.context["agenda"]) == 4
    assert [m.score.total for m in response.context["due"]] == [14, 14]

"""Homework: set in one session, listed for review in the next sessions until reviewed there."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.courses import session_work as work
from openipt.courses.actions import record_attendance
from openipt.courses.models import Course, Homework, Session

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def number(course: Course, n: int) -> Session:
    return course.sessions.get(number=n)


def page(session: Session) -> str:
    return reverse("courses:session", args=[session.pk])


def review_url(session: Session, homework: Homework) -> str:
    return reverse("work:review-homework", args=[session.pk, homework.pk])


@pytest.fixture
def set_in_2(alice: User, course_a: Course) -> Homework:
    for n in (1, 2):
        record_attendance(alice, number(course_a, n), attendance="attended", modality="in_person")
    return work.set_homework(alice, number(course_a, 2), task="Ask Joe for ten minutes on Sunday.")


def test_it_sets_homework_and_audits(client: HttpClient, alice: User, course_a: Course) -> None:
    s2 = number(course_a, 2)
    client.force_login(alice)
    response = client.post(
        reverse("work:set-homework", args=[s2.pk]), {"task": "  Call Ana.\r\nJust to chat. "}
    )
    assertRedirects(response, page(s2) + "#homework-set-h", fetch_redirect_response=False)
    homework = Homework.objects.get()
    assert (homework.course, homework.set_in, homework.task) == (course_a, s2, "Call Ana.\nJust to chat.")
    assert (homework.reviewed_in, homework.outcome, homework.created_by) == (None, "", alice)
    event = AuditEvent.objects.get(action="homework.set")
    assert (event.actor, event.client_id, event.object_id) == (alice, course_a.client_id, str(homework.pk))
    body = client.get(page(s2)).content.decode()
    assert "Call Ana." in body
    assert "To review at the next session." in body


@pytest.mark.parametrize(
    ("task", "message"),
    [
        ("   ", "Fill this in."),
        ("x" * 5001, ("This can be at most 5,000 characters (you have 5,001). Shorten it, then save again.")),
    ],
)
def test_it_refuses_empty_or_long_homework(
    client: HttpClient, alice: User, course_a: Course, task: str, message: str
) -> None:
    client.force_login(alice)
    response = client.post(reverse("work:set-homework", args=[number(course_a, 2).pk]), {"task": task})
    assert response.status_code == 400
    assert response.context["homework_form"].errors == {"task": [message]}
    assert 'id="id_task_error"' in response.content.decode()
    assert not Homework.objects.exists()


def test_it_lists_homework_to_review_in_the_next_sessions_until_reviewed(
    client: HttpClient, alice: User, course_a: Course, set_in_2: Homework
) -> None:
    client.force_login(alice)
    assert "Homework to review" not in client.get(page(number(course_a, 1))).content.decode()
    assert "Homework to review" not in client.get(page(number(course_a, 2))).content.decode()
    for n in (3, 4):  # not reviewed in session 3, so still listed in session 4
        body = client.get(page(number(course_a, n))).content.decode()
        assert "Homework to review" in body
        assert "Ask Joe for ten minutes on Sunday." in body
        assert "Set in session 2 (Mon 9 Mar)." in body
        assert review_url(number(course_a, n), set_in_2) in body
    work.review_homework(alice, set_in_2, number(course_a, 4), outcome="partly", note="Only five minutes.")
    body = client.get(page(number(course_a, 4))).content.decode()
    assert "Reviewed in this session: <strong>Partly done</strong> — Only five minutes." in body
    assert "Homework to review" not in client.get(page(number(course_a, 5))).content.decode()
    assert "Homework to review" not in client.get(page(number(course_a, 3))).content.decode()
    body = client.get(page(number(course_a, 2))).content.decode()
    assert "Reviewed in session 4: Partly done — Only five minutes." in body


def test_it_reviews_homework_in_a_later_session_and_audits(
    client: HttpClient, alice: User, course_a: Course, set_in_2: Homework
) -> None:
    s3 = number(course_a, 3)
    client.force_login(alice)
    response = client.post(review_url(s3, set_in_2), {"outcome": "done", "outcome_note": "Went well."})
    assertRedirects(response, page(s3) + f"#homework-{set_in_2.pk}", fetch_redirect_response=False)
    set_in_2.refresh_from_db()
    assert (set_in_2.reviewed_in, set_in_2.outcome, set_in_2.outcome_note) == (s3, "done", "Went well.")
    assert set_in_2.reviewed_at == NOW
    event = AuditEvent.objects.get(action="homework.review")
    assert (event.actor, event.client_id, event.object_id) == (alice, course_a.client_id, str(set_in_2.pk))
    # It may be corrected in the same reviewing session.
    client.post(review_url(s3, set_in_2), {"outcome": "partly", "outcome_note": ""})
    set_in_2.refresh_from_db()
    assert set_in_2.outcome == "partly"


def test_it_refuses_a_review_in_the_session_that_set_it(
    client: HttpClient, alice: User, course_a: Course, set_in_2: Homework
) -> None:
    client.force_login(alice)
    response = client.post(
        review_url(number(course_a, 2), set_in_2), {"outcome": "done", "outcome_note": "typed"}
    )
    assert response.status_code == 400
    assert "Homework is reviewed in a later session than the one it was set in." in response.content.decode()
    set_in_2.refresh_from_db()
    assert (set_in_2.reviewed_in, set_in_2.outcome) == (None, "")
    assert not AuditEvent.objects.filter(action="homework.review").exists()


@pytest.mark.parametrize(
    ("n", "outcome", "message"),
    [
        (1, "done", "This session comes before the one the homework was set in."),
        (3, "finished", "Choose done, partly done or not done."),
    ],
)
def test_it_refuses_other_bad_reviews(
    client: HttpClient, alice: User, course_a: Course, set_in_2: Homework, n: int, outcome: str, message: str
) -> None:
    client.force_login(alice)
    response = client.post(review_url(number(course_a, n), set_in_2), {"outcome": outcome})
    assert response.status_code == 400
    assert message in response.content.decode()
    set_in_2.refresh_from_db()
    assert set_in_2.reviewed_in is None


def test_it_refuses_a_second_review_from_another_session(
    alice: User, course_a: Course, set_in_2: Homework
) -> None:
    work.review_homework(alice, set_in_2, number(course_a, 3), outcome="not_done", note="")
    with pytest.raises(ValidationError, match="already reviewed in another session"):
        work.review_homework(alice, set_in_2, number(course_a, 4), outcome="done", note="")
    set_in_2.refresh_from_db()
    assert (set_in_2.reviewed_in, set_in_2.outcome) == (number(course_a, 3), "not_done")


def test_the_action_refuses_a_review_in_the_same_session(
    alice: User, course_a: Course, set_in_2: Homework
) -> None:
    with pytest.raises(ValidationError, match="reviewed in a later session"):
        work.review_homework(alice, set_in_2, number(course_a, 2), outcome="done", note="")

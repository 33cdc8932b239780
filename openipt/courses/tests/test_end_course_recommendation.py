"""Ending a course with the recommendation that follows, said plainly when the client has not improved."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.courses.actions import record_attendance
from openipt.courses.models import Course, CourseStatus, TerminationPlan
from openipt.courses.termination import save_termination, set_recommendation
from openipt.measures.actions import record_response

NOW = datetime(2026, 6, 20, 12, 0, tzinfo=UTC)
ADVICE = "The manuals advise offering another treatment or a referral when IPT has not helped."
NOTE_NEEDED = (
    "PHQ-9 shows the client has not improved. To recommend no further treatment, write in the note why."
)


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def url(course: Course) -> str:
    return reverse("courses:end", args=[course.pk])


def phq9(total: int) -> list[int]:
    items, left = [0] * 9, total
    for i in range(8):
        items[i] = min(3, left)
        left -= items[i]
    return items


def with_phq9(alice: User, course: Course, totals: Sequence[int]) -> Course:
    """PHQ-9 totals at sessions 1, 2, … (each session attended)."""
    for number, total in enumerate(totals, start=1):
        session = course.sessions.get(number=number)
        record_attendance(alice, session, attendance="attended", modality="in_person")
        when = datetime.combine(session.scheduled_date, time(10), tzinfo=UTC)
        record_response(
            alice, course.client, instrument="phq9", answers=phq9(total), session=session, completed_at=when
        )
    return course


def ended(course: Course) -> str:
    return Course.objects.get(pk=course.pk).status


@pytest.mark.parametrize(
    ("totals", "statement"),
    [
        ([18, 17], f"PHQ-9 went from 18 to 17: this is not a response. {ADVICE}"),
        # A reliable improvement but not a response, still at caseness.
        (
            [18, 15, 12],
            f"PHQ-9 went from 18 to 12: the latest score is still at caseness (10 or more). {ADVICE}",
        ),
        # A response, and a reliable one, but still at caseness.
        ([24, 11], f"PHQ-9 went from 24 to 11: the latest score is still at caseness (10 or more). {ADVICE}"),
        (
            [12, 19],
            "PHQ-9 went from 12 to 19: this is not a response, and the rise is a reliable deterioration. "
            f"{ADVICE}",
        ),
        # Below caseness and no response or reliable improvement, not in remission.
        ([8, 7], f"PHQ-9 went from 8 to 7: this is not a response. {ADVICE}"),
    ],
)
def test_it_says_plainly_when_the_client_has_not_improved(
    client: HttpClient, alice: User, course_a: Course, totals: list[int], statement: str
) -> None:
    with_phq9(alice, course_a, totals)
    client.force_login(alice)

    response = client.get(url(course_a))

    assert response.status_code == 200
    assert response.context["progress"].not_improved is True
    assert response.context["progress"].statement == statement
    body = response.content.decode()
    assert statement in body
    assert "Not improved" in body
    assert response.context["next_form"]["recommendation"].value() == "other_treatment"
    assert re.search(r'<input type="radio" name="recommendation" value="other_treatment"[^>]*checked>', body)


@pytest.mark.parametrize("totals", [[18, 4], [18, 8], [4, 3]])
def test_an_improved_client_gets_no_statement_and_no_preselection(
    client: HttpClient, alice: User, course_a: Course, totals: list[int]
) -> None:
    with_phq9(alice, course_a, totals)
    client.force_login(alice)
    response = client.get(url(course_a))
    assert response.context["progress"].not_improved is False
    assert response.context["progress"].statement == ""
    assert response.context["next_form"]["recommendation"].value() is None
    assert "Not improved" not in response.content.decode()


@pytest.mark.parametrize("totals", [[], [18]])
def test_with_fewer_than_two_scores_it_cannot_tell(
    client: HttpClient, alice: User, course_a: Course, totals: list[int]
) -> None:
    with_phq9(alice, course_a, totals)
    client.force_login(alice)
    response = client.get(url(course_a))
    assert response.context["progress"].not_improved is False
    assert (
        "There are not enough PHQ-9 scores in this course to say whether the client has improved: "
        "at least two are needed."
    ) in response.content.decode()

    data = {"confirm": "on", "status": "completed", "ended_on": "2026-06-19", "recommendation": "none"}
    assert client.post(url(course_a), data).status_code == 302
    assert TerminationPlan.objects.get(course=course_a).recommendation == "none"


def test_it_ends_the_course_with_the_recommendation_and_audits_both(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    with_phq9(alice, course_a, [18, 17])
    client.force_login(alice)
    data = {
        "confirm": "on",
        "status": "completed",
        "ended_on": "2026-06-19",
        "recommendation": "other_treatment",
        "recommendation_note": "  Referred to her GP to discuss medication.\r\n",
    }

    response = client.post(url(course_a), data)

    assert response.status_code == 302
    assert ended(course_a) == CourseStatus.COMPLETED
    plan = TerminationPlan.objects.get(course=course_a)
    assert (plan.recommendation, plan.recommendation_note) == (
        "other_treatment",
        "Referred to her GP to discuss medication.",
    )
    assert (plan.version, plan.updated_by, plan.warning_signs) == (1, alice, "")
    event = AuditEvent.objects.get(action="termination.recommend")
    assert (event.actor, event.client_id, event.object_id) == (alice, course_a.client_id, str(plan.pk))
    assert AuditEvent.objects.filter(action="course.end").count() == 1


def test_recommending_nothing_for_a_client_who_has_not_improved_needs_a_note(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    with_phq9(alice, course_a, [18, 17])
    client.force_login(alice)
    data = {
        "confirm": "on",
        "status": "completed",
        "ended_on": "2026-06-19",
        "recommendation": "none",
        "recommendation_note": " ",
    }

    response = client.post(url(course_a), data)

    assert response.status_code == 400
    assert response.context["next_form"].errors["recommendation_note"] == [NOTE_NEEDED]
    assert 'id="id_recommendation_note_error"' in response.content.decode()
    assert response.context["form"].errors == {}
    # Nothing saved: the course is still active and no plan was made.
    assert ended(course_a) == CourseStatus.ACTIVE
    assert not TerminationPlan.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["course.end", "termination.recommend"]).exists()

    data["recommendation_note"] = "She declines further treatment; knows how to come back."
    assert client.post(url(course_a), data).status_code == 302
    assert ended(course_a) == CourseStatus.COMPLETED
    assert TerminationPlan.objects.get(course=course_a).recommendation == "none"


def test_a_note_without_a_choice_is_refused(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    data = {
        "confirm": "on",
        "status": "completed",
        "ended_on": "2026-06-19",
        "recommendation_note": "Maybe CBT",
    }
    response = client.post(url(course_a), data)
    assert response.status_code == 400
    assert response.context["next_form"].errors["recommendation"] == [
        "Choose what comes next, or leave the note empty."
    ]
    assert ended(course_a) == CourseStatus.ACTIVE


def test_an_unknown_choice_is_refused(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    response = client.post(
        url(course_a),
        {"confirm": "on", "status": "completed", "ended_on": "2026-06-19", "recommendation": "x"},
    )
    assert response.status_code == 400
    assert "recommendation" in response.context["next_form"].errors
    assert ended(course_a) == CourseStatus.ACTIVE
    with pytest.raises(ValidationError):
        set_recommendation(alice, course_a, recommendation="x")


def test_a_refused_ending_records_no_recommendation(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    client.force_login(alice)
    data = {"confirm": "on", "status": "ended_early", "ended_on": "2026-06-19", "recommendation": "referral"}
    response = client.post(url(course_a), data)
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["Say why the course ended early."]
    assert not TerminationPlan.objects.exists()


def test_the_recommendation_joins_an_existing_plan(client: HttpClient, alice: User, course_a: Course) -> None:
    with_phq9(alice, course_a, [18, 4])
    save_termination(alice, course_a, base_version=None, warning_signs="Sleeping badly", what_helps="Walks")
    client.force_login(alice)
    data = {"confirm": "on", "status": "completed", "ended_on": "2026-06-19", "recommendation": "maintenance"}
    assert client.post(url(course_a), data).status_code == 302
    plan = TerminationPlan.objects.get(course=course_a)
    assert (plan.recommendation, plan.warning_signs, plan.version) == ("maintenance", "Sleeping badly", 2)
    page = client.get(reverse("ending:termination", args=[course_a.pk])).content.decode()
    assert "Maintenance IPT (monthly)" in page
    assert reverse("ending:maintenance", args=[course_a.pk]) in page


def test_without_a_choice_the_course_ends_as_before(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    client.force_login(alice)
    assert (
        client.post(
            url(course_a), {"confirm": "on", "status": "completed", "ended_on": "2026-06-19"}
        ).status_code
        == 302
    )
    assert ended(course_a) == CourseStatus.COMPLETED
    assert not TerminationPlan.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_supervisor_cannot_end_or_recommend(
    client: HttpClient, bob: User, course_a: Course, method: str
) -> None:
    client.force_login(bob)
    data = {"confirm": "on", "status": "completed", "ended_on": "2026-06-19", "recommendation": "none"}
    assert getattr(client, method)(url(course_a), data).status_code == 403
    assert ended(course_a) == CourseStatus.ACTIVE
    assert not TerminationPlan.objects.exists()


def test_the_page_needs_the_same_queries_however_many_scores(
    client: HttpClient, alice: User, course_a: Course, django_assert_num_queries: Any
) -> None:
    with_phq9(alice, course_a, [18, 17])
    client.force_login(alice)
    with django_assert_num_queries(QUERIES):
        client.get(url(course_a))
    for number in range(3, 13):
        session = course_a.sessions.get(number=number)
        record_attendance(alice, session, attendance="attended", modality="in_person")
        when = datetime.combine(session.scheduled_date, time(10), tzinfo=UTC)
        record_response(
            alice, course_a.client, instrument="phq9", answers=phq9(16), session=session, completed_at=when
        )
    with django_assert_num_queries(QUERIES):
        client.get(url(course_a))


# Session, user, organisation; course, may this user write; outcomes (scores, attended sessions),
# scores with session numbers, goal reviews; stored recommendation; banner (active course, alerts).
QUERIES = 14  # 12, and 2 for the audit row of the read

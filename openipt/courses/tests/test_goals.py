"""Goals per problem area on the session page: each session records how each goal stands."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.courses import session_work as work
from openipt.courses.actions import advance_phase, record_attendance
from openipt.courses.models import Course, Formulation, GoalReview, Session
from openipt.protocols import get_protocol

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
DISPUTE_GOALS = get_protocol("ipt-standard").problem_area("role_dispute").goals


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def number(course: Course, n: int) -> Session:
    return course.sessions.get(number=n)


def page(session: Session) -> str:
    return reverse("courses:session", args=[session.pk])


@pytest.fixture
def middle(alice: User, course_a: Course) -> Session:
    """Session 5, in the middle phase, after sessions 1–4 were held."""
    for n in range(1, 5):
        record_attendance(alice, number(course_a, n), attendance="attended", modality="in_person")
        if n == 3:
            advance_phase(alice, course_a)
    return number(course_a, 5)


@pytest.fixture
def areas(alice: User, course_a: Course) -> Formulation:
    return Formulation.objects.create(
        course=course_a, problem_areas=["role_dispute", "role_transition"], updated_by=alice
    )


def test_it_shows_the_goals_and_strategies_of_the_chosen_areas(
    client: HttpClient, alice: User, middle: Session, areas: Formulation
) -> None:
    client.force_login(alice)
    response = client.get(page(middle))
    body = response.content.decode()
    assert "Problem area goals" in body
    assert "<h3>Role dispute</h3>" in body
    assert "<h3>Role transition</h3>" in body
    for goal in DISPUTE_GOALS:
        assert goal in body
    assert "Accept the loss of the old role." in body
    assert "Rehearse difficult conversations in role play." in body  # a strategy
    assert 'id="goal-role_dispute-2"' in body
    assert 'id="id_goal-role_dispute-2_status_0"' in body
    assert body.count("Not reviewed before.") == 6
    assert "Stage of the dispute" in body  # role dispute only
    assert [a.area.key for a in response.context["work"].areas] == ["role_dispute", "role_transition"]


def test_it_links_to_the_formulation_when_no_area_is_chosen(
    client: HttpClient, alice: User, course_a: Course, middle: Session
) -> None:
    client.force_login(alice)
    body = client.get(page(middle)).content.decode()
    assert "No problem area has been chosen for this course yet" in body
    assert f'href="/formulation/courses/{course_a.pk}/"' in body
    Formulation.objects.create(course=course_a, problem_areas=[], updated_by=alice)
    assert "No problem area has been chosen" in client.get(page(middle)).content.decode()


def test_it_shows_goals_only_in_the_middle_phase(
    client: HttpClient, alice: User, course_a: Course, areas: Formulation
) -> None:
    client.force_login(alice)
    body = client.get(page(number(course_a, 1))).content.decode()
    assert "Problem area goals" not in body
    assert "Techniques used" in body


def test_it_records_a_goal_review_and_audits(
    client: HttpClient, alice: User, middle: Session, areas: Formulation
) -> None:
    client.force_login(alice)
    data = {
        "area": "role_dispute",
        "goal_index": "1",
        "status": "in_progress",
        "note": "Plan: ask for a weekly talk.",
    }
    response = client.post(reverse("work:goal", args=[middle.pk]), data)
    assertRedirects(response, page(middle) + "#goal-role_dispute-1", fetch_redirect_response=False)
    review = GoalReview.objects.get()
    assert (review.session, review.area, review.goal_index) == (middle, "role_dispute", 1)
    assert (review.goal, review.status, review.note) == (DISPUTE_GOALS[1], "in_progress", data["note"])
    assert review.updated_by == alice
    event = AuditEvent.objects.get(action="goal.review")
    assert (event.actor, event.client_id, event.object_id) == (alice, middle.course.client_id, str(review.pk))
    # Saving again updates the same review.
    client.post(reverse("work:goal", args=[middle.pk]), {**data, "status": "achieved"})
    assert list(GoalReview.objects.values_list("status", flat=True)) == ["achieved"]
    body = client.get(page(middle)).content.decode()
    assert 'value="achieved" id="id_goal-role_dispute-1_status_2" required checked' in body


def test_it_shows_the_previous_status_beside_each_goal(
    client: HttpClient, alice: User, course_a: Course, middle: Session, areas: Formulation
) -> None:
    s4 = number(course_a, 4)
    work.review_goal(
        alice, number(course_a, 2), area="role_dispute", goal_index=0, status="not_started", note=""
    )
    work.review_goal(alice, s4, area="role_dispute", goal_index=0, status="in_progress", note="Named it.")
    work.review_goal(
        alice, number(course_a, 6), area="role_dispute", goal_index=0, status="achieved", note="Settled it."
    )
    client.force_login(alice)
    response = client.get(page(middle))
    row = response.context["work"].areas[0].goals[0]
    assert (row.previous.session, row.previous.status, row.review) == (s4, "in_progress", None)
    body = response.content.decode()
    assert "Session 4: In progress — Named it." in body
    assert "Settled it." not in body  # a later session's review is not "previous"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"area": "role_dispute", "goal_index": "3", "status": "achieved"},
            "goal_index",
            "That goal is not one of this problem area's goals.",
        ),
        (
            {"area": "role_dispute", "goal_index": "-1", "status": "achieved"},
            "goal_index",
            "That goal is not one of this problem area's goals.",
        ),
        (
            {"area": "grief", "goal_index": "0", "status": "achieved"},
            "area",
            "That is not a chosen problem area of this course.",
        ),
        (
            {"area": "role_dispute", "goal_index": "0", "status": "done"},
            "status",
            "Choose not started, in progress or achieved.",
        ),
        ({"area": "role_dispute", "goal_index": "0", "status": ""}, "status", "This field is required."),
    ],
)
def test_it_refuses_a_bad_goal_review(
    client: HttpClient,
    alice: User,
    middle: Session,
    areas: Formulation,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    client.force_login(alice)
    response = client.post(reverse("work:goal", args=[middle.pk]), {**data, "note": "typed note"})
    assert response.status_code == 400
    body = response.content.decode()
    if field == "status":  # beside the field
        assert response.context["goal_form"].errors == {"status": [message]}
        assert 'id="id_goal-role_dispute-0_status_error"' in body
        assert "typed note" in body
    else:  # which goal it is for is hidden in the form: the refusal shows at the top of the page
        assert response.context["goal_form"].errors == {}
        assert f'<p class="message message-error" role="status">{escape(message)}</p>' in body
    assert not GoalReview.objects.exists()
    assert not AuditEvent.objects.filter(action="goal.review").exists()


def test_the_action_refuses_a_goal_index_out_of_range(
    alice: User, middle: Session, areas: Formulation
) -> None:
    with pytest.raises(ValidationError) as exc:
        work.review_goal(
            alice, middle, area="role_dispute", goal_index=len(DISPUTE_GOALS), status="achieved", note=""
        )
    assert exc.value.message_dict == {"goal_index": ["That goal is not one of this problem area's goals."]}


def test_it_refuses_a_review_without_a_formulation(alice: User, middle: Session) -> None:
    with pytest.raises(ValidationError, match="not a chosen problem area"):
        work.review_goal(alice, middle, area="role_dispute", goal_index=0, status="achieved", note="")
    assert not GoalReview.objects.exists()

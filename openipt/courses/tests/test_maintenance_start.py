"""Starting monthly maintenance IPT after a completed course, carrying over the formulation and plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.courses.actions import end_course, start_course
from openipt.courses.models import Course, CourseStatus, Formulation, TerminationPlan
from openipt.courses.termination import save_termination, set_recommendation

NOW = datetime(2026, 6, 20, 12, 0, tzinfo=UTC)
PLAN: dict[str, Any] = {
    "progress_review": "Much better.",
    "warning_signs": "Sleeping badly.",
    "what_helps": "Walks with Sam.",
    "who_to_contact": "Sam; the clinic.",
    "when_to_come_back": "After two bad weeks.",
}


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def url(course: Course) -> str:
    return reverse("ending:maintenance", args=[course.pk])


@pytest.fixture
def completed(alice: User, course_a: Course) -> Course:
    Formulation.objects.create(
        course=course_a,
        problem_areas=["role_dispute"],
        rationale="Arguments with her sister since the move.",
        text="Depression started as the dispute with her sister grew.",
        dispute_stage="renegotiation",
        client_agreed=True,
        agreed_on=date(2026, 3, 16),
        updated_by=alice,
    )
    save_termination(alice, course_a, base_version=None, shared_with_client=True, **PLAN)
    set_recommendation(alice, course_a, recommendation="maintenance")
    return end_course(alice, course_a, status=CourseStatus.COMPLETED, ended_on=date(2026, 6, 15))


def test_it_offers_a_month_after_the_end(client: HttpClient, alice: User, completed: Course) -> None:
    client.force_login(alice)
    response = client.get(url(completed))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["start_date"].value() == date(2026, 7, 15)
    assert form["planned_sessions"].value() == 12
    body = response.content.decode()
    assert "Maya Okafor" in body
    assert "Role dispute" in body
    assert "The relapse-prevention plan: warning signs" in body


def test_it_starts_monthly_maintenance_and_carries_over_the_work(
    client: HttpClient, alice: User, completed: Course
) -> None:
    client.force_login(alice)

    response = client.post(url(completed), {"start_date": "2026-07-31", "planned_sessions": "6"})

    assertRedirects(
        response, reverse("clients:detail", args=[completed.client_id]), fetch_redirect_response=False
    )
    following = Course.objects.get(status=CourseStatus.ACTIVE)
    assert (following.protocol_key, following.previous_course, following.planned_sessions) == (
        "ipt-maintenance",
        completed,
        6,
    )
    assert following.weekday is None
    assert [s.scheduled_date for s in following.sessions.order_by("number")] == [
        # the last Friday of each month
        date(2026, 7, 31),
        date(2026, 8, 28),
        date(2026, 9, 25),
        date(2026, 10, 30),
        date(2026, 11, 27),
        date(2026, 12, 25),
    ]
    formulation = Formulation.objects.get(course=following)
    assert (formulation.problem_areas, formulation.rationale, formulation.text) == (
        ["role_dispute"],
        "Arguments with her sister since the move.",
        "Depression started as the dispute with her sister grew.",
    )
    assert (formulation.client_agreed, formulation.agreed_on, formulation.dispute_stage) == (
        True,
        date(2026, 3, 16),
        "renegotiation",
    )
    assert (formulation.version, formulation.updated_by) == (1, alice)
    plan = TerminationPlan.objects.get(course=following)
    assert (plan.warning_signs, plan.what_helps, plan.who_to_contact, plan.when_to_come_back) == (
        PLAN["warning_signs"],
        PLAN["what_helps"],
        PLAN["who_to_contact"],
        PLAN["when_to_come_back"],
    )
    # Only the plan is carried over: the review and recommendation belong to the course that ended.
    assert (plan.progress_review, plan.recommendation, plan.version) == ("", "", 1)
    # The completed course keeps its own formulation and plan.
    assert Formulation.objects.get(course=completed).text.startswith("Depression started")
    assert TerminationPlan.objects.get(course=completed).recommendation == "maintenance"
    event = AuditEvent.objects.get(action="maintenance.start")
    assert (event.actor, event.client_id, event.object_id) == (alice, completed.client_id, str(following.pk))
    assert AuditEvent.objects.filter(action="course.start").count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "Maintenance IPT started: 6 monthly sessions, the first on Fri 31 Jul 2026." in page


def test_it_starts_without_a_formulation_or_plan(client: HttpClient, alice: User, course_a: Course) -> None:
    end_course(alice, course_a, status=CourseStatus.COMPLETED, ended_on=date(2026, 6, 15))
    client.force_login(alice)
    body = client.get(url(course_a)).content.decode()
    assert "No formulation was written in this course" in body
    assert "No relapse-prevention plan was written in this course." in body

    assert (
        client.post(url(course_a), {"start_date": "2026-07-15", "planned_sessions": "12"}).status_code == 302
    )
    following = Course.objects.get(status=CourseStatus.ACTIVE)
    assert following.previous_course == course_a
    assert not Formulation.objects.exists()
    assert not TerminationPlan.objects.exists()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (
            "active",
            "This course is still active. Maintenance IPT follows a completed course: end this one as "
            "completed first.",
        ),
        (
            "ended_early",
            "This course ended early. Maintenance IPT follows a completed course; to go on treating the "
            "client, start a new course from the client's page.",
        ),
        (
            "another_active",
            "This client already has an active course; end it before starting maintenance IPT.",
        ),
    ],
)
def test_it_refuses_unless_the_course_was_completed_and_nothing_is_active(
    client: HttpClient, alice: User, course_a: Course, setup: str, message: str
) -> None:
    if setup == "ended_early":
        end_course(
            alice, course_a, status=CourseStatus.ENDED_EARLY, ended_on=date(2026, 4, 1), reason="Moved"
        )
    elif setup == "another_active":
        end_course(alice, course_a, status=CourseStatus.COMPLETED, ended_on=date(2026, 6, 15))
        start_course(alice, course_a.client, protocol_key="ipt-brief", start_date=date(2026, 6, 17))
    courses_before = Course.objects.count()
    client.force_login(alice)

    page = client.get(url(course_a))
    assert page.status_code == 200
    assert escape(message) in page.content.decode()
    assert "<form" not in page.content.decode().split('class="card"', 2)[-1]

    response = client.post(url(course_a), {"start_date": "2026-07-15", "planned_sessions": "12"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [message]
    assert escape(message) in response.content.decode()
    assert Course.objects.count() == courses_before
    assert not Course.objects.filter(protocol_key="ipt-maintenance").exists()
    assert not AuditEvent.objects.filter(action="maintenance.start").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"start_date": "2026-07-15", "planned_sessions": "40"}, "planned_sessions", None),
        ({"start_date": "2026-07-15", "planned_sessions": "0"}, "planned_sessions", None),
        ({"start_date": "", "planned_sessions": "12"}, "start_date", "This field is required."),
    ],
)
def test_it_refuses_bad_input_and_starts_nothing(
    client: HttpClient, alice: User, completed: Course, data: dict[str, str], field: str, message: str | None
) -> None:
    client.force_login(alice)
    response = client.post(url(completed), data)
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert errors == [message] if message else errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert Course.objects.count() == 1
    assert not Formulation.objects.exclude(course=completed).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_supervisor_cannot_start_maintenance(
    client: HttpClient, bob: User, completed: Course, method: str
) -> None:
    client.force_login(bob)
    response = getattr(client, method)(url(completed), {"start_date": "2026-07-15", "planned_sessions": "12"})
    assert response.status_code == 403
    assert Course.objects.count() == 1


def test_the_ending_page_offers_maintenance_only_when_it_can_start(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    client.force_login(alice)
    link = reverse("ending:maintenance", args=[course_a.pk])
    assert link not in client.get(reverse("ending:termination", args=[course_a.pk])).content.decode()
    end_course(alice, course_a, status=CourseStatus.COMPLETED, ended_on=date(2026, 6, 15))
    assert link in client.get(reverse("ending:termination", args=[course_a.pk])).content.decode()


def test_maintenance_keeps_the_time_of_day_of_the_course_before(
    client: HttpClient, alice: User, completed: Course
) -> None:
    completed.sessions.update(start_time=time(15, 30))
    client.force_login(alice)

    client.post(url(completed), {"start_date": "2026-07-31", "planned_sessions": "6"})

    following = Course.objects.get(status=CourseStatus.ACTIVE)
    assert set(following.sessions.values_list("start_time", flat=True)) == {time(15, 30)}

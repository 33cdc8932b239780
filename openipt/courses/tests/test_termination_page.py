"""The termination tasks: the progress review with its facts, feelings about ending, the
relapse-prevention plan; saved with a version check and audited."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.courses.actions import record_attendance
from openipt.courses.models import Course, GoalReview, TerminationPlan
from openipt.courses.termination import save_termination, set_recommendation
from openipt.measures.actions import record_response

NOW = datetime(2026, 6, 20, 12, 0, tzinfo=UTC)

PLAN: dict[str, Any] = {
    "progress_review": "Mood much better since the dispute with her sister eased.",
    "goals_achieved": "Talks with her sister weekly.",
    "feelings_about_ending": "Sad to stop, and a little worried.",
    "warning_signs": "Sleeping badly; not answering friends.",
    "what_helps": "Walk with Sam; call her sister.",
    "who_to_contact": "Sam 07700 900123; Dr Reid at the surgery.",
    "when_to_come_back": "If the signs last two weeks.",
}


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def url(course: Course) -> str:
    return reverse("ending:termination", args=[course.pk])


def answers(instrument: str, total: int) -> list[int]:
    items, left = [0] * (9 if instrument == "phq9" else 7), total
    for i in range(len(items) - (1 if instrument == "phq9" else 0)):  # PHQ-9 item 9 stays 0
        items[i] = min(3, left)
        left -= items[i]
    return items


def score(alice: User, course: Course, number: int, instrument: str, total: int) -> None:
    session = course.sessions.get(number=number)
    if session.attendance == "scheduled":
        record_attendance(alice, session, attendance="attended", modality="in_person")
    when = datetime.combine(session.scheduled_date, time(10), tzinfo=UTC)
    record_response(
        alice,
        course.client,
        instrument=instrument,
        answers=answers(instrument, total),
        session=session,
        completed_at=when,
    )


def review(alice: User, course: Course, number: int, index: int, goal: str, status: str) -> None:
    GoalReview.objects.create(
        session=course.sessions.get(number=number),
        area="role_dispute",
        goal_index=index,
        goal=goal,
        status=status,
        updated_by=alice,
    )


@pytest.fixture
def scored(alice: User, course_a: Course) -> Course:
    """PHQ-9 18 → 8 and GAD-7 12 → 6 from session 1 to 12; two goals reviewed."""
    score(alice, course_a, 1, "phq9", 18)
    score(alice, course_a, 1, "gad7", 12)
    score(alice, course_a, 6, "phq9", 13)
    score(alice, course_a, 12, "phq9", 8)
    score(alice, course_a, 12, "gad7", 6)
    review(alice, course_a, 4, 0, "Understand the dispute's stage", "in_progress")
    review(alice, course_a, 10, 0, "Understand the dispute's stage", "achieved")
    review(alice, course_a, 10, 1, "Change expectations or communication", "in_progress")
    return course_a


def test_it_shows_the_scores_at_the_start_and_now_in_words(
    client: HttpClient, alice: User, scored: Course
) -> None:
    client.force_login(alice)
    response = client.get(url(scored))

    assert response.status_code == 200
    phq9, gad7 = response.context["progress"].measures
    assert (phq9.name, phq9.first.total, phq9.latest.total) == ("PHQ-9", 18, 8)
    assert (phq9.first.session_number, phq9.latest.session_number) == (1, 12)
    assert phq9.words == (
        "A response: at least 50 % lower than at the start.",
        "Not in remission (remission is PHQ-9 < 5).",
        "A reliable improvement (a fall of at least 6 points).",
    )
    assert (gad7.first.total, gad7.latest.total) == (12, 6)
    assert gad7.words == ("A reliable improvement (a fall of at least 4 points).",)
    body = response.content.decode()
    assert "Maya Okafor" in body
    assert "Mon 2 Mar 2026" in body and "Mon 18 May 2026" in body
    assert "A response: at least 50 % lower than at the start." in body
    assert "Not improved" not in body


def test_it_drafts_the_review_and_goals_from_the_facts(
    client: HttpClient, alice: User, scored: Course
) -> None:
    client.force_login(alice)
    form = client.get(url(scored)).context["form"]

    assert form["progress_review"].value() == (
        "PHQ-9: 18 at the start (session 1, Mon 2 Mar 2026), 8 now (session 12, Mon 18 May 2026). "
        "A response: at least 50 % lower than at the start. Not in remission (remission is PHQ-9 < 5). "
        "A reliable improvement (a fall of at least 6 points).\n"
        "GAD-7: 12 at the start (session 1, Mon 2 Mar 2026), 6 now (session 12, Mon 18 May 2026). "
        "A reliable improvement (a fall of at least 4 points)."
    )
    # The latest review of each goal: the first was in progress at session 4, achieved at session 10.
    assert form["goals_achieved"].value() == (
        "Achieved: Understand the dispute's stage\nIn progress: Change expectations or communication"
    )
    assert form["version"].value() is None


def test_the_stored_text_is_shown_instead_of_the_draft(
    client: HttpClient, alice: User, scored: Course
) -> None:
    save_termination(alice, scored, base_version=None, **PLAN)
    client.force_login(alice)
    form = client.get(url(scored)).context["form"]
    assert form["progress_review"].value() == PLAN["progress_review"]
    assert form["goals_achieved"].value() == PLAN["goals_achieved"]
    assert form["version"].value() == 1


def test_it_saves_the_plan_and_audits(client: HttpClient, alice: User, scored: Course) -> None:
    client.force_login(alice)
    response = client.post(url(scored), {**PLAN, "shared_with_client": "on", "version": ""})

    assertRedirects(response, url(scored), fetch_redirect_response=False)
    plan = TerminationPlan.objects.get(course=scored)
    assert {name: getattr(plan, name) for name in PLAN} == PLAN
    assert (plan.shared_with_client, plan.version, plan.updated_by) == (True, 1, alice)
    assert plan.has_relapse_plan
    event = AuditEvent.objects.get(action="termination.save")
    assert (event.actor, event.client_id, event.object_id) == (alice, scored.client_id, str(plan.pk))
    page = client.get(url(scored)).content.decode()
    assert "The ending of the course is saved." in page
    assert reverse("ending:print", args=[scored.pk]) in page

    changed = {**PLAN, "what_helps": "Walk with Sam.\r\nSwim on Saturdays.", "version": "1"}
    assert client.post(url(scored), changed).status_code == 302
    plan.refresh_from_db()
    assert (plan.version, plan.what_helps, plan.shared_with_client) == (
        2,
        "Walk with Sam.\nSwim on Saturdays.",
        False,
    )
    assert AuditEvent.objects.filter(action="termination.save").count() == 2


def test_a_stale_save_is_refused_and_the_text_kept(
    client: HttpClient, alice: User, bob: User, scored: Course, north_team: Any
) -> None:
    save_termination(alice, scored, base_version=None, **PLAN)
    save_termination(alice, scored, base_version=1, **{**PLAN, "warning_signs": "Saved by someone else."})
    client.force_login(alice)
    typed = {**PLAN, "warning_signs": "My own words.", "version": "1"}

    response = client.post(url(scored), typed)

    assert response.status_code == 400
    form = response.context["form"]
    assert form.non_field_errors() == [
        "Someone saved the ending of this course after you opened it, so nothing was saved. "
        "Your text is kept in the form; the saved text is shown under it."
    ]
    assert form["warning_signs"].value() == "My own words."
    assert form["version"].value() == "2"  # saving again is a deliberate choice over version 2
    body = response.content.decode()
    assert "Saved after you opened the form" in body
    assert "Saved by someone else." in body
    plan = TerminationPlan.objects.get(course=scored)
    assert (plan.version, plan.warning_signs) == (2, "Saved by someone else.")
    assert AuditEvent.objects.filter(action="termination.save").count() == 2

    assert client.post(url(scored), {**typed, "version": "2"}).status_code == 302
    assert TerminationPlan.objects.get(course=scored).warning_signs == "My own words."


def test_recording_the_recommendation_makes_an_open_form_stale(
    client: HttpClient, alice: User, scored: Course
) -> None:
    client.force_login(alice)
    assert client.get(url(scored)).context["form"]["version"].value() is None
    set_recommendation(alice, scored, recommendation="maintenance")

    response = client.post(url(scored), {**PLAN, "version": ""})

    assert response.status_code == 400
    plan = TerminationPlan.objects.get(course=scored)
    assert (plan.warning_signs, plan.recommendation, plan.version) == ("", "maintenance", 1)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {**PLAN, "warning_signs": "x" * 5001},
            "warning_signs",
            (
                "“My personal warning signs” can be at most 5,000 characters (you have 5,001). "
                "Shorten it, then save again."
            ),
        ),
        (
            {"progress_review": "Better.", "warning_signs": "Sleeping badly", "shared_with_client": "on"},
            "shared_with_client",
            "There is no relapse-prevention plan to share yet: write the warning signs and what helps or "
            "who to contact.",
        ),
        (
            {"progress_review": "   ", "warning_signs": ""},
            "__all__",
            "Write at least one part before saving.",
        ),
    ],
)
def test_it_refuses_bad_input_and_saves_nothing(
    client: HttpClient, alice: User, course_a: Course, data: dict[str, str], field: str, message: str
) -> None:
    client.force_login(alice)
    response = client.post(url(course_a), {**data, "version": ""})
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    if field != "__all__":
        assert f'id="id_{field}_error"' in response.content.decode()
    assert not TerminationPlan.objects.exists()
    assert not AuditEvent.objects.filter(action="termination.save").exists()


def test_the_supervisor_reads_but_cannot_write(
    client: HttpClient, alice: User, bob: User, scored: Course
) -> None:
    save_termination(alice, scored, base_version=None, shared_with_client=True, **PLAN)
    client.force_login(bob)

    response = client.get(url(scored))
    assert response.status_code == 200
    assert response.context["form"] is None
    body = response.content.decode()
    assert PLAN["warning_signs"] in body
    assert "<textarea" not in body
    assert reverse("ending:maintenance", args=[scored.pk]) not in body

    response = client.post(url(scored), {**PLAN, "warning_signs": "Changed", "version": "1"})
    assert response.status_code == 403
    assert TerminationPlan.objects.get(course=scored).warning_signs == PLAN["warning_signs"]


@pytest.mark.parametrize("name", ["termination", "print", "maintenance"])
@pytest.mark.parametrize("username", ["dave", "charlie"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_hides_the_course_from_other_teams(
    client: HttpClient,
    everyone: dict[str, User],
    alice: User,
    scored: Course,
    name: str,
    username: str,
    method: str,
) -> None:
    save_termination(alice, scored, base_version=None, **PLAN)
    client.force_login(everyone[username])
    data = {**PLAN, "version": "1", "start_date": "2026-07-01", "planned_sessions": "12"}
    response = getattr(client, method)(reverse(f"ending:{name}", args=[scored.pk]), data)
    assert response.status_code == 404
    assert "Okafor" not in response.content.decode()
    assert TerminationPlan.objects.get(course=scored).version == 1
    assert Course.objects.count() == 1
    assert not AuditEvent.objects.filter(action__in=["termination.print", "maintenance.start"]).exists()


def test_the_number_of_queries_does_not_grow_with_the_course(
    client: HttpClient, alice: User, course_a: Course, django_assert_num_queries: Any
) -> None:
    client.force_login(alice)
    score(alice, course_a, 1, "phq9", 18)
    with django_assert_num_queries(QUERIES):
        client.get(url(course_a))

    for n in range(2, 12):
        score(alice, course_a, n, "phq9", 18 - n)
        score(alice, course_a, n, "gad7", 10)
        review(alice, course_a, n, n % 3, f"Goal {n % 3}", "in_progress")
    save_termination(alice, course_a, base_version=None, **PLAN)
    with django_assert_num_queries(QUERIES):
        response = client.get(url(course_a))
    assert len(response.context["progress"].goals) == 3


# Session, user, organisation; course, may this user write; plan; outcomes (scores, attended sessions),
# scores with session numbers, goal reviews; banner (active course, alerts).
QUERIES = 14  # 12, and 2 for the audit row of the read


def test_with_one_score_it_says_change_cannot_be_judged_yet(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    score(alice, course_a, 1, "phq9", 18)
    client.force_login(alice)
    response = client.get(url(course_a))
    (phq9,) = response.context["progress"].measures
    assert (phq9.first.total, phq9.latest, phq9.words) == (18, None, ())
    body = response.content.decode()
    assert "Only one PHQ-9 score so far: change cannot be judged yet." in body
    assert "No later score yet" in body
    assert response.context["form"]["progress_review"].value() == (
        "PHQ-9: 18 at the start (session 1, Mon 2 Mar 2026); no later score yet."
    )
    assert "No goal has been reviewed in this course." in body


def test_an_ipt_a_course_reviews_its_phqa_judged_on_phq9_thresholds(
    client: HttpClient, alice: User, client_a: Any
) -> None:
    from datetime import date

    from openipt.courses.actions import start_course

    client_a.date_of_birth = date(2011, 5, 1)  # 14 when the course starts
    client_a.save(update_fields=["date_of_birth"])
    course = start_course(alice, client_a, protocol_key="ipt-adolescent", start_date=date(2026, 3, 2))
    for number, total in ((1, 14), (6, 17), (10, 19)):
        session = course.sessions.get(number=number)
        record_attendance(alice, session, attendance="attended", modality="in_person")
        when = datetime.combine(session.scheduled_date, time(10), tzinfo=UTC)
        phqa = [*answers("phq9", total), 0, 0, 0, 0]
        record_response(alice, client_a, instrument="phqa", answers=phqa, session=session, completed_at=when)
    client.force_login(alice)

    response = client.get(url(course))

    progress = response.context["progress"]
    (phqa,) = progress.measures
    assert (phqa.name, phqa.first.total, phqa.latest.total) == ("PHQ-A (judged on PHQ-9 thresholds)", 14, 19)
    assert phqa.words == (
        "Not a response: less than 50 % lower than at the start.",
        "Not in remission (remission is PHQ-9 < 5).",
        "No reliable change (that needs a change of at least 6 points).",
    )
    assert progress.not_improved is True
    assert progress.statement.startswith(
        "PHQ-A (judged on PHQ-9 thresholds) went from 14 to 19: this is not a response."
    )
    body = response.content.decode()
    assert "Not improved" in body and "PHQ-A (judged on PHQ-9 thresholds)" in body

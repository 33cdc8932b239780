"""IPT-A in the portal: the PHQ-A, whose supplementary suicide questions are never skipped and,
after a positive item 9, come after crisis help, never before it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client as HttpClient

from openipt.accounts.models import User
from openipt.clients.models import Client
from openipt.courses.actions import start_course
from openipt.courses.models import Course, Session
from openipt.courses.summary import score_chart
from openipt.measures.models import Response
from openipt.portal.models import QuestionnaireDraft
from openipt.portal.progress import own_scores
from openipt.portal.questionnaires import due_questionnaires
from openipt.safety.models import RiskAlert

from .conftest import joined

NOW = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # session 1 of the course is today
PAST_YEAR, DIFFICULTY, THOUGHTS, ATTEMPT = 10, 11, 12, 13
NINE = [f"phqa-{n}" for n in range(1, 10)]


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def teen(alice: User, client_a: Client) -> Client:
    client_a.date_of_birth = date(2011, 5, 1)
    client_a.save(update_fields=["date_of_birth"])
    return client_a


@pytest.fixture
def course(alice: User, teen: Client) -> Course:
    return start_course(alice, teen, protocol_key="ipt-adolescent", start_date=date(2026, 3, 2))


@pytest.fixture
def session_1(course: Course) -> Session:
    return course.sessions.get(number=1)


@pytest.fixture
def http(alice: User, teen: Client, course: Course) -> HttpClient:
    browser = HttpClient()
    browser.force_login(joined(alice, teen))
    return browser


def url(session: Session, *rest: object) -> str:
    return f"/portal/questionnaires/{session.pk}/phqa/" + "".join(f"{part}/" for part in rest)


def answer(http: HttpClient, session: Session, number: int, value: object) -> Any:
    return http.post(url(session, number), {"answer": str(value)})


def skip(http: HttpClient, session: Session, number: int) -> Any:
    return http.post(url(session, number), {"skip": "1"})


def answer_items(http: HttpClient, session: Session, values: list[int], first: int = 1) -> Any:
    page = None
    for number, value in enumerate(values, start=first):
        page = answer(http, session, number, value)
        assert page.status_code == 302, page.content.decode()[:500]
    return page


def send(http: HttpClient, session: Session) -> Any:
    draft = QuestionnaireDraft.objects.get(session=session, instrument="phqa")
    assert http.get(url(session, "review")).status_code == 200
    return http.post(url(session, "send"), {"uuid": str(draft.uuid), "stamp": draft.updated_at.isoformat()})


def test_the_adolescent_is_offered_the_phqa_not_the_phq9(teen: Client, session_1: Session) -> None:
    assert [d.instrument for d in due_questionnaires(teen, NOW.date())] == ["phqa", "gad7"]


def test_without_a_positive_item_9_the_supplementary_questions_follow_in_order_and_are_never_skipped(
    http: HttpClient, session_1: Session
) -> None:
    page = answer_items(http, session_1, [0] * 9)
    assert page["Location"] == url(session_1, PAST_YEAR)
    assert skip(http, session_1, PAST_YEAR)["Location"] == url(session_1, DIFFICULTY)
    assert skip(http, session_1, DIFFICULTY)["Location"] == url(session_1, THOUGHTS)

    shown = http.get(url(session_1, THOUGHTS)).content.decode()
    assert "seriously thought about ending your life" in shown
    assert "Skip this question" not in shown
    refused = skip(http, session_1, THOUGHTS)
    assert refused.status_code == 400
    assert "Choose an answer to go on." in refused.content.decode()
    assert http.get(url(session_1, "review"))["Location"] == url(session_1, THOUGHTS)

    answer_items(http, session_1, [0, 0], first=THOUGHTS)
    assert send(http, session_1)["Location"] == url(session_1, "done")
    stored = Response.objects.get()
    assert stored.answers == {**dict.fromkeys(NINE, 0), "phqa-past-month-thoughts": 0, "phqa-attempt": 0}
    assert not RiskAlert.objects.exists()


def test_after_a_positive_item_9_crisis_help_comes_first_then_the_supplementary_questions(
    http: HttpClient, session_1: Session, django_capture_on_commit_callbacks: Any
) -> None:
    answer_items(http, session_1, [1] * 8)
    with django_capture_on_commit_callbacks() as callbacks:
        positive = answer(http, session_1, 9, 1)

    # Crisis help is the very next page, and the alert is already open.
    assert positive["Location"] == url(session_1, "help")
    first = Response.objects.get()
    assert first.answers == {**dict.fromkeys(NINE[:8], 1), "phqa-9": 1}
    assert [a.flag for a in RiskAlert.objects.filter(response=first)] == ["suicidal_ideation"]
    assert len(callbacks) == 1
    help_page = http.get(positive["Location"]).content.decode()
    assert help_page.index("Help is here now") < help_page.index("Continue to the last questions")
    assert f'href="{url(session_1)}"' in help_page

    # Then the questionnaire goes on where it stopped; nothing is skipped.
    assert http.get(url(session_1))["Location"] == url(session_1, PAST_YEAR)
    assert http.get(url(session_1, "done"))["Location"] == url(session_1)
    skip(http, session_1, PAST_YEAR)
    skip(http, session_1, DIFFICULTY)
    assert skip(http, session_1, THOUGHTS).status_code == 400
    answer_items(http, session_1, [0, 0], first=THOUGHTS)
    review = http.get(url(session_1, "review")).content.decode()
    assert "seriously thought about ending your life" in review
    assert "Feeling tired" not in review  # sent already: not offered for change
    assert send(http, session_1)["Location"] == url(session_1, "done")

    complete = Response.objects.exclude(pk=first.pk).get()
    assert complete.completes == first
    assert complete.answers == {**first.answers, "phqa-past-month-thoughts": 0, "phqa-attempt": 0}
    assert RiskAlert.objects.count() == 1  # item 9's alert is not raised twice
    assert not QuestionnaireDraft.objects.exists()
    assert "Thank you" in http.get(url(session_1, "done")).content.decode()
    # Charted once: the first response is completed by the second, not a second point.
    assert [s.response_id for s in own_scores(first.client)] == [complete.pk]
    assert [s.response_id for s in score_chart(first.client, "phqa")[1]] == [complete.pk]


def test_a_positive_supplementary_answer_is_sent_at_once_with_crisis_help_again(
    http: HttpClient, session_1: Session
) -> None:
    answer_items(http, session_1, [1] * 8)
    answer(http, session_1, 9, 2)
    skip(http, session_1, PAST_YEAR)
    skip(http, session_1, DIFFICULTY)

    again = answer(http, session_1, THOUGHTS, 1)

    assert again["Location"] == url(session_1, "help")
    first, second = Response.objects.order_by("id")
    assert second.completes == first and second.answers["phqa-past-month-thoughts"] == 1
    assert sorted(RiskAlert.objects.values_list("response_id", "flag")) == [
        (first.pk, "suicidal_ideation"),
        (second.pk, "suicidal_thoughts_past_month"),
    ]
    # The last question is still asked after the crisis help.
    assert http.get(url(session_1))["Location"] == url(session_1, ATTEMPT)
    answer(http, session_1, ATTEMPT, 0)
    send(http, session_1)
    third = Response.objects.order_by("id").last()
    assert third is not None and third.completes == second
    assert third.answers["phqa-attempt"] == 0
    assert RiskAlert.objects.count() == 2


def test_stopping_at_crisis_help_leaves_the_last_questions_on_the_list(
    http: HttpClient, teen: Client, session_1: Session
) -> None:
    answer_items(http, session_1, [1] * 8)
    answer(http, session_1, 9, 1)
    # ...the client closes the browser, and comes back another day

    waiting = [d for d in due_questionnaires(teen, NOW.date()) if d.instrument == "phqa"]
    assert [(d.session_id, d.in_progress) for d in waiting] == [(session_1.pk, True)]
    assert "PHQ-A" in http.get("/portal/questionnaires/").content.decode()


def test_answers_already_sent_cannot_change_and_a_double_tap_lands_on_crisis_help(
    http: HttpClient, session_1: Session
) -> None:
    answer_items(http, session_1, [1] * 8)
    answer(http, session_1, 9, 1)

    assert answer(http, session_1, 9, 1)["Location"] == url(session_1, "help")  # the double tap
    changed = answer(http, session_1, 3, 0)
    assert changed["Location"] == url(session_1, PAST_YEAR)
    assert Response.objects.count() == 1 and RiskAlert.objects.count() == 1
    draft = QuestionnaireDraft.objects.get()
    assert draft.answers["phqa-3"] == 1
    page = http.get(url(session_1, PAST_YEAR)).content.decode()
    assert "Back to the previous question" not in page  # question 9 was sent already

"""Questionnaires in the portal: due before a session, one question per screen, resumable, sent
once; a positive risk answer shows crisis help first and leaves the clinician an open alert."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient

from openipt.accounts.models import Team, User
from openipt.audit.models import AuditEvent
from openipt.clients.actions import create_client
from openipt.clients.models import Client
from openipt.courses.actions import start_course
from openipt.courses.models import Attendance, Course, CourseStatus, Session
from openipt.measures import licensing
from openipt.measures.actions import record_response
from openipt.measures.instruments import INSTRUMENTS, YES_NO_OPTIONS, Band, Instrument, Item, Licence
from openipt.measures.models import Channel, Response, Score, Source
from openipt.portal.models import QuestionnaireDraft
from openipt.portal.questionnaires import asked, due_questionnaires, sends_on_risk
from openipt.protocols.model import Protocol
from openipt.safety.models import AlertStatus, CrisisResource, RiskAlert

from .conftest import joined

NOW = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # course_a's session 1 is today: PHQ-9 and GAD-7 due
PHQ9_ITEM_1 = "Little interest or pleasure in doing things"
PHQ9_ITEM_2 = "Feeling down, depressed, or hopeless"


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def maya(alice: User, client_a: Client) -> User:
    return joined(alice, client_a)


@pytest.fixture
def http(maya: User) -> HttpClient:
    browser = HttpClient()
    browser.force_login(maya)
    return browser


@pytest.fixture
def session_1(course_a: Course) -> Session:
    return course_a.sessions.get(number=1)


def due_at_every_session(monkeypatch: pytest.MonkeyPatch, *keys: str) -> None:
    """The protocol makes these instruments due at every session (the shipped ones ask only for
    PHQ-9 and GAD-7)."""
    monkeypatch.setattr(Protocol, "measures_due", lambda self, n, total=None: keys)


def enable(erin: User, key: str) -> None:
    lines = "\n".join(f"Clinic wording {n}" for n in range(1, len(INSTRUMENTS[key].items) + 1))
    licensing.enable_instrument(erin, key, content=lines.encode(), permission_note="Licence ref. T-1")


def url(session: Session, key: str, *rest: object) -> str:
    tail = "".join(f"{part}/" for part in rest)
    return f"/portal/questionnaires/{session.pk}/{key}/{tail}"


def answer(http: HttpClient, session: Session, key: str, number: int, value: object) -> Any:
    return http.post(url(session, key, number), {"answer": str(value)})


def answer_all(http: HttpClient, session: Session, key: str, values: list[int]) -> Any:
    """Answer questions 1, 2, ... in order, as the pages lead; the last page reached."""
    page = None
    for number, value in enumerate(values, start=1):
        page = answer(http, session, key, number, value)
        assert page.status_code == 302, page.content.decode()[:500]
    return page


def review_form(http: HttpClient, session: Session, key: str) -> dict[str, str]:
    draft = QuestionnaireDraft.objects.get(session=session, instrument=key)
    page = http.get(url(session, key, "review"))
    assert page.status_code == 200
    return {"uuid": str(draft.uuid), "stamp": draft.updated_at.isoformat()}


def draft_answers(session: Session, key: str) -> dict[str, Any]:
    return QuestionnaireDraft.objects.get(session=session, instrument=key).answers


# --- What is due --------------------------------------------------------------------------------


def test_the_questionnaires_due_before_the_next_session_are_listed(
    http: HttpClient, client_a: Client, session_1: Session
) -> None:
    due = due_questionnaires(client_a, NOW.date())

    assert [(d.instrument, d.session_id, d.session_number, d.overdue) for d in due] == [
        ("phq9", session_1.pk, 1, False),
        ("gad7", session_1.pk, 1, False),
    ]
    assert due[0].title == "PHQ-9" and due[0].url == url(session_1, "phq9")
    assert not due[0].in_progress
    page = http.get("/portal/questionnaires/").content.decode()
    assert "PHQ-9" in page and "GAD-7" in page and "Before your session on Monday 2 March." in page
    assert f'href="{url(session_1, "phq9")}"' in page


def test_a_started_questionnaire_shows_as_in_progress(
    http: HttpClient, client_a: Client, session_1: Session
) -> None:
    answer_all(http, session_1, "phq9", [1, 2])

    due = due_questionnaires(client_a, NOW.date())

    assert (due[0].instrument, due[0].in_progress, due[0].answered) == ("phq9", True, 2)
    assert "Carry on" in http.get("/portal/questionnaires/").content.decode()


def test_after_a_session_its_missed_measures_are_offered_unless_due_again(
    client_a: Client, course_a: Course, time_machine: Any
) -> None:
    time_machine.move_to("2026-03-05 09:00Z", tick=False)  # session 1 (PHQ-9, GAD-7) has passed
    session_1, session_2 = course_a.sessions.get(number=1), course_a.sessions.get(number=2)
    assert session_2.scheduled_date > date(2026, 3, 5)

    due = due_questionnaires(client_a, date(2026, 3, 5))

    # PHQ-9 is due again at session 2, so only session 1's GAD-7 is offered as overdue
    assert [(d.instrument, d.session_id, d.overdue) for d in due] == [
        ("gad7", session_1.pk, True),
        ("phq9", session_2.pk, False),
    ]


def test_a_completed_questionnaire_is_no_longer_due(
    alice: User, client_a: Client, session_1: Session
) -> None:
    record_response(alice, client_a, instrument="phq9", answers=[0] * 9, session=session_1)

    assert [d.instrument for d in due_questionnaires(client_a, NOW.date())] == ["gad7"]


def test_gated_and_clinician_rated_instruments_are_never_offered(
    http: HttpClient, client_a: Client, session_1: Session, erin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    due_at_every_session(monkeypatch, "phq9", "hamd17", "epds", "wsas", "cssrs_screen", "qids_sr16")

    assert [d.instrument for d in due_questionnaires(client_a, NOW.date())] == ["phq9"]
    for key in ("hamd17", "epds", "wsas", "cssrs_screen"):
        assert http.get(url(session_1, key)).status_code == 404
        assert answer(http, session_1, key, 1, 0).status_code == 404
    for key in ("epds", "wsas", "cssrs_screen", "qids_sr16"):
        enable(erin, key)

    # once the clinic holds permission EPDS and WSAS are offered; HAM-D never (the clinician
    # rates it); C-SSRS and QIDS never (required questions follow a risk item: see the module)
    assert [d.instrument for d in due_questionnaires(client_a, NOW.date())] == ["phq9", "epds", "wsas"]
    assert http.get(url(session_1, "hamd17")).status_code == 404
    assert http.get(url(session_1, "cssrs_screen")).status_code == 404
    assert not QuestionnaireDraft.objects.exists()


def test_only_instruments_whose_risk_answers_can_be_sent_at_once_qualify() -> None:
    assert {key for key, inst in INSTRUMENTS.items() if not sends_on_risk(inst)} == {
        "hamd17",
        "cssrs_screen",
        "qids_sr16",
    }


def test_a_questionnaire_not_due_is_404(http: HttpClient, course_a: Course) -> None:
    session_3 = course_a.sessions.get(number=3)  # PHQ-9 is scheduled there, but not due yet

    assert http.get(url(session_3, "phq9")).status_code == 404
    assert answer(http, session_3, "phq9", 1, 0).status_code == 404
    assert http.get(url(course_a.sessions.get(number=1), "wai_sr")).status_code == 404  # not scheduled
    assert http.get(url(course_a.sessions.get(number=1), "nosuch")).status_code == 404
    assert not QuestionnaireDraft.objects.exists()


# --- One question per screen --------------------------------------------------------------------


def test_each_page_asks_one_question(http: HttpClient, session_1: Session) -> None:
    start = http.get(url(session_1, "phq9"))
    assert start.status_code == 302 and start["Location"] == url(session_1, "phq9", 1)

    page = http.get(start["Location"]).content.decode()

    assert "Question 1 of 10" in page
    assert f"<legend>{PHQ9_ITEM_1}</legend>" in page and PHQ9_ITEM_2 not in page
    assert page.count('type="radio"') == 4 and page.count('name="answer"') == 4
    assert "Over the last 2 weeks" in page and "Nearly every day" in page
    assert "Skip this question" not in page  # item 1 is required
    assert 'href="/portal/crisis/"' in page and "<script" not in page and "style=" not in page


def test_an_answer_is_kept_and_the_next_question_follows(
    http: HttpClient, client_a: Client, session_1: Session
) -> None:
    response = answer(http, session_1, "phq9", 1, 2)

    assert response.status_code == 302 and response["Location"] == url(session_1, "phq9", 2)
    assert draft_answers(session_1, "phq9") == {"phq9-1": 2}
    event = AuditEvent.objects.get(action="portal.questionnaire.answer")
    assert event.client_id == client_a.pk and event.object_type == "portal.questionnairedraft"
    assert "phq9-1" not in str(event.__dict__)
    page = http.get(response["Location"]).content.decode()
    assert "Question 2 of 10" in page and PHQ9_ITEM_2 in page
    assert f'href="{url(session_1, "phq9", 1)}"' in page  # back to question 1
    assert not Response.objects.exists()


def test_a_client_carries_on_after_signing_in_again(maya: User, http: HttpClient, session_1: Session) -> None:
    answer_all(http, session_1, "phq9", [1, 1, 1])
    http.post("/accounts/logout/")

    phone = HttpClient()  # another device, a new sign-in
    phone.force_login(maya)
    start = phone.get(url(session_1, "phq9"))

    assert start["Location"] == url(session_1, "phq9", 4)
    assert "Question 4 of 10" in phone.get(start["Location"]).content.decode()
    assert draft_answers(session_1, "phq9") == {"phq9-1": 1, "phq9-2": 1, "phq9-3": 1}


def test_going_back_shows_the_answer_given_and_it_can_change(http: HttpClient, session_1: Session) -> None:
    answer_all(http, session_1, "phq9", [0, 3, 1])

    page = http.get(url(session_1, "phq9", 2)).content.decode()
    assert re.search(r'<input type="radio" name="answer" value="3" [^>]*checked>', page)
    assert page.count("checked") == 1

    response = answer(http, session_1, "phq9", 2, 1)

    assert response["Location"] == url(session_1, "phq9", 4)  # on to the first question not answered
    assert draft_answers(session_1, "phq9") == {"phq9-1": 0, "phq9-2": 1, "phq9-3": 1}


def test_an_optional_question_can_be_skipped(http: HttpClient, session_1: Session) -> None:
    answer_all(http, session_1, "phq9", [0] * 9)
    page = http.get(url(session_1, "phq9", 10)).content.decode()
    assert "Question 10 of 10" in page and "Skip this question" in page

    response = http.post(url(session_1, "phq9", 10), {"skip": "1"})

    assert response["Location"] == url(session_1, "phq9", "review")
    assert draft_answers(session_1, "phq9")["phq9-difficulty"] is None
    assert "Skipped" in http.get(response["Location"]).content.decode()


def test_a_required_question_cannot_be_skipped(http: HttpClient, session_1: Session) -> None:
    response = http.post(url(session_1, "phq9", 1), {"skip": "1"})

    assert response.status_code == 400
    assert "Choose an answer to go on." in response.content.decode()
    assert not QuestionnaireDraft.objects.exists()


# --- Skip logic ---------------------------------------------------------------------------------

SKIPPY = Instrument(
    key="skippy",
    name="Skip-logic test",
    short_name="SKIP",
    preamble="",
    recall="",
    items=(
        Item("skippy-1", "Did it happen?", YES_NO_OPTIONS),
        Item("skippy-2", "How often did it happen?", YES_NO_OPTIONS, enable_when=("skippy-1", 1)),
        Item("skippy-3", "Anything else?", YES_NO_OPTIONS),
    ),
    bands=(Band("all", "All", 0, 3),),
    min_total=0,
    max_total=3,
    loinc_panel=None,
    loinc_total=None,
    licence=Licence(holder="us", terms="test", item_text_allowed=True, source=""),
    source="test",
)


@pytest.fixture
def skippy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(INSTRUMENTS, "skippy", SKIPPY)
    due_at_every_session(monkeypatch, "skippy")


def test_skip_logic_asks_a_question_only_after_the_answer_that_enables_it() -> None:
    assert [n for n, _ in asked(SKIPPY, {"skippy-1": 0})] == [1, 3]
    assert [n for n, _ in asked(SKIPPY, {"skippy-1": 1})] == [1, 2, 3]
    cssrs = INSTRUMENTS["cssrs_screen"]
    assert [n for n, _ in asked(cssrs, {"cssrs_screen-2": 0, "cssrs_screen-6": 0})] == [1, 2, 6]


@pytest.mark.usefixtures("skippy")
def test_the_pages_follow_skip_logic(http: HttpClient, session_1: Session) -> None:
    assert answer(http, session_1, "skippy", 1, 0)["Location"] == url(session_1, "skippy", 3)
    assert "Question 2 of 2" in http.get(url(session_1, "skippy", 3)).content.decode()
    skipped = http.get(url(session_1, "skippy", 2), follow=True).content.decode()
    assert "That question does not apply after your earlier answers." in skipped
    assert answer(http, session_1, "skippy", 2, 1).status_code == 302
    assert draft_answers(session_1, "skippy") == {"skippy-1": 0}  # nothing saved for it

    # a "yes" asks question 2; going back to "no" leaves its answer out again
    assert answer(http, session_1, "skippy", 1, 1)["Location"] == url(session_1, "skippy", 2)
    assert "Question 2 of 3" in http.get(url(session_1, "skippy", 2)).content.decode()
    answer(http, session_1, "skippy", 2, 1)
    answer(http, session_1, "skippy", 3, 0)
    assert draft_answers(session_1, "skippy") == {"skippy-1": 1, "skippy-2": 1, "skippy-3": 0}
    answer(http, session_1, "skippy", 1, 0)
    assert draft_answers(session_1, "skippy") == {"skippy-1": 0, "skippy-3": 0}

    sent = http.post(url(session_1, "skippy", "send"), review_form(http, session_1, "skippy"))

    assert sent["Location"] == url(session_1, "skippy", "done")
    assert Response.objects.get().answers == {"skippy-1": 0, "skippy-3": 0}


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["4", "-1", "", "abc", "1.0", " 1", "01", "True", "0x1"])
def test_an_answer_out_of_range_is_refused(http: HttpClient, session_1: Session, value: str) -> None:
    response = http.post(url(session_1, "phq9", 1), {"answer": value})

    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose an answer to go on." in body or "not one of the choices" in body
    assert PHQ9_ITEM_1 in body  # the same question again
    assert not QuestionnaireDraft.objects.exists()
    assert not AuditEvent.objects.filter(action="portal.questionnaire.answer").exists()


def test_a_tampered_answer_keeps_what_was_saved(http: HttpClient, session_1: Session) -> None:
    answer_all(http, session_1, "phq9", [2])

    assert answer(http, session_1, "phq9", 1, 7).status_code == 400

    assert draft_answers(session_1, "phq9") == {"phq9-1": 2}


@pytest.mark.parametrize("number", [0, 11, 99])
def test_a_question_number_out_of_range_is_refused(http: HttpClient, session_1: Session, number: int) -> None:
    response = answer(http, session_1, "phq9", number, 0)

    assert response.status_code == 302 and response["Location"] == url(session_1, "phq9", 1)
    page = http.get(response["Location"]).content.decode()
    assert f"There is no question {number} in this questionnaire." in page
    assert not QuestionnaireDraft.objects.exists()


def test_questions_are_answered_in_order(http: HttpClient, session_1: Session) -> None:
    answer_all(http, session_1, "phq9", [1])

    response = answer(http, session_1, "phq9", 5, 3)

    assert response["Location"] == url(session_1, "phq9", 2)
    assert "Please answer the questions in order." in http.get(response["Location"]).content.decode()
    assert draft_answers(session_1, "phq9") == {"phq9-1": 1}
    assert http.get(url(session_1, "phq9", 5))["Location"] == url(session_1, "phq9", 2)


def test_an_answer_for_an_unknown_item_cannot_be_slipped_in(http: HttpClient, session_1: Session) -> None:
    response = http.post(url(session_1, "phq9", 1), {"answer": "1", "phq9-9": "3", "link_id": "phq9-9"})

    assert response.status_code == 302
    assert draft_answers(session_1, "phq9") == {"phq9-1": 1}
    assert not RiskAlert.objects.exists()


# --- Sending once -------------------------------------------------------------------------------


def test_the_review_lists_the_answers_and_sending_records_one_response(
    http: HttpClient, maya: User, client_a: Client, session_1: Session
) -> None:
    answer_all(http, session_1, "phq9", [1, 2, 0, 0, 1, 0, 0, 0, 0, 1])
    review = http.get(url(session_1, "phq9", "review")).content.decode()
    assert PHQ9_ITEM_1 in review and "More than half the days" in review and "Somewhat difficult" in review
    assert f'href="{url(session_1, "phq9", 2)}"' in review  # change an answer
    form = review_form(http, session_1, "phq9")

    sent = http.post(url(session_1, "phq9", "send"), form)

    assert sent["Location"] == url(session_1, "phq9", "done")
    response = Response.objects.get()
    assert str(response.uuid) == form["uuid"]
    assert (response.client, response.session, response.channel, response.source) == (
        client_a,
        session_1,
        Channel.PORTAL,
        Source.CLIENT,
    )
    assert response.entered_by == maya
    assert response.answers["phq9-2"] == 2 and response.answers["phq9-difficulty"] == 1
    assert Score.objects.get(response=response).total == 4
    assert not QuestionnaireDraft.objects.exists()
    assert not RiskAlert.objects.exists()
    assert AuditEvent.objects.filter(action="response.record", object_id=str(response.pk)).exists()
    done = http.get(sent["Location"]).content.decode()
    assert "Thank you" in done and "GAD-7" in done  # the next one due


def test_sending_twice_stores_one_response(http: HttpClient, session_1: Session) -> None:
    answer_all(http, session_1, "phq9", [0] * 10)
    form = review_form(http, session_1, "phq9")

    first = http.post(url(session_1, "phq9", "send"), form)
    again = http.post(url(session_1, "phq9", "send"), form)  # a double tap, or the back button

    assert first["Location"] == again["Location"] == url(session_1, "phq9", "done")
    assert Response.objects.count() == 1 and Score.objects.count() == 1


def test_a_second_submission_is_refused_and_changes_nothing(http: HttpClient, session_1: Session) -> None:
    answer_all(http, session_1, "phq9", [0] * 10)
    http.post(url(session_1, "phq9", "send"), review_form(http, session_1, "phq9"))
    stored = Response.objects.get()

    start = http.get(url(session_1, "phq9"))
    late_answer = answer(http, session_1, "phq9", 1, 3)
    late_send = http.post(url(session_1, "phq9", "send"), {"uuid": "not-a-uuid", "stamp": ""})

    assert start.status_code == 200
    assert "You already sent this questionnaire on 2 March 2026." in start.content.decode()
    assert late_answer.status_code == 409 and late_send.status_code == 409
    assert "You already sent this questionnaire on 2 March 2026." in late_send.content.decode()
    assert list(Response.objects.all()) == [stored]
    assert not QuestionnaireDraft.objects.exists()
    assert "phq9" not in [d.instrument for d in due_questionnaires(stored.client, NOW.date())]


def test_a_questionnaire_the_clinician_entered_is_not_taken_again(
    http: HttpClient, alice: User, client_a: Client, session_1: Session
) -> None:
    answer_all(http, session_1, "phq9", [1, 1])
    record_response(alice, client_a, instrument="phq9", answers=[0] * 9, session=session_1)

    response = answer(http, session_1, "phq9", 3, 1)

    assert response.status_code == 409
    assert "were already recorded on 2 March 2026" in response.content.decode()
    assert Response.objects.count() == 1
    assert draft_answers(session_1, "phq9") == {"phq9-1": 1, "phq9-2": 1}


def test_a_review_made_stale_in_another_tab_is_refused(
    http: HttpClient, session_1: Session, time_machine: Any
) -> None:
    answer_all(http, session_1, "phq9", [0] * 10)
    stale = review_form(http, session_1, "phq9")
    time_machine.shift(60)
    answer(http, session_1, "phq9", 2, 2)  # changed in a second tab

    response = http.post(url(session_1, "phq9", "send"), stale)

    assert response["Location"] == url(session_1, "phq9", "review")
    assert (
        "Your answers changed since you opened this page" in http.get(response["Location"]).content.decode()
    )
    assert not Response.objects.exists()
    assert http.post(url(session_1, "phq9", "send"), review_form(http, session_1, "phq9")).status_code == 302
    assert Response.objects.get().answers["phq9-2"] == 2


def test_an_unfinished_questionnaire_cannot_be_sent(http: HttpClient, session_1: Session) -> None:
    answer_all(http, session_1, "phq9", [0, 0, 0])
    draft = QuestionnaireDraft.objects.get()
    form = {"uuid": str(draft.uuid), "stamp": draft.updated_at.isoformat()}

    response = http.post(url(session_1, "phq9", "send"), form)

    assert response.status_code == 302
    assert (
        "Some questions are not answered yet." in http.get(response["Location"], follow=True).content.decode()
    )
    assert not Response.objects.exists()
    assert http.get(url(session_1, "phq9", "review"))["Location"] == url(session_1, "phq9", 4)


def test_an_ended_course_refuses_answers(
    http: HttpClient, client_a: Client, course_a: Course, session_1: Session
) -> None:
    answer_all(http, session_1, "phq9", [1])
    Course.objects.filter(pk=course_a.pk).update(status=CourseStatus.COMPLETED, ended_on=date(2026, 3, 2))

    page = http.get(url(session_1, "phq9"))
    refused = answer(http, session_1, "phq9", 2, 1)
    not_sent = http.post(url(session_1, "phq9", "send"), {"uuid": "", "stamp": ""})

    assert "This course of therapy has ended" in page.content.decode()
    assert refused.status_code == 400 and "has ended" in refused.content.decode()
    assert not_sent.status_code == 400 and "has ended" in not_sent.content.decode()
    assert draft_answers(session_1, "phq9") == {"phq9-1": 1}
    assert not Response.objects.exists()
    assert due_questionnaires(client_a, NOW.date()) == []


# --- Whose questionnaire ------------------------------------------------------------------------


def test_another_clients_questionnaire_is_404(
    alice: User, north_team: Team, http: HttpClient, session_1: Session
) -> None:
    other = create_client(
        alice,
        team=north_team,
        clinic_identifier="NS-2",
        given_name="Tomas",
        family_name="Reyes",
        preferred_name="",
        date_of_birth=date(1990, 1, 1),
        email="",
        phone="",
        locale="en-gb",
    )
    theirs = start_course(
        alice, other, protocol_key="ipt-standard", start_date=date(2026, 3, 2)
    ).sessions.get(number=1)
    tomas = HttpClient()
    tomas.force_login(joined(alice, other))
    answer_all(tomas, theirs, "phq9", [3, 3])

    for path in ("", "1/", "2/", "review/", "help/", "done/"):
        assert http.get(f"/portal/questionnaires/{theirs.pk}/phq9/{path}").status_code == 404
    assert answer(http, theirs, "phq9", 3, 0).status_code == 404
    assert http.post(url(theirs, "phq9", "send"), {"uuid": "", "stamp": ""}).status_code == 404
    assert http.get("/portal/questionnaires/999999/phq9/").status_code == 404
    assert draft_answers(theirs, "phq9") == {"phq9-1": 3, "phq9-2": 3}
    assert not Response.objects.exists()
    assert "Tomas" not in http.get("/portal/questionnaires/").content.decode()


def test_staff_cannot_answer_for_the_client(alice: User, session_1: Session) -> None:
    staff = HttpClient()
    staff.force_login(alice)

    assert staff.get("/portal/questionnaires/").status_code == 403
    assert staff.get(url(session_1, "phq9", 1)).status_code == 403
    assert staff.post(url(session_1, "phq9", 1), {"answer": "1"}).status_code == 403
    assert not QuestionnaireDraft.objects.exists()


# --- Risk first ---------------------------------------------------------------------------------


@pytest.fixture
def lines(north: Any) -> None:
    CrisisResource.objects.create(organisation=north, locale="en-gb", name="Samaritans", phone="116 123")
    CrisisResource.objects.create(organisation=north, locale="fr", name="SOS Amitié", phone="09 72 39 40 50")


@pytest.mark.usefixtures("lines")
def test_a_positive_item_9_shows_crisis_help_first_and_opens_an_alert(
    http: HttpClient, client_a: Client, session_1: Session, django_capture_on_commit_callbacks: Any
) -> None:
    answer_all(http, session_1, "phq9", [0] * 8)

    with django_capture_on_commit_callbacks() as callbacks:
        response = answer(http, session_1, "phq9", 9, 1)

    assert response.status_code == 302 and response["Location"] == url(session_1, "phq9", "help")
    stored = Response.objects.get()
    assert (stored.channel, stored.session, stored.source) == (Channel.PORTAL, session_1, Source.CLIENT)
    assert stored.answers == {**{f"phq9-{n}": 0 for n in range(1, 9)}, "phq9-9": 1}
    alert = RiskAlert.objects.get()
    assert (alert.response, alert.flag, alert.status, alert.severity) == (
        stored,
        "suicidal_ideation",
        AlertStatus.OPEN,
        "moderate",
    )
    assert len(callbacks) == 1  # the lead clinician's e-mail, queued after the commit
    assert not QuestionnaireDraft.objects.exists()
    page = http.get(response["Location"]).content.decode()
    assert page.index('href="tel:116123"') < page.index("Continue")
    assert "Samaritans" in page and "SOS Amitié" not in page  # the client's locale
    assert "Your answers have been sent to your therapist" in page
    assert f'href="{url(session_1, "phq9", "done")}"' in page


def test_stopping_after_a_positive_risk_answer_still_leaves_the_clinician_an_alert(
    http: HttpClient, alice: User, session_1: Session
) -> None:
    answer_all(http, session_1, "phq9", [1] * 8)
    answer(http, session_1, "phq9", 9, 3)
    # ...and the client closes the browser: nothing else is asked for

    alert = RiskAlert.objects.get()
    assert (alert.status, alert.severity, alert.client_id) == (
        AlertStatus.OPEN,
        "high",
        session_1.course.client_id,
    )
    staff = HttpClient()
    staff.force_login(alice)
    page = staff.get(f"/clients/{alert.client_id}/").content.decode()
    assert "Open risk alert" in page and f"/alerts/{alert.pk}/" in page


def test_changing_an_answer_to_a_positive_one_sends_at_once(http: HttpClient, session_1: Session) -> None:
    answer_all(http, session_1, "phq9", [0] * 10)

    response = answer(http, session_1, "phq9", 9, 2)

    assert response["Location"] == url(session_1, "phq9", "help")
    stored = Response.objects.get()
    assert stored.answers["phq9-9"] == 2 and stored.answers["phq9-difficulty"] == 0
    assert RiskAlert.objects.get(response=stored).severity == "high"


def test_a_double_tap_on_a_positive_answer_still_lands_on_crisis_help(
    http: HttpClient, session_1: Session
) -> None:
    """The second tap finds the questionnaire sent: the phone shows crisis help, not "Already sent"."""
    answer_all(http, session_1, "phq9", [1] * 8)
    first = answer(http, session_1, "phq9", 9, 2)
    second = answer(http, session_1, "phq9", 9, 2)

    assert first["Location"] == second["Location"] == url(session_1, "phq9", "help")
    assert Response.objects.count() == 1 and RiskAlert.objects.count() == 1
    page = http.get(second["Location"]).content.decode()
    assert "Help is here now" in page and "your therapist has been told" in page


def test_a_positive_answer_after_the_clinician_recorded_the_questionnaire_is_kept_and_alerted(
    http: HttpClient, alice: User, client_a: Client, session_1: Session
) -> None:
    """The clinician entered this PHQ-9 in session while the client was answering on the portal:
    the client's positive answer is kept as an ad-hoc response with its alert, never dropped."""
    answer_all(http, session_1, "phq9", [1] * 8)
    in_session = record_response(
        alice, client_a, instrument="phq9", answers=[0] * 9, channel=Channel.IN_SESSION, session=session_1
    )

    response = answer(http, session_1, "phq9", 9, 3)

    assert response["Location"] == url(session_1, "phq9", "help")
    kept = Response.objects.exclude(pk=in_session.pk).get()
    assert (kept.channel, kept.session, kept.course) == (Channel.PORTAL, None, session_1.course)
    assert kept.answers["phq9-9"] == 3 and kept.answers["phq9-1"] == 1
    alert = RiskAlert.objects.get()
    assert (alert.response, alert.status, alert.severity) == (kept, AlertStatus.OPEN, "high")
    assert not QuestionnaireDraft.objects.exists()
    assert "your therapist has been told" in http.get(response["Location"]).content.decode()


def test_a_positive_answer_on_a_page_left_open_after_the_course_ended_is_kept_and_alerted(
    http: HttpClient, session_1: Session
) -> None:
    answer_all(http, session_1, "phq9", [1] * 8)
    Course.objects.filter(pk=session_1.course_id).update(status=CourseStatus.COMPLETED)

    response = answer(http, session_1, "phq9", 9, 1)

    assert response["Location"] == url(session_1, "phq9", "help")
    kept = Response.objects.get()
    assert (kept.session, kept.course, kept.channel) == (None, None, Channel.PORTAL)
    assert RiskAlert.objects.get(response=kept).status == AlertStatus.OPEN
    page = http.get(response["Location"]).content.decode()
    assert "Help is here now" in page and "your therapist has been told" in page


def test_a_negative_answer_after_the_course_ended_is_refused_and_nothing_is_kept(
    http: HttpClient, session_1: Session
) -> None:
    answer_all(http, session_1, "phq9", [1] * 8)
    Course.objects.filter(pk=session_1.course_id).update(status=CourseStatus.COMPLETED)

    response = answer(http, session_1, "phq9", 9, 0)

    assert response.status_code == 400 and "has ended" in response.content.decode()
    assert not Response.objects.exists()


def test_a_negative_risk_answer_goes_on_as_usual(http: HttpClient, session_1: Session) -> None:
    answer_all(http, session_1, "phq9", [3] * 8)

    assert answer(http, session_1, "phq9", 9, 0)["Location"] == url(session_1, "phq9", 10)
    assert not Response.objects.exists() and not RiskAlert.objects.exists()


def test_if_the_risk_answer_cannot_be_sent_it_stays_and_help_is_shown(
    http: HttpClient, session_1: Session, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refused(*args: Any, **kwargs: Any) -> None:
        raise ValidationError("instrument no longer enabled")

    monkeypatch.setattr("openipt.portal.questionnaires.record_response", refused)
    answer_all(http, session_1, "phq9", [0] * 8)

    with caplog.at_level(logging.ERROR):
        response = answer(http, session_1, "phq9", 9, 2)

    assert response["Location"] == url(session_1, "phq9", "help")
    page = http.get(response["Location"]).content.decode()
    assert "Your therapist will be told about this answer when you send your answers." in page
    assert f'href="{url(session_1, "phq9")}"' in page  # carry on
    assert draft_answers(session_1, "phq9")["phq9-9"] == 2
    assert "a risk answer could not be sent (ValidationError)" in caplog.text
    assert "phq9-9" not in caplog.text


def test_pages_have_crisis_help_one_h1_and_no_inline_script_or_style(
    http: HttpClient, session_1: Session
) -> None:
    answer_all(http, session_1, "phq9", [0] * 10)
    paths = [
        "/portal/questionnaires/",
        url(session_1, "phq9", 1),
        url(session_1, "phq9", "review"),
        url(session_1, "phq9", "help"),
    ]
    for path in paths:
        body = http.get(path).content.decode()
        assert 'href="/portal/crisis/"' in body, path
        assert body.count("<h1") == 1, path
        assert "<script" not in body and "style=" not in body, path
        assert len(body.encode()) < 20_000, path


def test_the_list_page_runs_a_fixed_number_of_queries(
    http: HttpClient, session_1: Session, django_assert_max_num_queries: Any
) -> None:
    answer_all(http, session_1, "phq9", [1])
    with django_assert_max_num_queries(12):
        assert http.get("/portal/questionnaires/").status_code == 200


def test_a_session_held_today_offers_what_it_missed(client_a: Client, session_1: Session) -> None:
    Session.objects.filter(pk=session_1.pk).update(attendance=Attendance.ATTENDED)

    due = due_questionnaires(client_a, NOW.date())

    # held, so its GAD-7 is overdue; PHQ-9 is due again at session 2 and is asked for there
    assert [(d.instrument, d.session_number, d.overdue) for d in due] == [
        ("gad7", 1, True),
        ("phq9", 2, False),
    ]

"""`record_response`: the one way a questionnaire, its score and any risk alert are stored."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from openipt.accounts.models import Team, User
from openipt.audit.models import AuditEvent
from openipt.clients.actions import create_client
from openipt.clients.models import Client
from openipt.courses.actions import start_course
from openipt.courses.models import Course
from openipt.measures import scoring
from openipt.measures.actions import record_response
from openipt.measures.models import Channel, Response, Score, Source
from openipt.safety.actions import raise_alerts
from openipt.safety.models import AlertStatus, RiskAlert, Severity

NOW = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
# Total 7 (mild); item 9 answered "not at all".
PHQ9_NO_RISK = [1, 0, 2, 3, 0, 1, 0, 0, 0]


def phq9_with_item9(value: int) -> list[int]:
    return [*PHQ9_NO_RISK[:8], value]


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def client_b(alice: User, north_team: Team) -> Client:
    return create_client(
        alice,
        team=north_team,
        clinic_identifier="NS-2",
        given_name="Tom",
        family_name="Brennan",
        preferred_name="",
        date_of_birth=date(1961, 9, 3),
        email="",
        phone="",
        locale="en-gb",
    )


def counts() -> tuple[int, int, int, int]:
    return (
        Response.objects.count(),
        Score.objects.count(),
        RiskAlert.objects.count(),
        AuditEvent.objects.count(),
    )


def test_it_stores_the_response_and_its_score(alice: User, client_a: Client, course_a: Course) -> None:
    session = course_a.sessions.get(number=1)

    response = record_response(
        alice, client_a, instrument="phq9", answers=PHQ9_NO_RISK, source=Source.CLIENT, session=session
    )

    response.refresh_from_db()
    assert response.instrument == "phq9"
    assert response.client == client_a  # who it is about
    assert response.source == Source.CLIENT  # who answered
    assert response.entered_by == alice  # who entered it
    assert response.channel == Channel.IN_SESSION
    assert response.session == session
    assert response.course == course_a  # taken from the session
    assert response.completed_at == NOW
    assert response.answers == {f"phq9-{n}": v for n, v in enumerate(PHQ9_NO_RISK, start=1)}
    score = response.score
    assert (score.instrument, score.total, score.band, score.risk) == ("phq9", 7, "mild", [])
    assert (score.client, score.course, score.completed_at) == (client_a, course_a, NOW)
    assert not RiskAlert.objects.exists()


def test_it_keeps_who_answered_apart_from_who_entered(alice: User, client_a: Client) -> None:
    response = record_response(
        alice, client_a, instrument="gad7", answers=[0] * 7, source=Source.PARENT, channel=Channel.PAPER
    )
    assert (response.source, response.channel, response.entered_by) == (Source.PARENT, Channel.PAPER, alice)
    assert response.course is None and response.session is None


def test_it_records_no_entering_user_for_a_system_path(client_a: Client) -> None:
    response = record_response(None, client_a, instrument="gad7", answers=[0] * 7, channel=Channel.IMPORT)
    assert response.entered_by is None
    event = AuditEvent.objects.get(action="response.record")
    assert (event.actor, event.actor_label) == (None, "system")


def test_it_writes_one_audit_row_without_clinical_values(alice: User, client_a: Client) -> None:
    response = record_response(alice, client_a, instrument="phq9", answers=PHQ9_NO_RISK)

    event = AuditEvent.objects.get(action="response.record")
    assert event.actor == alice
    assert event.organisation_id == alice.organisation_id
    assert event.client_id == client_a.pk
    assert (event.object_type, event.object_id) == ("measures.response", str(response.pk))
    assert event.at == NOW


def test_it_accepts_answers_keyed_by_link_id(alice: User, client_a: Client) -> None:
    answers = {f"gad7-{n}": 2 for n in range(1, 8)}
    response = record_response(alice, client_a, instrument="gad7", answers=answers)
    assert (response.score.total, response.score.band) == (14, "moderate")


def test_it_stores_a_past_completion_time(alice: User, client_a: Client) -> None:
    earlier = NOW - timedelta(days=3)
    response = record_response(alice, client_a, instrument="gad7", answers=[0] * 7, completed_at=earlier)
    assert response.completed_at == earlier
    assert response.score.completed_at == earlier


def test_it_refuses_a_completion_time_in_the_future(alice: User, client_a: Client) -> None:
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        record_response(
            alice, client_a, instrument="gad7", answers=[0] * 7, completed_at=NOW + timedelta(hours=1)
        )
    assert "completed_at" in excinfo.value.message_dict
    assert counts() == before


@pytest.mark.parametrize(
    ("item9", "severity"), [(1, Severity.MODERATE), (2, Severity.HIGH), (3, Severity.HIGH)]
)
def test_it_raises_an_alert_for_a_positive_item_9(
    alice: User, client_a: Client, course_a: Course, item9: int, severity: str
) -> None:
    session = course_a.sessions.get(number=1)

    response = record_response(
        alice, client_a, instrument="phq9", answers=phq9_with_item9(item9), session=session
    )

    alert = RiskAlert.objects.get()
    assert alert.response == response
    assert alert.client == client_a
    assert alert.flag == "suicidal_ideation"
    assert alert.severity == severity
    assert alert.status == AlertStatus.OPEN
    assert alert.raised_at == response.completed_at
    assert alert.acknowledged_by is None and alert.acknowledged_at is None
    assert response.score.risk == ["suicidal_ideation"]
    raised = AuditEvent.objects.get(action="alert.raise")
    assert (raised.object_id, raised.client_id, raised.actor_label) == (str(alert.pk), client_a.pk, "system")


def test_it_raises_an_alert_even_when_the_total_is_minimal(alice: User, client_a: Client) -> None:
    response = record_response(alice, client_a, instrument="phq9", answers=[0] * 8 + [1])
    assert (response.score.total, response.score.band) == (1, "minimal")
    assert RiskAlert.objects.get().severity == Severity.MODERATE


def test_it_raises_no_alert_when_item_9_is_zero(alice: User, client_a: Client) -> None:
    record_response(alice, client_a, instrument="phq9", answers=[3] * 8 + [0])
    assert Score.objects.get().total == 24
    assert not RiskAlert.objects.exists()
    assert not AuditEvent.objects.filter(action="alert.raise").exists()


def test_it_never_raises_an_alert_for_gad7(alice: User, client_a: Client) -> None:
    response = record_response(alice, client_a, instrument="gad7", answers=[3] * 7)
    assert (response.score.total, response.score.band, response.score.risk) == (21, "severe", [])
    assert not RiskAlert.objects.exists()


@pytest.mark.parametrize(
    ("answers", "named"),
    [
        ([1, 0, 2, 3, 0, 1, 0, 0], "item 9 (phq9-9)"),  # missing
        ([1, 0, 2, 3, 0, 1, 0, 0, 4], "item 9 (phq9-9)"),  # out of range
        ([1, 0, 2, 3, -1, 1, 0, 0, 0], "item 5 (phq9-5)"),  # negative
        ([1, 0, 2, 3, 0, 1, 0, 0, 0, 1, 2], "11 answers given"),  # extra
        ({**{f"phq9-{n}": 0 for n in range(1, 10)}, "phq9-10": 1}, "'phq9-10'"),  # unknown item
        ([1, 0, 2, 3, 0, 1, 0, 0, True], "item 9 (phq9-9)"),  # a bool is not an answer
    ],
)
def test_it_refuses_bad_answers_and_stores_nothing(
    alice: User, client_a: Client, course_a: Course, answers: Any, named: str
) -> None:
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        record_response(alice, client_a, instrument="phq9", answers=answers, course=course_a)
    assert list(excinfo.value.message_dict) == ["answers"]
    assert named in excinfo.value.message_dict["answers"][0]
    assert counts() == before


def test_it_refuses_a_positive_item_9_with_another_bad_answer_and_raises_no_alert(
    alice: User, client_a: Client
) -> None:
    before = counts()
    with pytest.raises(ValidationError, match="phq9-1"):
        record_response(alice, client_a, instrument="phq9", answers=[7, 0, 0, 0, 0, 0, 0, 0, 3])
    assert counts() == before


def test_it_refuses_an_unknown_instrument(alice: User, client_a: Client) -> None:
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        record_response(alice, client_a, instrument="beck", answers=[0] * 21)
    assert "instrument" in excinfo.value.message_dict
    assert counts() == before


def test_it_refuses_an_unknown_source(alice: User, client_a: Client) -> None:
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        record_response(alice, client_a, instrument="gad7", answers=[0] * 7, source="neighbour")
    assert "source" in excinfo.value.message_dict
    assert counts() == before


def test_it_refuses_a_course_of_another_client(
    alice: User, client_a: Client, course_a: Course, client_b: Client
) -> None:
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        record_response(alice, client_b, instrument="phq9", answers=phq9_with_item9(3), course=course_a)
    assert excinfo.value.message_dict == {"course": ["That course belongs to another client."]}
    assert counts() == before


def test_it_refuses_a_completion_date_before_the_course_started(
    alice: User, client_a: Client, course_a: Course
) -> None:
    # course_a starts on Mon 2 Mar 2026: a form dated the Sunday before cannot belong to it.
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        record_response(
            alice,
            client_a,
            instrument="phq9",
            answers=PHQ9_NO_RISK,
            course=course_a,
            completed_at=NOW - timedelta(days=1),
        )
    assert excinfo.value.message_dict == {
        "completed_at": [
            "The date completed cannot be before the course started (Mon 2 Mar 2026): check the date "
            "on the form."
        ]
    }
    assert counts() == before
    # The same date outside a course is fine: the course is what it would be wrongly attached to.
    assert (
        record_response(
            alice, client_a, instrument="phq9", answers=PHQ9_NO_RISK, completed_at=NOW - timedelta(days=1)
        ).course
        is None
    )


def test_it_refuses_a_session_of_another_clients_course(
    alice: User, client_a: Client, course_a: Course, client_b: Client
) -> None:
    other_course = start_course(alice, client_b, protocol_key="ipt-standard", start_date=date(2026, 3, 3))
    before = counts()
    with pytest.raises(ValidationError, match="another client"):
        record_response(
            alice,
            client_b,
            instrument="phq9",
            answers=PHQ9_NO_RISK,
            course=other_course,
            session=course_a.sessions.get(number=1),
        )
    assert counts() == before


def test_it_returns_the_stored_response_when_the_same_form_is_sent_twice(
    alice: User, client_a: Client, course_a: Course
) -> None:
    session = course_a.sessions.get(number=1)
    key = uuid.uuid4()

    first = record_response(
        alice, client_a, instrument="phq9", answers=phq9_with_item9(2), session=session, response_uuid=key
    )
    second = record_response(
        alice, client_a, instrument="phq9", answers=phq9_with_item9(2), session=session, response_uuid=key
    )

    assert second.pk == first.pk
    assert first.uuid == key
    assert Response.objects.count() == 1
    assert Score.objects.count() == 1
    assert RiskAlert.objects.count() == 1
    assert AuditEvent.objects.filter(action="response.record").count() == 1
    assert AuditEvent.objects.filter(action="alert.raise").count() == 1


def test_it_refuses_a_reused_form_id_for_another_questionnaire(alice: User, client_a: Client) -> None:
    key = uuid.uuid4()
    record_response(alice, client_a, instrument="phq9", answers=PHQ9_NO_RISK, response_uuid=key)
    with pytest.raises(ValidationError, match="reload the page"):
        record_response(alice, client_a, instrument="gad7", answers=[0] * 7, response_uuid=key)
    assert Response.objects.count() == 1


def test_it_refuses_a_reused_form_id_for_another_client(
    alice: User, client_a: Client, client_b: Client
) -> None:
    key = uuid.uuid4()
    record_response(alice, client_a, instrument="phq9", answers=PHQ9_NO_RISK, response_uuid=key)
    with pytest.raises(ValidationError, match="reload the page"):
        record_response(alice, client_b, instrument="phq9", answers=PHQ9_NO_RISK, response_uuid=key)
    assert list(Response.objects.values_list("client_id", flat=True)) == [client_a.pk]


def test_it_leaves_nothing_behind_when_the_score_cannot_be_stored(
    alice: User, client_a: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = counts()

    def fail(**kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Score.objects, "create", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        record_response(alice, client_a, instrument="phq9", answers=phq9_with_item9(3))
    assert counts() == before


def test_it_leaves_nothing_behind_when_the_audit_row_fails_after_the_alert(
    alice: User, client_a: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openipt.measures import actions

    before = counts()
    seen: list[int] = []

    def fail(*args: object, **kwargs: object) -> None:
        seen.append(RiskAlert.objects.count())  # the alert was written in this transaction...
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(actions, "record", fail)
    with pytest.raises(RuntimeError, match="audit store unavailable"):
        record_response(alice, client_a, instrument="phq9", answers=phq9_with_item9(3))
    assert seen == [before[2] + 1]
    assert counts() == before  # ...and is gone with the response and score


def test_it_leaves_nothing_behind_when_the_alerts_audit_row_fails(
    alice: User, client_a: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openipt.safety import actions

    before = counts()

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(actions, "record", fail)
    with pytest.raises(RuntimeError):
        record_response(alice, client_a, instrument="phq9", answers=phq9_with_item9(1))
    assert counts() == before


@pytest.mark.django_db(transaction=True)
def test_raise_alerts_refuses_to_run_outside_a_transaction() -> None:
    result = scoring.score("phq9", phq9_with_item9(3))
    response = Response(instrument="phq9", client_id=1, answers={}, completed_at=NOW)
    assert transaction.get_connection().in_atomic_block is False
    with pytest.raises(RuntimeError, match="same transaction"):
        raise_alerts(response, result)
    assert not RiskAlert.objects.exists()


def test_a_stored_response_cannot_be_changed(alice: User, client_a: Client) -> None:
    response = record_response(alice, client_a, instrument="phq9", answers=PHQ9_NO_RISK)
    response.answers = {"phq9-1": 3}
    with pytest.raises(ValueError, match="cannot be changed"):
        response.save()
    response.refresh_from_db()
    assert response.answers["phq9-1"] == 1


def test_a_score_cannot_be_changed(alice: User, client_a: Client) -> None:
    score = record_response(alice, client_a, instrument="phq9", answers=PHQ9_NO_RISK).score
    score.total = 0
    with pytest.raises(ValueError, match="cannot be changed"):
        score.save()
    score.refresh_from_db()
    assert score.total == 7


def test_it_runs_a_fixed_number_of_queries(
    alice: User, client_a: Client, course_a: Course, django_assert_num_queries
) -> None:
    session = course_a.sessions.get(number=1)
    # savepoint, uuid lookup, response, score, alert, 2 × (audit head lock + audit row), release
    with django_assert_num_queries(10):
        record_response(
            alice,
            client_a,
            instrument="phq9",
            answers=phq9_with_item9(2),
            session=session,
            response_uuid=uuid.uuid4(),
        )


def test_it_refuses_a_completion_time_without_a_time_zone(alice: User, client_a: Client) -> None:
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        record_response(
            alice,
            client_a,
            instrument="gad7",
            answers=[0] * 7,
            completed_at=datetime(2026, 3, 1, 10, 0),  # noqa: DTZ001 - the naive time under test
        )
    assert "completed_at" in excinfo.value.message_dict
    assert counts() == before


@pytest.mark.parametrize(
    ("instrument", "answers", "label"),
    [
        ("phq9", [2, 2, 2, 2, 2, 2, 2, 2, 0], "Moderately severe"),
        ("phq9", [0] * 9, "Minimal"),
        ("gad7", [3] * 7, "Severe"),
    ],
)
def test_a_score_names_its_band_as_printed(
    alice: User, client_a: Client, instrument: str, answers: list[int], label: str
) -> None:
    score = record_response(alice, client_a, instrument=instrument, answers=answers).score
    assert score.band_label == label
    assert Response.objects.get().instrument_name == {"phq9": "PHQ-9", "gad7": "GAD-7"}[instrument]

"""Escalating unacknowledged risk alerts: when, to whom, once only, and retrying failed e-mails."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django_tasks_db.models import DBTaskResult

from openipt.accounts.models import Organisation, Role, Team, User
from openipt.audit.models import AuditEvent
from openipt.clients.actions import create_client
from openipt.clients.models import Client
from openipt.measures.actions import record_response
from openipt.safety.actions import acknowledge_alert
from openipt.safety.escalation import (
    LOST_TASK_AFTER,
    escalate_alert,
    escalate_due_alerts,
    escalation_recipients,
    is_due,
    retry_undelivered,
)
from openipt.safety.models import AlertEscalation, AlertStatus, DeliveryStatus, RiskAlert

RAISED = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
ACTION = "Phoned the client; completed a risk assessment and updated the safety plan."


def raise_alert(actor: User, client: Client, at: datetime = RAISED) -> RiskAlert:
    with time_machine.travel(at, tick=False):
        response = record_response(actor, client, instrument="phq9", answers=[0] * 8 + [2])
    return RiskAlert.objects.get(response=response)


def give_addresses(*users: User) -> None:
    for user in users:
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])


@pytest.fixture
def alert(everyone: dict[str, User], client_a: Client) -> RiskAlert:
    give_addresses(*everyone.values())
    return raise_alert(everyone["alice"], client_a)


def escalations_of(alert: RiskAlert) -> list[AlertEscalation]:
    return list(AlertEscalation.objects.filter(alert=alert))


# --- when ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("waited", "due"),
    [(0, False), (59, False), (59.99, False), (60, True), (61, True), (60 * 24, True)],
)
def test_it_is_due_once_the_organisations_minutes_have_passed(waited: float, due: bool) -> None:
    assert is_due(RAISED, 60, RAISED + timedelta(minutes=waited)) is due


def test_it_does_nothing_before_the_escalation_time(alert: RiskAlert) -> None:
    assert escalate_due_alerts(RAISED + timedelta(minutes=59)) == []

    alert.refresh_from_db()
    assert alert.escalated_at is None
    assert escalations_of(alert) == []
    assert not AuditEvent.objects.filter(action="alert.escalate").exists()


def test_it_escalates_to_the_teams_supervisor_and_records_it(alert: RiskAlert, bob: User) -> None:
    now = RAISED + timedelta(minutes=61)
    with time_machine.travel(now, tick=False):
        escalations = escalate_due_alerts(now)

    alert.refresh_from_db()
    assert alert.escalated_at == now
    assert alert.status == AlertStatus.OPEN
    assert escalations == escalations_of(alert)
    [escalation] = escalations
    assert (escalation.at, escalation.recipients, escalation.delivery, escalation.error) == (
        now,
        [bob.pk],
        DeliveryStatus.QUEUED,
        "",
    )
    event = AuditEvent.objects.get(action="alert.escalate")
    assert (event.actor, event.actor_label, event.object_id, event.client_id, event.at) == (
        None,
        "system",
        str(alert.pk),
        alert.client_id,
        now,
    )


def test_it_escalates_only_once(alert: RiskAlert) -> None:
    first = RAISED + timedelta(minutes=61)
    assert len(escalate_due_alerts(first)) == 1

    assert escalate_due_alerts(first + timedelta(minutes=1)) == []
    assert escalate_due_alerts(first + timedelta(days=3)) == []

    alert.refresh_from_db()
    assert alert.escalated_at == first
    assert len(escalations_of(alert)) == 1
    assert AuditEvent.objects.filter(action="alert.escalate").count() == 1


def test_it_does_not_escalate_a_stale_copy_of_an_already_escalated_alert(alert: RiskAlert) -> None:
    stale = RiskAlert.objects.get(pk=alert.pk)
    now = RAISED + timedelta(minutes=61)
    escalate_due_alerts(now)

    assert escalate_alert(stale, now + timedelta(seconds=1)) is None
    assert len(escalations_of(alert)) == 1


def test_it_never_escalates_an_acknowledged_alert(alert: RiskAlert, alice: User) -> None:
    with time_machine.travel(RAISED + timedelta(minutes=30), tick=False):
        acknowledge_alert(alice, alert, action_taken=ACTION)

    assert escalate_due_alerts(RAISED + timedelta(minutes=61)) == []
    assert escalate_due_alerts(RAISED + timedelta(days=30)) == []

    alert.refresh_from_db()
    assert (alert.status, alert.escalated_at) == (AlertStatus.ACKNOWLEDGED, None)
    assert escalations_of(alert) == []


def test_it_follows_each_organisations_minutes(
    alert: RiskAlert, north: Organisation, river: Organisation, charlie: User
) -> None:
    river.alert_escalation_minutes = 15
    river.save(update_fields=["alert_escalation_minutes"])
    north.alert_escalation_minutes = 120
    north.save(update_fields=["alert_escalation_minutes"])
    river_client = create_client(
        charlie,
        team=Team.objects.get(organisation=river),
        clinic_identifier="RS-1",
        given_name="Ann",
        family_name="Lee",
        preferred_name="",
        date_of_birth=date(1990, 1, 1),
        email="",
        phone="",
        locale="en-us",
    )
    river_alert = raise_alert(charlie, river_client)

    assert escalate_due_alerts(RAISED + timedelta(minutes=14)) == []
    assert [e.alert for e in escalate_due_alerts(RAISED + timedelta(minutes=16))] == [river_alert]
    assert escalate_due_alerts(RAISED + timedelta(minutes=119)) == []
    assert [e.alert for e in escalate_due_alerts(RAISED + timedelta(minutes=120))] == [alert]


def test_it_queues_the_email_only_after_the_commit(
    alert: RiskAlert, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    DBTaskResult.objects.all().delete()  # the raise-time e-mail queued by record_response
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [escalation] = escalate_due_alerts(RAISED + timedelta(minutes=61))
    assert len(callbacks) == 1
    assert not DBTaskResult.objects.exists()

    callbacks[0]()

    task = DBTaskResult.objects.get()
    assert task.task_path == "openipt.safety.tasks.send_escalation_email"
    assert task.args_kwargs == {"args": [escalation.pk], "kwargs": {}}


# --- to whom ---------------------------------------------------------------------------------------


def test_the_recipients_are_the_teams_active_supervisors_with_an_address(
    everyone: dict[str, User], client_a: Client, north: Organisation, north_team: Team
) -> None:
    give_addresses(*everyone.values())
    second = User.objects.create_user(
        "sam", email="sam@example.org", organisation=north, role=Role.SUPERVISOR
    )
    second.teams.set([north_team])
    inactive = User.objects.create_user(
        "old", email="old@example.org", organisation=north, role=Role.SUPERVISOR, is_active=False
    )
    without_address = User.objects.create_user("mute", organisation=north, role=Role.SUPERVISOR)
    for user in (inactive, without_address):
        user.teams.set([north_team])

    assert escalation_recipients(client_a) == [everyone["bob"], second]


def test_without_a_supervisor_the_organisations_administrators_are_notified(
    everyone: dict[str, User], client_a: Client, river: Organisation
) -> None:
    give_addresses(*everyone.values())
    User.objects.create_user("rita", email="rita@example.org", organisation=river, role=Role.ADMIN)
    everyone["bob"].teams.clear()

    assert escalation_recipients(client_a) == [everyone["erin"]]


def test_a_supervisor_without_an_address_falls_back_to_the_administrators(
    everyone: dict[str, User], client_a: Client
) -> None:
    give_addresses(everyone["erin"])

    assert escalation_recipients(client_a) == [everyone["erin"]]


def test_an_escalation_that_reaches_nobody_is_recorded_as_failed(
    alice: User, bob: User, client_a: Client
) -> None:
    alert = raise_alert(alice, client_a)  # nobody has an e-mail address

    [escalation] = escalate_due_alerts(RAISED + timedelta(minutes=61))

    assert (escalation.recipients, escalation.delivery, escalation.error) == (
        [],
        DeliveryStatus.FAILED,
        "NoRecipientsError",
    )
    alert.refresh_from_db()
    assert alert.escalated_at is not None
    assert alert.status == AlertStatus.OPEN

    # Nobody to retry for until a supervisor gets an address; then the next scan reaches them.
    assert retry_undelivered(RAISED + timedelta(minutes=62)) == []
    give_addresses(bob)
    assert retry_undelivered(RAISED + timedelta(minutes=63)) == [escalation]
    escalation.refresh_from_db()
    assert (escalation.recipients, escalation.delivery) == ([bob.pk], DeliveryStatus.QUEUED)


# --- retrying the e-mail ---------------------------------------------------------------------------


def test_a_failed_email_is_queued_again_while_the_alert_is_open(alert: RiskAlert, alice: User) -> None:
    [escalation] = escalate_due_alerts(RAISED + timedelta(minutes=61))
    AlertEscalation.objects.filter(pk=escalation.pk).update(
        delivery=DeliveryStatus.FAILED, error="TimeoutError"
    )

    assert retry_undelivered(RAISED + timedelta(minutes=62)) == [escalation]
    escalation.refresh_from_db()
    assert escalation.delivery == DeliveryStatus.QUEUED
    assert escalation.error == "TimeoutError"  # the last error stays visible until it is sent

    AlertEscalation.objects.filter(pk=escalation.pk).update(delivery=DeliveryStatus.FAILED)
    acknowledge_alert(alice, alert, action_taken=ACTION)
    assert retry_undelivered(RAISED + timedelta(minutes=63)) == []


def test_a_queued_email_is_queued_again_only_once_its_task_looks_lost(alert: RiskAlert) -> None:
    made = RAISED + timedelta(minutes=61)
    [escalation] = escalate_due_alerts(made)

    assert retry_undelivered(made + LOST_TASK_AFTER - timedelta(seconds=1)) == []
    assert retry_undelivered(made + LOST_TASK_AFTER) == [escalation]


def test_a_sent_email_is_never_queued_again(alert: RiskAlert) -> None:
    [escalation] = escalate_due_alerts(RAISED + timedelta(minutes=61))
    AlertEscalation.objects.filter(pk=escalation.pk).update(delivery=DeliveryStatus.SENT)

    assert retry_undelivered(RAISED + timedelta(days=1)) == []


# --- racing workers (PostgreSQL only: SQLite serialises writers, shown above by scanning twice) ----


@pytest.mark.django_db(transaction=True)
def test_two_workers_scanning_at_once_escalate_once(everyone: dict[str, User], client_a: Client) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL only")
    give_addresses(*everyone.values())
    alerts = [raise_alert(everyone["alice"], client_a, RAISED + timedelta(seconds=i)) for i in range(5)]
    now = RAISED + timedelta(minutes=61)
    barrier = threading.Barrier(4)
    made: list[AlertEscalation] = []

    def scan() -> None:
        try:
            barrier.wait()
            made.extend(escalate_due_alerts(now))
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(e.alert_id for e in made) == sorted(a.pk for a in alerts)
    assert AlertEscalation.objects.count() == len(alerts)
    assert AuditEvent.objects.filter(action="alert.escalate").count() == len(alerts)


def test_each_escalation_takes_a_fixed_number_of_queries(
    alert: RiskAlert, alice: User, client_a: Client, django_assert_num_queries: Callable[..., Any]
) -> None:
    raise_alert(alice, client_a, RAISED + timedelta(minutes=1))
    raise_alert(alice, client_a, RAISED + timedelta(minutes=90))  # not due yet
    # candidates, then per alert: savepoint, claim (the immutability guard's check that no targeted
    # alert is acknowledged, then the update), supervisors, escalation, audit head, audit row, release
    with django_assert_num_queries(1 + 2 * 8):
        assert len(escalate_due_alerts(RAISED + timedelta(minutes=62))) == 2

"""`openipt worker` end to end: the real database task backend, e-mails, failures and shutdown.

These tests commit (transaction=True) so that `transaction.on_commit` queues tasks as in production
and the worker's own transaction handling runs unchanged.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings as SettingsWrapper

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.measures.actions import record_response
from openipt.measures.models import Response, Score
from openipt.safety.actions import acknowledge_alert
from openipt.safety.management.commands.worker import Command as WorkerCommand
from openipt.safety.models import AlertEscalation, AlertStatus, DeliveryStatus, RiskAlert

pytestmark = pytest.mark.django_db(transaction=True)

RAISED = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
DUE = RAISED + timedelta(minutes=61)
ALL_SEVERE = [3] * 9  # total 27, "severe", item 9 "nearly every day"
BROKEN = "openipt.safety.tests.test_worker.BrokenEmailBackend"


class BrokenEmailBackend(BaseEmailBackend):
    """A mail server that refuses every message, naming an address in the error as SMTP servers do."""

    def send_messages(self, email_messages: object) -> int:
        raise ConnectionRefusedError("smtp.example.org refused mail for bob@example.org")


@pytest.fixture
def addresses(everyone: dict[str, User]) -> dict[str, User]:
    for user in everyone.values():
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return everyone


@pytest.fixture
def alert(addresses: dict[str, User], client_a: Client) -> RiskAlert:
    with time_machine.travel(RAISED, tick=False):
        record_response(addresses["alice"], client_a, instrument="phq9", answers=ALL_SEVERE)
    return RiskAlert.objects.get()


def run_worker(at: datetime) -> str:
    """`openipt worker --once` at a frozen moment; returns what it printed."""
    out = StringIO()
    with time_machine.travel(at, tick=False):
        call_command("worker", "--once", stdout=out)
    return out.getvalue()


def escalation_mail() -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.subject == "OpenIPT: a risk alert needs attention"]


def assert_no_clinical_details(message: mail.EmailMessage, client: Client) -> None:
    """Belt and braces beside the exact bodies below: no name, identifier, band or risk wording."""
    text = f"{message.subject}\n{message.body}".lower()
    for secret in (client.given_name, client.family_name, client.clinic_identifier, "severe", "dead", "harm"):
        assert secret.lower() not in text


# --- escalation e-mail -----------------------------------------------------------------------------


def test_the_escalation_reaches_the_supervisor_once(alert: RiskAlert, client_a: Client, bob: User) -> None:
    assert run_worker(RAISED + timedelta(minutes=59)) == "Escalated 0 alert(s); queued 0 e-mail(s) again.\n"
    assert escalation_mail() == []

    assert run_worker(DUE) == "Escalated 1 alert(s); queued 0 e-mail(s) again.\n"

    [message] = escalation_mail()
    assert message.to == ["bob@example.org"]
    assert message.body == (
        "A risk alert has not been acknowledged within 60 minutes, so it has been escalated to you. "
        "Please make sure it is followed up now and the action taken is recorded:\n\n"
        f"http://127.0.0.1:8000/alerts/{alert.pk}/acknowledge/\n\n"
        "For privacy, this e-mail holds no client details. Sign in to OpenIPT to see them.\n"
    )
    assert_no_clinical_details(message, client_a)
    escalation = AlertEscalation.objects.get()
    assert (escalation.recipients, escalation.delivery, escalation.delivered_at, escalation.error) == (
        [bob.pk],
        DeliveryStatus.SENT,
        DUE,
        "",
    )
    alert.refresh_from_db()
    assert (alert.status, alert.escalated_at) == (AlertStatus.OPEN, DUE)
    assert AuditEvent.objects.filter(action="alert.escalate", object_id=str(alert.pk)).count() == 1

    run_worker(DUE + timedelta(minutes=30))
    assert len(escalation_mail()) == 1
    assert AlertEscalation.objects.count() == 1


def test_without_a_supervisor_the_administrator_is_asked_to_find_a_clinician(
    alert: RiskAlert, client_a: Client, bob: User
) -> None:
    bob.teams.clear()
    run_worker(DUE)

    [message] = escalation_mail()
    assert message.to == ["erin@example.org"]
    assert message.body == (
        "A risk alert has not been acknowledged within 60 minutes, so it has been escalated to you. "
        "Its care team has no supervisor who can receive e-mail. Please make sure a clinician in the "
        f"team follows up alert number {alert.pk} now, and add a supervisor with an e-mail address to "
        "the team. Clinicians open the alert here:\n\n"
        f"http://127.0.0.1:8000/alerts/{alert.pk}/acknowledge/\n\n"
        "For privacy, this e-mail holds no client details. Sign in to OpenIPT to see them.\n"
    )
    assert_no_clinical_details(message, client_a)


def test_the_link_uses_the_configured_base_url(alert: RiskAlert, settings: SettingsWrapper) -> None:
    settings.OPENIPT_BASE_URL = "https://ipt.example.org/"
    run_worker(DUE)

    [message] = escalation_mail()
    assert f"\nhttps://ipt.example.org/alerts/{alert.pk}/acknowledge/\n" in message.body


def test_an_acknowledged_alert_sends_no_escalation(alert: RiskAlert, alice: User) -> None:
    acknowledge_alert(alice, alert, action_taken="Phoned the client and reviewed the safety plan.")

    run_worker(DUE)

    assert escalation_mail() == []
    assert not AlertEscalation.objects.exists()


def test_a_failing_mail_server_is_recorded_and_retried_without_touching_the_alert(
    alert: RiskAlert, settings: SettingsWrapper, caplog: pytest.LogCaptureFixture
) -> None:
    settings.EMAIL_BACKEND = BROKEN
    run_worker(DUE)

    escalation = AlertEscalation.objects.get()
    assert (escalation.delivery, escalation.delivered_at, escalation.error) == (
        DeliveryStatus.FAILED,
        None,
        "ConnectionRefusedError",
    )
    alert.refresh_from_db()
    assert (alert.status, alert.escalated_at, alert.acknowledged_at) == (AlertStatus.OPEN, DUE, None)
    assert "example.org" not in caplog.text
    assert f"Alert {alert.pk}: escalation e-mail failed (ConnectionRefusedError)" in caplog.text

    run_worker(DUE + timedelta(minutes=1))  # still broken: retried, still failed, still one escalation
    escalation.refresh_from_db()
    assert escalation.delivery == DeliveryStatus.FAILED

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = DUE + timedelta(minutes=2)
    assert run_worker(later) == "Escalated 0 alert(s); queued 1 e-mail(s) again.\n"

    escalation.refresh_from_db()
    assert (escalation.delivery, escalation.delivered_at, escalation.error) == (
        DeliveryStatus.SENT,
        later,
        "",
    )
    assert [m.to for m in escalation_mail()] == [["bob@example.org"]]
    assert AlertEscalation.objects.count() == 1


# --- the e-mail to the lead clinician when an alert is raised ---------------------------------------


def raised_mail() -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.subject == "OpenIPT: a risk alert is open"]


def test_the_lead_clinician_is_told_when_an_alert_is_raised(alert: RiskAlert, client_a: Client) -> None:
    assert raised_mail() == []  # queued after the commit, sent by the worker

    run_worker(RAISED + timedelta(minutes=1))

    [message] = raised_mail()
    assert message.to == ["alice@example.org"]
    assert message.body == (
        "A risk alert is open for a client you lead. Please review it today and record the action you "
        f"take:\n\nhttp://127.0.0.1:8000/alerts/{alert.pk}/acknowledge/\n\n"
        "For privacy, this e-mail holds no client details. Sign in to OpenIPT to see them.\n"
    )
    assert_no_clinical_details(message, client_a)
    assert escalation_mail() == []
    run_worker(RAISED + timedelta(minutes=2))
    assert len(raised_mail()) == 1


def test_no_email_when_the_alert_was_acknowledged_before_the_worker_ran(
    alert: RiskAlert, alice: User
) -> None:
    acknowledge_alert(alice, alert, action_taken="Phoned the client and reviewed the safety plan.")
    run_worker(RAISED + timedelta(minutes=1))
    assert raised_mail() == []


def test_a_failing_mail_server_never_loses_the_response_score_or_alert(
    addresses: dict[str, User], client_a: Client, settings: SettingsWrapper
) -> None:
    settings.EMAIL_BACKEND = BROKEN
    with time_machine.travel(RAISED, tick=False):
        response = record_response(addresses["alice"], client_a, instrument="phq9", answers=ALL_SEVERE)
    run_worker(RAISED + timedelta(minutes=1))

    assert Response.objects.filter(pk=response.pk).exists()
    assert Score.objects.get(response=response).total == 27
    assert RiskAlert.objects.get(response=response).status == AlertStatus.OPEN
    assert mail.outbox == []
    task = DBTaskResult.objects.get(task_path="openipt.safety.tasks.notify_alert_raised")
    assert task.return_value == "failed: ConnectionRefusedError"


def test_a_broken_task_queue_never_loses_the_response_score_or_alert(
    addresses: dict[str, User], client_a: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise ConnectionError("task queue unavailable")

    monkeypatch.setattr(DatabaseBackend, "enqueue", refuse)

    response = record_response(addresses["alice"], client_a, instrument="phq9", answers=ALL_SEVERE)

    assert Score.objects.get(response=response).total == 27
    assert RiskAlert.objects.get(response=response).status == AlertStatus.OPEN
    assert not DBTaskResult.objects.exists()


# --- the command -----------------------------------------------------------------------------------


def test_it_refuses_a_scan_interval_that_is_not_positive() -> None:
    with pytest.raises(CommandError, match="positive"):
        call_command("worker", "--scan-interval", "0")


def test_it_runs_until_sigterm_and_stops_cleanly(alert: RiskAlert, bob: User) -> None:
    worker = WorkerCommand()
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    signalled: list[bool] = []

    def stop_after_the_escalation_email() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not worker_has_sent():
            time.sleep(0.05)
        if signal.getsignal(signal.SIGTERM) == worker.request_stop:
            signalled.append(True)
            os.kill(os.getpid(), signal.SIGTERM)
        else:  # never kill the test process with a handler that is not the worker's
            worker.stop_requested = True

    def worker_has_sent() -> bool:
        return signal.getsignal(signal.SIGTERM) == worker.request_stop and bool(escalation_mail())

    stopper = threading.Thread(target=stop_after_the_escalation_email)
    with time_machine.travel(DUE, tick=True):
        stopper.start()
        call_command(worker, "--scan-interval", "0.2", stdout=StringIO())
    stopper.join()

    assert signalled == [True]
    assert [m.to for m in escalation_mail()] == [["bob@example.org"]]
    assert AlertEscalation.objects.get().delivery == DeliveryStatus.SENT
    assert {signum: signal.getsignal(signum) for signum in before} == before

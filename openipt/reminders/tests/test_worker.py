"""Reminders through the real database task backend: `openipt send_reminders` queues them and
`openipt worker` sends them. These tests commit (transaction=True), as production does."""

from __future__ import annotations

import threading
from datetime import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings as SettingsWrapper

from openipt.accounts.models import User
from openipt.clients.models import Client
from openipt.reminders.models import ReminderDelivery
from openipt.reminders.scan import ScanResult, send_due_reminders

from .conftest import DAY_BEFORE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def database_tasks(immediate_tasks: None, settings: SettingsWrapper) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}


def command(*args: str, at: datetime = DAY_BEFORE) -> str:
    out = StringIO()
    with time_machine.travel(at, tick=False):
        call_command(*args, stdout=out)
    return out.getvalue()


def test_send_reminders_queues_and_the_worker_sends(portal_user: User, emailed: Client) -> None:
    assert command("send_reminders") == "Queued 1 reminder(s); queued 0 again.\n"
    assert mail.outbox == [] and DBTaskResult.objects.count() == 1
    assert ReminderDelivery.objects.get().status == "queued"

    command("worker", "--once")

    [message] = mail.outbox
    assert message.to == ["maya@example.org"]
    assert ReminderDelivery.objects.get().status == "sent"
    assert command("send_reminders") == "Queued 0 reminder(s); queued 0 again.\n"


def test_the_worker_alone_finds_and_sends_them(portal_user: User, emailed: Client) -> None:
    """`openipt worker` runs the reminder scan beside the escalation scan: no cron needed."""
    command("worker", "--once")

    [message] = mail.outbox
    assert message.to == ["maya@example.org"]
    assert ReminderDelivery.objects.get().status == "sent"
    command("worker", "--once")
    assert len(mail.outbox) == 1


def test_two_scans_at_once_log_one_reminder(portal_user: User) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL only (the unique key is shown in test_scan.py)")
    barrier = threading.Barrier(4)
    results: list[ScanResult] = []

    def scan() -> None:
        try:
            barrier.wait()
            results.append(send_due_reminders(DAY_BEFORE))
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(r.queued for r in results) == 1
    assert ReminderDelivery.objects.count() == 1 and DBTaskResult.objects.count() == 1

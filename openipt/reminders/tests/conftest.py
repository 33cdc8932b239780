from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from openipt.accounts.models import User
from openipt.clients.models import Client
from openipt.portal import actions as portal_actions
from openipt.reminders.scan import ScanResult, send_due_reminders
from openipt.reminders.sms import LocmemBackend

NEW_PASSWORD = "kettle meadow lantern 318"

# Session 2 of course_a is on Monday 9 March 2026; Northside is in Europe/London (UTC+0 in March).
DAY_BEFORE = datetime(2026, 3, 8, 10, 5, tzinfo=UTC)
TWO_DAYS_BEFORE = datetime(2026, 3, 7, 10, 5, tzinfo=UTC)

# Words that would tell a reader of a lock screen what the messages are about.
CLINICAL_WORDS = (
    "phq",
    "gad",
    "epds",
    "depress",
    "anxi",
    "suicid",
    "self-harm",
    "mood",
    "risk",
    "score",
    "therap",
    "diagnos",
    "grief",
    "dispute",
    "ipt",
    "psych",
    "mental",
    "clinic",
    "crisis",
    "homework",
    "patient",
)


def assert_no_clinical_text(text: str, *names: str) -> None:
    """No clinical word, and none of the names given (client, clinician, organisation)."""
    lower = text.lower()
    for word in (*CLINICAL_WORDS, *(n.lower() for n in names if n)):
        assert not re.search(rf"\b{re.escape(word)}", lower), f"{word!r} in {text!r}"


def names_of(client: Client) -> tuple[str, ...]:
    return (
        client.given_name,
        client.family_name,
        client.clinic_identifier,
        client.clinician.first_name,
        client.organisation.name,
    )


def join_portal(alice: User, client: Client) -> User:
    """The client's portal user, after an invitation by printed code and joining with it."""
    invited = portal_actions.invite(alice, client, kind="code")
    return portal_actions.join(code=invited.secret, password=NEW_PASSWORD).user


@pytest.fixture(autouse=True)
def immediate_tasks(settings: SettingsWrapper) -> None:
    """Queued tasks run as soon as they are queued; texts go to LocmemBackend.outbox."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.OPENIPT_SMS_BACKEND = "openipt.reminders.sms.LocmemBackend"
    LocmemBackend.outbox.clear()


@pytest.fixture
def emailed(client_a: Client) -> Client:
    Client.objects.filter(pk=client_a.pk).update(email="maya@example.org")
    client_a.refresh_from_db()
    return client_a


@pytest.fixture
def portal_user(alice: User, emailed: Client, course_a: Any) -> User:
    """Alice's client, with an e-mail address, a course and portal access."""
    return join_portal(alice, emailed)


@pytest.fixture
def scan(django_capture_on_commit_callbacks: Callable[..., Any]) -> Callable[[datetime], ScanResult]:
    """Run the scan at a frozen moment, then the tasks it queued (as the worker would)."""

    def run(at: datetime) -> ScanResult:
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            return send_due_reminders(timezone.now())

    return run

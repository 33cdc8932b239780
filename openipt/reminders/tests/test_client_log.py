"""The care team's log of reminders sent to a client: when, what kind, how it went; no content."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openipt.accounts.models import User
from openipt.clients.models import Client
from openipt.courses.models import Course
from openipt.reminders.actions import save_preference
from openipt.reminders.models import ReminderDelivery
from openipt.reminders.scan import ScanResult

from .conftest import DAY_BEFORE, TWO_DAYS_BEFORE


def url(client: Client) -> str:
    return f"/reminders/clients/{client.pk}/"


def as_user(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def sent(portal_user: User, emailed: Client, scan: Callable[..., ScanResult]) -> Client:
    save_preference(portal_user, emailed, how="sms", phone="+447700900123")
    scan(TWO_DAYS_BEFORE)
    scan(DAY_BEFORE)
    return emailed


def test_the_care_team_sees_what_was_sent_and_when(alice: User, sent: Client) -> None:
    response = as_user(alice).get(url(sent))

    assert response.status_code == 200
    page = response.content.decode()
    assert "The client chose reminders by text message." in page
    assert page.count("Text message") == 2 and page.count('<td data-label="Status"><span>Sent') == 2
    assert "Session reminder" in page and "Questionnaire reminder" in page
    assert "Mon 9 Mar 2026" in page and "Sun 8 Mar 2026, 10:05" in page
    # no content and no contact details
    for hidden in (
        "900123",
        "maya@example.org",
        "tomorrow",
        "waiting for you",
        "http://127.0.0.1:8000/portal",
    ):
        assert hidden not in page


def test_a_failure_shows_its_error_class_and_attempts(alice: User, sent: Client) -> None:
    ReminderDelivery.objects.filter(kind="session").update(
        status="failed", attempts=3, error="SMTPServerDisconnected"
    )

    page = as_user(alice).get(url(sent)).content.decode()

    assert "Failed · 3 attempts" in page and "(SMTPServerDisconnected)" in page


def test_the_page_says_when_nothing_can_be_sent(alice: User, client_a: Client, course_a: Course) -> None:
    page = as_user(alice).get(url(client_a)).content.decode()

    assert "The client has no open portal access, so no reminders are sent." in page
    assert "No reminder has been sent to this client yet." in page


def test_the_default_is_said_for_a_client_who_has_not_chosen(
    alice: User, portal_user: User, emailed: Client
) -> None:
    page = as_user(alice).get(url(emailed)).content.decode()

    assert "Reminders by e-mail (the default when a client joins the portal)." in page


def test_the_supervisor_reads_it_too(bob: User, sent: Client) -> None:
    assert as_user(bob).get(url(sent)).status_code == 200


@pytest.mark.parametrize("who", ["dave", "charlie"])
def test_another_team_or_organisation_gets_404(everyone: dict[str, User], sent: Client, who: str) -> None:
    response = as_user(everyone[who]).get(url(sent))

    assert response.status_code == 404
    assert "Session reminder" not in response.content.decode()


def test_an_administrator_without_emergency_access_and_the_client_are_refused(
    erin: User, portal_user: User, sent: Client
) -> None:
    assert as_user(erin).get(url(sent)).status_code == 403
    assert as_user(portal_user).get(url(sent)).status_code == 403


def test_an_unknown_client_is_404(alice: User) -> None:
    assert as_user(alice).get("/reminders/clients/999999/").status_code == 404


def test_the_page_takes_the_same_number_of_queries_for_more_reminders(alice: User, sent: Client) -> None:
    http = as_user(alice)
    with CaptureQueriesContext(connection) as two:
        http.get(url(sent))
    for n in range(10):
        ReminderDelivery.objects.create(
            client=sent,
            kind="session",
            session_ref=1000 + n,
            session_date=date(2026, 4, 1) + timedelta(days=n),
            channel="email",
            status="sent",
            attempts=1,
            sent_at=timezone.now(),
        )
    with CaptureQueriesContext(connection) as twelve:
        page = http.get(url(sent)).content.decode()

    assert page.count("Session reminder") == 11
    assert len(twelve) == len(two)

"""The reminder scan at frozen moments: who is reminded of what, when, once, and what a failure does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from openipt.accounts.models import Organisation, Team, User
from openipt.audit.models import AuditEvent
from openipt.clients.actions import create_client
from openipt.clients.models import Client
from openipt.courses.actions import start_course
from openipt.courses.models import Attendance, Course, CourseStatus, Session
from openipt.measures.actions import record_response
from openipt.measures.instruments import HAMD17, INSTRUMENTS
from openipt.portal.actions import revoke
from openipt.reminders import scan as scan_module
from openipt.reminders.actions import save_preference
from openipt.reminders.models import ReminderDelivery, ReminderStatus
from openipt.reminders.scan import MAX_ATTEMPTS, ScanResult, scan_reminders, send_due_reminders
from openipt.reminders.sms import LocmemBackend
from openipt.reminders.tasks import deliver_reminder

from .conftest import DAY_BEFORE, TWO_DAYS_BEFORE, assert_no_clinical_text, join_portal, names_of

Scan = Callable[[datetime], ScanResult]
BROKEN = "openipt.reminders.tests.test_scan.BrokenEmailBackend"


class BrokenEmailBackend(BaseEmailBackend):
    """A mail server that refuses every message, naming the address in the error as SMTP servers do."""

    def send_messages(self, email_messages: object) -> int:
        raise ConnectionRefusedError("smtp.example.org refused mail for maya@example.org")


def session(course: Course, number: int) -> Session:
    return course.sessions.get(number=number)


# --- a session tomorrow ---------------------------------------------------------------------------


def test_a_session_tomorrow_sends_one_email_without_clinical_details(
    portal_user: User, emailed: Client, scan: Scan
) -> None:
    assert scan(DAY_BEFORE) == ScanResult(queued=1, requeued=0)

    [message] = mail.outbox
    assert message.to == ["maya@example.org"]
    assert message.subject == "Reminder: you have a session tomorrow, Mon 9 Mar"
    assert "You have a session tomorrow, Monday 9 March." in message.body
    assert "http://127.0.0.1:8000/portal/" in message.body
    assert "http://127.0.0.1:8000/portal/reminders/" in message.body
    assert_no_clinical_text(f"{message.subject}\n{message.body}", *names_of(emailed))
    delivery = ReminderDelivery.objects.get()
    assert (delivery.kind, delivery.channel, delivery.status) == ("session", "email", "sent")
    assert delivery.session_date == date(2026, 3, 9) and delivery.attempts == 1
    assert delivery.sent_at == DAY_BEFORE and delivery.error == ""
    event = AuditEvent.objects.get(action="reminder.queue")
    assert event.client_id == emailed.pk and "maya" not in str(event.__dict__)


def test_a_second_scan_sends_nothing_more(portal_user: User, scan: Scan) -> None:
    scan(DAY_BEFORE)

    assert scan(DAY_BEFORE + timedelta(minutes=1)) == ScanResult(queued=0, requeued=0)
    assert scan(DAY_BEFORE + timedelta(hours=5)) == ScanResult(queued=0, requeued=0)

    assert len(mail.outbox) == 1
    assert ReminderDelivery.objects.count() == 1


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 3, 8, 9, 59, tzinfo=UTC),  # before 10:00
        datetime(2026, 3, 8, 21, 0, tzinfo=UTC),  # from 21:00 nothing is sent
        datetime(2026, 3, 9, 10, 5, tzinfo=UTC),  # the day itself: not "tomorrow" any more
    ],
)
def test_nothing_is_sent_outside_the_days_window(portal_user: User, scan: Scan, at: datetime) -> None:
    assert scan(at) == ScanResult(queued=0, requeued=0)
    assert mail.outbox == [] and not ReminderDelivery.objects.exists()


def test_the_lead_time_and_hour_are_settings(
    portal_user: User, scan: Scan, settings: SettingsWrapper
) -> None:
    settings.OPENIPT_REMINDER_SESSION_DAYS = 0
    settings.OPENIPT_REMINDER_HOUR = 7

    scan(datetime(2026, 3, 9, 7, 0, tzinfo=UTC))

    [message] = mail.outbox
    assert "You have a session today, Monday 9 March." in message.body


def test_a_moved_session_is_reminded_of_again(portal_user: User, course_a: Course, scan: Scan) -> None:
    scan(DAY_BEFORE)
    Session.objects.filter(pk=session(course_a, 2).pk).update(scheduled_date=date(2026, 3, 10))

    scan(DAY_BEFORE + timedelta(days=1))

    assert [m.subject for m in mail.outbox] == [
        "Reminder: you have a session tomorrow, Mon 9 Mar",
        "Reminder: you have a session tomorrow, Tue 10 Mar",
    ]
    assert ReminderDelivery.objects.filter(session_ref=session(course_a, 2).pk).count() == 2


# --- questionnaires due -------------------------------------------------------------------------


def test_a_questionnaire_due_is_reminded_two_days_before_without_naming_it(
    portal_user: User, emailed: Client, course_a: Course, scan: Scan
) -> None:
    scan(TWO_DAYS_BEFORE)

    [message] = mail.outbox
    assert message.subject == "A short questionnaire is waiting for you"
    assert "A short questionnaire is waiting for you before your next session, on Monday 9 March." in (
        message.body
    )
    assert_no_clinical_text(f"{message.subject}\n{message.body}", *names_of(emailed))
    delivery = ReminderDelivery.objects.get()
    assert (delivery.kind, delivery.session_ref) == ("questionnaires", session(course_a, 2).pk)


def test_two_questionnaires_due_say_how_many_but_not_which(
    portal_user: User, course_a: Course, scan: Scan
) -> None:
    # Session 4 owes the PHQ-9 and the GAD-7 (every fourth session); sessions 2 and 3 were held.
    Session.objects.filter(course=course_a, number__in=[2, 3]).update(attendance=Attendance.ATTENDED)

    scan(datetime(2026, 3, 21, 10, 5, tzinfo=UTC))

    [message] = mail.outbox
    assert "2 short questionnaires are waiting for you before your next session" in message.body
    assert "gad" not in message.body.lower() and "phq" not in message.body.lower()


def test_no_questionnaire_reminder_once_it_is_answered(
    portal_user: User, alice: User, emailed: Client, course_a: Course, scan: Scan
) -> None:
    with time_machine.travel(TWO_DAYS_BEFORE - timedelta(hours=2), tick=False):
        record_response(alice, emailed, instrument="phq9", answers=[0] * 9, session=session(course_a, 2))

    scan(TWO_DAYS_BEFORE)

    assert mail.outbox == []


@pytest.mark.parametrize("instrument", [None, HAMD17, INSTRUMENTS["qids_sr16"], INSTRUMENTS["cssrs_screen"]])
def test_only_questionnaires_the_portal_offers_count(
    portal_user: User, scan: Scan, monkeypatch: pytest.MonkeyPatch, instrument: Any
) -> None:
    """Not one the clinic may not administer (None), nor one the clinician rates (HAM-D), nor one
    the portal does not offer because questions follow its risk item (QIDS-SR16, C-SSRS screener):
    a reminder never points to a questionnaire the client cannot find."""
    monkeypatch.setattr(
        "openipt.portal.questionnaires.administrable", lambda organisation_id, key: instrument
    )

    scan(TWO_DAYS_BEFORE)

    assert mail.outbox == []


# --- who is not reminded ------------------------------------------------------------------------


def test_a_client_who_turned_reminders_off_gets_nothing(
    portal_user: User, emailed: Client, scan: Scan
) -> None:
    save_preference(portal_user, emailed, how="off", phone="")

    scan(TWO_DAYS_BEFORE)
    scan(DAY_BEFORE)

    assert mail.outbox == [] and LocmemBackend.outbox == []
    assert not ReminderDelivery.objects.exists()


def test_a_client_without_portal_access_gets_nothing(emailed: Client, course_a: Course, scan: Scan) -> None:
    scan(DAY_BEFORE)

    assert mail.outbox == [] and not ReminderDelivery.objects.exists()


def test_a_client_whose_portal_access_was_closed_gets_nothing(
    portal_user: User, alice: User, emailed: Client, scan: Scan
) -> None:
    revoke(alice, emailed)

    scan(DAY_BEFORE)

    assert mail.outbox == []


def test_a_client_without_an_email_address_gets_no_email(
    portal_user: User, emailed: Client, scan: Scan
) -> None:
    Client.objects.filter(pk=emailed.pk).update(email="")

    scan(DAY_BEFORE)

    assert mail.outbox == [] and not ReminderDelivery.objects.exists()


def test_an_ended_course_gets_nothing(portal_user: User, course_a: Course, scan: Scan) -> None:
    Course.objects.filter(pk=course_a.pk).update(status=CourseStatus.COMPLETED, ended_on=date(2026, 3, 5))

    scan(TWO_DAYS_BEFORE)
    scan(DAY_BEFORE)

    assert mail.outbox == []


def test_a_cancelled_session_gets_nothing(portal_user: User, course_a: Course, scan: Scan) -> None:
    Session.objects.filter(pk=session(course_a, 2).pk).update(attendance=Attendance.CANCELLED)

    scan(DAY_BEFORE)

    assert mail.outbox == []


def test_a_session_cancelled_after_queueing_is_skipped(
    portal_user: User, course_a: Course, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with (
        time_machine.travel(DAY_BEFORE, tick=False),
        django_capture_on_commit_callbacks(execute=False) as queued,
    ):
        send_due_reminders(timezone.now())
    Session.objects.filter(pk=session(course_a, 2).pk).update(attendance=Attendance.CANCELLED)

    with time_machine.travel(DAY_BEFORE + timedelta(seconds=5), tick=False):
        for callback in queued:
            callback()

    assert mail.outbox == []
    assert ReminderDelivery.objects.get().status == ReminderStatus.SKIPPED


# --- text messages ------------------------------------------------------------------------------


def test_a_client_who_chose_text_messages_gets_a_text_without_clinical_details(
    portal_user: User, emailed: Client, scan: Scan
) -> None:
    save_preference(portal_user, emailed, how="sms", phone="+44 7700 900123")

    scan(TWO_DAYS_BEFORE)
    scan(DAY_BEFORE)

    assert mail.outbox == []
    questionnaire, reminder = LocmemBackend.outbox
    assert reminder.to == questionnaire.to == "+447700900123"
    assert reminder.body == (
        "Reminder: you have a session tomorrow, Mon 9 Mar. Details: http://127.0.0.1:8000/portal/"
    )
    assert questionnaire.body == (
        "A short questionnaire is waiting for you before your next session. http://127.0.0.1:8000/portal/"
    )
    for text in LocmemBackend.outbox:
        assert_no_clinical_text(text.body, *names_of(emailed))
        assert len(text.body) <= 160
    assert set(ReminderDelivery.objects.values_list("channel", "status")) == {("sms", "sent")}


# --- failures and retries -----------------------------------------------------------------------


def test_a_failed_send_is_logged_and_retried_up_to_the_limit(
    portal_user: User, scan: Scan, settings: SettingsWrapper
) -> None:
    settings.EMAIL_BACKEND = BROKEN

    scan(DAY_BEFORE)
    delivery = ReminderDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.error) == ("failed", 1, "ConnectionRefusedError")
    assert delivery.sent_at is None

    assert scan(DAY_BEFORE + timedelta(minutes=2)).requeued == 0  # not straight away
    for minutes in (6, 12, 18, 24):
        scan(DAY_BEFORE + timedelta(minutes=minutes))

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", MAX_ATTEMPTS)
    assert "maya" not in str(ReminderDelivery.objects.values().get())
    assert ReminderDelivery.objects.count() == 1 and mail.outbox == []


def test_switching_to_text_messages_after_the_email_went_does_not_remind_again(
    portal_user: User, emailed: Client, scan: Scan
) -> None:
    scan(DAY_BEFORE)
    assert len(mail.outbox) == 1
    save_preference(portal_user, emailed, how="sms", phone="+447700900123")

    scan(DAY_BEFORE + timedelta(minutes=5))

    assert LocmemBackend.outbox == [] and len(mail.outbox) == 1
    assert ReminderDelivery.objects.count() == 1


def test_a_retry_that_succeeds_is_sent_once(portal_user: User, scan: Scan, settings: SettingsWrapper) -> None:
    settings.EMAIL_BACKEND = BROKEN
    scan(DAY_BEFORE)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert scan(DAY_BEFORE + timedelta(minutes=6)) == ScanResult(queued=0, requeued=1)
    scan(DAY_BEFORE + timedelta(minutes=12))

    delivery = ReminderDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.error) == ("sent", 2, "")
    assert len(mail.outbox) == 1


def test_a_failure_is_not_retried_once_its_day_has_passed(
    portal_user: User, scan: Scan, settings: SettingsWrapper
) -> None:
    settings.EMAIL_BACKEND = BROKEN
    scan(datetime(2026, 3, 8, 20, 58, tzinfo=UTC))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert scan(datetime(2026, 3, 8, 21, 5, tzinfo=UTC)).requeued == 0

    assert mail.outbox == [] and ReminderDelivery.objects.get().status == "failed"


def test_a_lost_task_is_queued_again(
    portal_user: User, scan: Scan, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with time_machine.travel(DAY_BEFORE, tick=False), django_capture_on_commit_callbacks(execute=False):
        send_due_reminders(timezone.now())  # the worker stops before the task is queued

    assert scan(DAY_BEFORE + timedelta(minutes=5)).requeued == 0
    assert scan(DAY_BEFORE + timedelta(minutes=11)).requeued == 1

    assert len(mail.outbox) == 1 and ReminderDelivery.objects.get().attempts == 1


def test_an_attempt_that_never_finished_counts_as_failed(portal_user: User, scan: Scan) -> None:
    with time_machine.travel(DAY_BEFORE, tick=False):
        send_due_reminders(timezone.now())  # queued; callbacks never run (the test's transaction)
    ReminderDelivery.objects.update(attempts=1, last_attempt_at=DAY_BEFORE)  # started, then the worker died

    scan(DAY_BEFORE + timedelta(minutes=11))
    assert (ReminderDelivery.objects.get().status, ReminderDelivery.objects.get().error) == (
        "failed",
        "Interrupted",
    )
    scan(DAY_BEFORE + timedelta(minutes=17))

    assert ReminderDelivery.objects.get().status == "sent" and len(mail.outbox) == 1


def test_a_task_run_twice_sends_once(
    portal_user: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with time_machine.travel(DAY_BEFORE, tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            send_due_reminders(timezone.now())
        delivery = ReminderDelivery.objects.get()

        assert deliver_reminder.call(delivery.pk) == "sent"
        assert deliver_reminder.call(delivery.pk) == "taken"

    assert len(mail.outbox) == 1


def test_the_scan_runs_as_a_task_too(portal_user: User, scan: Scan) -> None:
    with time_machine.travel(DAY_BEFORE, tick=False):
        assert scan_reminders.call() == "queued 1, queued again 0"

    assert ReminderDelivery.objects.get().kind == "session"


# --- races --------------------------------------------------------------------------------------


def test_two_scans_racing_log_and_send_one_reminder(
    portal_user: User, scan: Scan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both scans see no log row (as when they run at the same moment); the unique key lets one win."""
    monkeypatch.setattr(scan_module, "logged_keys", lambda due: set())

    first = scan(DAY_BEFORE)
    second = scan(DAY_BEFORE)

    assert (first.queued, second.queued) == (1, 0)
    assert ReminderDelivery.objects.count() == 1 and len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="reminder.queue").count() == 1


# --- time zones ---------------------------------------------------------------------------------


def test_tomorrow_is_tomorrow_in_the_organisations_time_zone(
    portal_user: User, north: Organisation, scan: Scan
) -> None:
    Organisation.objects.filter(pk=north.pk).update(time_zone="America/New_York")  # UTC-4 from 8 March

    # Sunday 15 March 06:30 in New York (10:30 UTC): before 10:00 there.
    assert scan(datetime(2026, 3, 15, 10, 30, tzinfo=UTC)).queued == 0
    # Sunday 15 March 20:30 in New York, already Monday 16 March in UTC: session 3 is tomorrow there.
    assert scan(datetime(2026, 3, 16, 0, 30, tzinfo=UTC)).queued == 1

    [message] = mail.outbox
    assert "You have a session tomorrow, Monday 16 March." in message.body


@pytest.mark.parametrize("at", [TWO_DAYS_BEFORE, DAY_BEFORE])
def test_the_scan_takes_the_same_number_of_queries_for_more_clients(
    alice: User, north_team: Team, portal_user: User, scan: Scan, at: datetime
) -> None:
    def queries() -> int:
        with (
            time_machine.travel(at + timedelta(minutes=1), tick=False),
            CaptureQueriesContext(connection) as ctx,
        ):
            send_due_reminders(timezone.now())
        return len(ctx)

    scan(at)
    one = queries()
    for n in range(3):
        client = create_client(
            alice,
            team=north_team,
            clinic_identifier=f"NS-{n + 10}",
            given_name="Tomas",
            family_name=f"Reyes{n}",
            preferred_name="",
            date_of_birth=date(1990, 1, 1),
            email=f"tomas{n}@example.org",
            phone="",
            locale="en-gb",
        )
        start_course(alice, client, protocol_key="ipt-standard", start_date=date(2026, 3, 2))
        join_portal(alice, client)
    scan(at)

    assert ReminderDelivery.objects.count() == 4 and len(mail.outbox) == 4
    assert queries() == one

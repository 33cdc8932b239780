"""The client's reminders page in the portal: see what is sent, choose e-mail, text or none."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client as HttpClient

from openipt.accounts.models import Team, User
from openipt.audit.models import AuditEvent
from openipt.clients.actions import create_client
from openipt.clients.models import Client
from openipt.courses.models import Course, CourseStatus
from openipt.reminders.models import ReminderPreference

from .conftest import assert_no_clinical_text, join_portal, names_of

URL = "/portal/reminders/"


@pytest.fixture
def http(portal_user: User) -> HttpClient:
    browser = HttpClient()
    browser.force_login(portal_user)
    return browser


def test_a_new_client_gets_email_reminders_and_sees_what_they_say(http: HttpClient, emailed: Client) -> None:
    with time_machine.travel(datetime(2026, 3, 5, 12, 0, tzinfo=UTC), tick=False):
        response = http.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Reminders by e-mail to maya@example.org." in page
    assert "E-mail reminders start when you join." in page
    assert '<input type="radio" name="how" value="email" id="id_how_0" required checked>' in page
    assert "A session reminder comes 1 day before the session, from 10:00." in page
    # the reminders of the next session, exactly as they will be sent
    assert "You have a session tomorrow, Monday 9 March." in page
    assert "A short questionnaire is waiting for you before your next session, on Monday 9 March." in page
    examples = page[page.index("<h3>") : page.index("Back to home")]
    assert_no_clinical_text(examples, *names_of(emailed))
    assert 'href="/portal/crisis/"' in page
    assert "<script" not in page and "style=" not in page


def test_choosing_text_messages_saves_the_number_in_international_form(
    http: HttpClient, emailed: Client, portal_user: User
) -> None:
    response = http.post(URL, {"how": "sms", "phone": "+44 7700-900 (123)"})

    assert response.status_code == 302 and response["Location"] == URL
    preference = ReminderPreference.objects.get(client=emailed)
    assert (preference.enabled, preference.channel, preference.phone) == (True, "sms", "+447700900123")
    event = AuditEvent.objects.get(action="portal.reminders")
    assert event.client_id == emailed.pk and event.actor_id == portal_user.pk
    assert "7700" not in str(event.__dict__)
    page = http.get(URL).content.decode()
    assert "Reminders by text message to your number ending 123." in page
    assert "Reminder: you have a session" in page


def test_a_number_starting_00_counts_as_international(http: HttpClient, emailed: Client) -> None:
    http.post(URL, {"how": "sms", "phone": "0044 7700 900123"})

    assert ReminderPreference.objects.get(client=emailed).phone == "+447700900123"


@pytest.mark.parametrize(
    "phone",
    [
        "07700 900123",
        "+44 7700 9001234567890",
        "+0 7700 900123",
        "call me",
        "+44",
        "+44 ７７００ ９００１２３",
    ],
)
def test_a_number_that_is_not_international_is_refused(http: HttpClient, emailed: Client, phone: str) -> None:
    response = http.post(URL, {"how": "sms", "phone": phone})

    assert response.status_code == 400
    assert "Type your mobile number with its country code, starting with +" in response.content.decode()
    assert phone.replace("+", "") in response.content.decode().replace("+", "")  # kept for correcting
    assert not ReminderPreference.objects.exists()
    assert not AuditEvent.objects.filter(action="portal.reminders").exists()


def test_text_messages_need_a_number(http: HttpClient) -> None:
    response = http.post(URL, {"how": "sms", "phone": ""})

    assert response.status_code == 400
    assert "Type the mobile number the text messages should go to." in response.content.decode()
    assert not ReminderPreference.objects.exists()


def test_email_needs_an_address_on_the_record(http: HttpClient, emailed: Client) -> None:
    Client.objects.filter(pk=emailed.pk).update(email="")

    page = http.get(URL).content.decode()
    assert "your clinic has no e-mail address for you" in page
    response = http.post(URL, {"how": "email", "phone": ""})

    assert response.status_code == 400
    assert "Your clinic has no e-mail address for you." in response.content.decode()
    assert not ReminderPreference.objects.exists()


@pytest.mark.parametrize("how", ["", "pigeon"])
def test_a_choice_out_of_range_is_refused(http: HttpClient, how: str) -> None:
    assert http.post(URL, {"how": how, "phone": ""}).status_code == 400
    assert not ReminderPreference.objects.exists()


def test_turning_reminders_off_keeps_the_channel_for_later(http: HttpClient, emailed: Client) -> None:
    http.post(URL, {"how": "sms", "phone": "+447700900123"})

    http.post(URL, {"how": "off", "phone": "+447700900123"})

    preference = ReminderPreference.objects.get(client=emailed)
    assert (preference.enabled, preference.channel) == (False, "sms")
    assert "No reminders. You can turn them on below." in http.get(URL).content.decode()


def test_reminders_can_be_turned_off_whatever_is_in_the_number_field(
    http: HttpClient, emailed: Client
) -> None:
    http.post(URL, {"how": "sms", "phone": "+447700900123"})

    response = http.post(URL, {"how": "off", "phone": "07700 900123"})  # not international

    assert response.status_code == 302
    preference = ReminderPreference.objects.get(client=emailed)
    assert (preference.enabled, preference.phone) == (False, "+447700900123")  # the stored one stays


def test_reminders_can_be_turned_off_after_the_course_ended(
    http: HttpClient, emailed: Client, course_a: Course
) -> None:
    Course.objects.filter(pk=course_a.pk).update(status=CourseStatus.COMPLETED, ended_on=date(2026, 6, 1))

    assert http.post(URL, {"how": "off", "phone": ""}).status_code == 302

    assert ReminderPreference.objects.get(client=emailed).enabled is False


def test_the_number_on_the_record_is_offered_when_it_is_international(
    http: HttpClient, emailed: Client
) -> None:
    Client.objects.filter(pk=emailed.pk).update(phone="+44 7700 900456")

    assert 'value="+447700900456"' in http.get(URL).content.decode()


def test_the_page_is_the_clients_own(
    http: HttpClient, alice: User, north_team: Team, emailed: Client, portal_user: User
) -> None:
    other = create_client(
        alice,
        team=north_team,
        clinic_identifier="NS-2",
        given_name="Tomas",
        family_name="Reyes",
        preferred_name="",
        date_of_birth=date(1990, 1, 1),
        email="tomas@example.org",
        phone="",
        locale="en-gb",
    )
    theirs = HttpClient()
    theirs.force_login(join_portal(alice, other))
    theirs.post(URL, {"how": "sms", "phone": "+447700900999"})

    page = http.get(URL).content.decode()
    assert "maya@example.org" in page and "tomas@example.org" not in page and "900999" not in page
    http.post(URL, {"how": "off", "phone": ""})

    assert ReminderPreference.objects.get(client=other).enabled is True
    assert ReminderPreference.objects.get(client=emailed).enabled is False


def test_staff_cannot_use_the_clients_page(alice: User) -> None:
    staff = HttpClient()
    staff.force_login(alice)

    assert staff.get(URL).status_code == 403
    assert staff.post(URL, {"how": "off", "phone": ""}).status_code == 403
    assert not ReminderPreference.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in() -> None:
    response = HttpClient().get(URL)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

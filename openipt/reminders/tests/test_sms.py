"""The text-message backends, how one is chosen, and the system checks on the settings."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from pytest_django.fixtures import Settings as SettingsWrapper

from openipt.reminders.checks import check_lead_times, check_sms_backend
from openipt.reminders.sms import ConsoleBackend, LocmemBackend, TextMessage, get_backend, mask, send_sms


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("+447700900123", "+*********123"),
        ("+44 7700 900123", "+** **** ***123"),
        ("123", "123"),
        ("", ""),
    ],
)
def test_mask_hides_all_but_the_last_three_digits(number: str, masked: str) -> None:
    assert mask(number) == masked


def test_the_console_backend_prints_the_message_with_the_number_masked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ConsoleBackend().send("+447700900123", "Reminder: you have a session tomorrow.")

    out = capsys.readouterr().out
    assert "SMS to +*********123" in out and "Reminder: you have a session tomorrow." in out
    assert "7700900" not in out


def test_the_console_backend_is_the_default(settings: SettingsWrapper) -> None:
    del settings.OPENIPT_SMS_BACKEND

    assert isinstance(get_backend(), ConsoleBackend)


def test_the_locmem_backend_keeps_messages() -> None:
    send_sms("+447700900123", "Hello")  # the tests' setting: LocmemBackend

    assert LocmemBackend.outbox == [TextMessage("+447700900123", "Hello")]


def test_a_backend_that_cannot_be_imported_says_what_to_fix(settings: SettingsWrapper) -> None:
    settings.OPENIPT_SMS_BACKEND = "openipt.reminders.sms.NoSuchBackend"

    with pytest.raises(
        ImproperlyConfigured, match=re.escape("OPENIPT_SMS_BACKEND is 'openipt.reminders.sms.NoSuchBackend'")
    ):
        get_backend()
    [error] = check_sms_backend()
    assert error.id == "reminders.E001" and "dotted path" in error.msg


def test_a_class_that_is_not_a_backend_is_refused(settings: SettingsWrapper) -> None:
    settings.OPENIPT_SMS_BACKEND = "openipt.reminders.sms.TextMessage"

    with pytest.raises(
        ImproperlyConfigured, match=re.escape("not a subclass of openipt.reminders.sms.BaseSmsBackend")
    ):
        get_backend()


def test_openipt_check_fails_on_a_wrong_backend(settings: SettingsWrapper) -> None:
    settings.OPENIPT_SMS_BACKEND = "nowhere.Backend"

    with pytest.raises(SystemCheckError, match=re.escape("reminders.E001")):
        call_command("check")


def test_the_shipped_settings_pass_the_checks() -> None:
    assert check_sms_backend() == [] and check_lead_times() == []


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("OPENIPT_REMINDER_SESSION_DAYS", -1, "reminders.E002"),
        ("OPENIPT_REMINDER_QUESTIONNAIRE_DAYS", 15, "reminders.E002"),
        ("OPENIPT_REMINDER_HOUR", 21, "reminders.E003"),
        ("OPENIPT_REMINDER_HOUR", -1, "reminders.E003"),
    ],
)
def test_lead_times_out_of_range_are_refused(
    settings: SettingsWrapper, name: str, value: int, code: str
) -> None:
    setattr(settings, name, value)

    [error] = check_lead_times()
    assert error.id == code and name in error.msg

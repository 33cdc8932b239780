"""Every reminder, in every form and language: nothing that says what the care is about."""

from __future__ import annotations

from datetime import date

import pytest

from openipt.clients.models import LOCALE_CHOICES
from openipt.reminders.content import message_for
from openipt.reminders.models import ReminderKind

from .conftest import assert_no_clinical_text

CASES = [
    (kind, days, count, locale)
    for kind in ReminderKind.values
    for days in (0, 1, 2, 7)
    for count in (1, 2, 3)
    for locale, _name in LOCALE_CHOICES
]


@pytest.mark.parametrize(("kind", "days", "count", "locale"), CASES)
def test_no_reminder_says_what_the_care_is_about(kind: str, days: int, count: int, locale: str) -> None:
    message = message_for(kind, date(2026, 3, 9), days, count, locale)

    for text in (message.subject, message.body, message.sms):
        assert_no_clinical_text(text)
        assert "questionnaire" in text.lower() or "session" in text.lower()
    assert len(message.sms) <= 160
    assert "http://127.0.0.1:8000/portal/" in message.body and "http://127.0.0.1:8000/portal/" in message.sms


@pytest.mark.parametrize(
    ("days", "said"),
    [(0, "today, Monday 9 March"), (1, "tomorrow, Monday 9 March"), (3, "on Monday 9 March")],
)
def test_a_session_reminder_says_when(days: int, said: str) -> None:
    message = message_for(ReminderKind.SESSION, date(2026, 3, 9), days, 0, "en-gb")

    assert f"You have a session {said}." in message.body


def test_the_checker_catches_clinical_words() -> None:
    with pytest.raises(AssertionError):
        assert_no_clinical_text("Your PHQ-9 depression questionnaire is due")
    with pytest.raises(AssertionError):
        assert_no_clinical_text("Hello Maya", "Maya")

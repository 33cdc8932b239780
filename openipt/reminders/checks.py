"""System checks for the reminder settings (`openipt check`): a wrong setting fails at start-up,
not at the first reminder."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

from .due import LATEST_HOUR
from .sms import get_backend


@register()
def check_sms_backend(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        get_backend()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="reminders.E001")]
    return []


@register()
def check_lead_times(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    for name in ("OPENIPT_REMINDER_SESSION_DAYS", "OPENIPT_REMINDER_QUESTIONNAIRE_DAYS"):
        days = getattr(settings, name, 1)
        if not 0 <= days <= 14:
            problems.append(
                Error(
                    f"{name} must be a number of days from 0 (on the day) to 14, not {days}.",
                    hint="Use 1 for the day before.",
                    id="reminders.E002",
                )
            )
    hour = getattr(settings, "OPENIPT_REMINDER_HOUR", 10)
    if not 0 <= hour < LATEST_HOUR:
        problems.append(
            Error(
                f"OPENIPT_REMINDER_HOUR must be an hour from 0 to {LATEST_HOUR - 1}, not {hour}: "
                f"reminders are never sent from {LATEST_HOUR}:00.",
                hint="Use 10 (the default) for 10:00 in each organisation's time zone.",
                id="reminders.E003",
            )
        )
    return problems

"""The words of a reminder, in the client's language.

Reminders are read on lock screens and shared devices, so they say only that there is a session
(and which day) or that a short questionnaire is waiting, and link to the portal. Never the
client's or clinician's name, the clinic's name (it often says "mental health"), a diagnosis, an
instrument's name, a score or a note: what the questionnaire is about, the client sees after
signing in. `openipt/reminders/tests/test_content.py` holds every message to that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import ReminderKind


@dataclass(frozen=True)
class Message:
    subject: str  # e-mail subject
    body: str  # e-mail body
    sms: str  # text message, one SMS long with the default links


def absolute(url_name: str) -> str:
    return settings.OPENIPT_BASE_URL.rstrip("/") + reverse(url_name)


def _when(session_date: date, days_before: int, date_format: str) -> str:
    day = formats.date_format(session_date, date_format)
    if days_before == 0:
        return _("today, %(day)s") % {"day": day}
    if days_before == 1:
        return _("tomorrow, %(day)s") % {"day": day}
    return _("on %(day)s") % {"day": day}


def session_message(session_date: date, days_before: int) -> Message:
    portal, settings_page = absolute("portal:home"), absolute("portal:reminders")
    when = _when(session_date, days_before, "l j F")
    subject = _("Reminder: you have a session %(when)s") % {"when": _when(session_date, days_before, "D j M")}
    body = "\n\n".join(
        [
            _("Hello,"),
            _("You have a session %(when)s.") % {"when": when},
            _("Sign in to see the details:") + f"\n{portal}",
            _("To change or stop these reminders:") + f"\n{settings_page}",
        ]
    )
    sms = _("Reminder: you have a session %(when)s. Details: %(link)s") % {
        "when": _when(session_date, days_before, "D j M"),
        "link": portal,
    }
    return Message(subject, body + "\n", sms)


def questionnaire_message(session_date: date, count: int) -> Message:
    portal, settings_page = absolute("portal:home"), absolute("portal:reminders")
    waiting = ngettext(
        "A short questionnaire is waiting for you before your next session",
        "%(count)d short questionnaires are waiting for you before your next session",
        count,
    ) % {"count": count}
    day = formats.date_format(session_date, "l j F")
    body = "\n\n".join(
        [
            _("Hello,"),
            _("%(waiting)s, on %(day)s. It takes a few minutes.") % {"waiting": waiting, "day": day},
            _("Sign in to answer:") + f"\n{portal}",
            _("To change or stop these reminders:") + f"\n{settings_page}",
        ]
    )
    subject = ngettext(
        "A short questionnaire is waiting for you", "Short questionnaires are waiting for you", count
    )
    return Message(subject, body + "\n", f"{waiting}. {portal}")


def message_for(kind: str, session_date: date, days_before: int, questionnaires: int, locale: str) -> Message:
    """The reminder of this kind in the language `locale` (e.g. "en-gb")."""
    with translation.override(locale):
        if kind == ReminderKind.QUESTIONNAIRES:
            return questionnaire_message(session_date, max(questionnaires, 1))
        return session_message(session_date, days_before)

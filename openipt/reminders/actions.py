"""The client's reminder choice: validated here, saved in one transaction, audited (ids only)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from openipt.audit.actions import record
from openipt.clients.models import Client

from .models import Channel, ReminderPreference

OFF = "off"
CHOICES = (Channel.EMAIL.value, Channel.SMS.value, OFF)
SEPARATORS = re.compile(r"[\s().\-/]")
INTERNATIONAL = re.compile(r"\+[1-9][0-9]{7,14}")  # ASCII digits only: gateways take no others


def normalise_phone(raw: str) -> str:
    """A mobile number in international form (E.164: +, country code, number; 8 to 15 digits).

    Spaces, brackets, dots, dashes and slashes are dropped; a leading 00 counts as +.
    """
    number = SEPARATORS.sub("", raw.strip())
    if number.startswith("00"):
        number = "+" + number[2:]
    if not INTERNATIONAL.fullmatch(number):
        raise ValidationError(
            _(
                "Type your mobile number with its country code, starting with +, for example "
                "+44 7700 900123. Use only digits and spaces."
            ),
            code="phone",
        )
    return number


def suggested_phone(client: Client) -> str:
    """The clinic's phone number for the client, if it is already in international form."""
    try:
        return normalise_phone(client.phone) if client.phone else ""
    except ValidationError:
        return ""


def save_preference(
    actor: Any, client: Client, *, how: str, phone: str, request: HttpRequest | None = None
) -> ReminderPreference:
    """Save the client's choice: `how` is "email", "sms" or "off". Refused, changing nothing,
    when the chosen channel has no address or the number is not a mobile number in full.

    Turning reminders off is always possible, also after a course has ended.
    """
    if how not in CHOICES:
        raise ValidationError({"how": _("Choose how to get reminders: by e-mail, by text message, or none.")})
    try:
        number = normalise_phone(phone) if phone.strip() else ""
    except ValidationError as e:
        if how != OFF:
            raise ValidationError({"phone": e.messages}) from None
        number = None  # turning reminders off never waits on the number: the stored one stays
    if how == Channel.SMS and not number:
        raise ValidationError({"phone": _("Type the mobile number the text messages should go to.")})
    if how == Channel.EMAIL and not client.email:
        raise ValidationError(
            {
                "how": _(
                    "Your clinic has no e-mail address for you. Choose text messages, or ask your "
                    "therapist to add your e-mail address."
                )
            }
        )
    with transaction.atomic():
        ReminderPreference.objects.get_or_create(client=client)  # two first saves at once: one row
        preference = ReminderPreference.objects.select_for_update().get(client=client)
        preference.enabled = how != OFF
        if how != OFF:
            preference.channel = how
        if number is not None:
            preference.phone = number
        preference.updated_at = timezone.now()
        preference.save()
        record(actor, "portal.reminders", obj=preference, client_id=client.pk, request=request)
    return preference

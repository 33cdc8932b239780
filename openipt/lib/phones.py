"""Phone numbers: typed the way people write them in their country, stored one way, shown nationally.

A full number is stored in E.164 ("+442079460000"); a short number that only works inside its
country (an emergency number such as 999, a helpline such as 116 123) is stored as its digits.
Either form goes into a `tel:` link as it is, without spaces. Parsing and validation come from
`phonenumbers` (Google's libphonenumber metadata), so every country's national formats work.
"""

from __future__ import annotations

import phonenumbers
from django.utils.translation import gettext as _
from phonenumbers import shortnumberinfo

from openipt.lib.errors import ValidationError

FALLBACK_REGION = "GB"


def region_of(*codes: str) -> str:
    """The first usable country among `codes`: "GB", or the region of a locale such as "en-gb"."""
    for code in codes:
        region = (code or "").rsplit("-", 1)[-1].upper()
        if region in phonenumbers.SUPPORTED_REGIONS:
            return region
    return FALLBACK_REGION


def normalise(raw: str, region: str) -> str:
    """`raw` as stored: E.164, or the digits of a short number; "" for blank. Refuses anything
    else with a message naming the country and an example of its national format."""
    raw = raw.strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if (
        number is not None
        and not raw.startswith("+")
        and shortnumberinfo.is_valid_short_number_for_region(number, region)
    ):
        return phonenumbers.national_significant_number(number)
    example = phonenumbers.example_number(region)
    sample = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL) if example else ""
    raise ValidationError(
        _(
            "This is not a phone number we can call from %(country)s: write it as you would dial it "
            "there (for example %(example)s), or with its country code (+44 …)."
        )
        % {"country": region, "example": sample}
    )


def display(stored: str) -> str:
    """A stored number as people read it in its own country ("020 7946 0000"); short ones as they are."""
    if not stored.startswith("+"):
        return stored
    try:
        number = phonenumbers.parse(stored, None)
    except phonenumbers.NumberParseException:
        return stored
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def tel(stored: str) -> str:
    """The `tel:` target: "+" and digits only, never spaces (RFC 3966 global or local number)."""
    return ("+" if stored.strip().startswith("+") else "") + "".join(ch for ch in stored if ch.isdigit())

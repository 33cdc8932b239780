"""Administrators configure crisis resources per locale for their organisation; before anyone has
signed in (no organisation known yet), the lines every organisation agrees on for the locale."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from openipt.audit.actions import record
from openipt.lib import phones
from openipt.lib.errors import ValidationError, refuse

from .actions import CrisisLine
from .models import CrisisResource

FIELDS = ["locale", "name", "phone", "text", "url", "hours", "description", "is_emergency", "position"]
LOCALE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*")


def _locale(raw: str) -> str:
    """The locale as client locales are written ("en-gb"): a line stored as "en-GB" would never show."""
    locale = raw.strip().lower().replace("_", "-")
    if not LOCALE.fullmatch(locale):
        raise refuse(_("Write the language and region as a code such as en-gb or en-us."), "locale")
    return locale


def _numbers(fields: dict[str, Any], region: str) -> None:
    """Phone and text numbers as dialled in the line's region, stored as `lib.phones` stores them;
    every wrong one is named at once."""
    errors: dict[str, list[str]] = {}
    for name in ("phone", "text"):
        try:
            fields[name] = phones.normalise(fields.get(name) or "", region)
        except ValidationError as e:
            errors[name] = e.messages
    if errors:
        raise ValidationError(errors)


def add_crisis_resource(actor: Any, *, request: HttpRequest | None = None, **fields: Any) -> CrisisResource:
    fields["locale"] = _locale(fields.get("locale", ""))
    # a line for en-us is dialled in the US whatever the clinic's own country
    _numbers(fields, phones.region_of(fields["locale"], actor.organisation.phone_region))
    with transaction.atomic():
        resource = CrisisResource(
            organisation_id=actor.organisation_id, **{k: fields[k] for k in FIELDS if k in fields}
        )
        resource.full_clean()
        resource.save()
        record(actor, "crisis_resource.create", obj=resource, request=request)
    return resource


def remove_crisis_resource(
    actor: Any, resource: CrisisResource, *, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        record(actor, "crisis_resource.delete", obj=resource, request=request)
        resource.delete()


LINE_FIELDS = ("name", "phone", "text", "url", "hours", "description", "is_emergency")


def shared_crisis_lines(locale: str) -> list[CrisisLine]:
    """The crisis lines for `locale` that do not depend on the organisation: those configured alike
    by every organisation that has lines for the locale (or, failing that, for its language), in
    their order. For the sign-in page, where nobody's organisation is known yet. One or two queries.

    A single-organisation installation shows its own lines; several organisations show the lines
    they share (the national ones), never one clinic's own number to another's clients.
    """
    locale = locale.strip().lower().replace("_", "-")
    for wanted in dict.fromkeys([locale, locale.split("-")[0]]):
        rows = list(CrisisResource.objects.filter(locale=wanted).values("organisation_id", *LINE_FIELDS))
        if rows:
            break
    else:
        return []
    organisations = {row["organisation_id"] for row in rows}
    seen: dict[tuple[Any, ...], set[int]] = {}
    for row in rows:
        seen.setdefault(tuple(row[f] for f in LINE_FIELDS), set()).add(row["organisation_id"])
    return [
        CrisisLine(**dict(zip(LINE_FIELDS, key, strict=True)))
        for key, orgs in seen.items()
        if orgs == organisations
    ]

"""Licence gating: instruments whose terms are restricted or unclear ship without item text.

An administrator enables one for their organisation by confirming the clinic holds permission
and supplying the item text from a local file (UTF-8, one line per item in printed order; blank
lines and lines starting with '#' are ignored). Until then it cannot be administered on any path.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from openipt.audit.actions import record
from openipt.lib.errors import refuse

from .instruments import INSTRUMENTS, Instrument, UnknownInstrument, get_instrument
from .models import InstrumentPermission

MAX_FILE_BYTES = 64 * 1024


def needs_permission(instrument: Instrument) -> bool:
    """Whether a clinic must supply this instrument's wording under its own permission."""
    return instrument.licence.needs_permission


def permissions_for(organisation_id: int) -> dict[str, InstrumentPermission]:
    """The organisation's enabled permissions by instrument key (one query)."""
    rows = InstrumentPermission.objects.filter(organisation_id=organisation_id, enabled=True)
    return {p.instrument: p for p in rows}


def _with_texts(instrument: Instrument, texts: list[str]) -> Instrument:
    items = tuple(
        dataclasses.replace(item, text=text) for item, text in zip(instrument.items, texts, strict=True)
    )
    return dataclasses.replace(instrument, items=items)


def available_instruments(organisation_id: int) -> list[Instrument]:
    """Instruments this organisation may administer, with permitted item text filled in."""
    permitted = permissions_for(organisation_id)
    result = []
    for key, instrument in INSTRUMENTS.items():
        if not needs_permission(instrument):
            result.append(instrument)
        elif key in permitted:
            result.append(_with_texts(instrument, permitted[key].item_texts))
    return result


def instrument_for(organisation_id: int, key: str) -> Instrument:
    """The instrument as this organisation administers it; refused when it is not enabled."""
    try:
        instrument = get_instrument(key)
    except UnknownInstrument as exc:
        raise refuse(str(exc), "instrument") from None
    if not needs_permission(instrument):
        return instrument
    permission = permissions_for(organisation_id).get(key)
    if permission is None:
        raise refuse(
            _(
                "%(name)s is licence-restricted and has not been enabled for this clinic. An administrator "
                "can enable it after confirming the clinic holds permission (Admin → Instruments)."
            )
            % {"name": instrument.short_name},
            "instrument",
        )
    return _with_texts(instrument, permission.item_texts)


def administrable(organisation_id: int, key: str) -> Instrument | None:
    """The instrument as this organisation administers it, or None when it may not."""
    try:
        return instrument_for(organisation_id, key)
    except ValidationError:
        return None


def parse_item_texts(instrument: Instrument, content: bytes) -> list[str]:
    """Item texts from a local file: exactly one non-blank line per item, in printed order."""
    if len(content) > MAX_FILE_BYTES:
        raise refuse(_("The file is larger than 64 KB; it should hold only the item texts."), "text_file")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse(_("The file is not UTF-8 text; save it as UTF-8 and try again."), "text_file") from None
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    expected = len(instrument.items)
    if len(lines) != expected:
        raise refuse(
            _("%(name)s has %(expected)d items but the file has %(found)d text lines; put one item per line.")
            % {"name": instrument.short_name, "expected": expected, "found": len(lines)},
            "text_file",
        )
    too_long = next((i for i, line in enumerate(lines, start=1) if len(line) > 500), None)
    if too_long is not None:
        raise refuse(_("Line %(n)d is longer than 500 characters.") % {"n": too_long}, "text_file")
    return lines


def enable_instrument(
    actor: Any,
    key: str,
    *,
    content: bytes,
    permission_note: str,
    source_file_name: str = "",
    request: HttpRequest | None = None,
) -> InstrumentPermission:
    """Record the clinic's permission and item text; the instrument can then be administered."""
    try:
        instrument = get_instrument(key)
    except UnknownInstrument as exc:
        raise refuse(str(exc), "instrument") from None
    if not needs_permission(instrument):
        raise refuse(
            _("%(name)s needs no permission; it is always available.") % {"name": instrument.short_name}
        )
    if len(permission_note.strip()) < 5:
        raise refuse(_("Say who granted the permission and its reference."), "permission_note")
    texts = parse_item_texts(instrument, content)
    with transaction.atomic():
        permission, _created = InstrumentPermission.objects.update_or_create(
            organisation_id=actor.organisation_id,
            instrument=key,
            defaults={
                "enabled": True,
                "item_texts": texts,
                "source_file_name": source_file_name[:200],
                "permission_note": permission_note.strip()[:300],
                "confirmed_by": actor,
                "confirmed_at": timezone.now(),
            },
        )
        record(actor, "instrument.enable", obj=permission, request=request)
    return permission


def disable_instrument(actor: Any, key: str, *, request: HttpRequest | None = None) -> None:
    """Stop new administrations; stored responses stay as they are."""
    with transaction.atomic():
        permission = InstrumentPermission.objects.filter(
            organisation_id=actor.organisation_id, instrument=key
        ).first()
        if permission is None or not permission.enabled:
            raise refuse(_("That instrument is not enabled."))
        permission.enabled = False
        permission.save(update_fields=["enabled"])
        record(actor, "instrument.disable", obj=permission, request=request)

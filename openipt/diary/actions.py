"""Writing the diary: add an entry, change or delete it on the day it was written.

Every change runs in one transaction with the client's active course locked, refuses input that
needs correcting with a message saying what to fix (nothing is saved then), and writes an audit
row that carries ids only. Rules:

* only while a course is active; the entry records that course;
* the entry's date is the organisation's local date when it was written;
* the client may change or delete it on that date only; after that it is part of the record;
* the people named come from the client's own interpersonal inventory;
* a form sent twice (a double tap, a reload) saves once: the form carries the entry's UUID.
"""

from __future__ import annotations

import uuid
import zoneinfo
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openipt.audit.actions import record
from openipt.clients.models import Client
from openipt.courses.models import Course, CourseStatus
from openipt.inventory.models import Person
from openipt.lib.errors import ValidationError, refuse

from .models import MOOD_MAX, MOOD_MIN, DiaryEntry, EntryKind

SOMEONE_MAX = 200
TEXT_MAX = 2_000
PER_DAY_MAX = 20
GUIDED = ("what_happened", "what_i_said", "what_they_said", "what_i_felt", "what_i_wanted", "what_else")
TEXTS = ("events", *GUIDED)


@dataclass(frozen=True)
class EntryData:
    """What the client wrote; the same shape from a form, the API or an import."""

    kind: str
    mood: int | None = None
    people: tuple[int, ...] = ()
    someone_else: str = ""
    events: str = ""
    what_happened: str = ""
    what_i_said: str = ""
    what_they_said: str = ""
    what_i_felt: str = ""
    what_i_wanted: str = ""
    what_else: str = ""


def today_for(client: Client) -> date:
    """Today in the client's organisation's time zone (whatever zone the caller has active)."""
    return timezone.localdate(timezone.now(), zoneinfo.ZoneInfo(client.organisation.time_zone))


def stamp(entry: DiaryEntry) -> str:
    """What an edit form was made from: a change since then makes the form stale."""
    return str(entry.version)


def too_long(limit: int, length: int) -> str:
    return ngettext(
        "Keep this to %(limit)s characters or fewer. It has %(length)s character now.",
        "Keep this to %(limit)s characters or fewer. It has %(length)s characters now.",
        length,
    ) % {"limit": f"{limit:,}", "length": f"{length:,}"}


def validate(data: EntryData) -> EntryData:
    """The entry with its text trimmed, or every problem at once, each naming its field."""
    data = replace(data, **{f: getattr(data, f).strip() for f in ("someone_else", *TEXTS)})
    errors: dict[str, list[str]] = {}
    if data.kind not in EntryKind.values:
        errors["__all__"] = [_("Choose a kind of entry: your mood, or a conversation.")]
    mood = data.mood
    if mood is not None and (
        not isinstance(mood, int) or isinstance(mood, bool) or not MOOD_MIN <= mood <= MOOD_MAX
    ):
        errors["mood"] = [_("Choose a number from 0 to 10.")]
    elif mood is None and data.kind == EntryKind.MOOD:
        errors["mood"] = [_("Choose how your mood is today, from 0 (lowest) to 10 (best).")]
    if len(data.someone_else) > SOMEONE_MAX:
        errors["someone_else"] = [too_long(SOMEONE_MAX, len(data.someone_else))]
    for name in TEXTS:
        if len(getattr(data, name)) > TEXT_MAX:
            errors[name] = [too_long(TEXT_MAX, len(getattr(data, name)))]
    if data.kind == EntryKind.COMMUNICATION and not data.what_happened and "what_happened" not in errors:
        errors["what_happened"] = [
            _("Write a few words about what happened, so you both know which talk it was.")
        ]
    if data.kind == EntryKind.MOOD and any(getattr(data, f) for f in GUIDED):
        errors["__all__"] = [
            _("A mood entry has no conversation steps; add the conversation as its own entry.")
        ]
    if errors:
        raise ValidationError(errors)
    return data


def closed_reason(client: Client) -> str:
    """Why the client cannot write in the diary now; "" while a course is active."""
    statuses = set(Course.objects.filter(client=client).values_list("status", flat=True))
    if CourseStatus.ACTIVE in statuses:
        return ""
    if statuses:
        return _(
            "Your course of therapy has ended, so your diary is closed: you can read it, but not add "
            "to it. What you wrote is kept."
        )
    return _("Your diary opens when your course of therapy starts.")


def _closed(client: Client) -> ValidationError:
    if Course.objects.filter(client=client).exists():
        return refuse(
            _(
                "Your course of therapy has ended, so your diary cannot take new entries or changes. "
                "Nothing was saved. What you wrote before is kept."
            )
        )
    return refuse(
        _(
            "Your diary opens when your course of therapy starts, so it cannot take entries yet. "
            "Nothing was saved."
        )
    )


def _check_people(client: Client, people: tuple[int, ...]) -> None:
    wanted = set(people)
    found = set(Person.objects.filter(client=client, pk__in=wanted).values_list("pk", flat=True))
    if found != wanted:
        raise refuse(_("Choose only people from your own list."), "people")


def add_entry(
    actor: Any,
    client: Client,
    data: EntryData,
    *,
    key: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> tuple[DiaryEntry, bool]:
    """Save a new entry in the client's active course; (entry, created).

    `key` is the UUID the form was made with: the same form sent again returns the entry it
    already saved (created False) instead of a second copy."""
    data = validate(data)
    with transaction.atomic():
        course = Course.objects.select_for_update().filter(client=client, status=CourseStatus.ACTIVE).first()
        if key is not None and (already := _already_saved(client, key)) is not None:
            return already, False
        if course is None:
            raise _closed(client)
        _check_people(client, data.people)
        today = today_for(client)
        if DiaryEntry.objects.filter(client=client, entry_date=today).count() >= PER_DAY_MAX:
            raise refuse(
                _(
                    "You have written %(n)s entries today, the most for one day. "
                    "You can change one of today's entries instead."
                )
                % {"n": PER_DAY_MAX}
            )
        entry = DiaryEntry(client=client, course=course, entry_date=today, **_values(data))
        if key is not None:
            entry.uuid = key
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError:  # the same form, sent twice at once: the other request saved it
            if key is None or (already := _already_saved(client, key)) is None:
                raise
            return already, False
        if data.people:
            entry.people.set(data.people)
        record(actor, "portal.diary.add", obj=entry, client_id=client.pk, request=request)
    return entry, True


def _already_saved(client: Client, key: uuid.UUID) -> DiaryEntry | None:
    found = DiaryEntry.objects.filter(uuid=key).first()
    if found is not None and found.client_id != client.pk:
        raise refuse(_("This form cannot be used. Open your diary again and write your entry there."))
    return found


def _values(data: EntryData) -> dict[str, Any]:
    return {f.name: getattr(data, f.name) for f in fields(data) if f.name != "people"}


def is_open(entry: DiaryEntry, today: date) -> bool:
    """May the client still change or delete the entry? Only on its own day, in an active course."""
    return entry.entry_date == today and entry.course.status == CourseStatus.ACTIVE


def _lock_open(entry: DiaryEntry) -> DiaryEntry:
    """The entry, locked, if the client may still change it; otherwise a refusal saying why."""
    course = Course.objects.select_for_update().get(pk=entry.course_id)
    entry = DiaryEntry.objects.select_for_update().select_related("client__organisation").get(pk=entry.pk)
    entry.course = course
    if course.status != CourseStatus.ACTIVE:
        raise _closed(entry.client)
    if entry.entry_date != today_for(entry.client):
        raise refuse(
            _("This entry is from an earlier day, so it is part of your record now and cannot change.")
        )
    return entry


def edit_entry(
    actor: Any, entry: DiaryEntry, data: EntryData, *, seen: str, request: HttpRequest | None = None
) -> tuple[DiaryEntry, bool]:
    """Change an entry on the day it was written; (entry, changed). Its kind stays the same."""
    data = validate(replace(data, kind=entry.kind))
    with transaction.atomic():
        entry = _lock_open(entry)
        _check_people(entry.client, data.people)
        values = _values(data)
        same_people = set(entry.people.values_list("pk", flat=True)) == set(data.people)
        if same_people and all(getattr(entry, k) == v for k, v in values.items()):
            return entry, False  # nothing to change: also the second tap of a double-sent form
        if seen != stamp(entry):
            raise refuse(_("This entry changed since you opened this page. Check it below, then save again."))
        for name, value in values.items():
            setattr(entry, name, value)
        entry.version += 1
        entry.save(update_fields=[*values, "version", "updated_at"])
        entry.people.set(data.people)
        record(actor, "portal.diary.edit", obj=entry, client_id=entry.client_id, request=request)
    return entry, True


def delete_entry(actor: Any, entry: DiaryEntry, *, request: HttpRequest | None = None) -> None:
    """Delete an entry on the day it was written. Its versions stay in the history."""
    with transaction.atomic():
        entry = _lock_open(entry)
        record(actor, "portal.diary.delete", obj=entry, client_id=entry.client_id, request=request)
        entry.delete()

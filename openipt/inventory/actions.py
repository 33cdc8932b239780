"""Changes to the interpersonal inventory, the life-event timeline and the onset of the episode.

People and events belong to the client, not to one course, so later courses start from what is
already known. A person is never deleted: the history of a relationship matters to the work, so a
person who died is marked deceased and one who drifted away moves to the outer ring. A record
added by mistake is retired with a reason, and a person recorded twice is merged into one record;
either way the retired record stays in the database and its history, out of every list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from openipt.audit.actions import record
from openipt.clients.access import can_write
from openipt.clients.models import Client
from openipt.courses.models import CommunicationAnalysis, Course
from openipt.lib.errors import ValidationError, refuse, too_long

from . import duplicates
from .models import Conflict, EventKind, Frequency, LifeEvent, Met, Person, Relationship, Ring

NAME_MAX = 80
TEXT_MAX = 5_000
DESCRIPTION_MAX = 300

TEXT_FIELDS = (
    "satisfying",
    "unsatisfying",
    "expectations",
    "support_given",
    "support_received",
    "change_description",
)
FLAGS = ("deceased", "changed_around_onset", "linked_to_depression")
CHOICES: dict[str, tuple[type[Any], bool]] = {  # field -> (choices, may be left empty)
    "relationship": (Relationship, False),
    "ring": (Ring, False),
    "contact": (Frequency, True),
    "expectations_met": (Met, False),
    "conflict": (Conflict, False),
}
PERSON_FIELDS = ("name", *CHOICES, "died_on", *FLAGS, *TEXT_FIELDS)


def _day(value: date) -> str:
    return date_format(value, "D j M Y")


def _require_writer(actor: Any, client: Client) -> None:
    if not can_write(actor, client):
        raise PermissionDenied


def _date_errors(client: Client, value: date, *, future: str, before_birth: str) -> list[str]:
    """Why a date cannot be on this client's timeline (empty when it can). The messages name the
    date; `before_birth` may use %(dob)s for the client's date of birth."""
    if value > timezone.localdate():
        return [future]
    if value < client.date_of_birth:
        return [before_birth % {"dob": _day(client.date_of_birth)}]
    return []


# ---- People ----


def _clean_person(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"Unknown person fields: {sorted(unknown)}")
    clean = dict(values)
    if "name" in clean:
        clean["name"] = " ".join(str(clean["name"] or "").split())
    for name in TEXT_FIELDS:
        if name in clean:
            clean[name] = str(clean[name] or "").replace("\r\n", "\n").strip()
    for name in FLAGS:
        if name in clean:
            clean[name] = bool(clean[name])
    for name in CHOICES:
        if name in clean:
            clean[name] = str(clean[name] or "")
    return clean


def _person_errors(client: Client, person: Person) -> dict[str, list[str]]:
    """Every problem with the person as they would be saved, keyed by the field to fix."""
    errors: dict[str, list[str]] = {}
    if not person.name:
        errors["name"] = [_("Write a name or an alias.")]
    elif len(person.name) > NAME_MAX:
        errors["name"] = [
            _(
                "The name is too long: %(length)d characters; the most is %(max)d. "
                "An alias or a first name will do."
            )
            % {"length": len(person.name), "max": NAME_MAX}
        ]
    for name, (choices, blank_ok) in CHOICES.items():
        value = getattr(person, name)
        if not (value == "" and blank_ok) and value not in choices.values:
            errors[name] = [_("Choose one of the options.")]
    for name in TEXT_FIELDS:
        length = len(getattr(person, name))
        if length > TEXT_MAX:
            errors[name] = [too_long(length, TEXT_MAX)]
    if person.died_on is not None:
        if not person.deceased:
            errors["died_on"] = [
                _("A date of death is given but “has died” is not ticked: tick it, or clear the date.")
            ]
        else:
            problems = _date_errors(
                client,
                person.died_on,
                future=_("The date of death cannot be in the future."),
                before_birth=_(
                    "Dates out of order: the date of death is before the client's birth (%(dob)s)."
                ),
            )
            if problems:
                errors["died_on"] = problems
    return errors


class PossibleDuplicate(ValidationError):
    """The person about to be added looks like someone already in the inventory. Nothing was
    saved; `people` are the likely matches, to open instead or to confirm this is someone else."""

    def __init__(self, people: list[Person]) -> None:
        names = ", ".join(p.name for p in people)
        super().__init__(
            _(
                "This may be someone already in the inventory (%(names)s). Open them instead, or "
                "tick “This is someone else” and add again."
            )
            % {"names": names}
        )
        self.people = people


def likely_duplicates(client: Client, name: str, relationship: str) -> list[Person]:
    """People of the client's inventory now who are likely the same as (name, relationship)."""
    return [
        p
        for p in Person.objects.filter(client=client).order_by("name", "id")
        if duplicates.likely_same(name, relationship, p.name, p.relationship) is not None
    ]


def add_person(
    actor: Any,
    client: Client,
    *,
    name: str,
    relationship: str,
    ring: str = Ring.MIDDLE,
    confirmed_new: bool = False,
    request: HttpRequest | None = None,
    **details: Any,
) -> Person:
    """Add an important person to the client's inventory (the quick add needs only name,
    relationship and ring; the rest can be filled in later with `update_person`).

    A likely duplicate (`duplicates.likely_same`) is refused with `PossibleDuplicate` unless the
    clinician has confirmed this is someone else (`confirmed_new`)."""
    _require_writer(actor, client)
    values = _clean_person({"name": name, "relationship": relationship, "ring": ring, **details})
    person = Person(client=client, created_by=actor, **values)
    errors = _person_errors(client, person)
    if errors:
        raise ValidationError(errors)
    if not confirmed_new:
        matches = likely_duplicates(client, person.name, person.relationship)
        if matches:
            raise PossibleDuplicate(matches)
    with transaction.atomic():
        person.save()
        record(actor, "person.add", obj=person, client_id=client.pk, request=request)
    return person


def update_person(
    actor: Any,
    person: Person,
    *,
    base_version: int | None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> Person:
    """Change what is recorded about a person; fields not given keep their stored values.

    `base_version` is the version the form was opened on: if someone saved in between, nothing is
    saved and the refusal says so. Saving unchanged values writes nothing.
    """
    client = person.client
    _require_writer(actor, client)
    values = _clean_person(fields)
    with transaction.atomic():
        stored = Person.objects.select_for_update().get(pk=person.pk)
        if base_version != stored.version:
            raise refuse(
                _(
                    "Someone saved changes to %(name)s after you opened this form, so nothing was "
                    "saved. Your text is kept below; their version is shown under the form."
                )
                % {"name": stored.name}
            )
        changed = [name for name, value in values.items() if getattr(stored, name) != value]
        if not changed:
            return stored
        for name in changed:
            setattr(stored, name, values[name])
        errors = _person_errors(client, stored)
        if errors:
            raise ValidationError(errors)
        stored.version += 1
        stored.save(update_fields=[*changed, "version", "updated_at"])
        record(actor, "person.update", obj=stored, client_id=client.pk, request=request)
    return stored


REASON_MAX = 200


def retire_person(actor: Any, person: Person, *, reason: str, request: HttpRequest | None = None) -> Person:
    """Retire a person added by mistake: gone from the circle, the lists and the suggestions,
    kept in the record and its history, with who retired them, when and why."""
    client = person.client
    _require_writer(actor, client)
    reason = " ".join(str(reason or "").split())
    if len(reason) < 3:
        raise refuse(_("Say why this person is being removed, e.g. “added by mistake”."), "reason")
    if len(reason) > REASON_MAX:
        raise refuse(
            _("The reason is too long: %(length)d characters; the most is %(max)d.")
            % {"length": len(reason), "max": REASON_MAX},
            "reason",
        )
    with transaction.atomic():
        stored = _current_for_update(person)
        _retire(actor, stored, reason=reason)
        record(actor, "person.retire", obj=stored, client_id=client.pk, request=request)
    return stored


def _current_for_update(person: Person) -> Person:
    stored = Person.everyone.select_for_update().get(pk=person.pk)
    if stored.retired_at is not None:
        raise refuse(_("%(name)s was already removed from the inventory.") % {"name": stored.name})
    return stored


def _retire(actor: Any, person: Person, *, reason: str = "", merged_into: Person | None = None) -> None:
    person.retired_at = timezone.now()
    person.retired_by = actor
    person.retired_reason = reason
    person.merged_into = merged_into
    person.version += 1
    person.save(
        update_fields=["retired_at", "retired_by", "retired_reason", "merged_into", "version", "updated_at"]
    )


# When two records of one person are merged, what the kept record does not know yet is taken from
# the other; nothing written about either is lost.
UNKNOWN = {"contact": "", "expectations_met": Met.UNKNOWN}
CONFLICT_ORDER = [Conflict.NONE, Conflict.SOME, Conflict.SERIOUS]


def _merged_values(kept: Person, other: Person) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        mine, theirs = getattr(kept, name), getattr(other, name)
        if theirs and theirs not in mine:
            values[name] = f"{mine}\n\n{theirs}" if mine else theirs
    for name, unknown in UNKNOWN.items():
        if getattr(kept, name) == unknown and getattr(other, name) != unknown:
            values[name] = getattr(other, name)
    if CONFLICT_ORDER.index(Conflict(other.conflict)) > CONFLICT_ORDER.index(Conflict(kept.conflict)):
        values["conflict"] = other.conflict
    for name in FLAGS:
        if getattr(other, name) and not getattr(kept, name):
            values[name] = True
    if kept.died_on is None and other.died_on is not None:
        values["died_on"] = other.died_on
    return values


def merge_people(actor: Any, keep: Person, other: Person, *, request: HttpRequest | None = None) -> Person:
    """Merge `other` into `keep`, two records of the same person: `other`'s life events, diary
    links and communication analyses move to `keep`, what `keep` does not know yet is filled in
    from `other`, and `other` is retired as merged into `keep`. Both keep their history."""
    client = keep.client
    _require_writer(actor, client)
    if other.client_id != keep.client_id:
        raise refuse(_("Choose someone from this client's inventory."), "other")
    if other.pk == keep.pk:
        raise refuse(_("Choose another person: a record cannot be merged with itself."), "other")
    with transaction.atomic():
        kept, gone = _current_for_update(keep), _current_for_update(other)
        links = LifeEvent.people.through.objects
        moving = set(links.filter(person=gone).values_list("lifeevent_id", flat=True))
        there = set(links.filter(person=kept, lifeevent_id__in=moving).values_list("lifeevent_id", flat=True))
        links.bulk_create([links.model(lifeevent_id=e, person=kept) for e in sorted(moving - there)])
        links.filter(person=gone).delete()
        for entry in gone.diary_entries.all():  # through the entry, so its own history records it
            entry.people.add(kept)
            entry.people.remove(gone)
        for analysis in CommunicationAnalysis.objects.filter(person=gone):
            analysis.person = kept
            analysis.save(update_fields=["person"])
        values = _merged_values(kept, gone)
        for name, value in values.items():
            setattr(kept, name, value)
        kept.version += 1
        kept.save(update_fields=[*values, "version", "updated_at"])
        _retire(actor, gone, merged_into=kept)
        record(actor, "person.merge", obj=kept, client_id=client.pk, request=request)
        record(actor, "person.retire", obj=gone, client_id=client.pk, request=request)
    return kept


# ---- Life events ----


def _people_of(client: Client, people: Iterable[Person | int | str]) -> list[int]:
    try:
        ids = sorted({p.pk if isinstance(p, Person) else int(p) for p in people})
    except (TypeError, ValueError):
        raise refuse(_("Choose people from the list."), "people") from None
    found = set(Person.objects.filter(client=client, pk__in=ids).values_list("pk", flat=True))
    if len(found) != len(ids):
        raise refuse(
            _(
                "Only people in this client's interpersonal inventory can be linked to their events. "
                "Choose people from the list."
            ),
            "people",
        )
    return ids


def _event_errors(client: Client, kind: str, on: date | None, description: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in EventKind.values:
        errors["kind"] = [_("Choose what happened from the list.")]
    if on is None:
        errors["on"] = [_("Give the date; an estimate is fine.")]
    else:
        problems = _date_errors(
            client,
            on,
            future=_("The date cannot be in the future."),
            before_birth=_("Dates out of order: this is before the client's birth (%(dob)s)."),
        )
        if problems:
            errors["on"] = problems
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = [too_long(len(description), DESCRIPTION_MAX)]
    return errors


def _checked_event(
    client: Client, kind: str, on: date | None, description: str | None, people: Iterable[Person | int | str]
) -> tuple[str, list[int]]:
    text = " ".join(str(description or "").split())
    errors = _event_errors(client, kind, on, text)
    try:
        ids = _people_of(client, people)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        ids = []
    if errors:
        raise ValidationError(errors)
    return text, ids


def event_fingerprint(event: LifeEvent, people_ids: Iterable[int]) -> str:
    """A short digest of the event as stored. LifeEvent has no version number, so an edit form
    carries this instead and a save is refused if the event changed after the form was opened."""
    text = "|".join([event.kind, event.on.isoformat(), event.description, *map(str, sorted(people_ids))])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def add_event(
    actor: Any,
    client: Client,
    *,
    kind: str,
    on: date | None,
    description: str = "",
    people: Iterable[Person | int | str] = (),
    request: HttpRequest | None = None,
) -> LifeEvent:
    """Put an event on the client's timeline, linked to people of their inventory."""
    _require_writer(actor, client)
    text, ids = _checked_event(client, kind, on, description, people)
    assert on is not None  # _checked_event refuses a missing date
    with transaction.atomic():
        event = LifeEvent.objects.create(client=client, kind=kind, on=on, description=text, created_by=actor)
        event.people.set(ids)
        record(actor, "life_event.add", obj=event, client_id=client.pk, request=request)
    return event


def update_event(
    actor: Any,
    event: LifeEvent,
    *,
    base: str | None,
    kind: str,
    on: date | None,
    description: str = "",
    people: Iterable[Person | int | str] = (),
    request: HttpRequest | None = None,
) -> LifeEvent:
    """Change an event. `base` is `event_fingerprint` of the event when the form was opened: if
    it changed since, nothing is saved."""
    client = event.client
    _require_writer(actor, client)
    text, ids = _checked_event(client, kind, on, description, people)
    assert on is not None
    with transaction.atomic():
        stored = LifeEvent.objects.select_for_update().get(pk=event.pk)
        stored_ids = list(stored.people.values_list("pk", flat=True))
        if base != event_fingerprint(stored, stored_ids):
            raise refuse(
                _(
                    "Someone changed this event after you opened the form, so nothing was saved. "
                    "Check it and try again."
                )
            )
        if (stored.kind, stored.on, stored.description, sorted(stored_ids)) == (kind, on, text, ids):
            return stored
        stored.kind, stored.on, stored.description = kind, on, text
        stored.save(update_fields=["kind", "on", "description"])
        stored.people.set(ids)
        record(actor, "life_event.update", obj=stored, client_id=client.pk, request=request)
    return stored


# ---- Onset of the current episode ----


def set_onset(
    actor: Any, course: Course, *, onset_date: date | None, request: HttpRequest | None = None
) -> Course:
    """Record when the current episode of depression began (None clears it).

    The onset precedes treatment, so it cannot fall after the course started, nor in the future,
    nor before the client was born.
    """
    client = course.client
    _require_writer(actor, client)
    if not course.is_active:
        raise refuse(_("This course has ended, so its onset can no longer be changed."))
    if onset_date is not None:
        problems = _date_errors(
            client,
            onset_date,
            future=_("The onset cannot be in the future."),
            before_birth=_("Dates out of order: the onset is before the client's birth (%(dob)s)."),
        )
        if not problems and onset_date > course.start_date:
            problems = [
                _(
                    "The onset is after this course started (%(start)s). The episode began before "
                    "treatment did: check the date."
                )
                % {"start": _day(course.start_date)}
            ]
        if problems:
            raise ValidationError({"onset_date": problems})
    if course.onset_date == onset_date:
        return course
    with transaction.atomic():
        course.onset_date = onset_date
        course.save(update_fields=["onset_date"])
        record(actor, "course.onset", obj=course, client_id=client.pk, request=request)
    return course

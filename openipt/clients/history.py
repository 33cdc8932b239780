"""The version history of one client's editable records: which record, what changed (old → new,
field by field), who changed it and when.

Every model below keeps its versions with django-simple-history (`history = HistoricalRecords()`).
The page is one UNION over their history tables, newest first, so a page of 50 changes costs one
query for the page, one per kind of record on it (its versions and the versions before them), and
one per kind of related record named in a change — however long the history. Private process
notes (notes.PsychotherapyNote) keep no history and never appear. Addenda, responses, scores and
safety-plan versions never change, and an alert changes only by being escalated and acknowledged,
which the alert itself records (openipt/lib/db/guards.py); none is versioned here. A note's
versions end when it is signed.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from django.db import models
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Value
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from openipt.courses.models import (
    CommunicationAnalysis,
    Contract,
    Course,
    Formulation,
    GoalReview,
    Homework,
    Session,
    SessionWork,
    TaskRecord,
    TerminationPlan,
)
from openipt.courses.session_work import TECHNIQUES
from openipt.inventory.models import LifeEvent, Person
from openipt.measures.instruments import INSTRUMENTS
from openipt.notes.models import Note
from openipt.protocols.loader import get_protocols

from .models import Client

# Each versioned record, and how it reaches its client: itself, or by `client`, `course` or `session`.
SOURCES: list[tuple[type[models.Model], str]] = [
    (Client, "self"),
    (Person, "client"),
    (LifeEvent, "client"),
    (Course, "client"),
    (Formulation, "course"),
    (Contract, "course"),
    (TerminationPlan, "course"),
    (Homework, "course"),
    (Session, "course"),
    (SessionWork, "session"),
    (GoalReview, "session"),
    (CommunicationAnalysis, "session"),
    (TaskRecord, "session"),
    (Note, "session"),
]

# Bookkeeping that changes with every save, and the links that place a record: not "what changed".
SKIPPED = {"id", "uuid", "version", "created_at", "updated_at", "created_by", "updated_by"}
SKIPPED |= {"client", "course"}
SKIPPED_WHEN_SESSION_LINKED = {"session"}

NOT_RECORDED = object()  # the value before the first recorded version (e.g. rows inserted in bulk)


@dataclass(frozen=True)
class Change:
    label: str
    old: str | None  # None: not recorded
    new: str


@dataclass
class Entry:
    record: str
    kind: str  # "created", "changed", "deleted"
    when: datetime
    who: str
    changes: list[Change] = field(default_factory=list)


def _history(model: type[models.Model]) -> Any:
    return model.history.model  # type: ignore[attr-defined]


def _rows(client_id: int, model: type[models.Model], via: str) -> QuerySet[Any]:
    history = _history(model)
    if via == "self":
        rows = history.objects.filter(id=client_id)
    elif via == "client":
        rows = history.objects.filter(client_id=client_id)
    elif via == "course":
        rows = history.objects.filter(course_id__in=Course.objects.filter(client_id=client_id).values("pk"))
    else:
        sessions = Session.objects.filter(course__client_id=client_id).values("pk")
        rows = history.objects.filter(session_id__in=sessions)
    return rows


def changes_for(client_id: int) -> QuerySet[Any]:
    """(source index, history_id, history_date, previous history_id) for every version, newest first."""
    parts = []
    for index, (model, via) in enumerate(SOURCES):
        history = _history(model)
        previous = (
            history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
            .order_by("-history_id")
            .values("history_id")[:1]
        )
        parts.append(
            _rows(client_id, model, via)
            .order_by()
            .annotate(source=Value(index, output_field=IntegerField()), previous=Subquery(previous))
            .values_list("source", "history_id", "history_date", "previous")
        )
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-history_date", "-source", "-history_id")


def entries(page_rows: list[tuple[int, int, datetime, int | None]]) -> list[Entry]:
    """The page's versions, each compared with the version before it (queries: one per kind)."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for source, history_id, _when, previous in page_rows:
        wanted[source].add(history_id)
        if previous is not None:
            wanted[source].add(previous)
    versions = {
        source: _history(SOURCES[source][0]).objects.select_related("history_user").in_bulk(ids)
        for source, ids in wanted.items()
    }
    pairs = [
        (source, versions[source][history_id], versions[source].get(previous) if previous else None)
        for source, history_id, _when, previous in page_rows
    ]
    names = _related_names(pairs)
    places = _places(pairs)
    return [_entry(source, new, old, names, places) for source, new, old in pairs]


def _fields(source: int) -> list[models.Field[Any, Any]]:
    model, via = SOURCES[source]
    skipped = SKIPPED | (SKIPPED_WHEN_SESSION_LINKED if via == "session" else set())
    return [f for f in model._meta.concrete_fields if f.name not in skipped]


def _differences(source: int, new: Any, old: Any) -> list[tuple[models.Field[Any, Any], Any, Any]]:
    """(field, old value, new value) for each field that differs; for a first version, those set."""
    result = []
    for f in _fields(source):
        value = getattr(new, f.attname)
        if old is None:
            if value not in (None, "", [], False):
                result.append((f, NOT_RECORDED if new.history_type == "~" else None, value))
        elif getattr(old, f.attname) != value:
            result.append((f, getattr(old, f.attname), value))
    return result


def _target(f: models.ForeignKey[Any, Any]) -> type[models.Model]:
    # Resolved once the apps are loaded: "self" is only how a declaration may spell it.
    return cast(type[models.Model], f.related_model)


def _related_names(pairs: list[tuple[int, Any, Any]]) -> dict[tuple[type[models.Model], Any], str]:
    """The names of the records that changed foreign keys point to (one query per related model)."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for source, new, old in pairs:
        if new.history_type == "-":
            continue
        for f, before, after in _differences(source, new, old):
            if isinstance(f, models.ForeignKey):
                wanted[_target(f)].update(v for v in (before, after) if v not in (None, NOT_RECORDED))
    names = {}
    for related, pks in wanted.items():
        for pk, obj in related._base_manager.in_bulk(pks).items():  # retired records too
            names[(related, pk)] = str(obj)
    return names


def _places(pairs: list[tuple[int, Any, Any]]) -> dict[tuple[str, int], str]:
    """Labels of the sessions and courses the page's records belong to (one query each)."""
    session_ids = {new.session_id for source, new, _ in pairs if SOURCES[source][1] == "session"}
    course_ids = {new.course_id for source, new, _ in pairs if SOURCES[source][1] == "course"}
    places = {}
    if session_ids:
        for session in Session.objects.filter(pk__in=session_ids).only("pk", "number", "scheduled_date"):
            places[("session", session.pk)] = _("session %(number)d") % {"number": session.number}
    if course_ids:
        for course in Course.objects.filter(pk__in=course_ids).only("pk", "protocol_key", "start_date"):
            places[("course", course.pk)] = str(course)
    return places


def _record(source: int, new: Any, places: dict[tuple[str, int], str]) -> str:
    model, via = SOURCES[source]
    name = str(model._meta.verbose_name).capitalize()
    if model is Session:
        return _("Session %(number)d") % {"number": new.number}
    if model is Person:
        return f"{name}: {new.name}"
    if model is LifeEvent:
        return f"{name}: {new.get_kind_display()}"
    if via == "session":
        return f"{name} ({places.get(('session', new.session_id), '?')})"
    if via == "course":
        return f"{name} ({places.get(('course', new.course_id), '?')})"
    return name


def _entry(
    source: int,
    new: Any,
    old: Any,
    names: dict[tuple[type[models.Model], Any], str],
    places: dict[tuple[str, int], str],
) -> Entry:
    kind = {"+": "created", "~": "changed", "-": "deleted"}[new.history_type]
    entry = Entry(
        record=_record(source, new, places),
        kind=kind,
        when=new.history_date,
        who=str(new.history_user) if new.history_user else _("System"),
    )
    if kind != "deleted":
        entry.changes = [
            Change(
                label=str(f.verbose_name).capitalize(),
                old=None if before is NOT_RECORDED else _shown(f, before, names),
                new=_shown(f, after, names),
            )
            for f, before, after in _differences(source, new, old)
        ]
    return entry


@functools.cache
def _key_words() -> dict[str, str]:
    """Every protocol, phase, task, problem-area and instrument key, with the words people know it
    by: a key is never shown (the protocols are fixed once OpenIPT has started)."""
    words = {key: instrument.short_name for key, instrument in INSTRUMENTS.items()}
    for protocol in get_protocols().values():
        words[protocol.key] = protocol.name
        words.update((area.key, area.name) for area in protocol.problem_areas)
        for phase in protocol.phases:
            words[phase.key] = phase.name
            words.update((task.key, task.title) for task in phase.tasks)
    words.update((technique.key, str(technique.name)) for technique in TECHNIQUES)
    return words


def _word(value: Any) -> str:
    words = _key_words()
    return _(words[value]) if isinstance(value, str) and value in words else str(value)


def _shown(f: models.Field[Any, Any], value: Any, names: dict[tuple[type[models.Model], Any], str]) -> str:
    """A stored value as a person reads it."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(f, models.ForeignKey):
        return names.get((_target(f), value), _("(removed)"))
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return dateformat.format(timezone.localtime(value), "D j M Y, H:i")
    if isinstance(value, date):
        return dateformat.format(value, "D j M Y")
    if isinstance(value, list):
        return ", ".join(map(_word, value))
    if isinstance(value, dict):  # e.g. the sessions chosen for tasks held once
        return "; ".join(f"{_word(k)}: {_word(v)}" for k, v in value.items())
    return _word(value)

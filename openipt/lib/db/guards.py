"""Clinical records that never change once final, refused on every path.

A signed note, an addendum, an acknowledged risk alert, a completed questionnaire response, its
score and a safety-plan version are evidence: a correction is a new record (an addendum, a new
plan version), never an edit. Three layers refuse a change, each enough for the paths it sees:

* `save()` and `delete()` of the models raise `ImmutableRecordError` (the models' own methods);
* `FinalRowsQuerySet.update()` / `.delete()` (and so `bulk_update`) raise it when any row they
  target is final, before any SQL is sent;
* BEFORE UPDATE / BEFORE DELETE triggers make the database itself refuse the same rows, whoever
  sends the statement (raw SQL, a console). Like the audit log's (openipt/audit/triggers.py) the
  error is an IntegrityError on both vendors: SQLite's RAISE(ABORT) is a constraint failure and
  PostgreSQL raises SQLSTATE 23001 (restrict_violation).

The transitions the application makes stay open: a draft note is edited and signed, an open alert
is escalated and acknowledged. PostgreSQL's TRUNCATE fires no row triggers, so `flush` there is
unaffected; SQLite's flush is a DELETE and `openipt.lib.db.sqlite3` lifts the triggers of the
flushed tables around it. A later migration that rebuilds one of these tables on SQLite (most
AlterField operations do) drops its triggers and must create them again; the tests in
`test_immutability.py` of notes, safety and measures fail when a trigger is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from django.db import models

SIGNED_NOTE = "A signed note cannot be changed or deleted; add an addendum to correct it."
ADDENDUM = "An addendum cannot be changed or deleted; add another addendum to correct it."
ACKNOWLEDGED_ALERT = "An acknowledged risk alert cannot be changed or deleted."
RAISED_ALERT = (
    "What a risk alert was raised for (client, response, flag, severity, summary, time) cannot be "
    "changed, and alerts are never deleted."
)
RESPONSE = "A completed response cannot be changed or deleted; record a new response instead."
SCORE = "A score cannot be changed or deleted; it always matches its response."
SAFETY_PLAN = "A safety plan version cannot be changed; save a new version."
HISTORY = "A version-history row cannot be changed or deleted; history is only ever added to."


class ImmutableRecordError(ValueError):
    """Something tried to change or delete a final clinical record.

    A programming error, not input to correct: actions refuse such requests first with a message
    for the user (`openipt.lib.errors.refuse`). A ValueError, like the refusals these guards
    replaced, so existing callers that catch one keep working.
    """


@dataclass(frozen=True)
class Trigger:
    """A BEFORE UPDATE or DELETE trigger that refuses the row change when `when` holds (always if "")."""

    name: str
    table: str
    event: str  # "UPDATE" or "DELETE"
    message: str
    when: str = ""  # a condition over OLD/NEW; `IS DISTINCT FROM` is spelt per vendor


def _changed(*columns: str) -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)


ALERT_RAISED_COLUMNS = ("uuid", "client_id", "response_id", "flag", "severity", "summary", "raised_at")

TRIGGERS = [
    Trigger("notes_note_signed_no_update", "notes_note", "UPDATE", SIGNED_NOTE, "OLD.status = 'signed'"),
    Trigger("notes_note_signed_no_delete", "notes_note", "DELETE", SIGNED_NOTE, "OLD.status = 'signed'"),
    Trigger("notes_addendum_no_update", "notes_addendum", "UPDATE", ADDENDUM),
    Trigger("notes_addendum_no_delete", "notes_addendum", "DELETE", ADDENDUM),
    Trigger(
        "safety_riskalert_acknowledged_no_update",
        "safety_riskalert",
        "UPDATE",
        ACKNOWLEDGED_ALERT,
        "OLD.status = 'acknowledged'",
    ),
    Trigger(
        "safety_riskalert_raised_no_update",
        "safety_riskalert",
        "UPDATE",
        RAISED_ALERT,
        _changed(*ALERT_RAISED_COLUMNS),
    ),
    Trigger("safety_riskalert_no_delete", "safety_riskalert", "DELETE", RAISED_ALERT),
    Trigger("safety_safetyplan_no_update", "safety_safetyplan", "UPDATE", SAFETY_PLAN),
    Trigger("safety_safetyplan_no_delete", "safety_safetyplan", "DELETE", SAFETY_PLAN),
    Trigger("measures_response_no_update", "measures_response", "UPDATE", RESPONSE),
    Trigger("measures_response_no_delete", "measures_response", "DELETE", RESPONSE),
    Trigger("measures_score_no_update", "measures_score", "UPDATE", SCORE),
    Trigger("measures_score_no_delete", "measures_score", "DELETE", SCORE),
]

# The version history of editable records (django-simple-history only ever inserts into these).
HISTORY_TABLES = [
    "clients_historicalclient",
    "courses_historicalcourse",
    "courses_historicalsession",
    "courses_historicaltaskrecord",
    "courses_historicalformulation",
    "courses_historicalcontract",
    "courses_historicalsessionwork",
    "courses_historicalgoalreview",
    "courses_historicalcommunicationanalysis",
    "courses_historicalhomework",
    "courses_historicalterminationplan",
    "inventory_historicalperson",
    "inventory_historicallifeevent",
    "safety_historicalcrisisresource",
    "notes_historicalnote",
]
# History tables of apps added after access 0002 made the triggers of the list above: each such
# app's own migration makes them (`create_sql(vendor, [its tables])`), because access 0002 runs
# before those tables exist. `missing_triggers` and `lifted` cover them like the rest.
LATER_HISTORY_TABLES = [
    "diary_historicaldiaryentry",
    "diary_historicaldiaryentry_people",
]
TRIGGERS += [
    Trigger(f"{table}_no_{event.lower()}", table, event, HISTORY)
    for table in HISTORY_TABLES + LATER_HISTORY_TABLES
    for event in ("UPDATE", "DELETE")
]

POSTGRES_FUNCTION = """CREATE OR REPLACE FUNCTION openipt_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END $$"""


def _sqlite(trigger: Trigger) -> str:
    # SQLite spells the null-safe comparison `IS NOT` (`IS DISTINCT FROM` needs 3.39).
    when = f"\nWHEN {trigger.when.replace(' IS DISTINCT FROM ', ' IS NOT ')}" if trigger.when else ""
    return (
        f"CREATE TRIGGER {trigger.name} BEFORE {trigger.event} ON {trigger.table}{when}\n"
        f"BEGIN SELECT RAISE(ABORT, '{trigger.message}'); END"
    )


def _postgres(trigger: Trigger) -> str:
    when = f"\nWHEN ({trigger.when})" if trigger.when else ""
    return (
        f"CREATE TRIGGER {trigger.name} BEFORE {trigger.event} ON {trigger.table}\n"
        f"FOR EACH ROW{when} EXECUTE FUNCTION openipt_refuse_change('{trigger.message}')"
    )


def _selected(tables: list[str] | None) -> list[Trigger]:
    return [t for t in TRIGGERS if tables is None or t.table in tables]


def create_sql(vendor: str, tables: list[str] | None = None) -> list[str]:
    """The statements that create the triggers of `tables` (default: every guarded table)."""
    selected = _selected(tables)
    if vendor == "sqlite":
        return [_sqlite(t) for t in selected]
    if vendor == "postgresql":
        return [POSTGRES_FUNCTION, *(_postgres(t) for t in selected)] if selected else []
    return []


def drop_sql(vendor: str, tables: list[str] | None = None) -> list[str]:
    """The statements that drop them again. The shared PostgreSQL function stays (others may use it)."""
    selected = _selected(tables)
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {t.name}" for t in selected]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {t.name} ON {t.table}" for t in selected]
    return []


def remaking_triggers(tables: list[str]) -> Any:
    """A migration's RunPython function that drops and makes again the triggers of `tables`: a
    migration that rebuilds one of them on SQLite (adding a column with a default, most
    AlterFields) runs it after the rebuild, and in reverse before it."""

    def remake_triggers(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for sql in [*drop_sql(vendor, tables), *create_sql(vendor, tables)]:
            schema_editor.execute(sql, params=None)

    return remake_triggers


M = TypeVar("M", bound=models.Model)


class FinalRowsQuerySet(models.QuerySet[M]):
    """`update()` and `delete()` refuse when any row they target is final; `bulk_update` goes
    through `update()`. Subclasses say which rows are final (`final`; None: every row, from the
    moment it is inserted, and then nothing is queried) and what the refusal says."""

    final: ClassVar[models.Q | None] = None
    refusal: ClassVar[str] = ""
    error: ClassVar[type[ImmutableRecordError]] = ImmutableRecordError

    def refuse_final(self) -> None:
        if self.final is None or self.filter(self.final).exists():
            raise self.error(self.refusal)

    def update(self, **kwargs: Any) -> int:
        self.refuse_final()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self.refuse_final()
        return super().delete()


def installed_triggers(connection: Any) -> set[str]:
    """The names of the triggers this database holds (SQLite or PostgreSQL), to check none is missing."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {name for (name,) in cursor.fetchall()}


def missing_triggers(connection: Any) -> list[str]:
    """The guard triggers this database lacks (none on a vendor without guards)."""
    if connection.vendor not in ("sqlite", "postgresql"):
        return []
    present = installed_triggers(connection)
    return [t.name for t in TRIGGERS if t.name not in present]


@contextmanager
def lifted(connection: Any) -> Iterator[None]:
    """Drop every guard trigger for the block, and create them again after it.

    Only for tests that tamper with records the way someone holding the database owner's rights
    could (dropping a trigger is DDL); OpenIPT itself never calls it. The ORM guards stay: only raw
    SQL passes while the triggers are lifted.
    """
    with connection.cursor() as cursor:
        for sql in drop_sql(connection.vendor):
            cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in create_sql(connection.vendor):
                cursor.execute(sql)

"""The database itself refuses to change or delete an audit row, whoever asks."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from openipt.accounts.models import User
from openipt.audit.actions import record
from openipt.audit.models import AuditEvent
from openipt.audit.triggers import REFUSAL
from openipt.audit.verify import verify_chain

from .helpers import execute


@pytest.fixture
def event(alice: User) -> AuditEvent:
    return record(alice, "note.sign")


REFUSALS = {
    "orm update": lambda e: AuditEvent.objects.filter(pk=e.pk).update(action="note.create"),
    "orm bulk delete": lambda e: AuditEvent.objects.filter(pk=e.pk).delete(),
    "orm instance delete": lambda e: e.delete(),
    "raw update": lambda e: execute("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["x", e.pk]),
    "raw delete": lambda e: execute("DELETE FROM audit_auditevent WHERE id = %s", [e.pk]),
    "raw delete all": lambda e: execute("DELETE FROM audit_auditevent"),
}


@pytest.mark.parametrize("how", REFUSALS)
def test_the_database_refuses_to_change_or_delete_a_row(event: AuditEvent, how: str) -> None:
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        REFUSALS[how](event)

    assert AuditEvent.objects.get(pk=event.pk).action == "note.sign"
    assert verify_chain().intact


def test_the_refusal_names_the_rule() -> None:
    assert "cannot be changed or deleted" in REFUSAL


def test_the_triggers_exist_on_this_database(db: None) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass"
                " AND NOT tgisinternal"
            )
        names = {name for (name,) in cursor.fetchall()}
    assert {"audit_event_no_update", "audit_event_no_delete", "audit_event_advance_head"} <= names


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_log_and_keeps_the_guard(alice: User) -> None:
    """Transactional tests flush between tests; on SQLite our backend lifts the triggers around it."""
    from django.core.management import call_command

    record(alice, "note.sign")
    call_command("flush", interactive=False, verbosity=0)

    assert not AuditEvent.objects.exists()
    user = User.objects.create_user(username="zed", password="a long enough password 1")
    event = record(user, "note.sign")
    assert event.id == 1
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert verify_chain().intact

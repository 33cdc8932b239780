"""A signed note and its addenda never change or disappear, whatever path is tried (issue 5 item 7).

Every path is refused and leaves the row as it was: the model's `save()` and `delete()`, QuerySet
`update()`, `delete()` and `bulk_update()`, and raw SQL, which the database's own triggers refuse.
A draft stays editable, signing still works, and a correction is an addendum.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from openipt.accounts.models import User
from openipt.courses.actions import record_attendance
from openipt.courses.models import Attendance, Course, Modality, Session
from openipt.lib.db import guards
from openipt.notes.actions import add_addendum, save_draft, sign_note
from openipt.notes.models import Addendum, Note, NoteStatus, PsychotherapyNote, SignedRecordError

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TEXT = "Reviewed the week; mood lower after an argument at home."
FORGED = "Rewritten history."


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def held(alice: User, course_a: Course) -> Session:
    session = course_a.sessions.get(number=1)
    return record_attendance(alice, session, attendance=Attendance.ATTENDED, modality=Modality.IN_PERSON)


@pytest.fixture
def signed(alice: User, held: Session) -> Note:
    return sign_note(alice, save_draft(alice, held, body=TEXT, base_version=None))


@pytest.fixture
def addendum(alice: User, signed: Note) -> Addendum:
    return add_addendum(alice, signed, body="The argument was with her sister.")


def execute(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def stored(model: type[Note] | type[Addendum], pk: int) -> dict[str, Any]:
    return dict(model.objects.filter(pk=pk).values().get())


def edited_note(note: Note) -> Note:
    note.body = FORGED
    return note


NOTE_ORM: dict[str, Callable[[Note], Any]] = {
    "save": lambda n: edited_note(n).save(),
    "save(update_fields)": lambda n: edited_note(n).save(update_fields=["body"]),
    "reopen through save": lambda n: Note(**{**stored(Note, n.pk), "status": NoteStatus.DRAFT}).save(),
    "QuerySet.update": lambda n: Note.objects.filter(pk=n.pk).update(body=FORGED),
    "QuerySet.update reopening": lambda n: Note.objects.filter(pk=n.pk).update(status=NoteStatus.DRAFT),
    "QuerySet.update of every note": lambda n: Note.objects.update(body=FORGED),
    "bulk_update": lambda n: Note.objects.bulk_update([edited_note(n)], ["body"]),
    "QuerySet.delete": lambda n: Note.objects.filter(pk=n.pk).delete(),
    "instance delete": lambda n: n.delete(),
}
NOTE_SQL: dict[str, Callable[[Note], Any]] = {
    "UPDATE": lambda n: execute("UPDATE notes_note SET body = %s WHERE id = %s", [FORGED, n.pk]),
    "UPDATE reopening": lambda n: execute(
        "UPDATE notes_note SET status = 'draft', signed_at = NULL, signed_by_id = NULL WHERE id = %s", [n.pk]
    ),
    "DELETE": lambda n: execute("DELETE FROM notes_note WHERE id = %s", [n.pk]),
}


@pytest.mark.parametrize("how", NOTE_ORM)
def test_a_signed_note_refuses_every_orm_path(signed: Note, how: str) -> None:
    before = stored(Note, signed.pk)

    with pytest.raises(SignedRecordError, match="add an addendum"), transaction.atomic():
        NOTE_ORM[how](Note.objects.get(pk=signed.pk))

    assert stored(Note, signed.pk) == before


@pytest.mark.parametrize("how", NOTE_SQL)
def test_the_database_refuses_raw_sql_on_a_signed_note(signed: Note, how: str) -> None:
    before = stored(Note, signed.pk)

    with pytest.raises(IntegrityError, match="A signed note cannot be changed"), transaction.atomic():
        NOTE_SQL[how](signed)

    assert stored(Note, signed.pk) == before


def edited_addendum(addendum: Addendum) -> Addendum:
    addendum.body = FORGED
    return addendum


ADDENDUM_PATHS: dict[str, tuple[type[Exception], Callable[[Addendum], Any]]] = {
    "save": (SignedRecordError, lambda a: edited_addendum(a).save()),
    "QuerySet.update": (SignedRecordError, lambda a: Addendum.objects.filter(pk=a.pk).update(body=FORGED)),
    "bulk_update": (
        SignedRecordError,
        lambda a: Addendum.objects.bulk_update([edited_addendum(a)], ["body"]),
    ),
    "QuerySet.delete": (SignedRecordError, lambda a: Addendum.objects.filter(pk=a.pk).delete()),
    "related manager delete": (SignedRecordError, lambda a: a.note.addenda.all().delete()),
    "instance delete": (SignedRecordError, lambda a: a.delete()),
    "SQL UPDATE": (
        IntegrityError,
        lambda a: execute("UPDATE notes_addendum SET body = %s WHERE id = %s", [FORGED, a.pk]),
    ),
    "SQL DELETE": (IntegrityError, lambda a: execute("DELETE FROM notes_addendum WHERE id = %s", [a.pk])),
}


@pytest.mark.parametrize("how", ADDENDUM_PATHS)
def test_an_addendum_refuses_every_path(addendum: Addendum, how: str) -> None:
    error, change = ADDENDUM_PATHS[how]
    before = stored(Addendum, addendum.pk)

    with pytest.raises(error, match="An addendum cannot be changed"), transaction.atomic():
        change(Addendum.objects.get(pk=addendum.pk))

    assert stored(Addendum, addendum.pk) == before


def test_a_draft_stays_editable_on_every_path_and_can_be_signed(alice: User, held: Session) -> None:
    note = save_draft(alice, held, body=TEXT, base_version=None)
    note = save_draft(alice, held, body="Second draft.", base_version=note.version)
    Note.objects.filter(pk=note.pk).update(body="Third draft.")
    execute("UPDATE notes_note SET body = %s WHERE id = %s", ["Fourth draft.", note.pk])

    signed = sign_note(alice, Note.objects.get(pk=note.pk))

    assert (signed.body, signed.status, signed.signed_by) == ("Fourth draft.", NoteStatus.SIGNED, alice)
    assert Note.objects.get(pk=note.pk).is_signed


def test_the_database_lets_a_draft_be_signed_and_deleted(alice: User, held: Session) -> None:
    note = save_draft(alice, held, body=TEXT, base_version=None)
    execute(
        "UPDATE notes_note SET status = 'signed', signed_at = %s, signed_by_id = %s WHERE id = %s",
        [NOW, alice.pk, note.pk],
    )
    assert Note.objects.get(pk=note.pk).is_signed

    other = save_draft(alice, note.session.course.sessions.get(number=2), body=TEXT, base_version=None)
    other.delete()  # a draft was never final
    assert not Note.objects.filter(pk=other.pk).exists()


def test_a_correction_is_made_only_by_an_addendum(alice: User, held: Session, signed: Note) -> None:
    with pytest.raises(ValidationError, match="add an addendum instead"):
        save_draft(alice, held, body="Corrected text.", base_version=signed.version)
    with pytest.raises(SignedRecordError):
        edited_note(Note.objects.get(pk=signed.pk)).save()

    correction = add_addendum(alice, signed, body="Correction: the argument was on Friday, not Sunday.")

    note = Note.objects.get(pk=signed.pk)
    assert note.body == TEXT  # the signed words stand
    assert list(note.addenda.values_list("body", flat=True)) == [correction.body]
    assert note.history.count() == 2  # the draft, then signing: nothing since


def test_a_draft_keeps_its_earlier_versions(alice: User, held: Session) -> None:
    note = save_draft(alice, held, body="First draft.", base_version=None)
    save_draft(alice, held, body="Second draft.", base_version=note.version)
    sign_note(alice, note)

    versions = Note.objects.get(pk=note.pk).history.order_by("history_date", "history_id")
    assert [(v.history_type, v.body, v.status) for v in versions] == [
        ("+", "First draft.", "draft"),
        ("~", "Second draft.", "draft"),
        ("~", "Second draft.", "signed"),
    ]


def test_private_process_notes_keep_no_history_others_could_read() -> None:
    assert not hasattr(PsychotherapyNote, "history")


def test_the_triggers_exist_on_this_database(db: None) -> None:
    names = {t.name for t in guards.TRIGGERS if t.table.startswith("notes_") and "historical" not in t.table}
    assert len(names) == 4
    assert names <= guards.installed_triggers(connection)


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_tables_and_keeps_the_guard(alice: User, addendum: Addendum) -> None:
    """Transactional tests flush between tests; on SQLite our backend lifts the triggers around it."""
    call_command("flush", interactive=False, verbosity=0)

    assert not Note.objects.exists() and not Addendum.objects.exists()
    assert guards.missing_triggers(connection) == []

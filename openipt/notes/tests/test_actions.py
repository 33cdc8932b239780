"""Session notes through their actions: drafts with a version check, signing, addenda, and the
guarantee that a signed note never changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.courses.actions import record_attendance
from openipt.courses.models import Attendance, Course, Modality, Session
from openipt.notes.actions import MAX_LENGTH, add_addendum, save_draft, sign_note
from openipt.notes.models import Addendum, Note, NoteStatus, SignedRecordError

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TEXT = "Reviewed the week; mood lower after an argument at home."


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def session(course_a: Course) -> Session:
    return course_a.sessions.get(number=1)


@pytest.fixture
def held(alice: User, session: Session) -> Session:
    return record_attendance(alice, session, attendance=Attendance.ATTENDED, modality=Modality.IN_PERSON)


@pytest.fixture
def signed(alice: User, held: Session) -> Note:
    return sign_note(alice, save_draft(alice, held, body=TEXT, base_version=None))


def audit(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def test_it_creates_a_draft(alice: User, session: Session) -> None:
    note = save_draft(alice, session, body=TEXT, base_version=None)

    note.refresh_from_db()
    assert (note.session, note.author, note.body) == (session, alice, TEXT)
    assert (note.status, note.version, note.signed_at, note.signed_by) == (NoteStatus.DRAFT, 1, None, None)
    [event] = audit("note.create")
    assert (event.actor, event.object_id, event.client_id) == (alice, str(note.pk), session.course.client_id)


def test_it_updates_the_draft_from_the_current_version(alice: User, session: Session) -> None:
    note = save_draft(alice, session, body=TEXT, base_version=None)

    updated = save_draft(alice, session, body="Second thoughts.", base_version=1)

    assert updated.pk == note.pk
    note.refresh_from_db()
    assert (note.body, note.version) == ("Second thoughts.", 2)
    assert Note.objects.count() == 1
    assert [e.object_id for e in audit("note.update")] == [str(note.pk)]


def test_it_refuses_a_save_from_a_stale_version(alice: User, session: Session) -> None:
    save_draft(alice, session, body=TEXT, base_version=None)
    save_draft(alice, session, body="Saved in another tab.", base_version=1)

    with pytest.raises(ValidationError) as excinfo:
        save_draft(alice, session, body="Overwrites the other tab.", base_version=1)

    assert excinfo.value.message_dict == {
        "body": ["Someone saved this note after you opened it. Copy your text, reload, and merge it."]
    }
    note = Note.objects.get()
    assert (note.body, note.version) == ("Saved in another tab.", 2)
    assert len(audit("note.update")) == 1


def test_it_refuses_a_note_that_is_too_long(alice: User, session: Session) -> None:
    with pytest.raises(ValidationError, match=r"at most 50,000 characters \(you have 50,001\)"):
        save_draft(alice, session, body="x" * (MAX_LENGTH + 1), base_version=None)
    assert not Note.objects.exists()
    assert not audit("note.create")


def test_it_signs_a_note(alice: User, held: Session) -> None:
    note = save_draft(alice, held, body=TEXT, base_version=None)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        sign_note(alice, note, base_version=1)

    note.refresh_from_db()
    assert note.is_signed
    assert (note.status, note.signed_by, note.signed_at) == (
        NoteStatus.SIGNED,
        alice,
        NOW + timedelta(minutes=5),
    )
    assert note.body == TEXT
    [event] = audit("note.sign")
    assert (event.actor, event.object_id) == (alice, str(note.pk))


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_it_refuses_to_sign_an_empty_note(alice: User, held: Session, body: str) -> None:
    note = save_draft(alice, held, body=body, base_version=None)
    with pytest.raises(ValidationError) as excinfo:
        sign_note(alice, note)
    assert excinfo.value.message_dict == {"body": ["Write the note before signing it."]}
    note.refresh_from_db()
    assert (note.status, note.signed_at) == (NoteStatus.DRAFT, None)
    assert not audit("note.sign")


def test_it_refuses_to_sign_before_attendance_is_recorded(alice: User, session: Session) -> None:
    note = save_draft(alice, session, body=TEXT, base_version=None)
    with pytest.raises(ValidationError, match="Record whether the client attended"):
        sign_note(alice, note)
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT
    assert not audit("note.sign")


def test_it_signs_the_note_of_a_missed_session(alice: User, session: Session) -> None:
    record_attendance(alice, session, attendance=Attendance.NO_SHOW, modality=Modality.PHONE)
    note = save_draft(alice, session, body="Client did not attend; left a voicemail.", base_version=None)
    assert sign_note(alice, note).is_signed


def test_it_refuses_to_sign_a_changed_note(alice: User, held: Session) -> None:
    note = save_draft(alice, held, body=TEXT, base_version=None)
    save_draft(alice, held, body="Changed in another tab.", base_version=1)
    with pytest.raises(ValidationError, match="changed since you opened it"):
        sign_note(alice, note, base_version=1)
    assert Note.objects.get().status == NoteStatus.DRAFT


def test_it_refuses_to_sign_twice(alice: User, signed: Note) -> None:
    signed_at = signed.signed_at
    with pytest.raises(ValidationError, match="already signed"):
        sign_note(alice, signed)
    signed.refresh_from_db()
    assert signed.signed_at == signed_at
    assert len(audit("note.sign")) == 1


@pytest.mark.parametrize("base_version", [None, 1, 2])
def test_a_signed_note_cannot_be_changed_through_the_action(
    alice: User, held: Session, signed: Note, base_version: int | None
) -> None:
    with pytest.raises(ValidationError, match="signed and cannot be changed"):
        save_draft(alice, held, body="Rewritten history.", base_version=base_version)
    signed.refresh_from_db()
    assert (signed.body, signed.version, signed.status) == (TEXT, 1, NoteStatus.SIGNED)
    assert not audit("note.update")


def test_a_signed_note_cannot_be_changed_through_save(signed: Note) -> None:
    signed.body = "Rewritten history."
    with pytest.raises(SignedRecordError):
        signed.save()
    with pytest.raises(SignedRecordError):
        Note.objects.get(pk=signed.pk).save(update_fields=["updated_at"])
    signed.refresh_from_db()
    assert signed.body == TEXT


def test_a_signed_note_cannot_be_reopened_through_save(signed: Note) -> None:
    signed.status = NoteStatus.DRAFT
    with pytest.raises(SignedRecordError):
        signed.save()
    assert Note.objects.get(pk=signed.pk).is_signed


def test_it_adds_addenda_beneath_a_signed_note(alice: User, signed: Note) -> None:
    first = add_addendum(alice, signed, body="  The argument was with her sister, not her partner. ")
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        second = add_addendum(alice, signed, body="Sister confirmed by phone.")

    assert first.body == "The argument was with her sister, not her partner."
    assert (first.author, first.created_at, first.note) == (alice, NOW, signed)
    assert list(signed.addenda.all()) == [first, second]
    assert [e.object_id for e in audit("note.addendum")] == [str(first.pk), str(second.pk)]
    signed.refresh_from_db()
    assert signed.body == TEXT  # the note itself is untouched


def test_it_refuses_an_addendum_on_a_draft(alice: User, session: Session) -> None:
    note = save_draft(alice, session, body=TEXT, base_version=None)
    with pytest.raises(ValidationError, match="addenda are for signed notes"):
        add_addendum(alice, note, body="An afterthought.")
    assert not Addendum.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [(" ", "Write the addendum."), ("x" * (MAX_LENGTH + 1), "at most 50,000 characters .you have 50,001.")],
)
def test_it_refuses_an_empty_or_long_addendum(alice: User, signed: Note, body: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        add_addendum(alice, signed, body=body)
    assert not Addendum.objects.exists()
    assert not audit("note.addendum")


def test_an_addendum_cannot_be_changed(alice: User, signed: Note) -> None:
    addendum = add_addendum(alice, signed, body="Correct date of the argument: Friday.")
    addendum.body = "Something else."
    with pytest.raises(SignedRecordError):
        addendum.save()
    addendum.refresh_from_db()
    assert addendum.body == "Correct date of the argument: Friday."

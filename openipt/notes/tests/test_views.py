"""The session note on the session page: save a draft, save and sign, add addenda."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from conftest import make_user
from openipt.accounts.models import Team, User
from openipt.audit.models import AuditEvent
from openipt.courses.actions import record_attendance
from openipt.courses.models import Attendance, Course, Modality, Session
from openipt.notes.actions import add_addendum, save_draft, sign_note
from openipt.notes.models import Addendum, Note, NoteStatus

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


def save_url(session: Session) -> str:
    return reverse("notes:save", args=[session.pk])


def addendum_url(note: Note) -> str:
    return reverse("notes:addendum", args=[note.pk])


def session_url(session: Session) -> str:
    return reverse("courses:session", args=[session.pk])


def note_section(html: str) -> str:
    match = re.search(r'<section class="card" aria-labelledby="note-h">.*?</section>', html, re.S)
    assert match
    return match.group(0)


def test_it_saves_a_new_draft(client: HttpClient, alice: User, session: Session) -> None:
    client.force_login(alice)

    r = client.post(save_url(session), {"body": TEXT, "version": ""})

    assert r.status_code == 302
    assert r["Location"] == session_url(session) + "#note-h"
    note = Note.objects.get()
    assert (note.session, note.author, note.body, note.version) == (session, alice, TEXT, 1)
    assert note.status == NoteStatus.DRAFT
    assert AuditEvent.objects.get(action="note.create").actor == alice
    html = client.get(r["Location"]).content.decode()
    assert "Draft saved." in html
    section = note_section(html)
    assert TEXT in section
    assert 'name="version" value="1"' in section


def test_it_updates_the_draft(client: HttpClient, alice: User, session: Session) -> None:
    save_draft(alice, session, body=TEXT, base_version=None)
    client.force_login(alice)

    r = client.post(save_url(session), {"body": "A fuller account.", "version": "1"})

    assert r.status_code == 302
    note = Note.objects.get()
    assert (note.body, note.version) == ("A fuller account.", 2)
    assert 'name="version" value="2"' in note_section(client.get(session_url(session)).content.decode())


def test_a_stale_version_is_refused_and_the_stored_text_kept(
    client: HttpClient, alice: User, session: Session
) -> None:
    save_draft(alice, session, body=TEXT, base_version=None)
    save_draft(alice, session, body="Saved from the other tab.", base_version=1)
    client.force_login(alice)

    r = client.post(save_url(session), {"body": "My unsaved words.", "version": "1"})

    assert r.status_code == 400
    section = note_section(r.content.decode())
    assert "Someone saved this note after you opened it. Copy your text, reload, and merge it." in section
    assert "My unsaved words." in section  # still on screen to copy
    note = Note.objects.get()
    assert (note.body, note.version) == ("Saved from the other tab.", 2)


def test_a_second_editor_starting_from_no_note_does_not_overwrite_the_first(
    client: HttpClient, alice: User, north_team: Team, session: Session
) -> None:
    # Both opened the session page before any note existed, so both forms carry no version.
    colleague = make_user("carol", alice.organisation, "clinician", north_team)
    client.force_login(alice)
    assert client.post(save_url(session), {"body": TEXT, "version": ""}).status_code == 302

    client.force_login(colleague)
    r = client.post(save_url(session), {"body": "Carol's note of the same session.", "version": ""})

    assert r.status_code == 400
    assert "Someone saved this note after you opened it." in r.content.decode()
    note = Note.objects.get()
    assert (note.body, note.version, note.author) == (TEXT, 1, alice)


def test_it_saves_and_signs_in_one_step(client: HttpClient, alice: User, held: Session) -> None:
    client.force_login(alice)

    r = client.post(save_url(held), {"body": TEXT, "version": "", "sign": "", "confirm_sign": "on"})

    assert r.status_code == 302
    note = Note.objects.get()
    assert (note.status, note.signed_by, note.signed_at, note.body) == (NoteStatus.SIGNED, alice, NOW, TEXT)
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="note.")] == [
        "note.create",
        "note.sign",
    ]
    html = client.get(r["Location"]).content.decode()
    assert "Note signed." in html
    section = note_section(html)
    assert "Signed by Alice on Mon 2 Mar 2026, 12:00." in section
    assert 'name="body"' in section  # the addendum form
    assert reverse("notes:addendum", args=[note.pk]) in section
    assert reverse("notes:save", args=[held.pk]) not in section


def test_signing_before_attendance_is_recorded_is_refused_but_the_draft_is_kept(
    client: HttpClient, alice: User, session: Session
) -> None:
    save_draft(alice, session, body="First draft.", base_version=None)
    client.force_login(alice)

    r = client.post(save_url(session), {"body": TEXT, "version": "1", "sign": "", "confirm_sign": "on"})

    assert r.status_code == 400
    section = note_section(r.content.decode())
    assert "Record whether the client attended before signing the note." in section
    assert TEXT in section
    assert 'name="version" value="2"' in section  # the saved draft's version, not a false conflict
    note = Note.objects.get()
    assert (note.status, note.body, note.version, note.signed_at) == (NoteStatus.DRAFT, TEXT, 2, None)
    assert AuditEvent.objects.filter(action="note.update").count() == 1
    assert not AuditEvent.objects.filter(action="note.sign").exists()


def test_the_redisplayed_form_can_be_sent_again_after_a_refused_signature(
    client: HttpClient, alice: User, session: Session
) -> None:
    save_draft(alice, session, body="First draft.", base_version=None)
    client.force_login(alice)
    r = client.post(save_url(session), {"body": "", "version": "1", "sign": "", "confirm_sign": "on"})
    assert r.status_code == 400
    assert "Write the note before signing it." in note_section(r.content.decode())
    version = re.search(r'name="version" value="(\d+)"', note_section(r.content.decode()))
    assert version

    record_attendance(alice, session, attendance=Attendance.ATTENDED, modality=Modality.IN_PERSON)
    r = client.post(
        save_url(session), {"body": TEXT, "version": version.group(1), "sign": "", "confirm_sign": "on"}
    )

    assert r.status_code == 302
    note = Note.objects.get()
    assert (note.status, note.body) == (NoteStatus.SIGNED, TEXT)


def test_signing_an_empty_note_is_refused(client: HttpClient, alice: User, held: Session) -> None:
    client.force_login(alice)
    r = client.post(save_url(held), {"body": "  ", "version": "", "sign": "", "confirm_sign": "on"})
    assert r.status_code == 400
    assert "Write the note before signing it." in r.content.decode()
    assert not Note.objects.filter(status=NoteStatus.SIGNED).exists()


def test_a_signed_note_cannot_be_changed_through_the_page(
    client: HttpClient, alice: User, held: Session, signed: Note
) -> None:
    # A draft left open in another tab after the note was signed.
    client.force_login(alice)
    for data in (
        {"body": "Rewritten.", "version": "1"},
        {"body": "Rewritten.", "version": "1", "sign": "", "confirm_sign": "on"},
    ):
        r = client.post(save_url(held), data)
        assert r.status_code == 400
        section = note_section(r.content.decode())
        assert "This note is signed and cannot be changed; add an addendum instead." in section
        # The words typed are not lost: they wait in the addendum box.
        assert re.search(r'<textarea name="body"[^>]*>\s*Rewritten.</textarea>', section)
    signed.refresh_from_db()
    assert (signed.body, signed.version, signed.status) == (TEXT, 1, NoteStatus.SIGNED)
    assert not AuditEvent.objects.filter(action="note.update").exists()
    assert not Addendum.objects.exists()


def test_addenda_are_shown_beneath_the_note_in_order(
    client: HttpClient, alice: User, held: Session, signed: Note
) -> None:
    client.force_login(alice)

    r = client.post(addendum_url(signed), {"body": "First correction: it was her sister."})
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        add_addendum(alice, signed, body="Second correction: on Friday.")

    assert r.status_code == 302
    assert r["Location"] == session_url(held) + "#note-h"
    first = Addendum.objects.first()
    assert first is not None
    assert (first.note, first.author, first.body) == (signed, alice, "First correction: it was her sister.")
    assert next(e.object_id for e in AuditEvent.objects.filter(action="note.addendum")) == str(first.pk)
    html = client.get(session_url(held)).content.decode()
    assert "Addendum added." in html
    section = note_section(html)
    positions = [
        section.index(TEXT),
        section.index("Addendum by Alice, Mon 2 Mar 2026, 12:00"),
        section.index("First correction: it was her sister."),
        section.index("Addendum by Alice, Mon 2 Mar 2026, 14:00"),
        section.index("Second correction: on Friday."),
    ]
    assert positions == sorted(positions)
    signed.refresh_from_db()
    assert signed.body == TEXT


def test_an_empty_addendum_is_refused(client: HttpClient, alice: User, signed: Note) -> None:
    client.force_login(alice)
    r = client.post(addendum_url(signed), {"body": ""})
    assert r.status_code == 400
    assert "This field is required." in note_section(r.content.decode())
    assert not Addendum.objects.exists()


def test_an_addendum_on_a_draft_is_refused(client: HttpClient, alice: User, session: Session) -> None:
    note = save_draft(alice, session, body=TEXT, base_version=None)
    client.force_login(alice)
    r = client.post(addendum_url(note), {"body": "An afterthought."})
    assert r.status_code == 400
    assert not Addendum.objects.exists()
    assert not AuditEvent.objects.filter(action="note.addendum").exists()


def test_a_supervisor_reads_but_cannot_write(
    client: HttpClient, alice: User, bob: User, session: Session
) -> None:
    note = save_draft(alice, session, body=TEXT, base_version=None)
    client.force_login(bob)
    section = note_section(client.get(session_url(session)).content.decode())
    assert TEXT in section
    assert "Draft (not signed)." in section
    assert "<form" not in section
    assert client.post(save_url(session), {"body": "Supervisor's edit.", "version": "1"}).status_code == 403
    record_attendance(alice, session, attendance=Attendance.ATTENDED, modality=Modality.IN_PERSON)
    sign_note(alice, note)
    assert client.post(addendum_url(note), {"body": "Supervisor's addendum."}).status_code == 403
    note.refresh_from_db()
    assert note.body == TEXT
    assert not Addendum.objects.exists()


@pytest.mark.parametrize("outsider", ["dave", "charlie"])
def test_outsiders_get_404(
    client: HttpClient, everyone: dict[str, User], held: Session, signed: Note, outsider: str
) -> None:
    client.force_login(everyone[outsider])
    for r in (
        client.post(save_url(held), {"body": "Hijack.", "version": "1"}),
        client.post(addendum_url(signed), {"body": "Hijack."}),
    ):
        assert r.status_code == 404
        assert "Okafor" not in r.content.decode()
        assert TEXT not in r.content.decode()
    assert not Addendum.objects.exists()
    signed.refresh_from_db()
    assert signed.body == TEXT


def test_the_note_urls_take_posts_only(client: HttpClient, alice: User, held: Session, signed: Note) -> None:
    client.force_login(alice)
    assert client.get(save_url(held)).status_code == 405
    assert client.get(addendum_url(signed)).status_code == 405


@pytest.mark.parametrize("button", ["save", "sign"])
def test_a_note_over_the_limit_is_refused_with_the_limit_and_never_cut(
    client: HttpClient, alice: User, session: Session, button: str
) -> None:
    client.force_login(alice)
    assert "maxlength" not in note_section(client.get(session_url(session)).content.decode())  # a browser
    # would silently drop whatever is pasted beyond a maxlength
    long = "word " * 10_000 + "end."  # 50,004 characters

    r = client.post(save_url(session), {"body": long, "version": "", button: "", "confirm_sign": "on"})

    assert r.status_code == 400
    section = note_section(r.content.decode())
    assert "This can be at most 50,000 characters (you have 50,004)." in section
    assert "end.</textarea>" in section  # every character typed is still there
    assert not Note.objects.exists()


def test_signing_asks_for_the_tick_and_changes_nothing_without_it(
    client: HttpClient, alice: User, held: Session
) -> None:
    client.force_login(alice)
    page = note_section(client.get(session_url(held)).content.decode())
    assert 'name="confirm_sign"' in page and "cannot be changed" in page

    r = client.post(save_url(held), {"body": TEXT, "version": "", "sign": ""})

    assert r.status_code == 400
    section = note_section(r.content.decode())
    assert "Tick this box to sign the note, or save it as a draft." in section
    assert TEXT in section  # the words typed stay on screen
    assert not Note.objects.exists()

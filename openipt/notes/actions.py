"""Session notes: save a draft, sign it, add addenda. A signed note never changes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from openipt.audit.actions import record
from openipt.courses.models import Session
from openipt.lib.errors import refuse, too_long

from .models import Addendum, Note, NoteStatus, PsychotherapyNote

MAX_LENGTH = 50_000


def save_draft(
    actor: Any,
    session: Session,
    *,
    body: str,
    base_version: int | None,
    request: HttpRequest | None = None,
) -> Note:
    """Create or update the session's draft note.

    `base_version` is the version the editor started from (None: there was no note yet); if
    someone saved in between, the save is refused rather than silently overwriting their words.
    """
    if len(body) > MAX_LENGTH:
        raise refuse(too_long(len(body), MAX_LENGTH), "body")
    with transaction.atomic():
        note = Note.objects.select_for_update().filter(session=session).first()
        if note is None:
            note = Note.objects.create(session=session, author=actor, body=body)
            record(actor, "note.create", obj=note, client_id=session.course.client_id, request=request)
            return note
        if note.is_signed:
            raise refuse(_("This note is signed and cannot be changed; add an addendum instead."))
        if base_version != note.version:
            raise refuse(
                _("Someone saved this note after you opened it. Copy your text, reload, and merge it."),
                "body",
            )
        note.body = body
        note.version += 1
        note.save(update_fields=["body", "version", "updated_at"])
        record(actor, "note.update", obj=note, client_id=session.course.client_id, request=request)
    return note


def sign_note(
    actor: Any, note: Note, *, base_version: int | None = None, request: HttpRequest | None = None
) -> Note:
    """Sign the note: from now on it is read-only and corrections are addenda."""
    with transaction.atomic():
        note = Note.objects.select_for_update().get(pk=note.pk)
        if note.is_signed:
            raise refuse(_("This note is already signed."))
        if base_version is not None and base_version != note.version:
            raise refuse(_("The note changed since you opened it; review the latest text before signing."))
        if not note.body.strip():
            raise refuse(_("Write the note before signing it."), "body")
        if note.session.attendance == "scheduled":
            raise refuse(_("Record whether the client attended before signing the note."))
        note.status = NoteStatus.SIGNED
        note.signed_at = timezone.now()
        note.signed_by = actor
        note.save(update_fields=["status", "signed_at", "signed_by", "updated_at"])
        record(actor, "note.sign", obj=note, client_id=note.session.course.client_id, request=request)
    return note


def add_addendum(actor: Any, note: Note, *, body: str, request: HttpRequest | None = None) -> Addendum:
    """Add a dated addendum beneath a signed note."""
    body = body.strip()
    if not body:
        raise refuse(_("Write the addendum."), "body")
    if len(body) > MAX_LENGTH:
        raise refuse(too_long(len(body), MAX_LENGTH), "body")
    if not note.is_signed:
        raise refuse(_("Edit the draft directly; addenda are for signed notes."))
    with transaction.atomic():
        addendum = Addendum.objects.create(note=note, author=actor, body=body, created_at=timezone.now())
        record(actor, "note.addendum", obj=addendum, client_id=note.session.course.client_id, request=request)
    return addendum


def save_private_note(
    actor: Any,
    session: Session,
    *,
    body: str,
    base_version: int | None,
    request: HttpRequest | None = None,
) -> PsychotherapyNote:
    """Save the author's own private process notes for a session (only the author can read them).

    Only a clinician of the care team writes one; a stale save is refused like a draft note's.
    """
    from openipt.clients.access import can_write

    if not can_write(actor, session.course.client):
        raise PermissionDenied
    if len(body) > MAX_LENGTH:
        raise refuse(too_long(len(body), MAX_LENGTH), "body")
    with transaction.atomic():
        note = PsychotherapyNote.objects.select_for_update().filter(session=session, author=actor).first()
        if note is None:
            if base_version is not None:
                raise refuse(_("These notes changed since you opened them; reload the page."), "body")
            note = PsychotherapyNote.objects.create(session=session, author=actor, body=body)
        else:
            if base_version != note.version:
                raise refuse(
                    _(
                        "You saved these notes elsewhere after opening this page. "
                        "Copy your text, reload, and merge it."
                    ),
                    "body",
                )
            note.body = body
            note.version += 1
            note.save(update_fields=["body", "version", "updated_at"])
        # The audit row names the action but never the text.
        record(actor, "private_note.save", obj=note, client_id=session.course.client_id, request=request)
    return note


def private_note_for(user: Any, session: Session) -> PsychotherapyNote | None:
    """The user's own private notes for this session: nobody else's are ever returned."""
    if not getattr(user, "is_authenticated", False):
        return None
    return PsychotherapyNote.objects.filter(session=session, author=user).first()

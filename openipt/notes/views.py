from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openipt.clients.access import can_write
from openipt.courses.access import get_session_for_user
from openipt.courses.models import Session
from openipt.courses.session_page import back_to, session_context
from openipt.lib.decorators import clinical_view
from openipt.lib.forms import apply_error
from openipt.lib.http import AuthedRequest

from . import actions
from .access import get_note_for_user
from .forms import AddendumForm, NoteForm, PrivateNoteForm
from .models import Note, NoteStatus


@clinical_view
@require_POST
def save_note(request: AuthedRequest, session_id: int) -> HttpResponse:
    """Save the draft; with `sign` in the form, save and sign in one step."""
    session = get_session_for_user(request.user, session_id)
    if not can_write(request.user, session.course.client):
        raise PermissionDenied
    form = NoteForm(request.POST)
    forms: dict[str, Form] = {"note_form": form}
    if form.is_valid() and "sign" in request.POST and not form.cleaned_data["confirm_sign"]:
        # signing cannot be undone: without the tick nothing is saved, and the words stay on screen
        form.add_error("confirm_sign", _("Tick this box to sign the note, or save it as a draft."))
    if form.is_valid():
        note = None
        try:
            note = actions.save_draft(
                request.user,
                session,
                body=form.cleaned_data["body"],
                base_version=form.cleaned_data["version"],
                request=request,
            )
            if "sign" in request.POST:
                actions.sign_note(request.user, note, base_version=note.version, request=request)
        except ValidationError as exc:
            forms = _refused(session, form, note, exc)
        else:
            messages.success(request, _("Note signed.") if "sign" in request.POST else _("Draft saved."))
            return back_to(session, "note-h")
    return render(request, "courses/session.html", session_context(request, session, **forms), status=400)


def _refused(session: Session, form: NoteForm, saved: Note | None, exc: ValidationError) -> dict[str, Form]:
    """The form that shows a refused save, keeping the words typed on screen."""
    if saved is not None:
        # The draft was saved and only signing was refused: carry the new version, so sending the
        # form again is not mistaken for someone else's edit.
        form = NoteForm({"body": saved.body, "version": saved.version})
        form.is_valid()
    elif Note.objects.filter(session=session, status=NoteStatus.SIGNED).exists():
        # Signed meanwhile (another tab): the page shows the addendum form, not the draft.
        addendum = AddendumForm({"body": form.cleaned_data["body"]})
        addendum.is_valid()
        apply_error(addendum, exc)
        return {"addendum_form": addendum}
    apply_error(form, exc)
    return {"note_form": form}


@clinical_view
@require_POST
def add_addendum(request: AuthedRequest, note_id: int) -> HttpResponse:
    note = get_note_for_user(request.user, note_id)
    session = note.session
    if not can_write(request.user, session.course.client):
        raise PermissionDenied
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            actions.add_addendum(request.user, note, body=form.cleaned_data["body"], request=request)
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Addendum added."))
            return back_to(session, "note-h")
    return render(
        request, "courses/session.html", session_context(request, session, addendum_form=form), status=400
    )


@clinical_view
@require_POST
def save_private(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request.user, session_id)
    form = PrivateNoteForm(request.POST)
    if form.is_valid():
        try:
            actions.save_private_note(
                request.user,
                session,
                body=form.cleaned_data["body"],
                base_version=form.cleaned_data["version"],
                request=request,
            )
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Private notes saved."))
            return back_to(session, "private-h")
    return render(
        request, "courses/session.html", session_context(request, session, private_form=form), status=400
    )

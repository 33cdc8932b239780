from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openipt.clients.access import can_write
from openipt.courses.access import get_session_for_user
from openipt.courses.session_page import session_context
from openipt.lib.decorators import clinical_view
from openipt.lib.forms import apply_error
from openipt.lib.http import AuthedRequest

from . import actions
from .access import get_note_for_user
from .forms import AddendumForm, NoteForm


@clinical_view
@require_POST
def save_note(request: AuthedRequest, session_id: int) -> HttpResponse:
    """Save the draft; with `sign` in the form, save and sign in one step."""
    session = get_session_for_user(request.user, session_id)
    if not can_write(request.user, session.course.client):
        raise PermissionDenied
    form = NoteForm(request.POST)
    if form.is_valid():
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
            apply_error(form, exc)
        else:
            messages.success(request, _("Note signed.") if "sign" in request.POST else _("Draft saved."))
            return redirect("courses:session", session.pk)
    return render(
        request, "courses/session.html", session_context(request, session, note_form=form), status=400
    )


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
            return redirect("courses:session", session.pk)
    return render(
        request, "courses/session.html", session_context(request, session, addendum_form=form), status=400
    )

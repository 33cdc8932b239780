"""The diary in the portal: a quick mood entry, a guided conversation entry, this week's and last
week's entries, and changing or deleting an entry on the day it was written.

A refused entry comes back with what the client typed, and a message saying what to fix."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from openipt.clients.models import Client
from openipt.portal.views import portal_view

from . import actions
from .access import get_client_entry
from .forms import CommunicationEntryForm, EntryForm, MoodEntryForm, form_for, initial_for
from .models import DiaryEntry
from .prompts import PROMPTS
from .summary import entries_between


def _show(form: EntryForm, error: ValidationError) -> None:
    """Put an action's refusal on the form: beside its field, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _add(request: HttpRequest, client: Client, form: EntryForm) -> HttpResponse | None:
    """Save a posted new entry and redirect, or None when the form is to be shown again."""
    if not form.is_valid():
        return None
    try:
        _saved, created = actions.add_entry(
            request.user, client, form.entry_data(), key=form.cleaned_data["key"], request=request
        )
    except ValidationError as e:
        _show(form, e)
        return None
    if created:
        messages.success(request, _("Saved in your diary. Your therapist will see it at your next session."))
    else:
        messages.info(request, _("This entry was already saved; it is in your diary once."))
    return redirect("portal:diary")


@portal_view
def diary(request: HttpRequest, client: Client) -> HttpResponse:
    """The diary's home: today's mood (a POST saves it) and the last two weeks' entries."""
    form = MoodEntryForm(request.POST or None, client=client)
    if request.method == "POST" and (done := _add(request, client, form)) is not None:
        return done
    today = actions.today_for(client)
    monday = today - timedelta(days=today.weekday())
    rows = entries_between(client.pk, monday - timedelta(days=7), today)[::-1]
    context = {
        "form": form,
        "closed": actions.closed_reason(client),
        "today": today,
        "this_week": [r for r in rows if r.entry_date >= monday],
        "last_week": [r for r in rows if r.entry_date < monday],
    }
    return render(request, "diary/diary.html", context, status=400 if form.is_bound else 200)


@portal_view
def communication(request: HttpRequest, client: Client) -> HttpResponse:
    """The guided communication analysis of one conversation."""
    form = CommunicationEntryForm(request.POST or None, client=client)
    if request.method == "POST" and (done := _add(request, client, form)) is not None:
        return done
    context = {"form": form, "closed": actions.closed_reason(client)}
    return render(request, "diary/communication.html", context, status=400 if form.is_bound else 200)


@portal_view
def entry(request: HttpRequest, client: Client, entry_id: int) -> HttpResponse:
    """One entry: a form on the day it was written, read-only after that. A POST saves a change."""
    found = get_client_entry(client, entry_id)
    form_class = form_for(found)
    if request.method != "POST":
        open_ = actions.is_open(found, actions.today_for(client))
        form = form_class(initial=initial_for(found), client=client, edit=True) if open_ else None
        return _entry_page(request, found, form)
    form = form_class(request.POST, client=client, edit=True)
    if form.is_valid():
        try:
            _saved, changed = actions.edit_entry(
                request.user, found, form.entry_data(), seen=form.cleaned_data["seen"], request=request
            )
        except ValidationError as e:
            # shown again against the entry as it is now, so that a second save can succeed
            data = request.POST.copy()
            data["seen"] = actions.stamp(get_client_entry(client, found.pk))
            form = form_class(data, client=client, edit=True)
            form.is_valid()
            _show(form, e)
        else:
            messages.success(request, _("Your changes are saved.") if changed else _("Nothing was changed."))
            return redirect("portal:diary")
    return _entry_page(request, found, form, status=400)


def _entry_page(
    request: HttpRequest, found: DiaryEntry, form: EntryForm | None, status: int = 200
) -> HttpResponse:
    context = {
        "entry": found,
        "form": form,
        "people": [p.name for p in found.people.all()],
        "steps": [(p.label, getattr(found, p.field)) for p in PROMPTS],
    }
    return render(request, "diary/entry.html", context, status=status)


@portal_view
def delete(request: HttpRequest, client: Client, entry_id: int) -> HttpResponse:
    """Ask, then delete an entry on the day it was written."""
    found = get_client_entry(client, entry_id)
    problem = ""
    if request.method == "POST":
        try:
            actions.delete_entry(request.user, found, request=request)
        except ValidationError as e:
            problem = " ".join(e.messages)
        else:
            messages.success(request, _("The entry is deleted."))
            return redirect("portal:diary")
    context = {
        "entry": found,
        "open": actions.is_open(found, actions.today_for(client)),
        "problem": problem,
    }
    return render(request, "diary/delete.html", context, status=400 if problem else 200)

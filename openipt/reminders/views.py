"""The client's reminder choice (portal) and the care team's log of reminders sent (staff)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from openipt.clients.access import get_client_for_user
from openipt.clients.models import Client
from openipt.courses import summary
from openipt.courses.models import Attendance, CourseStatus, Session
from openipt.lib.decorators import clinical_view
from openipt.lib.http import AuthedRequest
from openipt.portal.models import PortalAccount
from openipt.portal.views import portal_view

from . import actions
from .content import message_for
from .due import lead_for, preference_of
from .forms import ReminderForm
from .models import Channel, ReminderDelivery, ReminderKind, ReminderPreference

PER_PAGE = 50


def _initial(client: Client, preference: ReminderPreference) -> dict[str, str]:
    how = preference.channel if preference.enabled else actions.OFF
    if how == Channel.EMAIL and not client.email:
        how = actions.OFF  # e-mail is the default, but there is no address to send it to
    return {"how": how, "phone": preference.phone or actions.suggested_phone(client)}


def _examples(client: Client, channel: str) -> list[tuple[str, str]]:
    """What each kind of reminder says, for the client's next session (or a day like it)."""
    next_session = (
        Session.objects.filter(
            course__client=client,
            course__status=CourseStatus.ACTIVE,
            attendance=Attendance.SCHEDULED,
            scheduled_date__gt=timezone.localdate(),
        )
        .order_by("scheduled_date", "number")
        .first()
    )
    examples = []
    kinds = (
        (ReminderKind.SESSION, _("Before a session")),
        (ReminderKind.QUESTIONNAIRES, _("When a questionnaire is waiting")),
    )
    for kind, label in kinds:
        lead = lead_for(kind)
        day = next_session.scheduled_date if next_session else timezone.localdate() + timedelta(lead.days)
        message = message_for(kind, day, lead.days, 1, client.locale)
        text = message.sms if channel == Channel.SMS else f"{message.subject}\n\n{message.body}"
        examples.append((label, text))
    return examples


@portal_view
def reminder_settings(request: HttpRequest, client: Client) -> HttpResponse:
    preference = preference_of(client)
    form = ReminderForm(request.POST or None, initial=_initial(client, preference))
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            actions.save_preference(
                request.user, client, how=data["how"], phone=data["phone"], request=request
            )
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, _("Saved. Your reminders will follow this choice."))
            return redirect("portal:reminders")
    context = {
        "form": form,
        "client": client,
        "preference": preference,
        "address": preference.address_for(client),
        "examples": _examples(client, preference.channel),
        "session_days": lead_for(ReminderKind.SESSION).days,
        "questionnaire_days": lead_for(ReminderKind.QUESTIONNAIRES).days,
        "hour": lead_for(ReminderKind.SESSION).hour,
    }
    return render(request, "reminders/portal_settings.html", context, status=400 if form.errors else 200)


@clinical_view
def client_log(request: AuthedRequest, client_id: int) -> HttpResponse:
    """The reminders sent to the client: when, what kind, by which channel, how it went; no content."""
    client = get_client_for_user(request.user, client_id)
    rows = ReminderDelivery.objects.filter(client=client).order_by("-created_at", "-id")
    account = PortalAccount.objects.select_related("user").filter(client=client).first()
    context = {
        "client": client,
        "banner": summary.banner_for(client),
        "page": Paginator(rows, PER_PAGE).get_page(request.GET.get("page")),
        "preference": preference_of(client),
        "portal_open": account is not None and account.user.is_active,
    }
    return render(request, "reminders/client_log.html", context)

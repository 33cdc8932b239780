"""Forms of the user-management pages (Settings → Users)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import events
from .models import STAFF_ROLES, WEEKDAY_NAMES, Role, Team, User

STAFF_ROLE_CHOICES = [(value, label) for value, label in Role.choices if value in STAFF_ROLES]


class TeamsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(
            queryset=Team.objects.filter(organisation_id=organisation_id).order_by("name"),
            label=_("Care teams"),
            required=False,
            help_text=_("Clinicians and supervisors see the clients of their care teams."),
            **kwargs,
        )


class AccessForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES, widget=forms.RadioSelect)

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"] = TeamsField(organisation_id)


class UserCreateForm(forms.ModelForm):
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES, widget=forms.RadioSelect)
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 12 characters; not a common password, and not the username, the organisation's "
            "name or “OpenIPT”. Give it to the person privately."
        ),
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["teams"] = TeamsField(organisation_id)
        self.order_fields(["username", "first_name", "last_name", "email", "role", "teams", "password"])


class MFAAuthenticateForm(AuthenticateForm):
    """allauth's second-factor form at sign-in (MFA_FORMS["authenticate"]), auditing a refusal for
    too many wrong codes as `login.locked`. Wrong codes themselves are audited by events.py."""

    def clean_code(self) -> str:
        try:
            return super().clean_code()
        except ValidationError as exc:
            if exc.code == "too_many_login_attempts":
                events.note_login_failure(context.request, self.user.get_username(), locked=True)
            raise


class OrganisationSettingsForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Session times and dates are on this clock."),
    )
    working_days = forms.TypedMultipleChoiceField(
        label=_("Working days"),
        choices=list(enumerate(WEEKDAY_NAMES)),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "No session is booked on a closed day; one that would fall there moves to the next working day."
        ),
    )
    country = forms.CharField(
        label=_("Country"),
        required=False,
        max_length=2,
        help_text=_("Two letters, e.g. GB, IE or US: phone numbers are read as people write them there."),
    )
    crisis_phone = forms.CharField(
        label=_("Your clinic's number for clients in crisis"),
        required=False,
        max_length=40,
        help_text=_("Shown to clients first, on every page of their portal, before the national lines."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zones = sorted(zoneinfo.available_timezones())
        self.fields["time_zone"].choices = [(z, z.replace("_", " ")) for z in zones]  # type: ignore[attr-defined]

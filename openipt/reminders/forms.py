from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .actions import OFF
from .models import Channel


class ReminderForm(forms.Form):
    how = forms.ChoiceField(
        label=_("How should we remind you?"),
        choices=[
            (Channel.EMAIL.value, _("By e-mail")),
            (Channel.SMS.value, _("By text message")),
            (OFF, _("No reminders")),
        ],
        widget=forms.RadioSelect,
    )
    phone = forms.CharField(
        label=_("Mobile number for text messages"),
        required=False,
        max_length=32,
        help_text=_("With the country code, for example +44 7700 900123. Only needed for text messages."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )

from django import forms
from django.utils.translation import gettext_lazy as _

from openipt.lib.forms import LimitedTextField


class AcknowledgeForm(forms.Form):
    action_taken = LimitedTextField(
        label=_("Action taken"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_(
            "What you did: e.g. phoned the client, completed a risk assessment, updated the safety plan."
        ),
    )

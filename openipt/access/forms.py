from django import forms
from django.utils.translation import gettext_lazy as _

from openipt.lib.forms import LimitedTextField

from .breakglass import DURATIONS, MAX_REASON


class OpenGrantForm(forms.Form):
    clinic_identifier = forms.CharField(
        label=_("Client's clinic identifier"),
        max_length=40,
        help_text=_("Exactly as the care team records it, e.g. NS-1042."),
    )
    reason = LimitedTextField(
        label=_("Why you need this record now"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the access and shown to the team's supervisors. At least 20 characters."),
    )
    minutes = forms.TypedChoiceField(
        label=_("For how long"),
        coerce=int,
        choices=[(m, _("%(n)d minutes") % {"n": m}) for m in DURATIONS],
        initial=15,
    )

from django import forms
from django.utils.translation import gettext_lazy as _

from openipt.lib.forms import LimitedTextField, OwnIds


class NoteForm(OwnIds, forms.Form):
    id_prefix = "note"
    body = LimitedTextField(
        label=_("Session note"), widget=forms.Textarea(attrs={"rows": 10}), required=False, max_length=50_000
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_sign = forms.BooleanField(
        required=False,
        label=_("To sign: I have read this note, and know a signed note cannot be changed (only added to)."),
    )


class AddendumForm(OwnIds, forms.Form):
    id_prefix = "addendum"
    body = LimitedTextField(label=_("Addendum"), widget=forms.Textarea(attrs={"rows": 4}), max_length=50_000)


class PrivateNoteForm(OwnIds, forms.Form):
    id_prefix = "private"
    body = LimitedTextField(
        label=_("Private process notes"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=50_000,
        help_text=_(
            "Only you can read these. They are never shown to colleagues, supervisors or the client, "
            "and never exported."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

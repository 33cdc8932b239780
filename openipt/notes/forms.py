from django import forms
from django.utils.translation import gettext_lazy as _


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Session note"), widget=forms.Textarea(attrs={"rows": 10}), required=False, max_length=50_000
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AddendumForm(forms.Form):
    body = forms.CharField(label=_("Addendum"), widget=forms.Textarea(attrs={"rows": 4}), max_length=50_000)

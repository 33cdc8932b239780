from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openipt.courses.models import HomeworkOutcome
from openipt.lib.forms import LimitedTextField

from .homework import MAX_REFLECTION


class PasswordPairForm(forms.Form):
    username = forms.CharField(
        label=_("Choose a username"),
        max_length=150,
        help_text=_(
            "Something you will remember, or your e-mail address. Letters, numbers and . @ + - _ only."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. A few ordinary words in a row is a good password."),
    )
    password2 = forms.CharField(
        label=_("Type it again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords are not the same. Type them again."))
        return data


class CodeJoinForm(PasswordPairForm):
    code = forms.CharField(
        label=_("Your code"),
        max_length=20,
        help_text=_("The code in your letter, e.g. K7PQM-3XW9A."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    field_order = ["code", "username", "password1", "password2"]


class LinkJoinForm(PasswordPairForm):
    t = forms.CharField(widget=forms.HiddenInput, max_length=100)


class SignInLinkForm(forms.Form):
    username = forms.CharField(
        label=_("Your username"),
        max_length=150,
        help_text=_("The username you chose when you joined (it may be your e-mail address)."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )


class ForgottenUsernameForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("The address your therapist has for you."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
        error_messages={"invalid": _("Type a whole e-mail address, like name@example.org.")},
    )


class HomeworkAnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("How did it go?"), choices=HomeworkOutcome.choices, widget=forms.RadioSelect
    )
    reflection = LimitedTextField(
        label=_("Your thoughts"),
        required=False,
        max_length=MAX_REFLECTION,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

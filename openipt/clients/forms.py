from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openipt.accounts.models import Team

from .models import Client


class ClientForm(forms.ModelForm):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=_("Care team"))

    class Meta:
        model = Client
        fields = [
            "given_name",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "clinic_identifier",
            "email",
            "phone",
            "locale",
            "team",
        ]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = user.teams.filter(organisation_id=user.organisation_id)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        team_field.queryset = teams
        if len(teams) == 1 and not self.is_bound and self.instance.pk is None:
            team_field.initial = teams[0]

    def validate_unique(self) -> None:
        # Uniqueness within the organisation is checked by the action, which knows the organisation.
        pass

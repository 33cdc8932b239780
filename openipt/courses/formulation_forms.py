"""Forms of the formulation and contract pages. They only parse; the actions validate."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openipt.protocols import Protocol

from .models import Contract, DisputeStage, Formulation


class AreasField(forms.MultipleChoiceField):
    """The chosen areas as submitted: the action checks them (and names what is wrong)."""

    def validate(self, value: Any) -> None:
        pass


class ChooseAreasForm(forms.Form):
    areas = AreasField(
        label=_("Problem area"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Choose one area; two at most."),
    )
    rationale = forms.CharField(
        label=_("Why this area"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What in the client's story points to it: events, people, timing around the onset."),
    )
    dispute_stage = forms.ChoiceField(
        label=_("Stage of the role dispute"),
        choices=DisputeStage.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Only when a role dispute is chosen. Renegotiation: both still try to settle it. "
            "Impasse: talking has stopped. Dissolution: the relationship is over."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, protocol: Protocol, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["areas"].choices = [(a.key, _(a.name)) for a in protocol.problem_areas]  # type: ignore[attr-defined]


def choose_initial(formulation: Formulation | None) -> dict[str, Any]:
    if formulation is None:
        return {"version": None}
    return {
        "areas": list(formulation.problem_areas),
        "rationale": formulation.rationale,
        "dispute_stage": formulation.dispute_stage,
        "version": formulation.version,
    }


class FormulationForm(forms.Form):
    text = forms.CharField(
        label=_("Formulation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "In words the client uses: how the depression connects with the chosen problem area. "
            "Read it with the client and change it until they recognise themselves in it."
        ),
    )
    client_agreed = forms.BooleanField(label=_("The client agrees with this formulation"), required=False)
    agreed_on = forms.DateField(
        label=_("Date the client agreed"),
        required=False,
        help_text=_("Required with the agreement: not before the course started, not in the future."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def formulation_initial(formulation: Formulation, draft: str) -> dict[str, Any]:
    return {
        "text": formulation.text or draft,
        "client_agreed": formulation.client_agreed,
        "agreed_on": formulation.agreed_on,
        "version": formulation.version,
    }


class ContractForm(forms.Form):
    sessions = forms.IntegerField(label=_("Number of sessions"))
    focus = forms.CharField(
        label=_("Focus"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The problem area you agreed to work on, in the client's words."),
    )
    goals = forms.CharField(
        label=_("Goals"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the client wants to be different by the end of the course."),
    )
    missed_sessions = forms.CharField(
        label=_("If a session is missed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "How the client lets you know, whether a missed session is rearranged, and that the "
            "course still ends as agreed."
        ),
    )
    agreed_on = forms.DateField(
        label=_("Date agreed"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty until the client has agreed the contract."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, protocol: Protocol, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        low, high = protocol.min_sessions, protocol.max_sessions
        self.fields["sessions"].help_text = (
            _("This protocol always has %(min)s sessions.") % {"min": low}
            if low == high
            else _("Between %(min)s and %(max)s for this protocol. Changing it changes the schedule.")
            % {"min": low, "max": high}
        )


def contract_initial(
    contract: Contract | None, course_sessions: int, focus: str, goals: str
) -> dict[str, Any]:
    """The stored contract, or a first draft: the planned sessions and the chosen area's goals."""
    if contract is None:
        return {"sessions": course_sessions, "focus": focus, "goals": goals, "version": None}
    return {
        "sessions": contract.sessions,
        "focus": contract.focus,
        "goals": contract.goals,
        "missed_sessions": contract.missed_sessions,
        "agreed_on": contract.agreed_on,
        "version": contract.version,
    }


class ContractShareForm(forms.Form):
    """Share the contract with the client in the portal ("on"), or stop sharing it ("off")."""

    share = forms.TypedChoiceField(
        choices=[("on", _("Share with the client")), ("off", _("Stop sharing with the client"))],
        coerce=lambda value: value == "on",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SafetyPlan
from .plans import FIELDS, verbose_name

# Plain words for each step, addressed to the client: the plan is written together in the session.
HELP = {
    "warning_signs": _(
        "What tells you a crisis may be coming: thoughts, images, moods, situations, behaviour."
    ),
    "internal_coping": _(
        "Things you can do on your own, without contacting anyone, to take your mind off your "
        "problems: for example a walk, music, a shower, a hobby."
    ),
    "social_distraction": _(
        "People and places that give you a break from your thoughts: a friend to visit, a café, a "
        "park, a place of worship. Write names and where to find them."
    ),
    "people_to_ask": _(
        "Family members or friends you can tell that you are struggling and ask for help. Write "
        "their names and phone numbers."
    ),
    "professionals": _(
        "Your clinician, your doctor, urgent care and crisis lines: names, phone numbers and when "
        "they can be reached. The crisis lines for your area are printed with the plan."
    ),
    "environment_safety": _(
        "How to put the things you might use to harm yourself out of reach: for example asking "
        "someone to keep medicines, locking away or removing them."
    ),
    "reasons_for_living": _(
        "What matters most to you and is worth living for: people, pets, plans, beliefs."
    ),
}


def _text(name: str) -> forms.CharField:
    # No max_length: the action checks lengths after making line endings plain, and a browser's
    # maxlength would silently cut pasted text short.
    return forms.CharField(
        label=verbose_name(name),
        help_text=HELP[name],
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class SafetyPlanForm(forms.Form):
    """The whole plan in one column, in the order the steps are worked through."""

    warning_signs = _text("warning_signs")
    internal_coping = _text("internal_coping")
    social_distraction = _text("social_distraction")
    people_to_ask = _text("people_to_ask")
    professionals = _text("professionals")
    environment_safety = _text("environment_safety")
    reasons_for_living = _text("reasons_for_living")
    shared_with_client = forms.BooleanField(
        label=_("Share this version with the client"),
        help_text=_("Tick when you have agreed this plan with the client and they may have a copy."),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def initial_for(plan: SafetyPlan | None) -> dict[str, Any]:
    """The form's starting values: the current version's text, or empty for a first plan."""
    if plan is None:
        return {"version": None}
    return {
        "version": plan.version,
        "shared_with_client": plan.shared_with_client,
        **{name: getattr(plan, name) for name in FIELDS},
    }

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from openipt.protocols import get_protocol

from .models import Recommendation, TerminationPlan
from .termination import FIELDS, MAINTENANCE_PROTOCOL, Progress, verbose_name

# What each part asks for, in plain words; drawn from the manuals' termination tasks (Weissman,
# Markowitz & Klerman 2018; Stuart & Robertson 2012, ch. 20).
HELP = {
    "progress_review": _(
        "How the symptoms changed and how the focal problem was handled. Ask the client why they "
        "think they feel better, so that they credit their own work. Starts with the scores of this "
        "course; edit freely."
    ),
    "goals_achieved": _("Starts with each goal's latest review; add the client's own view."),
    "feelings_about_ending": _(
        "Ending is a role transition of its own: what the client feels about it (for example sadness, "
        "worry or relief) and what you talked about."
    ),
    "warning_signs": _(
        "In the client's words: the first signs that depression may be coming back, such as sleeping "
        "badly, pulling away from people, or losing interest."
    ),
    "what_helps": _("What the client will do when those signs come back: what helped during the course."),
    "who_to_contact": _("People close to the client, their doctor, this clinic: names and phone numbers."),
    "when_to_come_back": _(
        "When the client should get in touch with the clinic again: which signs, and for how long."
    ),
}


def _text(name: str, rows: int = 4) -> forms.CharField:
    # No max_length: the action checks lengths after making line endings plain.
    return forms.CharField(
        label=capfirst(verbose_name(name)),
        help_text=HELP[name],
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class TerminationForm(forms.Form):
    """The termination tasks in the order they are worked through; the plan last."""

    progress_review = _text("progress_review", rows=6)
    goals_achieved = _text("goals_achieved")
    feelings_about_ending = _text("feelings_about_ending")
    warning_signs = _text("warning_signs")
    what_helps = _text("what_helps")
    who_to_contact = _text("who_to_contact")
    when_to_come_back = _text("when_to_come_back", rows=3)
    shared_with_client = forms.BooleanField(
        label=_("Shared with the client"),
        help_text=_("Tick when the client has agreed the relapse-prevention plan and has a copy."),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    plan_fields = ("warning_signs", "what_helps", "who_to_contact", "when_to_come_back", "shared_with_client")

    def tasks(self) -> list[forms.BoundField]:
        return [self[name] for name in ("progress_review", "goals_achieved", "feelings_about_ending")]

    def plan(self) -> list[forms.BoundField]:
        return [self[name] for name in self.plan_fields]


def initial_for(plan: TerminationPlan | None, progress: Progress) -> dict[str, Any]:
    """The stored text, with the progress review and goals drafted from the facts where still empty."""
    initial: dict[str, Any] = {"version": plan.version if plan else None}
    if plan is not None:
        initial["shared_with_client"] = plan.shared_with_client
        initial.update({name: getattr(plan, name) for name in FIELDS})
    if not initial.get("progress_review"):
        initial["progress_review"] = progress.review_text()
    if not initial.get("goals_achieved"):
        initial["goals_achieved"] = progress.goals_text()
    return initial


class RecommendationForm(forms.Form):
    """What follows the course, chosen on the end-course page."""

    recommendation = forms.ChoiceField(
        label=_("What comes next"),
        choices=Recommendation.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    recommendation_note = forms.CharField(
        label=_("About the recommendation"),
        help_text=_(
            "For example which treatment or service, and what the client thinks. Required when you "
            "recommend no further treatment for a client who has not improved."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("recommendation_note", "").strip() and not data.get("recommendation"):
            self.add_error("recommendation", _("Choose what comes next, or leave the note empty."))
        return data


class MaintenanceForm(forms.Form):
    start_date = forms.DateField(
        label=_("First maintenance session"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    planned_sessions = forms.IntegerField(label=_("Number of monthly sessions"), min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        protocol = get_protocol(MAINTENANCE_PROTOCOL)
        self.fields["planned_sessions"].help_text = gettext(
            "Usually %(n)s (a year of monthly sessions); from %(min)s to %(max)s."
        ) % {"n": protocol.default_sessions, "min": protocol.min_sessions, "max": protocol.max_sessions}

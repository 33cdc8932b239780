"""Forms of the session's work. They parse what was typed; the actions in session_work.py decide
what is allowed, so a refusal reads the same from a form, the API or the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from .models import DisputeStage, GoalStatus, HomeworkOutcome, SessionWork
from .session_work import TECHNIQUES

if TYPE_CHECKING:
    from openipt.inventory.models import Person

    from .models import Homework
    from .session_work import GoalRow


def _text(label: Any, rows: int = 3, *, required: bool = False, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        strip=False,
    )


class IntervalForm(forms.Form):
    mood = forms.IntegerField(
        label=_("Mood since last time (0–10)"),
        required=False,
        help_text=_("0 is the lowest the client has felt, 10 the best. Leave empty if not rated."),
        widget=forms.NumberInput(attrs={"min": 0, "max": 10, "inputmode": "numeric"}),
    )
    events = _text(_("Interpersonal events since last time"), 4)

    @classmethod
    def for_work(cls, work: SessionWork | None) -> IntervalForm:
        if work is None:
            return cls()
        return cls(initial={"mood": work.interval_mood, "events": work.interval_events})


class AnyChoices(forms.MultipleChoiceField):
    """Offers the listed choices but leaves checking them to the action."""

    def valid_value(self, value: str) -> bool:
        return True


class TechniquesForm(forms.Form):
    techniques = AnyChoices(
        label=_("Techniques used"),
        choices=[(t.key, t.name) for t in TECHNIQUES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class DisputeStageForm(forms.Form):
    stage = forms.CharField(
        label=_("Stage of the dispute at this session"),
        required=False,
        widget=forms.Select(choices=[("", _("Not assessed")), *DisputeStage.choices]),
    )


class GoalReviewForm(forms.Form):
    area = forms.CharField(widget=forms.HiddenInput)
    goal_index = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.CharField(label=_("How it stands"), widget=forms.RadioSelect(choices=GoalStatus.choices))
    note = _text(_("Note"), 2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area, index = self.data.get("area") or self.initial.get("area"), self.data.get("goal_index")
        if index is None:
            index = self.initial.get("goal_index")
        self.anchor = f"goal-{area}-{index}"
        self.auto_id = f"id_{self.anchor}_%s"


def goal_form_for(row: GoalRow) -> GoalReviewForm:
    review = row.review
    return GoalReviewForm(
        initial={
            "area": row.area,
            "goal_index": row.index,
            "status": review.status if review else "",
            "note": review.note if review else "",
        }
    )


class AnalysisForm(forms.Form):
    person = forms.IntegerField(
        label=_("With whom"),
        required=False,
        help_text=_("Someone from the client's interpersonal inventory, if the conversation was with them."),
        widget=forms.Select,
    )
    situation = _text(_("What happened"), 3, required=True)
    what_said = _text(_("What was said"), 3, help_text=_("As close to the words used as the client recalls."))
    what_meant = _text(_("What was meant"))
    what_felt = _text(_("What was felt"))
    what_else = _text(_("What else could be said"))

    def __init__(self, *args: Any, people: list[Person] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, StrOrPromise]] = [("", _("Nobody in particular"))]
        choices += [(str(p.pk), f"{p.name} ({p.get_relationship_display()})") for p in people or []]
        self.fields["person"].widget.choices = choices


class HomeworkForm(forms.Form):
    task = _text(
        _("Task until the next session"),
        2,
        required=True,
        help_text=_("A small interpersonal task the client agrees to try; it is reviewed next time."),
    )


class HomeworkReviewForm(forms.Form):
    outcome = forms.CharField(
        label=_("How it went"), widget=forms.RadioSelect(choices=HomeworkOutcome.choices)
    )
    outcome_note = _text(_("Note"), 2)

    @classmethod
    def for_homework(cls, homework: Homework, data: Any = None) -> HomeworkReviewForm:
        initial = {"outcome": homework.outcome, "outcome_note": homework.outcome_note}
        return cls(data, initial=initial, auto_id=f"id_hw{homework.pk}_%s")

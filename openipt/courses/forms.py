from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openipt.protocols import get_protocols

from .models import Attendance, CourseStatus, Modality

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class StartCourseForm(forms.Form):
    protocol_key = forms.ChoiceField(label=_("Protocol"))
    start_date = forms.DateField(
        label=_("First session on or after"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    weekday = forms.TypedChoiceField(
        label=_("Weekday for weekly sessions"),
        choices=[("", _("Same weekday as the start date")), *WEEKDAYS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    planned_sessions = forms.IntegerField(
        label=_("Number of sessions"),
        required=False,
        min_value=1,
        max_value=60,
        help_text=_(
            "Leave empty for the protocol's usual number; the contract may set another within its range."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["protocol_key"].choices = [  # type: ignore[attr-defined]
            (
                p.key,
                f"{p.name} — {p.default_sessions} sessions ({p.min_sessions}–{p.max_sessions}), {p.cadence}",
            )
            for p in get_protocols().values()
        ]
        if not self.is_bound:
            self.fields["start_date"].initial = timezone.localdate()


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(
        label=_("Attendance"),
        choices=[(v, lbl) for v, lbl in Attendance.choices if v != Attendance.CANCELLED],
        widget=forms.RadioSelect,
    )
    modality = forms.ChoiceField(
        label=_("How it was held"), choices=Modality.choices, widget=forms.RadioSelect
    )


class MoveSessionForm(forms.Form):
    new_date = forms.DateField(
        label=_("New date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class TaskForm(forms.Form):
    task_key = forms.CharField(max_length=64, widget=forms.HiddenInput)
    done = forms.BooleanField(required=False, label=_("Done"))
    note = forms.CharField(
        required=False, label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class EndCourseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("How the course ended"),
        choices=[(v, lbl) for v, lbl in CourseStatus.choices if v != CourseStatus.ACTIVE],
        widget=forms.RadioSelect,
    )
    ended_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the course ended early."),
        max_length=2000,
    )

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openipt.lib.forms import LimitedTextField, OwnIds
from openipt.protocols import Protocol, get_protocols
from openipt.protocols.model import CADENCE_LABELS

from .actions import AgendaEntry
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


def protocol_label(protocol: Protocol) -> str:
    """A protocol as a person reads it: its name, sessions and cadence (never its key)."""
    if protocol.min_sessions == protocol.max_sessions:
        sessions = _("%(n)d sessions") % {"n": protocol.default_sessions}
    else:
        sessions = _("%(n)d sessions (%(min)d–%(max)d)") % {
            "n": protocol.default_sessions,
            "min": protocol.min_sessions,
            "max": protocol.max_sessions,
        }
    return f"{_(protocol.name)} — {sessions}, {_(CADENCE_LABELS[protocol.cadence])}"


class StartCourseForm(forms.Form):
    """No protocol is preselected: the clinician chooses one for this client."""

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
    start_time = forms.TimeField(
        label=_("Time of the sessions"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("On the clinic's clock. Leave empty for 09:00."),
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

    # Asked only after the age check warns (`ask_to_confirm_age`); hidden until then.
    age_confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["protocol_key"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose a protocol")),
            *sorted(((p.key, protocol_label(p)) for p in get_protocols().values()), key=lambda c: c[1]),
        ]
        if not self.is_bound:
            self.fields["start_date"].initial = timezone.localdate()

    def ask_to_confirm_age(self) -> None:
        """Show the age confirmation as a checkbox, unticked (after the age check warned)."""
        field = self.fields["age_confirmed"]
        field.widget = forms.CheckboxInput()
        field.label = _("I have checked the age: start this protocol anyway")


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(
        label=_("Attendance"),
        choices=[(v, lbl) for v, lbl in Attendance.choices if v != Attendance.CANCELLED],
        widget=forms.RadioSelect,
    )
    modality = forms.ChoiceField(
        label=_("How it was held"), choices=Modality.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, future: bool = False, **kwargs: Any) -> None:
        """`future`: the session's date is still ahead, so recording it as attended asks for a
        confirmation (the action refuses it without one)."""
        super().__init__(*args, **kwargs)
        if future:
            self.fields["confirm_future"] = forms.BooleanField(
                required=False,
                label=_("It really was held early: record it as attended"),
                help_text=_(
                    "This session's date is still ahead. If it was held on another day, move it there."
                ),
            )


class MoveSessionForm(forms.Form):
    new_date = forms.DateField(
        label=_("New date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    new_time = forms.TimeField(
        label=_("New time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Leave empty to keep the time."),
    )


class AppointmentForm(OwnIds, forms.Form):
    id_prefix = "appointment"  # the attendance form beside it also asks how the session is held
    start_time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    modality = forms.ChoiceField(
        label=_("How it will be held"), choices=Modality.choices, widget=forms.RadioSelect
    )
    # checked by the action (https only), so that every input path gets the same rule and message
    video_url = forms.CharField(
        label=_("Video link"),
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"inputmode": "url", "placeholder": "https://"}),
        help_text=_("Shown to the client before a video session. A secure address starting with https://."),
    )


class AgendaForm(forms.Form):
    """The session's whole agenda in one form: for each task (`task_key`, repeated) a tick
    (`done-<task>`) and a note (`note-<task>`). Saved together, so ticking one task and typing
    beside another loses neither. Which tasks exist is for the action to check."""

    MAX_TASKS = 100

    def __init__(self, data: Any = None, *, task_keys: Sequence[str] = (), **kwargs: Any) -> None:
        if data is not None:
            task_keys = data.getlist("task_key")
        super().__init__(data, auto_id="%s", **kwargs)
        self.task_keys = list(dict.fromkeys(k for k in task_keys if k))[: self.MAX_TASKS]
        for key in self.task_keys:
            self.fields[f"done-{key}"] = forms.BooleanField(required=False, label=_("Done"))
            self.fields[f"note-{key}"] = LimitedTextField(
                required=False,
                label=_("Note"),
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=5000,
                strip=False,
            )

    def clean(self) -> dict[str, Any]:
        if not self.task_keys:
            raise forms.ValidationError(_("There is no agenda task to save on this page; reload it."))
        return super().clean() or {}

    def entries(self) -> list[AgendaEntry]:
        data = self.cleaned_data
        return [AgendaEntry(k, data[f"done-{k}"], data[f"note-{k}"]) for k in self.task_keys]


class EndCourseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("How the course ended"),
        choices=[(v, lbl) for v, lbl in CourseStatus.choices if v != CourseStatus.ACTIVE],
        widget=forms.RadioSelect,
    )
    ended_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = LimitedTextField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the course ended early."),
        max_length=2000,
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that an ended course cannot be reopened: its sessions still to come are cancelled."
        ),
        error_messages={"required": _("Tick this box to end the course.")},
    )

"""A questionnaire as a form: one radio group per item, in printed order."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .instruments import Instrument
from .models import Source


class InstrumentForm(forms.Form):
    response_uuid = forms.UUIDField(widget=forms.HiddenInput)
    source = forms.ChoiceField(
        label=gettext_lazy("Answered by"), choices=Source.choices, initial=Source.CLIENT
    )

    def __init__(self, instrument: Instrument, *args: Any, completed_on: bool = False, **kwargs: Any) -> None:
        """`completed_on` adds a "Completed on" date, for a paper form entered after the day it was
        filled in; without it the response is dated when it is saved."""
        kwargs.setdefault("prefix", instrument.key)
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        if not self.is_bound:
            self.fields["response_uuid"].initial = uuid.uuid4()
        if completed_on:
            # Named after the action's argument, so its refusals (future, before the course) land here.
            self.fields["completed_at"] = forms.DateField(
                label=_("Completed on"),
                help_text=_(
                    "The date the questionnaire was filled in, as on the paper form; left blank, today."
                ),
                initial=timezone.localdate,
                # Left blank (an older page, a script), the response is dated today, as before.
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
                error_messages={
                    "invalid": _("Give the date the questionnaire was filled in, for example 3 March 2026."),
                },
            )
        for number, item in enumerate(instrument.items, start=1):
            self.fields[item.link_id] = forms.TypedChoiceField(
                label=f"{number}. {_(item.text)}" if item.scored else _(item.text),
                choices=[(i, _(o.label)) for i, o in enumerate(item.options)],
                coerce=int,
                widget=forms.RadioSelect,
                # Skip-logic items (C-SSRS 3–5) may be blank; scoring refuses them when they were owed.
                # A risk question is never left blank (the PHQ-A's supplementary suicide questions).
                required=(item.required or item.never_skipped) and item.enable_when is None,
                empty_value=None,
                error_messages={"required": _("Choose an answer for this question.")},
            )

    def answers(self) -> dict[str, int]:
        return {
            item.link_id: self.cleaned_data[item.link_id]
            for item in self.instrument.items
            if self.cleaned_data.get(item.link_id) is not None
        }

    @property
    def dated(self) -> bool:
        """Whether the form asks for the date the questionnaire was completed."""
        return "completed_at" in self.fields

    def when_completed(self) -> datetime | None:
        """When the questionnaire was completed, for the recording action: None (now) without a
        "Completed on" date or when it is today; otherwise midday of that date in the current time
        zone (the time of day is not known, and midday keeps the date in any nearby zone)."""
        day = self.cleaned_data.get("completed_at")
        if day is None or day == timezone.localdate():
            return None
        return timezone.make_aware(datetime.combine(day, time(12)))

    def item_fields(self) -> list[forms.BoundField]:
        return [self[item.link_id] for item in self.instrument.items]

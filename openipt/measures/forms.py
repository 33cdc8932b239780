"""A questionnaire as a form: one radio group per item, in printed order."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .instruments import Instrument
from .models import Source


class InstrumentForm(forms.Form):
    response_uuid = forms.UUIDField(widget=forms.HiddenInput)
    source = forms.ChoiceField(
        label=gettext_lazy("Answered by"), choices=Source.choices, initial=Source.CLIENT
    )

    def __init__(self, instrument: Instrument, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", instrument.key)
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        if not self.is_bound:
            self.fields["response_uuid"].initial = uuid.uuid4()
        for number, item in enumerate(instrument.items, start=1):
            self.fields[item.link_id] = forms.TypedChoiceField(
                label=f"{number}. {_(item.text)}" if item.scored else _(item.text),
                choices=[(i, _(o.label)) for i, o in enumerate(item.options)],
                coerce=int,
                widget=forms.RadioSelect,
                # Skip-logic items (C-SSRS 3–5) may be blank; scoring refuses them when they were owed.
                required=item.required and item.enable_when is None,
                empty_value=None,
                error_messages={"required": _("Choose an answer for this question.")},
            )

    def answers(self) -> dict[str, int]:
        return {
            item.link_id: self.cleaned_data[item.link_id]
            for item in self.instrument.items
            if self.cleaned_data.get(item.link_id) is not None
        }

    def item_fields(self) -> list[forms.BoundField]:
        return [self[item.link_id] for item in self.instrument.items]

"""The diary's forms. They read the input (a number, the client's own people); the rules and
length limits live in `actions.validate`, one place for every path."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from openipt.clients.models import Client
from openipt.inventory.models import Person

from .actions import EntryData, stamp, validate
from .models import MOOD_MAX, MOOD_MIN, DiaryEntry, EntryKind
from .prompts import MOOD_HIGH, MOOD_LOW, MOOD_QUESTION, PROMPTS

MOOD_CHOICES = [
    (n, MOOD_LOW if n == MOOD_MIN else MOOD_HIGH if n == MOOD_MAX else str(n))
    for n in range(MOOD_MIN, MOOD_MAX + 1)
]
OUT_OF_RANGE = _("Choose a number from 0 to 10.")


def _mood(label: Any, required: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=MOOD_CHOICES,
        coerce=int,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how your mood is today, from 0 (lowest) to 10 (best)."),
            "invalid_choice": OUT_OF_RANGE,
        },
    )


def _text(label: Any, hint: Any = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=hint, required=False, widget=forms.Textarea(attrs={"rows": rows})
    )


class EntryForm(forms.Form):
    """The fields both kinds share; `kind` says which entry a subclass writes."""

    kind = EntryKind.MOOD
    people_label: Any = _("Who was part of your day?")

    people = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose only people from your own list.")},
    )
    someone_else = forms.CharField(
        label=_("Someone else"),
        required=False,
        help_text=_("Someone not on your list: a first name, or who they are (e.g. “a neighbour”)."),
    )
    key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, client: Client, edit: bool = False, **kwargs: Any) -> None:
        """`edit`: a form changing an entry (it carries the version it was made from, `seen`);
        otherwise a new entry's form (it carries the entry's UUID, `key`)."""
        super().__init__(*args, **kwargs)
        del self.fields["key" if edit else "seen"]
        # Only the name the client knows each person by: no other inventory field reaches the portal.
        names = list(Person.objects.filter(client=client).order_by("name", "id").values_list("pk", "name"))
        if names:
            people = cast(forms.TypedMultipleChoiceField, self.fields["people"])
            people.choices, people.label = names, self.people_label
        else:
            del self.fields["people"]
        if not edit and not self.is_bound and "key" not in self.initial:
            self.initial["key"] = uuid.uuid4()

    def clean(self) -> dict[str, Any]:
        """Every problem at once: the rules and limits of `validate`, beside the fields that pass
        the form's own checks."""
        data = super().clean() or {}
        try:
            validate(self.entry_data())
        except ValidationError as e:
            for field, errors in e.error_dict.items():
                if field not in self.errors:
                    self.add_error(field if field in self.fields else None, errors)
        return data

    def entry_data(self) -> EntryData:
        data = self.cleaned_data
        texts = {f: data.get(f, "") for f in ("events", *(p.field for p in PROMPTS)) if f in self.fields}
        return EntryData(
            kind=self.kind,
            mood=data.get("mood"),
            people=tuple(data.get("people") or ()),
            someone_else=data.get("someone_else", ""),
            **texts,
        )


class MoodEntryForm(EntryForm):
    mood = _mood(MOOD_QUESTION, required=True)
    events = _text(_("What happened today?"), _("With the people around you, big or small."), rows=4)

    field_order = ["mood", "people", "someone_else", "events"]


class CommunicationEntryForm(EntryForm):
    kind = EntryKind.COMMUNICATION
    people_label = _("Who was the talk with?")

    field_order = ["people", "someone_else", *(p.field for p in PROMPTS), "mood"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for p in PROMPTS:
            self.fields[p.field] = _text(p.label, p.hint)
        self.fields["what_happened"].required = True
        self.fields["what_happened"].error_messages["required"] = _(
            "Write a few words about what happened, so you both know which talk it was."
        )
        self.fields["mood"] = _mood(_("How is your mood today? (you can leave this out)"), required=False)
        self.order_fields(self.field_order)


def form_for(entry: DiaryEntry) -> type[EntryForm]:
    return CommunicationEntryForm if entry.is_communication else MoodEntryForm


def initial_for(entry: DiaryEntry) -> dict[str, Any]:
    """An edit form's starting values: the entry as it is now."""
    names = ("mood", "someone_else", "events", *(p.field for p in PROMPTS))
    return {
        **{n: getattr(entry, n) for n in names},
        "people": [p.pk for p in entry.people.all()],
        "seen": stamp(entry),
    }

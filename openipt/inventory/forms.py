"""Forms for the inventory and the timeline. They only read input; the actions validate it (lengths,
dates against the client's birth and today, people of this client), so every input path gets the
same answers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from .models import Conflict, EventKind, Frequency, LifeEvent, Met, Person, Relationship, Ring


def _label(model: type[models.Model], name: str) -> Any:
    return capfirst(cast("models.Field[Any, Any]", model._meta.get_field(name)).verbose_name)


def _text(name: str, help_text: StrOrPromise = "", rows: int = 3) -> forms.CharField:
    # No max_length: the action counts after tidying the text, and a browser's maxlength would cut
    # pasted words short without saying so.
    return forms.CharField(
        label=_label(Person, name),
        help_text=help_text,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _date(model: type[models.Model], name: str, *, required: bool = False) -> forms.DateField:
    return forms.DateField(label=_label(model, name), required=required, widget=DateInput())


class DateInput(forms.DateInput):
    """A browser date picker. Its value must be ISO 8601 whatever the language, or the browser
    shows the field empty."""

    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class NextField(forms.CharField):
    """Where to go after saving, carried through the form; checked by the view before use."""

    widget = forms.HiddenInput

    def __init__(self) -> None:
        super().__init__(required=False)


def _name() -> forms.CharField:
    return forms.CharField(
        label=_label(Person, "name"),
        help_text=_("As the client calls them; an alias or initials are fine."),
        strip=False,
    )


def _relationship() -> forms.ChoiceField:
    return forms.ChoiceField(label=_label(Person, "relationship"), choices=[("", "—"), *Relationship.choices])


def _ring() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_label(Person, "ring"), choices=Ring.choices, initial=Ring.MIDDLE, widget=forms.RadioSelect
    )


class QuickPersonForm(forms.Form):
    """The short form used in session: who they are and how close they feel. `confirmed_new` is
    offered (as a checkbox) only once the person was found to look like someone already there."""

    name = _name()
    relationship = _relationship()
    ring = _ring()
    confirmed_new = forms.BooleanField(
        label=_("This is someone else: add them anyway"), required=False, widget=forms.HiddenInput
    )
    next = NextField()

    def offer_confirmation(self) -> None:
        self.fields["confirmed_new"].widget = forms.CheckboxInput()


class RetireForm(forms.Form):
    reason = forms.CharField(
        label=_("Why remove this person?"),
        help_text=_("For example: added by mistake. The record is kept in the history."),
        max_length=200,
    )


class MergeForm(forms.Form):
    """Merge the person of the page into another record of the same person, chosen here."""

    keep = forms.TypedChoiceField(label=_("Merge into"), coerce=int, choices=())

    def __init__(self, *args: Any, people: Iterable[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (p.pk, f"{p.name} ({p.get_relationship_display()})") for p in people
        ]


class PersonForm(forms.Form):
    """Everything the inventory asks about one person, in the order the conversation goes."""

    name = _name()
    relationship = _relationship()
    deceased = forms.BooleanField(label=_label(Person, "deceased"), required=False)
    died_on = forms.DateField(
        label=_label(Person, "died_on"),
        help_text=_("Only for someone who has died; leave empty if not known."),
        required=False,
        widget=DateInput(),
    )
    ring = _ring()
    contact = forms.ChoiceField(
        label=_("How often they are in contact"),
        choices=[("", _("Not asked yet")), *Frequency.choices],
        required=False,
    )
    satisfying = _text("satisfying")
    unsatisfying = _text("unsatisfying")
    expectations = _text("expectations", _("What each expects of the other, in the client's words."))
    expectations_met = forms.ChoiceField(
        label=_label(Person, "expectations_met"), choices=Met.choices, widget=forms.RadioSelect
    )
    support_given = _text("support_given")
    support_received = _text("support_received")
    conflict = forms.ChoiceField(
        label=_label(Person, "conflict"), choices=Conflict.choices, widget=forms.RadioSelect
    )
    changed_around_onset = forms.BooleanField(label=_label(Person, "changed_around_onset"), required=False)
    change_description = _text("change_description")
    linked_to_depression = forms.BooleanField(label=_label(Person, "linked_to_depression"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    SECTIONS = (
        (_("Who they are"), ("name", "relationship", "deceased", "died_on", "ring", "contact")),
        (
            _("The relationship"),
            (
                "satisfying",
                "unsatisfying",
                "expectations",
                "expectations_met",
                "support_given",
                "support_received",
                "conflict",
            ),
        ),
        (
            _("Around the onset"),
            ("changed_around_onset", "change_description", "linked_to_depression"),
        ),
    )

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields in groups, each shown under its own heading."""
        return [(str(title), [self[name] for name in names]) for title, names in self.SECTIONS]


EDITABLE = [name for name in PersonForm.base_fields if name != "version"]


def initial_for(person: Person) -> dict[str, Any]:
    return {"version": person.version, **{name: getattr(person, name) for name in EDITABLE}}


class AnyPeople(forms.MultipleChoiceField):
    """Checkboxes of the client's people. Any ids are let through to the action, which refuses
    people of another client with a message naming the field."""

    def valid_value(self, value: Any) -> bool:
        return True


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_label(LifeEvent, "kind"), choices=[("", "—"), *EventKind.choices])
    on = _date(LifeEvent, "on", required=True)
    description = forms.CharField(label=_label(LifeEvent, "description"), required=False)
    people = AnyPeople(label=_label(LifeEvent, "people"), required=False, widget=forms.CheckboxSelectMultiple)
    base = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, people: Iterable[Person] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(AnyPeople, self.fields["people"])
        field.choices = [(p.pk, p.name) for p in people]
        if not field.choices:
            field.help_text = _("Add people to the inventory first to link them here.")


class OnsetForm(forms.Form):
    onset_date = forms.DateField(
        label=_("Onset date"),
        help_text=_(
            "When this episode of depression began, as best the client can date it. Leave empty if not known."
        ),
        required=False,
        widget=DateInput(),
    )

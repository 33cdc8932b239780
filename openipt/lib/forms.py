from typing import Any

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext

from openipt.lib.errors import too_long


def apply_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show an action's refusal on the form: beside its field when it names one, else at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class OwnIds:
    """Give a form's fields ids of its own (`id_<id_prefix>_<field>`), so two forms on one page
    that share a field name (the session note's and the private notes' `body`) never share an id:
    a label would otherwise name, and focus, the other form's field."""

    id_prefix = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class LimitedTextField(forms.CharField):
    """Free text with a limit that is stated and checked on the server, never enforced by cutting.

    A `maxlength` attribute makes a browser drop whatever is pasted beyond it, without a word, so
    the field leaves it out; over the limit the form says the limit and the count (`too_long`)
    and keeps every character typed."""

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        super().__init__(max_length=max_length, **kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, validators.MaxLengthValidator)]
        self.validators.append(_LimitValidator(max_length))
        if not self.help_text:
            self.help_text = lazy(_up_to, str)(max_length)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


def _up_to(limit: int) -> str:
    return gettext("Up to %(max)s characters.") % {"max": f"{limit:,}"}


class _LimitValidator:
    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, value: str) -> None:
        if len(value) > self.limit:
            raise ValidationError(too_long(len(value), self.limit), code="max_length")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _LimitValidator) and other.limit == self.limit


def confirmed(request: Any) -> bool:
    """Whether a form for an action that cannot be undone came with its confirm box ticked
    (`_confirm.html`; a required checkbox: no script, so the Content-Security-Policy holds)."""
    return request.POST.get("confirm") == "yes"


NOT_CONFIRMED = lazy(
    lambda: gettext("Tick the box to confirm, then press the button again. Nothing was changed."), str
)()

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


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

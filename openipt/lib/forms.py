from django import forms
from django.core.exceptions import ValidationError


def apply_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show an action's refusal on the form: beside its field when it names one, else at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)

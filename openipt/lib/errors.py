"""The one exception that actions raise for input a person must correct."""

from __future__ import annotations

from django.core.exceptions import ValidationError

__all__ = ["ValidationError", "refuse"]


def refuse(message: str, field: str | None = None) -> ValidationError:
    """A ValidationError naming the field to fix (or a general one when `field` is None)."""
    if field is None:
        return ValidationError(message)
    return ValidationError({field: [message]})

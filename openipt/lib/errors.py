"""The one exception that actions raise for input a person must correct."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

__all__ = ["ValidationError", "refuse"]


def refuse(message: str, field: str | None = None) -> ValidationError:
    """A ValidationError naming the field to fix (or a general one when `field` is None)."""
    if field is None:
        return ValidationError(message)
    return ValidationError({field: [message]})


def too_long(length: int, limit: int, what: str | None = None) -> str:
    """The one wording for text over its limit: the limit and the count, so the writer knows how
    much to cut (nothing is ever cut for them); `what` names the field where the message may be
    read away from it."""
    numbers = {"max": f"{limit:,}", "length": f"{length:,}", "what": what}
    if what:
        return (
            _(
                "“%(what)s” can be at most %(max)s characters (you have %(length)s). "
                "Shorten it, then save again."
            )
            % numbers
        )
    return (
        _("This can be at most %(max)s characters (you have %(length)s). Shorten it, then save again.")
        % numbers
    )

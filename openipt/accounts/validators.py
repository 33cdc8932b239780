"""Password rules of our own, beside Django's (length, common/breached passwords, similarity)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _squash(text: str) -> str:
    """Lower case, letters and digits only: "North-Side" and "northside" are the same word."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


class OwnNamesPasswordValidator:
    """Refuse a password that contains the username, the organisation's name or slug, or "OpenIPT".

    These are the first words anyone guessing a password for this account tries. Names shorter
    than `min_length` letters are not checked (a two-letter username would refuse too much).
    """

    def __init__(self, min_length: int = 3) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        squashed = _squash(password)
        for word, what in self._names(user):
            if len(word) >= self.min_length and word in squashed:
                raise ValidationError(
                    _(
                        "This password contains %(what)s. Choose one without your username, your "
                        "organisation's name or “OpenIPT”: they are the first words anyone guessing tries."
                    )
                    % {"what": what},
                    code="password_contains_own_name",
                )

    def _names(self, user: Any) -> list[tuple[str, str]]:
        names = [(_squash("OpenIPT"), _("“OpenIPT”"))]
        if user is None:
            return names
        username = getattr(user, "username", "") or ""
        names.append((_squash(username), _("the username")))
        organisation = getattr(user, "organisation", None) if getattr(user, "organisation_id", None) else None
        if organisation is not None:
            names.append((_squash(organisation.name), _("the organisation's name")))
            names.append((_squash(organisation.slug), _("the organisation's short name")))
        return names

    def get_help_text(self) -> str:
        return _("Your password can’t contain your username, your organisation’s name or “OpenIPT”.")

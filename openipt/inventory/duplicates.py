"""PURE: whether a person about to be added to the inventory is likely someone already in it.

Names in an inventory are what the client calls people ("Mum", "Dave from work", initials), so
the test is loose on purpose and only ever leads to a question for the clinician, never a refusal:
the same name once case, accents, punctuation and spacing are set aside; or the same relationship
with a similar name ("Sam" and "Samantha", "Jon" and "John", "Dave" and "Dave B"), unless they
are told apart by a number ("Child 1", "Child 2").
"""

from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher
from enum import Enum

SIMILAR = 0.8  # SequenceMatcher ratio at or above which two names read as the same name


class Match(Enum):
    SAME_NAME = "same_name"
    SAME_RELATIONSHIP_SIMILAR_NAME = "same_relationship_similar_name"


def normalise(name: str) -> str:
    """The name for comparison: no accents, case, punctuation or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    kept = "".join(c if c.isalnum() else " " for c in letters.casefold())
    return " ".join(kept.split())


def similar(a: str, b: str) -> bool:
    """Two normalised names that probably mean the same person."""
    if not a or not b:
        return False
    if a == b:
        return True
    if _numbers(a) != _numbers(b):  # "Child 1" and "Child 2" are two people
        return False
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= 3 and longer.startswith(shorter):
        return True
    return SequenceMatcher(None, a, b).ratio() >= SIMILAR


def _numbers(name: str) -> list[str]:
    return [word for word in name.split() if word.isdigit()]


def likely_same(name: str, relationship: str, other_name: str, other_relationship: str) -> Match | None:
    """How the new person (name, relationship) matches one already recorded, or None."""
    a, b = normalise(name), normalise(other_name)
    if a and a == b:
        return Match.SAME_NAME
    if relationship == other_relationship and similar(a, b):
        return Match.SAME_RELATIONSHIP_SIMILAR_NAME
    return None

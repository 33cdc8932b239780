"""PURE: when a person about to be added is likely someone already in the inventory."""

from __future__ import annotations

import pytest

from openipt.inventory.duplicates import Match, likely_same, normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("  Zoë  O'Brien ", "zoe o brien"), ("MUM", "mum"), ("José-María", "jose maria"), ("", "")],
)
def test_it_normalises_case_accents_punctuation_and_spaces(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("new", "existing", "expected"),
    [
        (("mum", "parent"), ("Mum", "parent"), Match.SAME_NAME),
        (("Zoe", "friend"), ("Zoë", "colleague"), Match.SAME_NAME),  # same name whatever the relationship
        (("Sam", "friend"), ("Samantha", "friend"), Match.SAME_RELATIONSHIP_SIMILAR_NAME),
        (("John", "sibling"), ("Jon", "sibling"), Match.SAME_RELATIONSHIP_SIMILAR_NAME),
        (("Dave B", "colleague"), ("Dave", "colleague"), Match.SAME_RELATIONSHIP_SIMILAR_NAME),
        (("Sam", "friend"), ("Samantha", "manager"), None),  # similar name, other relationship
        (("Tom", "friend"), ("Tim", "friend"), None),
        (("Child 1", "child"), ("Child 2", "child"), None),  # told apart by a number
        (("Jo", "friend"), ("Joanna", "friend"), None),  # too short to be a prefix match
        (("", "friend"), ("", "friend"), None),
    ],
)
def test_it_flags_likely_duplicates(
    new: tuple[str, str], existing: tuple[str, str], expected: Match | None
) -> None:
    assert likely_same(*new, *existing) is expected

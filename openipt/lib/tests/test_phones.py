"""Phone numbers typed as people write them in their country, stored one way, shown nationally."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from openipt.lib import phones


@pytest.mark.parametrize(
    ("raw", "region", "stored"),
    [
        ("020 7946 0000", "GB", "+442079460000"),
        ("+44 20 7946 0000", "US", "+442079460000"),  # a country code wins over the region
        ("(212) 555-0100", "US", "+12125550100"),
        ("01 234 5678", "IE", "+35312345678"),
        ("1800 247 247", "IE", "+3531800247247"),
        ("116 123", "GB", "116123"),  # short numbers work only at home: kept as their digits
        ("999", "GB", "999"),
        ("988", "US", "988"),
        ("  ", "GB", ""),
    ],
)
def test_it_accepts_national_formats(raw: str, region: str, stored: str) -> None:
    assert phones.normalise(raw, region) == stored


@pytest.mark.parametrize("raw", ["12", "call me", "+44 12", "020 7946"])
def test_it_refuses_what_cannot_be_dialled_saying_how_to_write_it(raw: str) -> None:
    with pytest.raises(ValidationError) as e:
        phones.normalise(raw, "GB")
    message = e.value.messages[0]
    assert "GB" in message and "for example 0121 234 5678" in message


@pytest.mark.parametrize(
    ("stored", "shown", "tel"),
    [
        ("+442079460000", "020 7946 0000", "+442079460000"),
        ("+12125550100", "(212) 555-0100", "+12125550100"),
        ("116123", "116123", "116123"),
        ("116 123", "116 123", "116123"),  # a line saved before numbers were checked
        ("", "", ""),
    ],
)
def test_it_shows_nationally_and_dials_without_spaces(stored: str, shown: str, tel: str) -> None:
    assert phones.display(stored) == shown
    assert phones.tel(stored) == tel


@pytest.mark.parametrize(
    ("codes", "region"), [(("", "en-gb"), "GB"), (("IE", "en-gb"), "IE"), (("", "en"), "GB"), (("US",), "US")]
)
def test_region_of(codes: tuple[str, ...], region: str) -> None:
    assert phones.region_of(*codes) == region

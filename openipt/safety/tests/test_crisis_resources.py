"""`crisis_resources_for`: the lines shown with an alert, by the client's locale (docs/clinical/safety.md)."""

from __future__ import annotations

import pytest

from openipt.accounts.models import Organisation
from openipt.safety.actions import FALLBACK, CrisisLine, crisis_resources_for
from openipt.safety.models import CrisisResource


def add(org: Organisation, locale: str, name: str, **fields: object) -> CrisisResource:
    return CrisisResource.objects.create(organisation=org, locale=locale, name=name, **fields)


def names(lines: list[CrisisLine]) -> list[str]:
    return [line.name for line in lines]


def test_it_returns_the_lines_for_the_exact_locale(north: Organisation) -> None:
    add(north, "en-gb", "Samaritans", phone="116 123", hours="24 hours", description="Free to call")
    add(north, "en-us", "988 Suicide & Crisis Lifeline", phone="988", text="988")
    add(north, "en", "English fallback line")

    lines = crisis_resources_for(north.pk, "en-gb")

    assert lines == [
        CrisisLine(name="Samaritans", phone="116 123", hours="24 hours", description="Free to call")
    ]


def test_it_lists_the_emergency_number_first_then_by_position(north: Organisation) -> None:
    add(north, "en-gb", "Zeta line", position=1)
    add(north, "en-gb", "Alpha line", position=2)
    add(north, "en-gb", "Emergency services", phone="999", is_emergency=True, position=9)
    add(north, "en-gb", "Beta line", position=1)

    lines = crisis_resources_for(north.pk, "en-gb")

    assert names(lines) == ["Emergency services", "Beta line", "Zeta line", "Alpha line"]
    assert [line.is_emergency for line in lines] == [True, False, False, False]


def test_it_falls_back_to_the_language(north: Organisation) -> None:
    add(north, "en", "Any English-speaking region", phone="112")
    add(north, "en-gb", "Samaritans", phone="116 123")

    assert names(crisis_resources_for(north.pk, "en-ie")) == ["Any English-speaking region"]


def test_it_falls_back_to_the_emergency_number_when_nothing_is_configured(north: Organisation) -> None:
    add(north, "en-gb", "Samaritans", phone="116 123")

    lines = crisis_resources_for(north.pk, "en-us")

    assert lines == [FALLBACK]
    assert lines[0].is_emergency
    assert lines[0].name == "Your local emergency number"
    assert "immediate danger" in lines[0].description


@pytest.mark.parametrize("locale", ["en", "fr-fr", "de"])
def test_it_falls_back_for_a_language_or_unknown_locale(north: Organisation, locale: str) -> None:
    add(north, "en-gb", "Samaritans", phone="116 123")
    assert crisis_resources_for(north.pk, locale) == [FALLBACK]


def test_it_never_uses_another_organisations_lines(north: Organisation, river: Organisation) -> None:
    add(river, "en-gb", "Riverside helpline", phone="0800 000")
    add(river, "en", "Riverside English line")

    assert crisis_resources_for(north.pk, "en-gb") == [FALLBACK]
    assert names(crisis_resources_for(river.pk, "en-gb")) == ["Riverside helpline"]


def test_it_runs_at_most_two_queries(north: Organisation, django_assert_num_queries) -> None:
    add(north, "en", "English line")
    with django_assert_num_queries(1):
        crisis_resources_for(north.pk, "en")
    with django_assert_num_queries(2):
        crisis_resources_for(north.pk, "en-ie")

"""Instrument data checked against CLINICAL.md §3.2 and §3.5, written out here, not imported."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from openipt.measures.instruments import (
    GAD7,
    INSTRUMENTS,
    PHQ9,
    Band,
    Instrument,
    Item,
    Licence,
    Option,
    UnknownInstrument,
    get_instrument,
)

PHQ9_ITEM_CODES = [
    "44250-9",
    "44255-8",
    "44259-0",
    "44254-1",
    "44251-7",
    "44258-2",
    "44252-5",
    "44253-3",
    "44260-8",
]
GAD7_ITEM_CODES = ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]
FREQUENCY_CODES = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
DIFFICULTY_CODES = ["LA6572-7", "LA6573-5", "LA6575-0", "LA6574-3"]

PHQ9_BANDS = [
    ("minimal", 0, 4),
    ("mild", 5, 9),
    ("moderate", 10, 14),
    ("moderately_severe", 15, 19),
    ("severe", 20, 27),
]
GAD7_BANDS = [("minimal", 0, 4), ("mild", 5, 9), ("moderate", 10, 14), ("severe", 15, 21)]


def test_it_registers_phq9_and_gad7_under_their_keys() -> None:
    assert set(INSTRUMENTS) == {"phq9", "gad7"}
    assert get_instrument("phq9") is PHQ9
    assert get_instrument("gad7") is GAD7


@pytest.mark.parametrize("key", ["phq10", "PHQ9", "", "phq-9"])
def test_it_refuses_an_unknown_key_naming_the_known_ones(key: str) -> None:
    with pytest.raises(UnknownInstrument, match=r"unknown instrument .*; choose one of gad7, phq9$"):
        get_instrument(key)


def test_unknown_instrument_is_a_value_error() -> None:
    assert issubclass(UnknownInstrument, ValueError)


def test_phq9_panel_total_and_item_codes() -> None:
    assert PHQ9.loinc_panel == "44249-1"
    assert PHQ9.loinc_total == "44261-6"
    assert [item.code for item in PHQ9.scored_items] == PHQ9_ITEM_CODES
    assert [item.link_id for item in PHQ9.scored_items] == [f"phq9-{n}" for n in range(1, 10)]


def test_phq9_difficulty_item_is_optional_unscored_and_last() -> None:
    difficulty = PHQ9.items[-1]
    assert difficulty.link_id == "phq9-difficulty"
    assert difficulty.code == "69722-7"
    assert difficulty.scored is False
    assert difficulty.required is False
    assert [option.code for option in difficulty.options] == DIFFICULTY_CODES
    assert [option.value for option in difficulty.options] == [0, 1, 2, 3]
    assert len(PHQ9.items) == 10


def test_phq9_item_9_alone_carries_the_suicidal_ideation_flag_at_any_non_zero_answer() -> None:
    flagged = [item for item in PHQ9.items if item.risk_flag]
    assert [item.link_id for item in flagged] == ["phq9-9"]
    assert flagged[0].risk_flag == "suicidal_ideation"
    assert flagged[0].risk_threshold == 1


def test_gad7_panel_total_and_item_codes() -> None:
    assert GAD7.loinc_panel == "69737-5"
    assert GAD7.loinc_total == "70274-6"
    assert [item.code for item in GAD7.items] == GAD7_ITEM_CODES
    assert [item.link_id for item in GAD7.items] == [f"gad7-{n}" for n in range(1, 8)]
    assert all(item.scored and item.required and item.risk_flag is None for item in GAD7.items)


@pytest.mark.parametrize(
    ("instrument", "bands", "max_total"), [(PHQ9, PHQ9_BANDS, 27), (GAD7, GAD7_BANDS, 21)]
)
def test_bands_and_range(instrument: Instrument, bands: list[tuple[str, int, int]], max_total: int) -> None:
    assert [(band.key, band.low, band.high) for band in instrument.bands] == bands
    assert (instrument.min_total, instrument.max_total) == (0, max_total)


@pytest.mark.parametrize("instrument", [PHQ9, GAD7], ids=["phq9", "gad7"])
def test_bands_are_contiguous_and_cover_the_range(instrument: Instrument) -> None:
    covered = [total for band in instrument.bands for total in range(band.low, band.high + 1)]
    assert covered == list(range(instrument.min_total, instrument.max_total + 1))
    assert all(band.label for band in instrument.bands)


@pytest.mark.parametrize("instrument", [PHQ9, GAD7], ids=["phq9", "gad7"])
def test_frequency_items_use_ll358_3_with_index_equal_to_value(instrument: Instrument) -> None:
    for item in instrument.scored_items:
        assert [option.code for option in item.options] == FREQUENCY_CODES
        assert [option.value for option in item.options] == [0, 1, 2, 3]
        assert [option.label for option in item.options] == [
            "Not at all",
            "Several days",
            "More than half the days",
            "Nearly every day",
        ]


@pytest.mark.parametrize("instrument", [PHQ9, GAD7], ids=["phq9", "gad7"])
def test_link_ids_are_unique_and_prefixed_with_the_key(instrument: Instrument) -> None:
    link_ids = [item.link_id for item in instrument.items]
    assert len(set(link_ids)) == len(link_ids)
    assert all(link_id.startswith(f"{instrument.key}-") for link_id in link_ids)


@pytest.mark.parametrize("instrument", [PHQ9, GAD7], ids=["phq9", "gad7"])
def test_item_text_is_shipped_because_the_pfizer_licence_allows_it(instrument: Instrument) -> None:
    assert instrument.licence.item_text_allowed is True
    assert "Pfizer" in instrument.licence.holder
    assert all(item.text for item in instrument.items)
    assert instrument.preamble.startswith("Over the last 2 weeks, how often have you been bothered by")
    assert instrument.respondent == "client"


def test_item_wording_is_the_standard_wording() -> None:
    assert PHQ9.item("phq9-1").text == "Little interest or pleasure in doing things"
    assert PHQ9.item("phq9-9").text == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert GAD7.item("gad7-2").text == "Not being able to stop or control worrying"


@pytest.mark.parametrize(("instrument", "tags"), [(PHQ9, ["[S64]", "[S65]"]), (GAD7, ["[S85]", "[S89]"])])
def test_sources_name_clinical_md_tags(instrument: Instrument, tags: list[str]) -> None:
    for tag in tags:
        assert tag in instrument.source


def test_item_lookup_by_link_id() -> None:
    assert PHQ9.item("phq9-difficulty").code == "69722-7"
    with pytest.raises(KeyError):
        PHQ9.item("phq9-10")


@pytest.mark.parametrize(
    ("total", "key"),
    [(0, "minimal"), (4, "minimal"), (5, "mild"), (19, "moderately_severe"), (20, "severe"), (27, "severe")],
)
def test_band_for(total: int, key: str) -> None:
    assert PHQ9.band_for(total).key == key


@pytest.mark.parametrize("total", [-1, 28])
def test_band_for_refuses_a_total_outside_the_range(total: int) -> None:
    with pytest.raises(ValueError, match=r"phq9: total .* is outside 0-27"):
        PHQ9.band_for(total)


def test_instruments_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        PHQ9.key = "other"  # type: ignore[misc]


# Inconsistent definitions are refused when they are built, so a typo never reaches a score.


def _toy(**changes: object) -> Instrument:
    options = (Option(0, "No"), Option(1, "Yes"))
    fields: dict[str, object] = {
        "key": "toy",
        "name": "Toy",
        "short_name": "Toy",
        "preamble": "",
        "recall": "",
        "items": (Item("toy-1", "One", options), Item("toy-2", "Two", options)),
        "bands": (Band("low", "Low", 0, 0), Band("high", "High", 1, 2)),
        "min_total": 0,
        "max_total": 2,
        "loinc_panel": None,
        "loinc_total": None,
        "licence": Licence("Nobody", "Test data", item_text_allowed=True, source=""),
        "source": "",
    }
    fields.update(changes)
    return Instrument(**fields)  # type: ignore[arg-type]


def test_a_consistent_toy_instrument_builds() -> None:
    assert _toy().max_total == 2


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"items": (Item("toy-1", "One", (Option(0, "No"),)),) * 2}, "link ids are not unique"),
        ({"max_total": 3}, "max_total does not match"),
        ({"min_total": 1}, "min_total does not match"),
        ({"bands": (Band("low", "Low", 0, 0), Band("high", "High", 2, 2))}, "band high does not start at 1"),
        ({"bands": (Band("low", "Low", 0, 1),)}, "bands do not end at 2"),
        ({"items": (Item("toy-1", "", (Option(0, "No"),)),), "max_total": 0}, "toy-1 has no text"),
    ],
)
def test_an_inconsistent_definition_is_refused(changes: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=f"instrument toy: .*{problem}"):
        _toy(**changes)


def test_a_licence_gated_instrument_may_omit_item_text() -> None:
    gated = Licence("Owner", "Licence required", item_text_allowed=False, source="")
    items = (Item("toy-1", "", (Option(0, "No"), Option(1, "Yes"))),)
    toy = _toy(items=items, max_total=1, bands=(Band("all", "All", 0, 1),), licence=gated)
    assert toy.items[0].text == ""


def test_the_pure_modules_import_no_django() -> None:
    code = (
        "import sys, openipt.measures.scoring; "
        "sys.exit(any(name == 'django' or name.startswith('django.') for name in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0

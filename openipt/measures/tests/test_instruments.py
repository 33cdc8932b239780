"""Instrument data checked against the published instruments (the sources named in
instruments.py), written out here, not imported."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys

import pytest

from openipt.measures.instruments import (
    CSSRS_SCREEN,
    EPDS,
    GAD7,
    HAMD17,
    INSTRUMENTS,
    PHQ2,
    PHQ9,
    PHQA,
    QIDS_SR16,
    WAI_SR,
    WSAS,
    Band,
    Group,
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


ALL_KEYS = "cssrs_screen, epds, gad7, hamd17, phq2, phq9, phqa, qids_sr16, wai_sr, wsas"


def test_it_registers_every_instrument_under_its_key() -> None:
    assert list(INSTRUMENTS) == [
        "phq9",
        "phq2",
        "phqa",
        "gad7",
        "hamd17",
        "wsas",
        "epds",
        "cssrs_screen",
        "wai_sr",
        "qids_sr16",
    ]
    assert get_instrument("phq9") is PHQ9
    assert get_instrument("gad7") is GAD7
    assert all(get_instrument(key).key == key for key in INSTRUMENTS)


@pytest.mark.parametrize("key", ["phq10", "PHQ9", "", "phq-9"])
def test_it_refuses_an_unknown_key_naming_the_known_ones(key: str) -> None:
    with pytest.raises(UnknownInstrument, match=rf"unknown instrument .*; choose one of {ALL_KEYS}$"):
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
    # Tiered by answer: "several days" moderate, more often high.
    assert flagged[0].risk_levels == ((1, "moderate"), (2, "high"))


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


@pytest.mark.parametrize(
    ("instrument", "sources"),
    [(PHQ9, ["Kroenke, Spitzer & Williams 2001", "LOINC 44261-6"]), (GAD7, ["Spitzer", "2006", "70274-6"])],
)
def test_sources_name_the_primary_publications(instrument: Instrument, sources: list[str]) -> None:
    for source in sources:
        assert source in instrument.source


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


YES_NO = (Option(0, "No"), Option(1, "Yes"))
TOY_2 = Item("toy-2", "Two", YES_NO)


def _toy(**changes: object) -> Instrument:
    options = YES_NO
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
        ({"rule": "average"}, "unknown rule 'average'"),
        (
            {"items": (Item("toy-1", "One", (Option(None, "N/A"),)),), "max_total": 0},
            "toy-1 has no scored options",
        ),
        # Skip logic must point back to an earlier item and one of its options.
        (
            {"items": (Item("toy-1", "One", YES_NO, enable_when=("toy-2", 1)), Item("toy-2", "Two", YES_NO))},
            "toy-1 is enabled by toy-2 option 1, which is not an earlier answer",
        ),
        (
            {"items": (Item("toy-1", "One", YES_NO), Item("toy-2", "Two", YES_NO, enable_when=("toy-1", 2)))},
            "toy-2 is enabled by toy-1 option 2",
        ),
        # A risk item's ladder gives every answer above its lowest a severity: it starts at or
        # below the threshold, rises, and names known severities; only a risk item has one.
        (
            {"items": (Item("toy-1", "One", YES_NO, risk_levels=((1, "high"),)), TOY_2)},
            "toy-1 has risk levels but no risk flag",
        ),
        ({"items": (Item("toy-1", "One", YES_NO, risk_flag="f"), TOY_2)}, "toy-1 risk levels"),
        (
            {
                "items": (
                    Item(
                        "toy-1",
                        "One",
                        YES_NO,
                        risk_flag="f",
                        risk_levels=((0, "low"), (1, "high"), (2, "low")),
                    ),
                    TOY_2,
                )
            },
            "toy-1 risk levels",
        ),
        (
            {
                "items": (
                    Item("toy-1", "One", (Option(1, "Only"),), risk_flag="f", risk_levels=((1, "high"),)),
                ),
                "min_total": 1,
                "max_total": 1,
                "bands": (Band("all", "All", 1, 1),),
            },
            "toy-1 is a risk item with no answer above its lowest",
        ),
        (
            {"items": (Item("toy-1", "One", YES_NO, risk_flag="f", risk_levels=((1, "urgent"),)), TOY_2)},
            "toy-1 risk levels",
        ),
        (
            {
                "items": (
                    Item("toy-1", "One", YES_NO, risk_flag="f", risk_levels=((2, "low"),)),
                    TOY_2,
                )
            },
            "toy-1 risk levels",
        ),
        (
            {
                "items": (
                    Item("toy-1", "One", YES_NO, risk_flag="f", risk_levels=((1, "high"), (1, "low"))),
                    TOY_2,
                )
            },
            "toy-1 risk levels",
        ),
        # Groups name scored items; domains do not overlap.
        ({"subscales": (Group("s", "S", ("toy-3",)),)}, "group s names toy-3, which is not a scored item"),
        (
            {
                "items": (Item("toy-1", "One", YES_NO), Item("toy-2", "Two", YES_NO, scored=False)),
                "max_total": 1,
                "bands": (Band("all", "All", 0, 1),),
                "subscales": (Group("s", "S", ("toy-2",)),),
            },
            "group s names toy-2, which is not a scored item",
        ),
        (
            {"domains": (Group("a", "A", ("toy-1", "toy-2")), Group("b", "B", ("toy-2",)))},
            "domain b shares items with another domain",
        ),
        # Totals are checked by the rule: a domain counts once, "highest" takes the maximum.
        ({"domains": (Group("a", "A", ("toy-1", "toy-2")),)}, "max_total does not match"),
        ({"rule": "highest"}, "max_total does not match"),
    ],
)
def test_an_inconsistent_definition_is_refused(changes: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=f"instrument toy: .*{problem}"):
        _toy(**changes)


def test_domains_and_the_highest_rule_build_with_their_own_totals() -> None:
    assert _toy(
        domains=(Group("a", "A", ("toy-1", "toy-2")),), max_total=1, bands=(Band("all", "All", 0, 1),)
    )
    assert _toy(rule="highest", max_total=1, bands=(Band("all", "All", 0, 1),)).has_total is False


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


# --- Every instrument -----------------------------------------------------------------------

ALL = list(INSTRUMENTS.values())
GATED = {"wsas", "epds", "cssrs_screen", "wai_sr", "qids_sr16"}
# (scored items, min total, max total, respondent) from the published instruments.
SHAPES = {
    "phq9": (9, 0, 27, "client"),
    "phq2": (2, 0, 6, "client"),
    "phqa": (9, 0, 27, "client"),
    "gad7": (7, 0, 21, "client"),
    "hamd17": (17, 0, 52, "clinician"),
    "wsas": (5, 0, 40, "client"),
    "epds": (10, 0, 30, "client"),
    "cssrs_screen": (7, 0, 3, "client"),
    "wai_sr": (12, 12, 60, "client"),
    "qids_sr16": (16, 0, 27, "client"),
}
# Only these LOINC codes are verified; every other code must be None.
LOINC = {
    "phq9": ("44249-1", "44261-6"),
    "phq2": ("55757-9", "55758-7"),
    "phqa": ("89206-7", "89204-2"),
    "gad7": ("69737-5", "70274-6"),
    "hamd17": (None, None),
    "wsas": (None, None),
    "epds": ("71354-5", None),
    "cssrs_screen": (None, None),
    "wai_sr": (None, None),
    "qids_sr16": (None, None),
}
PRIMARY_SOURCES = {
    "phq2": ["Kroenke, Spitzer & Williams 2003", "Arroll et al. 2010", "55757-9"],
    "phqa": ["Johnson", "2002", "GLAD-PC", "89206-7"],
    "hamd17": ["Hamilton 1960", "Zimmerman et al. 2013", "NINDS"],
    "wsas": ["Mundt, Marks, Shear & Greist 2002"],
    "epds": ["Cox, Holden & Sagovsky 1987", "71354-5"],
    "cssrs_screen": ["Posner et al. 2011", "Columbia Lighthouse Project"],
    "wai_sr": ["Hatcher & Gillaspy 2006", "Society for Psychotherapy Research"],
    "qids_sr16": ["Rush et al. 2003"],
}


@pytest.mark.parametrize("instrument", ALL, ids=list(INSTRUMENTS))
def test_shape_range_and_respondent(instrument: Instrument) -> None:
    scored, min_total, max_total, respondent = SHAPES[instrument.key]
    assert len(instrument.scored_items) == scored
    assert (instrument.min_total, instrument.max_total) == (min_total, max_total)
    assert instrument.respondent == respondent


@pytest.mark.parametrize("instrument", ALL, ids=list(INSTRUMENTS))
def test_loinc_codes_are_only_the_verified_ones(instrument: Instrument) -> None:
    assert (instrument.loinc_panel, instrument.loinc_total) == LOINC[instrument.key]


@pytest.mark.parametrize("instrument", ALL, ids=list(INSTRUMENTS))
def test_every_instrument_is_well_formed(instrument: Instrument) -> None:
    link_ids = [item.link_id for item in instrument.items]
    assert len(set(link_ids)) == len(link_ids)
    assert all(link_id.startswith(f"{instrument.key}-") for link_id in link_ids)
    assert list(instrument.link_ids) == link_ids
    covered = [total for band in instrument.bands for total in range(band.low, band.high + 1)]
    assert covered == list(range(instrument.min_total, instrument.max_total + 1))
    assert all(band.label for band in instrument.bands)
    assert all(item.text and all(option.label for option in item.options) for item in instrument.items)
    assert instrument.name and instrument.short_name and instrument.preamble and instrument.recall
    # Each names a publication year or a LOINC code, and a licence source.
    assert re.search(r"(19|20)\d\d|LOINC", instrument.source) and instrument.licence.source


@pytest.mark.parametrize("key", PRIMARY_SOURCES)
def test_new_instruments_name_their_primary_sources(key: str) -> None:
    for source in PRIMARY_SOURCES[key]:
        assert source in INSTRUMENTS[key].source + INSTRUMENTS[key].licence.source


@pytest.mark.parametrize("instrument", ALL, ids=list(INSTRUMENTS))
def test_sources_cite_no_document_outside_the_repository(instrument: Instrument) -> None:
    for text in (instrument.source, instrument.licence.source):
        assert not re.search(r"\[S\d+\]|CLINICAL\.md|§", text), text


@pytest.mark.parametrize("instrument", ALL, ids=list(INSTRUMENTS))
def test_licence_gating(instrument: Instrument) -> None:
    gated = instrument.key in GATED
    assert instrument.licence.item_text_allowed is not gated
    assert instrument.licence.needs_permission is gated


@pytest.mark.parametrize("key", sorted(GATED))
def test_gated_instruments_ship_topic_labels_not_wording(key: str) -> None:
    instrument = INSTRUMENTS[key]
    prefix = {"cssrs_screen": "C-SSRS item"}.get(key, f"{instrument.short_name} item")
    for item in instrument.items:
        assert item.text.startswith(prefix), item.text
        assert item.text.endswith(")") and len(item.text) < 70
    assert (
        "a clinic holding" in instrument.licence.terms
        and "supplies the item wording" in instrument.licence.terms
    )


def test_the_item_text_file_contract_is_the_link_id_order_including_unscored_items() -> None:
    assert CSSRS_SCREEN.link_ids == (
        "cssrs_screen-1",
        "cssrs_screen-2",
        "cssrs_screen-3",
        "cssrs_screen-4",
        "cssrs_screen-5",
        "cssrs_screen-6",
        "cssrs_screen-6-recent",
    )
    assert len(PHQA.link_ids) == 13


def test_only_the_c_ssrs_screener_has_no_total() -> None:
    assert [i.key for i in ALL if not i.has_total] == ["cssrs_screen"]
    assert CSSRS_SCREEN.rule == "highest"


# Risk items: (link id, flag, threshold, levels), per the published instruments and our ladders.
RISK_ITEMS = {
    "phq9": [("phq9-9", "suicidal_ideation", 1, ((1, "moderate"), (2, "high")))],
    "phq2": [],
    "phqa": [
        ("phqa-9", "suicidal_ideation", 1, ((1, "moderate"), (2, "high"))),
        ("phqa-past-month-thoughts", "suicidal_thoughts_past_month", 1, ((1, "high"),)),
        ("phqa-attempt", "suicide_attempt_history", 1, ((1, "moderate"),)),
    ],
    "gad7": [],
    "hamd17": [("hamd17-3", "suicide_item", 1, ((1, "moderate"), (3, "high")))],
    "wsas": [],
    "epds": [("epds-10", "self_harm_thoughts", 1, ((1, "moderate"), (2, "high")))],
    "cssrs_screen": [
        (f"cssrs_screen-{n}", "suicide_risk_screen", yes, ((1, "low"), (2, "moderate"), (3, "high")))
        for n, yes in (("1", 1), ("2", 1), ("3", 2), ("4", 3), ("5", 3), ("6", 2), ("6-recent", 3))
    ],
    "wai_sr": [],
    "qids_sr16": [("qids_sr16-12", "suicidal_ideation", 1, ((1, "moderate"), (2, "high")))],
}


@pytest.mark.parametrize("instrument", ALL, ids=list(INSTRUMENTS))
def test_risk_items(instrument: Instrument) -> None:
    flagged = [
        (item.link_id, item.risk_flag, item.risk_threshold, item.risk_levels)
        for item in instrument.items
        if item.risk_flag
    ]
    assert flagged == RISK_ITEMS[instrument.key]


@pytest.mark.parametrize(
    ("item", "values"),
    [
        (Item("t-1", "T", YES_NO, risk_flag="f"), [None, "high"]),  # no ladder (refused by _check): high
        (Item("t-1", "T", YES_NO, risk_flag="f", risk_levels=((1, "low"),)), [None, "low"]),
        (Item("t-1", "T", YES_NO), [None, None]),
    ],
)
def test_item_risk_severity(item: Item, values: list[str | None]) -> None:
    assert [item.risk_severity(value) for value in (0, 1)] == values


# --- PHQ-2 and PHQ-A ------------------------------------------------------------------------


def test_phq2_is_the_first_two_phq9_items_under_its_own_link_ids() -> None:
    assert PHQ2.link_ids == ("phq2-1", "phq2-2")
    assert [item.code for item in PHQ2.items] == ["44250-9", "44255-8"]
    assert [item.text for item in PHQ2.items] == [PHQ9.items[0].text, PHQ9.items[1].text]
    assert all([o.code for o in item.options] == FREQUENCY_CODES for item in PHQ2.items)
    assert [(b.key, b.low, b.high) for b in PHQ2.bands] == [("negative", 0, 2), ("positive", 3, 6)]
    assert "Pfizer" in PHQ2.licence.holder


def test_phqa_items_bands_and_extra_questions() -> None:
    assert PHQA.link_ids == (
        *(f"phqa-{n}" for n in range(1, 10)),
        "phqa-past-year",
        "phqa-difficulty",
        "phqa-past-month-thoughts",
        "phqa-attempt",
    )
    # Adolescent wording (Johnson et al. 2002): irritable, weight, school work.
    assert "irritable" in PHQA.item("phqa-1").text
    assert "weight" in PHQA.item("phqa-4").text
    assert "school work" in PHQA.item("phqa-7").text
    extras = PHQA.items[9:]
    assert all(not item.scored and not item.required for item in extras)
    assert [[o.label for o in item.options] for item in extras if len(item.options) == 2] == [
        ["No", "Yes"]
    ] * 3
    assert [o.code for o in PHQA.item("phqa-difficulty").options] == DIFFICULTY_CODES
    assert [(b.key, b.low, b.high) for b in PHQA.bands] == PHQ9_BANDS
    assert PHQA.licence.item_text_allowed is True
    assert "use with permission" in PHQA.licence.terms


# --- HAM-D 17 -------------------------------------------------------------------------------

# Highest answer per item on the standard 17-item form: 0-2 for items 4-6, 12-14, 16 and 17.
HAMD_MAXIMA = [4, 4, 4, 2, 2, 2, 4, 4, 4, 4, 4, 2, 2, 2, 4, 2, 2]


def test_hamd17_item_ranges_titles_and_bands() -> None:
    assert [item.max_value for item in HAMD17.items] == HAMD_MAXIMA
    assert sum(HAMD_MAXIMA) == 52
    for item in HAMD17.items:
        assert [option.value for option in item.options] == list(range(item.max_value + 1))
    assert HAMD17.item("hamd17-1").text == "Depressed mood"
    assert HAMD17.item("hamd17-3").text == "Suicide"
    assert "form A" in HAMD17.item("hamd17-16").text
    assert [(b.key, b.label, b.low, b.high) for b in HAMD17.bands] == [
        ("none", "No depression", 0, 7),
        ("mild", "Mild", 8, 16),
        ("moderate", "Moderate", 17, 23),
        ("severe", "Severe", 24, 52),
    ]
    assert HAMD17.licence.holder == "Public domain"


# --- WSAS, EPDS, WAI-SR, QIDS-SR16, C-SSRS --------------------------------------------------


def test_wsas_items_and_the_not_applicable_work_option() -> None:
    assert [[o.value for o in item.options] for item in WSAS.items] == [[*range(9), None]] + [
        list(range(9))
    ] * 4
    assert WSAS.item("wsas-1").options[9].label.startswith("Not applicable")
    assert [(b.key, b.label, b.low, b.high) for b in WSAS.bands] == [
        ("subclinical", "Subclinical", 0, 9),
        ("significant", "Significant impairment", 10, 20),
        ("severe", "Moderately severe or worse", 21, 40),
    ]


def test_epds_keying_is_in_the_options() -> None:
    forward, reverse = [0, 1, 2, 3], [3, 2, 1, 0]
    keying = [forward, forward, reverse, forward, reverse, reverse, reverse, reverse, reverse, reverse]
    assert [[o.value for o in item.options] for item in EPDS.items] == keying
    assert [(b.key, b.low, b.high) for b in EPDS.bands] == [
        ("unlikely", 0, 9),
        ("possible", 10, 12),
        ("probable", 13, 30),
    ]


def test_wai_sr_subscales_and_scale() -> None:
    assert [(g.key, g.link_ids) for g in WAI_SR.subscales] == [
        ("task", ("wai_sr-1", "wai_sr-2", "wai_sr-10", "wai_sr-12")),
        ("bond", ("wai_sr-3", "wai_sr-5", "wai_sr-7", "wai_sr-9")),
        ("goal", ("wai_sr-4", "wai_sr-6", "wai_sr-8", "wai_sr-11")),
    ]
    assert all([o.value for o in item.options] == [1, 2, 3, 4, 5] for item in WAI_SR.items)
    assert [(b.key, b.low, b.high) for b in WAI_SR.bands] == [("no_cutoffs", 12, 60)]


def test_qids_domains() -> None:
    assert [(g.key, g.link_ids) for g in QIDS_SR16.domains] == [
        ("sleep", ("qids_sr16-1", "qids_sr16-2", "qids_sr16-3", "qids_sr16-4")),
        ("appetite_weight", ("qids_sr16-6", "qids_sr16-7", "qids_sr16-8", "qids_sr16-9")),
        ("psychomotor", ("qids_sr16-15", "qids_sr16-16")),
    ]
    assert [(b.key, b.low, b.high) for b in QIDS_SR16.bands] == [
        ("none", 0, 5),
        ("mild", 6, 10),
        ("moderate", 11, 15),
        ("severe", 16, 20),
        ("very_severe", 21, 27),
    ]


def test_cssrs_skip_logic() -> None:
    assert [item.enable_when for item in CSSRS_SCREEN.items] == [
        None,
        None,
        ("cssrs_screen-2", 1),
        ("cssrs_screen-2", 1),
        ("cssrs_screen-2", 1),
        None,
        ("cssrs_screen-6", 1),
    ]
    assert all([o.label for o in item.options] == ["No", "Yes"] for item in CSSRS_SCREEN.items)
    assert [(b.key, b.low, b.high) for b in CSSRS_SCREEN.bands] == [
        ("none", 0, 0),
        ("low", 1, 1),
        ("moderate", 2, 2),
        ("high", 3, 3),
    ]

"""What every instrument shares: lowest and highest totals, both answer shapes, risk severities.

The answer vectors and totals are written out here from the published instruments, not built from
instruments.py.
"""

from __future__ import annotations

import json
import re

import pytest

from openipt.measures.instruments import INSTRUMENTS, Band, Instrument, Item, Licence, Option
from openipt.measures.scoring import Score, ScoringError, score

S = None  # skipped by the skip logic
# EPDS: the answer scoring 0 on each item, then the one scoring 3 (items 3 and 5-10 reversed).
EPDS_LOWEST: list[int | None] = [0, 0, 3, 0, 3, 3, 3, 3, 3, 3]
EPDS_HIGHEST: list[int | None] = [3, 3, 0, 3, 0, 0, 0, 0, 0, 0]
# key: (answers scoring lowest, lowest total, answers scoring highest, highest total)
EXTREMES: dict[str, tuple[list[int | None], int, list[int | None], int]] = {
    "phq9": ([0] * 9, 0, [3] * 9, 27),
    "phq2": ([0, 0], 0, [3, 3], 6),
    "phqa": ([0] * 9, 0, [3] * 9, 27),
    "gad7": ([0] * 7, 0, [3] * 7, 21),
    "hamd17": ([0] * 17, 0, [4, 4, 4, 2, 2, 2, 4, 4, 4, 4, 4, 2, 2, 2, 4, 2, 2], 52),
    "wsas": ([0] * 5, 0, [8] * 5, 40),
    "epds": (EPDS_LOWEST, 0, EPDS_HIGHEST, 30),
    "cssrs_screen": ([0, 0, S, S, S, 0], 0, [1, 1, 1, 1, 1, 1, 1], 3),
    "wai_sr": ([0] * 12, 12, [4] * 12, 60),
    "qids_sr16": ([0] * 16, 0, [3] * 16, 27),
}


def test_the_table_covers_every_instrument() -> None:
    assert set(EXTREMES) == set(INSTRUMENTS)


@pytest.mark.parametrize("key", EXTREMES)
def test_lowest_and_highest_totals(key: str) -> None:
    low, low_total, high, high_total = EXTREMES[key]
    assert score(key, low).total == low_total
    result = score(key, high)
    assert (result.total, result.max_total) == (high_total, high_total)
    assert result.band == INSTRUMENTS[key].bands[-1].key


@pytest.mark.parametrize("key", EXTREMES)
def test_a_mapping_scores_the_same_as_a_sequence(key: str) -> None:
    for answers in (EXTREMES[key][0], EXTREMES[key][2]):
        link_ids = INSTRUMENTS[key].link_ids
        by_link_id = {link_id: a for link_id, a in zip(link_ids, answers, strict=False) if a is not None}
        assert score(key, by_link_id) == score(key, answers)


@pytest.mark.parametrize("key", EXTREMES)
def test_every_item_refuses_an_index_past_its_last_option(key: str) -> None:
    instrument = INSTRUMENTS[key]
    high = EXTREMES[key][2]
    for number, item in enumerate(instrument.items[: len(high)], start=1):
        answers = list(high)
        answers[number - 1] = len(item.options)
        message = f"{key} item {number} ({item.link_id}): {len(item.options)} is not allowed; choose 0"
        with pytest.raises(ScoringError, match=f"^{re.escape(message)}"):
            score(key, answers)


@pytest.mark.parametrize("key", EXTREMES)
def test_as_dict_is_json_ready_with_risk_severity(key: str) -> None:
    result = score(key, EXTREMES[key][2])
    shown = json.loads(json.dumps(result.as_dict()))
    assert shown["risk_severity"] == dict(result.risk_severity)
    assert list(shown["risk_severity"]) == shown["risk"]
    assert ("subscales" in shown) is (key == "wai_sr")
    assert "not_applicable" not in shown


# --- Risk severity --------------------------------------------------------------------------


# PHQ-9 item 9 tiered by answer: none, moderate, then high.
@pytest.mark.parametrize(("item9", "severity"), [(0, None), (1, "moderate"), (2, "high"), (3, "high")])
def test_phq9_item_9_severity(item9: int, severity: str | None) -> None:
    result = score("phq9", [0] * 8 + [item9])
    assert result.severity_for("suicidal_ideation") == severity
    assert result.risk_severity == ((("suicidal_ideation", severity),) if severity else ())


def test_severity_for_a_flag_not_raised_is_none() -> None:
    assert score("phq9", [0] * 8 + [3]).severity_for("self_harm_thoughts") is None


def test_a_flag_raised_by_several_items_takes_the_highest_severity() -> None:
    # C-SSRS: wish to be dead (low), thoughts of a method (moderate), behaviour long ago (moderate).
    result = score("cssrs_screen", [1, 1, 1, 0, 0, 1, 0])
    assert result.risk_severity == (("suicide_risk_screen", "moderate"),)


REPEAT = (Option(0, "No"), Option(1, "Some"), Option(2, "Much"))
TOY = Instrument(
    key="toy",
    name="Toy",
    short_name="Toy",
    preamble="",
    recall="",
    items=(
        Item("toy-1", "A", REPEAT, risk_flag="b", risk_levels=((1, "low"),)),
        Item("toy-2", "B", REPEAT, risk_flag="a", risk_levels=((1, "high"),)),
        Item("toy-3", "C", REPEAT, risk_flag="b", risk_levels=((1, "moderate"), (2, "high"))),
        Item("toy-4", "D", REPEAT, risk_flag="c", risk_levels=((1, "high"),)),
    ),
    bands=(Band("all", "All", 0, 8),),
    min_total=0,
    max_total=8,
    loinc_panel=None,
    loinc_total=None,
    licence=Licence("Nobody", "Test data", item_text_allowed=True, source=""),
    source="",
)


@pytest.mark.parametrize(
    ("answers", "risk_severity"),
    [
        ([0, 0, 0, 0], ()),
        ([1, 0, 0, 0], (("b", "low"),)),
        ([1, 0, 1, 0], (("b", "moderate"),)),  # the later item raises the severity
        ([2, 0, 2, 0], (("b", "high"),)),
        ([0, 0, 2, 0], (("b", "high"),)),
        ([0, 1, 1, 0], (("a", "high"), ("b", "moderate"))),  # item order: b first appears at toy-3
        ([1, 1, 0, 0], (("b", "low"), ("a", "high"))),
        ([0, 0, 0, 1], (("c", "high"),)),
    ],
)
def test_flags_keep_item_order_and_the_highest_severity(
    answers: list[int], risk_severity: tuple[tuple[str, str], ...]
) -> None:
    result = score(TOY, answers)
    assert result.risk_severity == risk_severity
    assert result.risk == tuple(flag for flag, _ in risk_severity)


def test_a_score_built_the_old_way_still_works() -> None:
    # Code that builds a Score without the newer fields gets empty ones.
    old = Score("phq9", 0, "minimal", "Minimal", 27, (), ())
    assert (old.risk_severity, old.subscales, old.not_applicable, old.severity_for("x")) == ((), (), (), None)

"""score(): exhaustive over PHQ-9 and GAD-7, the worked examples, and every way answers go wrong.

Expected totals, bands and risk flags are computed here from tables written out in this file
(Kroenke, Spitzer & Williams 2001; Spitzer et al. 2006), never from instruments.py, so a wrong
band in the data fails.
"""

from __future__ import annotations

import itertools
import json
import re

import pytest

from openipt.measures.instruments import Band, Instrument, Item, Licence, Option
from openipt.measures.scoring import Score, ScoringError, score

# Lowest total of each band, highest first: the first threshold a total reaches is its band.
PHQ9_THRESHOLDS = [(20, "severe"), (15, "moderately_severe"), (10, "moderate"), (5, "mild"), (0, "minimal")]
GAD7_THRESHOLDS = [(15, "severe"), (10, "moderate"), (5, "mild"), (0, "minimal")]

PHQ9_IDS = [f"phq9-{n}" for n in range(1, 10)]
ALL_KEYS = "cssrs_screen, epds, gad7, hamd17, phq2, phq9, phqa, qids_sr16, wai_sr, wsas"
GAD7_IDS = [f"gad7-{n}" for n in range(1, 8)]


def expected_band(thresholds: list[tuple[int, str]], total: int) -> str:
    return next(band for low, band in thresholds if total >= low)


# --- Exhaustive -----------------------------------------------------------------------------


def test_every_phq9_answer_vector() -> None:
    band_of = [expected_band(PHQ9_THRESHOLDS, total) for total in range(28)]
    wrong = []
    for answers in itertools.product(range(4), repeat=9):
        result = score("phq9", answers)
        total = sum(answers)
        risk = ("suicidal_ideation",) if answers[8] > 0 else ()
        if (result.total, result.band, result.risk) != (total, band_of[total], risk):
            wrong.append(answers)
    assert wrong == []


def test_every_gad7_answer_vector() -> None:
    band_of = [expected_band(GAD7_THRESHOLDS, total) for total in range(22)]
    wrong = []
    for answers in itertools.product(range(4), repeat=7):
        result = score("gad7", answers)
        total = sum(answers)
        scored = tuple(zip(GAD7_IDS, answers, strict=True))
        if (result.total, result.band, result.risk, result.items) != (total, band_of[total], (), scored):
            wrong.append(answers)
    assert wrong == []


def test_a_mapping_scores_the_same_as_a_sequence() -> None:
    # Every 97th PHQ-9 vector (2,703 of them) spread over the whole space, with and without the
    # difficulty item.
    for n, answers in enumerate(itertools.islice(itertools.product(range(4), repeat=9), 0, None, 97)):
        difficulty = n % 4
        by_link_id = dict(zip(PHQ9_IDS, answers, strict=True)) | {"phq9-difficulty": difficulty}
        assert score("phq9", by_link_id) == score("phq9", [*answers, difficulty])


# --- Worked examples and band boundaries ----------------------------------------------------


def test_the_issue_example() -> None:
    result = score("phq9", [1, 0, 2, 3, 0, 1, 0, 0, 1])
    assert result.total == 8
    assert result.band == "mild"
    assert result.band_label == "Mild"
    assert result.risk == ("suicidal_ideation",)
    assert result.items == tuple(zip(PHQ9_IDS, [1, 0, 2, 3, 0, 1, 0, 0, 1], strict=True))
    assert result.unscored == ()
    assert result.answers == result.items


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_band_boundaries(total: int, band: str) -> None:
    # Fill items 1-8 first so item 9 stays 0 and the boundary is tested without the risk flag.
    answers = [min(3, max(0, total - 3 * n)) for n in range(9)]
    assert sum(answers) == total
    result = score("phq9", answers)
    assert (result.total, result.band) == (total, band)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_band_boundaries(total: int, band: str) -> None:
    answers = [min(3, max(0, total - 3 * n)) for n in range(7)]
    assert sum(answers) == total
    result = score("gad7", answers)
    assert (result.total, result.band) == (total, band)


@pytest.mark.parametrize(
    ("item9", "risk"),
    [(0, ()), (1, ("suicidal_ideation",)), (2, ("suicidal_ideation",)), (3, ("suicidal_ideation",))],
)
def test_item_9_flags_risk_at_any_non_zero_answer_even_with_a_minimal_total(
    item9: int, risk: tuple[str, ...]
) -> None:
    result = score("phq9", [0] * 8 + [item9])
    assert result.risk == risk
    assert result.band == "minimal"


def test_item_9_at_zero_raises_no_flag_even_at_the_maximum_of_items_1_to_8() -> None:
    result = score("phq9", [3] * 8 + [0])
    assert (result.total, result.band, result.risk) == (24, "severe", ())


@pytest.mark.parametrize("difficulty", [0, 1, 2, 3])
def test_the_difficulty_item_is_recorded_but_not_added_to_the_total(difficulty: int) -> None:
    result = score("phq9", [1] * 9 + [difficulty])
    assert result.total == 9
    assert result.unscored == (("phq9-difficulty", difficulty),)
    assert dict(result.items).keys() == set(PHQ9_IDS)


def test_an_instrument_object_may_be_passed_instead_of_its_key() -> None:
    from openipt.measures.instruments import GAD7

    assert score(GAD7, [3] * 7) == score("gad7", [3] * 7)


# --- Accepted answer forms ------------------------------------------------------------------


def test_integer_strings_are_accepted_as_from_a_form_or_the_command_line() -> None:
    result = score("phq9", ["1", " 0", "2 ", "+3", "0", "1", "0", "0", "1"])
    assert result.total == 8


def test_none_means_not_answered_for_the_optional_item() -> None:
    assert score("phq9", [0] * 9 + [None]).unscored == ()
    by_link_id = dict.fromkeys(PHQ9_IDS, 0) | {"phq9-difficulty": None}
    assert score("phq9", by_link_id).unscored == ()


def test_a_mapping_may_come_in_any_order() -> None:
    by_link_id = dict(zip(reversed(PHQ9_IDS), [1, 0, 0, 1, 0, 3, 2, 0, 1], strict=True))
    assert score("phq9", by_link_id) == score("phq9", [1, 0, 2, 3, 0, 1, 0, 0, 1])


# --- Output -----------------------------------------------------------------------------------


def test_as_dict_is_json_ready() -> None:
    result = score("phq9", [1, 0, 2, 3, 0, 1, 0, 0, 1, 2])
    assert json.loads(json.dumps(result.as_dict())) == {
        "instrument": "phq9",
        "total": 8,
        "band": "mild",
        "risk": ["suicidal_ideation"],
        "risk_severity": {"suicidal_ideation": "moderate"},
        "band_label": "Mild",
        "max_total": 27,
        "items": dict(zip(PHQ9_IDS, [1, 0, 2, 3, 0, 1, 0, 0, 1], strict=True)),
        "unscored": {"phq9-difficulty": 2},
    }


def test_score_is_immutable_and_hashable() -> None:
    result = score("gad7", [0] * 7)
    assert isinstance(result, Score)
    assert hash(result) == hash(score("gad7", [0] * 7))


# --- Errors -----------------------------------------------------------------------------------

FULL_PHQ9 = dict.fromkeys(PHQ9_IDS, 0)


@pytest.mark.parametrize(
    ("instrument", "answers", "message"),
    [
        # Missing
        ("phq9", [0] * 8, "phq9: item 9 (phq9-9) is missing; 8 answers given, 9 needed"),
        ("phq9", [], "phq9: item 1 (phq9-1) is missing; 0 answers given, 9 needed"),
        ("gad7", [0] * 6, "gad7: item 7 (gad7-7) is missing; 6 answers given, 7 needed"),
        ("phq9", {k: v for k, v in FULL_PHQ9.items() if k != "phq9-4"}, "phq9: item 4 (phq9-4) is missing"),
        ("phq9", FULL_PHQ9 | {"phq9-2": None}, "phq9: item 2 (phq9-2) is missing"),
        ("phq9", [0, 0, None, 0, 0, 0, 0, 0, 0], "phq9: item 3 (phq9-3) is missing"),
        # Extra
        (
            "phq9",
            [0] * 11,
            "phq9: 11 answers given but the instrument has 10 items (9 scored; optional: phq9-difficulty)",
        ),
        ("gad7", [0] * 8, "gad7: 8 answers given but the instrument has 7 items (7 scored)"),
        # Out of range
        ("phq9", [0, 0, 4, 0, 0, 0, 0, 0, 0], "phq9 item 3 (phq9-3): 4 is not allowed; choose 0, 1, 2 or 3"),
        ("phq9", [-1] + [0] * 8, "phq9 item 1 (phq9-1): -1 is not allowed; choose 0, 1, 2 or 3"),
        ("phq9", [0] * 9 + [4], "phq9 item 10 (phq9-difficulty): 4 is not allowed; choose 0, 1, 2 or 3"),
        ("gad7", [0] * 6 + [4], "gad7 item 7 (gad7-7): 4 is not allowed; choose 0, 1, 2 or 3"),
        ("gad7", [0] * 6 + ["-1"], "gad7 item 7 (gad7-7): -1 is not allowed; choose 0, 1, 2 or 3"),
        ("phq9", FULL_PHQ9 | {"phq9-9": 27}, "phq9 item 9 (phq9-9): 27 is not allowed; choose 0, 1, 2 or 3"),
        # Not whole numbers
        ("phq9", [1.0] + [0] * 8, "phq9 item 1 (phq9-1): 1.0 is not a whole number; choose 0, 1, 2 or 3"),
        ("phq9", [0, "x"] + [0] * 7, "phq9 item 2 (phq9-2): 'x' is not a whole number; choose 0, 1, 2 or 3"),
        ("phq9", [0, ""] + [0] * 7, "phq9 item 2 (phq9-2): '' is not a whole number; choose 0, 1, 2 or 3"),
        (
            "phq9",
            [0, "1.5"] + [0] * 7,
            "phq9 item 2 (phq9-2): '1.5' is not a whole number; choose 0, 1, 2 or 3",
        ),
        (
            "phq9",
            [0, "1_0"] + [0] * 7,
            "phq9 item 2 (phq9-2): '1_0' is not a whole number; choose 0, 1, 2 or 3",
        ),
        (
            "phq9",
            [0, "\u0663"] + [0] * 7,
            "phq9 item 2 (phq9-2): '\u0663' is not a whole number; choose 0, 1, 2 or 3",
        ),
        ("phq9", [0, [1]] + [0] * 7, "phq9 item 2 (phq9-2): [1] is not a whole number; choose 0, 1, 2 or 3"),
        (
            "gad7",
            ["a long answer typed by mistake"] + [0] * 6,
            "gad7 item 1 (gad7-1): 'a long answer ty... is not a whole number; choose 0, 1, 2 or 3",
        ),
        # Bools are ints to Python but never answers
        ("phq9", [True] + [0] * 8, "phq9 item 1 (phq9-1): True is not an answer; choose 0, 1, 2 or 3"),
        ("gad7", [0] * 6 + [False], "gad7 item 7 (gad7-7): False is not an answer; choose 0, 1, 2 or 3"),
        (
            "phq9",
            FULL_PHQ9 | {"phq9-difficulty": True},
            "phq9 item 10 (phq9-difficulty): True is not an answer; choose 0, 1, 2 or 3",
        ),
        # Unknown link ids
        (
            "phq9",
            FULL_PHQ9 | {"phq9-10": 0},
            "phq9: unknown item 'phq9-10'; the items are phq9-1, phq9-2, phq9-3, phq9-4, phq9-5, "
            "phq9-6, phq9-7, phq9-8, phq9-9, phq9-difficulty",
        ),
        (
            "gad7",
            {"phq9-1": 0},
            "gad7: unknown item 'phq9-1'; the items are gad7-1, gad7-2, gad7-3, gad7-4, gad7-5, "
            "gad7-6, gad7-7",
        ),
        ("gad7", {1: 0}, "gad7: unknown item 1; the items are gad7-1"),
        # Answers in the wrong shape
        (
            "phq9",
            "102301001",
            "phq9: answers must be a list in item order or a mapping of link id to answer, not str",
        ),
        (
            "phq9",
            {0, 1},
            "phq9: answers must be a list in item order or a mapping of link id to answer, not set",
        ),
        ("phq9", 8, "phq9: answers must be a list in item order or a mapping of link id to answer, not int"),
        # Unknown instrument
        ("phq10", [0] * 9, f"unknown instrument 'phq10'; choose one of {ALL_KEYS}"),
        ("PHQ9", [0] * 9, f"unknown instrument 'PHQ9'; choose one of {ALL_KEYS}"),
    ],
)
def test_errors_name_the_item_and_what_is_allowed(instrument: str, answers: object, message: str) -> None:
    with pytest.raises(ScoringError, match=f"^{re.escape(message)}"):
        score(instrument, answers)  # type: ignore[arg-type]


def test_scoring_error_is_a_value_error() -> None:
    assert issubclass(ScoringError, ValueError)


# --- Room for other instruments -------------------------------------------------------------
# A made-up instrument, not a real one: reverse-keyed options, items with different ranges, an
# unscored risk question. It shows these are data, with score() unchanged.

REVERSED = (Option(3, "Always"), Option(2, "Often"), Option(1, "Rarely"), Option(0, "Never"))
NARROW = (Option(0, "Absent"), Option(1, "Doubtful"), Option(2, "Present"))
TOY = Instrument(
    key="toy",
    name="Toy",
    short_name="Toy",
    preamble="",
    recall="",
    items=(
        Item("toy-1", "Reverse-keyed", REVERSED),
        Item("toy-2", "Narrow", NARROW, risk_flag="self_harm", risk_levels=((1, "low"), (2, "high"))),
        Item(
            "toy-3",
            "Extra",
            REVERSED,
            scored=False,
            required=True,
            risk_flag="self_harm",
            risk_levels=((1, "low"),),
        ),
    ),
    bands=(Band("low", "Low", 0, 2), Band("high", "High", 3, 5)),
    min_total=0,
    max_total=5,
    loinc_panel=None,
    loinc_total=None,
    licence=Licence("Nobody", "Test data", item_text_allowed=True, source=""),
    source="",
    respondent="clinician",
)


@pytest.mark.parametrize(
    ("answers", "total", "band", "risk"),
    [
        ([0, 0, 3], 3, "high", ()),  # index 0 of a reverse-keyed item scores 3
        ([3, 0, 3], 0, "low", ()),
        ([3, 1, 3], 1, "low", ("self_harm",)),  # any answer above the lowest raises the flag
        ([3, 2, 3], 2, "low", ("self_harm",)),
        ([3, 2, 0], 2, "low", ("self_harm",)),  # raised by two items, listed once
        ([3, 0, 2], 0, "low", ("self_harm",)),  # an unscored item can still raise a flag
    ],
)
def test_option_values_not_indexes_are_scored(
    answers: list[int], total: int, band: str, risk: tuple[str, ...]
) -> None:
    result = score(TOY, answers)
    assert (result.total, result.band, result.risk) == (total, band, risk)
    assert result.answers == tuple(zip(["toy-1", "toy-2", "toy-3"], answers, strict=True))


def test_each_item_has_its_own_range() -> None:
    with pytest.raises(
        ScoringError, match=re.escape("toy item 2 (toy-2): 3 is not allowed; choose 0, 1 or 2")
    ):
        score(TOY, [0, 3, 0])

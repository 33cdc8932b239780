"""HAM-D 17: per-item ranges, band boundaries, the suicide item, and a seeded sample end to end.

Expected values come from tables written out here (Hamilton 1960; item ranges of the standard
17-item form), not from instruments.py.
"""

from __future__ import annotations

import random
import re

import pytest

from openipt.measures.scoring import ScoringError, score

# Highest answer per item: 0-2 for items 4-6, 12-14, 16 and 17; 0-4 for the rest.
MAXIMA = [4, 4, 4, 2, 2, 2, 4, 4, 4, 4, 4, 2, 2, 2, 4, 2, 2]
IDS = [f"hamd17-{n}" for n in range(1, 18)]
# Lowest total of each band, highest first (Zimmerman et al. 2013 boundaries).
THRESHOLDS = [(24, "severe"), (17, "moderate"), (8, "mild"), (0, "none")]


def expected_band(total: int) -> str:
    return next(band for low, band in THRESHOLDS if total >= low)


def expected_suicide_severity(item3: int) -> str | None:
    """Item 3: every answer above "absent" is positive. 1 (feels life is not worth living) and 2
    (wishes to be dead) moderate; 3-4 (ideas, gesture, attempt) high."""
    return {0: None, 1: "moderate", 2: "moderate", 3: "high", 4: "high"}[item3]


def fill(total: int, *, item3: int = 0) -> list[int]:
    """Answers reaching `total`, filling items in order up to their maxima, item 3 fixed."""
    answers, left = [], total - item3
    for number, highest in enumerate(MAXIMA, start=1):
        value = item3 if number == 3 else min(highest, left)
        left -= 0 if number == 3 else value
        answers.append(value)
    assert sum(answers) == total
    return answers


@pytest.mark.parametrize(
    ("total", "band", "label"),
    [
        (0, "none", "No depression"),
        (7, "none", "No depression"),
        (8, "mild", "Mild"),
        (16, "mild", "Mild"),
        (17, "moderate", "Moderate"),
        (23, "moderate", "Moderate"),
        (24, "severe", "Severe"),
        (52, "severe", "Severe"),
    ],
)
def test_band_boundaries(total: int, band: str, label: str) -> None:
    # Items other than 3 add up to 48 at most: the maximum needs item 3 at 4 too.
    result = score("hamd17", fill(total, item3=4) if total > 48 else fill(total))
    assert (result.total, result.band, result.band_label, result.max_total) == (total, band, label, 52)


def test_every_answer_to_every_item_on_its_own() -> None:
    for position, highest in enumerate(MAXIMA):
        for value in range(highest + 1):
            answers = [0] * 17
            answers[position] = value
            result = score("hamd17", answers)
            assert result.total == value
            assert dict(result.items)[IDS[position]] == value


@pytest.mark.parametrize("number", range(1, 18))
def test_each_item_refuses_an_answer_above_its_range(number: int) -> None:
    highest = MAXIMA[number - 1]
    answers = [0] * 17
    answers[number - 1] = highest + 1
    choices = "0, 1 or 2" if highest == 2 else "0, 1, 2, 3 or 4"
    message = f"hamd17 item {number} (hamd17-{number}): {highest + 1} is not allowed; choose {choices}"
    with pytest.raises(ScoringError, match=f"^{re.escape(message)}$"):
        score("hamd17", answers)


@pytest.mark.parametrize("item3", range(5))
def test_the_suicide_item_raises_risk_at_any_answer_above_absent(item3: int) -> None:
    result = score("hamd17", fill(item3, item3=item3))
    severity = expected_suicide_severity(item3)
    assert result.risk == (("suicide_item",) if severity else ())
    assert result.severity_for("suicide_item") == severity
    assert result.band == "none"  # a low total still carries the flag


def test_a_worked_example() -> None:
    # Moderate depression: mood 3, guilt 2, suicide 1, insomnia 2/1/2, work 3, retardation 1,
    # agitation 1, psychic anxiety 2, somatic anxiety 1, GI 1, general 1, genital 1,
    # hypochondriasis 0, weight 1, insight 0 = 23, the top of "moderate". Suicide at 1 ("feels
    # life is not worth living") raises the flag.
    answers = [3, 2, 1, 2, 1, 2, 3, 1, 1, 2, 1, 1, 1, 1, 0, 1, 0]
    result = score("hamd17", answers)
    assert (result.total, result.band, result.risk) == (23, "moderate", ("suicide_item",))
    assert result.severity_for("suicide_item") == "moderate"


def test_a_seeded_random_sample_end_to_end() -> None:
    rng = random.Random(17)
    for _ in range(4000):
        answers = [rng.randint(0, highest) for highest in MAXIMA]
        result = score("hamd17", answers)
        total = sum(answers)
        assert (result.total, result.band) == (total, expected_band(total)), answers
        assert result.severity_for("suicide_item") == expected_suicide_severity(answers[2])
        assert result.answers == result.items == tuple(zip(IDS, answers, strict=True))

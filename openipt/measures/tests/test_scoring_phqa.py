"""PHQ-A: the nine items as PHQ-9, and the extra questions recorded, unscored, and raising risk.

Expected values come from tables written out here (Johnson et al. 2002; GLAD-PC toolkit),
not from instruments.py.
"""

from __future__ import annotations

import itertools
import re

import pytest

from openipt.measures.scoring import ScoringError, score

IDS = [f"phqa-{n}" for n in range(1, 10)]
EXTRAS = ["phqa-past-year", "phqa-difficulty", "phqa-past-month-thoughts", "phqa-attempt"]
THRESHOLDS = [(20, "severe"), (15, "moderately_severe"), (10, "moderate"), (5, "mild"), (0, "minimal")]


def expected_band(total: int) -> str:
    return next(band for low, band in THRESHOLDS if total >= low)


def expected_risk(item9: int, past_month: int | None, attempt: int | None) -> tuple[tuple[str, str], ...]:
    """(flag, severity) in item order: item 9 tiered as PHQ-9, then the two GLAD-PC questions."""
    risk = []
    if item9:
        risk.append(("suicidal_ideation", "moderate" if item9 == 1 else "high"))
    if past_month == 1:
        risk.append(("suicidal_thoughts_past_month", "high"))
    if attempt == 1:
        risk.append(("suicide_attempt_history", "moderate"))
    return tuple(risk)


def test_a_spread_of_scored_vectors() -> None:
    # Every 29th of the 262,144 vectors (9,040): the scoring is PHQ-9's, tested exhaustively there.
    for answers in itertools.islice(itertools.product(range(4), repeat=9), 0, None, 29):
        result = score("phqa", answers)
        total = sum(answers)
        assert (result.total, result.band) == (total, expected_band(total)), answers
        assert result.risk_severity == expected_risk(answers[8], None, None)


def test_every_combination_of_the_extra_questions() -> None:
    choices = [[None, 0, 1], [None, 0, 1, 2, 3], [None, 0, 1], [None, 0, 1]]
    for base in ([0] * 9, [1] * 9, [3] * 8 + [0], [0] * 8 + [2]):
        for extras in itertools.product(*choices):
            result = score("phqa", [*base, *extras])
            answered = {
                link_id: value for link_id, value in zip(EXTRAS, extras, strict=True) if value is not None
            }
            assert result.total == sum(base)
            assert dict(result.unscored) == answered
            assert dict(result.answers) == dict(zip(IDS, base, strict=True)) | answered
            risk = expected_risk(base[8], extras[2], extras[3])
            assert result.risk_severity == risk
            assert result.risk == tuple(flag for flag, _ in risk)


def test_the_worked_example_with_every_risk_answer() -> None:
    by_link_id = dict(zip(IDS, [2, 1, 2, 1, 1, 0, 2, 1, 3], strict=True)) | {
        "phqa-past-year": 1,
        "phqa-difficulty": 2,
        "phqa-past-month-thoughts": 1,
        "phqa-attempt": 1,
    }
    result = score("phqa", by_link_id)
    assert (result.total, result.band, result.band_label) == (13, "moderate", "Moderate")
    assert result.risk == ("suicidal_ideation", "suicidal_thoughts_past_month", "suicide_attempt_history")
    assert result.severity_for("suicidal_ideation") == "high"
    assert result.severity_for("suicide_attempt_history") == "moderate"


def test_a_past_month_yes_alone_raises_its_flag_at_a_minimal_total() -> None:
    result = score("phqa", [0] * 9 + [None, None, 1])
    assert (result.total, result.band, result.risk) == (0, "minimal", ("suicidal_thoughts_past_month",))


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([0] * 8, "phqa: item 9 (phqa-9) is missing; 8 answers given, 9 needed"),
        ([0] * 9 + [2], "phqa item 10 (phqa-past-year): 2 is not allowed; choose 0 or 1"),
        ([0] * 9 + [0, 4], "phqa item 11 (phqa-difficulty): 4 is not allowed; choose 0, 1, 2 or 3"),
        (
            [0] * 9 + [0, 0, 0, "yes"],
            "phqa item 13 (phqa-attempt): 'yes' is not a whole number; choose 0 or 1",
        ),
        (
            [0] * 14,
            "phqa: 14 answers given but the instrument has 13 items (9 scored; optional: phqa-past-year",
        ),
    ],
)
def test_phqa_errors(answers: object, message: str) -> None:
    with pytest.raises(ScoringError, match=f"^{re.escape(message)}"):
        score("phqa", answers)  # type: ignore[arg-type]

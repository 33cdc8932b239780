"""PHQ-2: every one of the 16 answer vectors, against the cut-off written out here
(Kroenke, Spitzer & Williams 2003)."""

from __future__ import annotations

import itertools
import re

import pytest

from openipt.measures.scoring import ScoringError, score

# >=3 is the published cut-off (Kroenke et al. 2003); >=2 is more sensitive (Arroll et al. 2010)
# but is not what the bands say.
CUT_OFF = 3


def test_every_phq2_answer_vector() -> None:
    for answers in itertools.product(range(4), repeat=2):
        result = score("phq2", answers)
        total = sum(answers)
        band = "positive" if total >= CUT_OFF else "negative"
        assert (result.total, result.band, result.max_total) == (total, band, 6), answers
        assert result.items == (("phq2-1", answers[0]), ("phq2-2", answers[1]))
        assert result.risk == () and result.risk_severity == ()


@pytest.mark.parametrize(
    ("answers", "band", "label"),
    [
        ([1, 1], "negative", "Negative screen"),
        ([2, 1], "positive", "Positive screen"),
        ([0, 3], "positive", "Positive screen"),
    ],
)
def test_the_cut_off_worked_examples(answers: list[int], band: str, label: str) -> None:
    result = score("phq2", answers)
    assert (result.band, result.band_label) == (band, label)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([1], "phq2: item 2 (phq2-2) is missing; 1 answers given, 2 needed"),
        ([1, 1, 1], "phq2: 3 answers given but the instrument has 2 items (2 scored)"),
        ([1, 4], "phq2 item 2 (phq2-2): 4 is not allowed; choose 0, 1, 2 or 3"),
        ({"phq9-1": 1, "phq9-2": 1}, "phq2: unknown item 'phq9-1', 'phq9-2'; the items are phq2-1, phq2-2"),
    ],
)
def test_phq2_errors(answers: object, message: str) -> None:
    with pytest.raises(ScoringError, match=f"^{re.escape(message)}$"):
        score("phq2", answers)  # type: ignore[arg-type]

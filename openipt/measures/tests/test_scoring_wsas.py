"""WSAS: every answer vector, with and without the work item marked not applicable.

Expected values come from the cut-offs written out here (Mundt et al. 2002).
"""

from __future__ import annotations

import itertools
import json
import re

import pytest

from openipt.measures.scoring import ScoringError, score

IDS = [f"wsas-{n}" for n in range(1, 6)]
NOT_APPLICABLE = 9  # the tenth option of the work item


def expected_band(total: int) -> str:
    """Below 10 subclinical; 10-20 significant impairment; above 20 moderately severe or worse."""
    if total > 20:
        return "severe"
    return "significant" if total >= 10 else "subclinical"


def expected_band_over_four_items(total: int) -> str:
    """The same cut-offs scaled to the 32 points four items allow: 10 and 21 of 40 are 8 and 16.8
    of 32, so below 8 subclinical, 8-16 significant impairment, 17 and above severe."""
    if total >= 17:
        return "severe"
    return "significant" if total >= 8 else "subclinical"


def test_every_answer_vector_with_the_work_item_answered() -> None:
    for answers in itertools.product(range(9), repeat=5):
        result = score("wsas", answers)
        total = sum(answers)
        assert (result.total, result.band, result.max_total) == (total, expected_band(total), 40), answers
        assert result.not_applicable == () and result.risk == ()


def test_every_answer_vector_with_work_not_applicable() -> None:
    for rest in itertools.product(range(9), repeat=4):
        result = score("wsas", [NOT_APPLICABLE, *rest])
        total = sum(rest)
        # Over the 4 other items, not pro-rated; banded on cut-offs valid for four items.
        assert (result.total, result.band, result.max_total) == (
            total,
            expected_band_over_four_items(total),
            32,
        ), rest
        assert result.not_applicable == ("wsas-1",)
        assert result.items == tuple(zip(IDS[1:], rest, strict=True))
        assert result.answers[0] == ("wsas-1", NOT_APPLICABLE)


@pytest.mark.parametrize(
    ("total", "band", "label"),
    [
        (0, "subclinical", "Subclinical"),
        (9, "subclinical", "Subclinical"),
        (10, "significant", "Significant impairment"),
        (20, "significant", "Significant impairment"),
        (21, "severe", "Moderately severe or worse"),
        (40, "severe", "Moderately severe or worse"),
    ],
)
def test_the_published_cut_offs(total: int, band: str, label: str) -> None:
    answers = [min(8, max(0, total - 8 * n)) for n in range(5)]
    result = score("wsas", answers)
    assert (result.total, result.band, result.band_label) == (total, band, label)


@pytest.mark.parametrize(
    ("rest", "band"),
    [
        ((2, 2, 2, 1), "subclinical"),  # 7 of 32
        ((2, 2, 2, 2), "significant"),  # 8 of 32 is 10 of 40: 8 on five items would be subclinical
        ((4, 4, 4, 4), "significant"),  # 16 of 32 is 20 of 40
        ((5, 4, 4, 4), "severe"),  # 17 of 32 is 21.25 of 40
    ],
)
def test_work_not_applicable_is_not_banded_as_if_work_scored_0(rest: tuple[int, ...], band: str) -> None:
    assert score("wsas", [NOT_APPLICABLE, *rest]).band == band


def test_not_applicable_shows_in_the_json() -> None:
    result = score("wsas", {"wsas-1": "9", "wsas-2": "4", "wsas-3": "4", "wsas-4": "2", "wsas-5": "0"})
    assert json.loads(json.dumps(result.as_dict())) == {
        "instrument": "wsas",
        "total": 10,
        "band": "significant",
        "risk": [],
        "risk_severity": {},
        "band_label": "Significant impairment",
        "max_total": 32,
        "items": {"wsas-2": 4, "wsas-3": 4, "wsas-4": 2, "wsas-5": 0},
        "unscored": {},
        "not_applicable": ["wsas-1"],
    }


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([0, 9, 0, 0, 0], "wsas item 2 (wsas-2): 9 is not allowed; choose 0, 1, 2, 3, 4, 5, 6, 7 or 8"),
        ([10, 0, 0, 0, 0], "wsas item 1 (wsas-1): 10 is not allowed; choose 0, 1, 2, 3, 4, 5, 6, 7, 8 or 9"),
        ([0, 0, 0, 0], "wsas: item 5 (wsas-5) is missing; 4 answers given, 5 needed"),
        ([None, 0, 0, 0, 0], "wsas: item 1 (wsas-1) is missing"),
    ],
)
def test_wsas_errors(answers: list[int | None], message: str) -> None:
    with pytest.raises(ScoringError, match=f"^{re.escape(message)}"):
        score("wsas", answers)

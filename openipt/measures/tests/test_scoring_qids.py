"""QIDS-SR16: 16 items in 9 domains, each domain counted as its highest item
(Rush et al. 2003).

Expected totals come from the domain table written out here, not from instruments.py.
"""

from __future__ import annotations

import itertools
import random

import pytest

from openipt.measures.scoring import score

# Item numbers per domain (Rush et al. 2003): sleep 1-4, sad mood 5, appetite/weight 6-9, concentration
# 10, self-view 11, suicidal ideation 12, interest 13, energy 14, psychomotor 15-16.
DOMAINS = [(1, 2, 3, 4), (5,), (6, 7, 8, 9), (10,), (11,), (12,), (13,), (14,), (15, 16)]
THRESHOLDS = [(21, "very_severe"), (16, "severe"), (11, "moderate"), (6, "mild"), (0, "none")]


def expected_total(answers: list[int]) -> int:
    return sum(max(answers[n - 1] for n in domain) for domain in DOMAINS)


def expected_band(total: int) -> str:
    return next(band for low, band in THRESHOLDS if total >= low)


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        # Worked by hand from the published rule. Sleep 3 (item 1), sad 2, appetite/weight 3
        # (item 7), concentration 1, self 1, suicide 1, interest 1, energy 1, psychomotor 3 = 16.
        ([3, 1, 0, 2, 2, 0, 3, 1, 0, 1, 1, 1, 1, 1, 2, 3], 16, "severe"),
        # Every sleep and appetite item at 3 still adds 3 each: 3 + 0 + 3 + 0 ... = 6, mild.
        ([3, 3, 3, 3, 0, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0, 0], 6, "mild"),
        # Decreased appetite and increased weight both answered: only the higher (2) counts.
        ([0, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0], 2, "none"),
        ([0] * 16, 0, "none"),
        ([3] * 16, 27, "very_severe"),
    ],
)
def test_worked_examples(answers: list[int], total: int, band: str) -> None:
    result = score("qids_sr16", answers)
    assert (result.total, result.band, result.max_total) == (total, band, 27)
    assert len(result.items) == 16  # every item is kept, though a domain counts once


@pytest.mark.parametrize("domain", [(1, 2, 3, 4), (6, 7, 8, 9), (15, 16)])
def test_every_answer_pattern_within_a_multi_item_domain(domain: tuple[int, ...]) -> None:
    for pattern in itertools.product(range(4), repeat=len(domain)):
        answers = [0] * 16
        for number, value in zip(domain, pattern, strict=True):
            answers[number - 1] = value
        assert score("qids_sr16", answers).total == max(pattern)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (5, "none"),
        (6, "mild"),
        (10, "mild"),
        (11, "moderate"),
        (15, "moderate"),
        (16, "severe"),
        (20, "severe"),
        (21, "very_severe"),
    ],
)
def test_band_boundaries(total: int, band: str) -> None:
    # Fill the nine domains in order through their first item, 3 at most each; item 12 stays 0
    # unless the total needs it.
    answers = [0] * 16
    left = total
    for domain in [d for d in DOMAINS if d != (12,)] + [(12,)]:
        answers[domain[0] - 1] = min(3, left)
        left -= answers[domain[0] - 1]
    result = score("qids_sr16", answers)
    assert (result.total, result.band) == (total, band)


@pytest.mark.parametrize(("item12", "severity"), [(0, None), (1, "moderate"), (2, "high"), (3, "high")])
def test_item_12_raises_suicidal_ideation(item12: int, severity: str | None) -> None:
    answers = [0] * 16
    answers[11] = item12
    result = score("qids_sr16", answers)
    assert result.severity_for("suicidal_ideation") == severity
    assert result.risk == (("suicidal_ideation",) if severity else ())


def test_a_seeded_random_sample_end_to_end() -> None:
    rng = random.Random(2003)
    for _ in range(5000):
        answers = [rng.randrange(4) for _ in range(16)]
        result = score("qids_sr16", answers)
        total = expected_total(answers)
        assert (result.total, result.band) == (total, expected_band(total)), answers

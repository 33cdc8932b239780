"""EPDS: reverse keying, cut-offs and item 10, over the whole answer space.

`test_every_epds_answer_vector` sends all 4**10 = 1,048,576 vectors through score() against the
keying table written here, in four parts (by the first item's answer) so parallel workers share
the ~15 seconds. The other tests check the same space from other sides:

1. every option of every item, alone, through score() (the keying, 40 vectors);
2. every total with every item-10 answer that can reach it, through score() (bands and risk);
3. the distribution of totals over all 4**10 vectors, enumerated from the keying table written
   here, equals the convolution of the per-item values score() gave in part 1 — so a total is
   the sum of its item values everywhere, not only where sampled;
4. a seeded random sample of 30,000 vectors end to end through score().

The keying is written out here (Cox, Holden & Sagovsky 1987): items 1, 2 and 4 score 0 to 3 top
to bottom; items 3 and 5-10 score 3 to 0.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest

from openipt.measures.scoring import score

REVERSED = {3, 5, 6, 7, 8, 9, 10}
IDS = [f"epds-{n}" for n in range(1, 11)]


def value(number: int, index: int) -> int:
    """The scored value of answer `index` (0 = top box) to item `number`, from the published keying."""
    return 3 - index if number in REVERSED else index


def zero_index(number: int) -> int:
    """The answer index that scores 0 for item `number`."""
    return 3 if number in REVERSED else 0


def expected_band(total: int) -> str:
    """>=13 probable depression; >=10 possible; otherwise unlikely."""
    if total >= 13:
        return "probable"
    return "possible" if total >= 10 else "unlikely"


def expected_severity(item10: int) -> str | None:
    """Item 10 above 0 always calls for assessment: 1 moderate, 2-3 high."""
    return [None, "moderate", "high", "high"][item10]


def answers_for(values: list[int]) -> list[int]:
    """The answer indexes giving these scored values, item by item."""
    return [3 - v if number in REVERSED else v for number, v in enumerate(values, start=1)]


def per_item_values_from_score() -> list[list[int]]:
    """Each item's scored value for answers 0-3, read through score() with every other item at 0."""
    table = []
    for number in range(1, 11):
        row = []
        for index in range(4):
            answers = [zero_index(n) for n in range(1, 11)]
            answers[number - 1] = index
            row.append(score("epds", answers).total)
        table.append(row)
    return table


def test_each_option_of_each_item_scores_per_the_published_keying() -> None:
    assert per_item_values_from_score() == [[value(n, i) for i in range(4)] for n in range(1, 11)]


def test_the_published_keying_examples() -> None:
    # Every top box: items 3 and 5-10 score 3 each, items 1, 2 and 4 nothing: 21, probable.
    top = score("epds", [0] * 10)
    assert (top.total, top.band) == (21, "probable")
    assert dict(top.items) == {link_id: (3 if n in REVERSED else 0) for n, link_id in enumerate(IDS, 1)}
    # Every bottom box: only items 1, 2 and 4 score (3 each): 9, unlikely, and item 10 at 0.
    bottom = score("epds", [3] * 10)
    assert (bottom.total, bottom.band, bottom.risk) == (9, "unlikely", ())
    # The stored answers are the box positions, not the scored values.
    assert top.answers == tuple((link_id, 0) for link_id in IDS)


@pytest.mark.parametrize("item10", range(4))
def test_every_total_with_every_item_10_answer(item10: int) -> None:
    for total in range(item10, 28 + item10):
        rest = [min(3, max(0, total - item10 - 3 * n)) for n in range(9)]
        result = score("epds", answers_for([*rest, item10]))
        assert (result.total, result.band) == (total, expected_band(total))
        assert result.severity_for("self_harm_thoughts") == expected_severity(item10)
        assert result.risk == (("self_harm_thoughts",) if item10 else ())


@pytest.mark.parametrize(
    ("total", "band", "label"),
    [
        (9, "unlikely", "Depression unlikely"),
        (10, "possible", "Possible depression"),
        (12, "possible", "Possible depression"),
        (13, "probable", "Probable depression"),
        (30, "probable", "Probable depression"),
    ],
)
def test_the_cut_offs(total: int, band: str, label: str) -> None:
    values = [min(3, max(0, total - 3 * n)) for n in range(10)]
    result = score("epds", answers_for(values))
    assert (result.total, result.band, result.band_label) == (total, band, label)


def test_the_distribution_of_totals_over_all_vectors() -> None:
    published = [[value(n, i) for i in range(4)] for n in range(1, 11)]
    enumerated = Counter(sum(vector) for vector in itertools.product(*published))
    assert sum(enumerated.values()) == 4**10
    convolved = Counter({0: 1})
    for row in per_item_values_from_score():
        step: Counter[int] = Counter()
        for total, count in convolved.items():
            for item_value in row:
                step[total + item_value] += count
        convolved = step
    assert convolved == enumerated


def test_a_seeded_random_sample_end_to_end() -> None:
    rng = random.Random(1987)
    for _ in range(30_000):
        answers = [rng.randrange(4) for _ in range(10)]
        result = score("epds", answers)
        values = [value(n, i) for n, i in enumerate(answers, start=1)]
        total = sum(values)
        assert (result.total, result.band) == (total, expected_band(total)), answers
        assert result.items == tuple(zip(IDS, values, strict=True))
        assert result.severity_for("self_harm_thoughts") == expected_severity(values[9])


@pytest.mark.parametrize("first", range(4))
def test_every_epds_answer_vector(first: int) -> None:
    """Every vector whose first answer is `first`: total, band and risk from the keying table."""
    rows = [[value(number, index) for index in range(4)] for number in range(1, 11)]
    for rest in itertools.product(range(4), repeat=9):
        answers = (first, *rest)
        total = sum(rows[n][a] for n, a in enumerate(answers))
        result = score("epds", answers)
        item10 = rows[9][answers[9]]
        assert (result.total, result.band, result.risk) == (
            total,
            expected_band(total),
            ("self_harm_thoughts",) if item10 > 0 else (),
        ), answers

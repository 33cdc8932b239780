"""WAI-SR: answers 0-4 score 1-5, the total and the three subscales
(Hatcher & Gillaspy 2006)."""

from __future__ import annotations

import itertools
import random
import re

import pytest

from openipt.measures.scoring import ScoringError, score

IDS = [f"wai_sr-{n}" for n in range(1, 13)]
# Hatcher & Gillaspy 2006.
SUBSCALES = {"task": (1, 2, 10, 12), "bond": (3, 5, 7, 9), "goal": (4, 6, 8, 11)}


def expected(answers: list[int]) -> tuple[int, dict[str, int]]:
    values = [index + 1 for index in answers]  # index 0 ("seldom") scores 1
    return sum(values), {key: sum(values[n - 1] for n in numbers) for key, numbers in SUBSCALES.items()}


@pytest.mark.parametrize(
    ("answers", "total", "subscales"),
    [
        ([0] * 12, 12, {"task": 4, "bond": 4, "goal": 4}),
        ([4] * 12, 60, {"task": 20, "bond": 20, "goal": 20}),
        # Strong bond, weaker agreement on tasks and goals: the pattern the subscales exist to show.
        ([1, 1, 4, 2, 4, 2, 4, 2, 4, 1, 2, 1], 40, {"task": 8, "bond": 20, "goal": 12}),
    ],
)
def test_worked_examples(answers: list[int], total: int, subscales: dict[str, int]) -> None:
    result = score("wai_sr", answers)
    assert (result.total, dict(result.subscales)) == (total, subscales)
    assert (result.band, result.band_label) == ("no_cutoffs", "No standard cut-offs: follow the trend")
    assert result.as_dict()["subscales"] == subscales
    assert result.answers == tuple(zip(IDS, answers, strict=True))


def test_each_item_counts_towards_its_own_subscale_only() -> None:
    for number in range(1, 13):
        answers = [0] * 12
        answers[number - 1] = 4
        result = score("wai_sr", answers)
        owner = next(key for key, numbers in SUBSCALES.items() if number in numbers)
        assert dict(result.subscales) == {key: 8 if key == owner else 4 for key in SUBSCALES}


def test_a_seeded_random_sample_and_every_vector_of_one_subscale() -> None:
    rng = random.Random(2006)
    samples = [[rng.randrange(5) for _ in range(12)] for _ in range(3000)]
    # All 625 answer patterns of the task items, the others at 2.
    for task in itertools.product(range(5), repeat=4):
        answers = [2] * 12
        for number, index in zip(SUBSCALES["task"], task, strict=True):
            answers[number - 1] = index
        samples.append(answers)
    for answers in samples:
        result = score("wai_sr", answers)
        total, subscales = expected(answers)
        assert (result.total, dict(result.subscales), result.max_total) == (total, subscales, 60)


def test_an_answer_of_5_is_out_of_range_because_answers_are_indexes() -> None:
    message = "wai_sr item 1 (wai_sr-1): 5 is not allowed; choose 0, 1, 2, 3 or 4"
    with pytest.raises(ScoringError, match=f"^{re.escape(message)}$"):
        score("wai_sr", [5] + [0] * 11)

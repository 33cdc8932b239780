"""C-SSRS screener: every valid path through the skip logic, and every invalid one refused.

The triage table and the skip rules are written out here (Columbia Lighthouse Project screener
and triage guidelines; a vendor's three-tier implementation), not read from instruments.py.
Answers: 0 no, 1 yes, None not asked.
"""

from __future__ import annotations

import itertools
import json
import re

import pytest

from openipt.measures.scoring import ScoringError, score

IDS = [f"cssrs_screen-{n}" for n in ("1", "2", "3", "4", "5", "6", "6-recent")]
Answers = tuple[int | None, ...]


def expected_triage(answers: Answers) -> str:
    """Items 4-5, or behaviour in the past 3 months: high. Item 3, or behaviour longer ago:
    moderate. Items 1-2 alone: low. Nothing: none."""
    wish, thoughts, method, intent, plan, behaviour, recent = answers
    if intent == 1 or plan == 1 or recent == 1:
        return "high"
    if method == 1 or behaviour == 1:
        return "moderate"
    if wish == 1 or thoughts == 1:
        return "low"
    return "none"


def valid_paths() -> list[Answers]:
    """Items 1, 2 and 6 always; 3-5 only after a yes to 2; the 3-month question after a yes to 6."""
    paths = []
    for wish, thoughts, behaviour in itertools.product((0, 1), repeat=3):
        middles = itertools.product((0, 1), repeat=3) if thoughts else [(None, None, None)]
        for middle in middles:
            for recent in (0, 1) if behaviour else (None,):
                paths.append((wish, thoughts, *middle, behaviour, recent))
    return paths


def expected_error(answers: Answers) -> str | None:
    """The first problem in item order, or None for a valid path."""
    for number, link_id in enumerate(IDS, start=1):
        given = answers[number - 1]
        if number in (3, 4, 5):
            asked, on = answers[1] == 1, "item 2 (cssrs_screen-2)"
        elif number == 7:
            asked, on = answers[5] == 1, "item 6 (cssrs_screen-6)"
        else:
            asked, on = True, ""
        if not asked and given is not None:
            where = f"cssrs_screen item {number} ({link_id})"
            return f"{where}: only asked when {on} is answered 1 (Yes); leave it out"
        if asked and given is None:
            return f"cssrs_screen: item {number} ({link_id}) is missing"
    return None


def test_there_are_54_valid_paths() -> None:
    # 2 (item 1) x 9 (item 2 no, or yes with 8 answers to 3-5) x 3 (item 6 no, or yes with 2).
    assert len(valid_paths()) == 54
    assert all(expected_error(path) is None for path in valid_paths())


@pytest.mark.parametrize(
    "path", valid_paths(), ids=lambda path: "".join("-" if a is None else str(a) for a in path)
)
def test_every_valid_path(path: Answers) -> None:
    triage = expected_triage(path)
    answered = {link_id: answer for link_id, answer in zip(IDS, path, strict=True) if answer is not None}
    for answers in (list(path), answered):  # None in place, or left out of a mapping
        result = score("cssrs_screen", answers)
        assert result.band == triage
        assert result.total == ["none", "low", "moderate", "high"].index(triage)
        assert result.answers == tuple(answered.items())
        if triage == "none":
            assert (result.risk, result.risk_severity) == ((), ())
        else:
            assert result.risk == ("suicide_risk_screen",)
            assert result.severity_for("suicide_risk_screen") == triage


def test_every_invalid_combination_is_refused() -> None:
    # Items 3-5 and the 3-month question each unanswered, no or yes, whatever the skip logic says.
    refused = 0
    for wish, thoughts, behaviour in itertools.product((0, 1), repeat=3):
        for method, intent, plan, recent in itertools.product((None, 0, 1), repeat=4):
            answers = (wish, thoughts, method, intent, plan, behaviour, recent)
            message = expected_error(answers)
            if message is None:
                continue
            refused += 1
            with pytest.raises(ScoringError, match=f"^{re.escape(message)}"):
                score("cssrs_screen", list(answers))
    assert refused == 8 * 81 - 54


@pytest.mark.parametrize("position", [0, 1, 5])
def test_the_always_asked_items_are_required(position: int) -> None:
    answers: list[int | None] = [0, 0, None, None, None, 0]
    answers[position] = None
    link_id = IDS[position]
    with pytest.raises(ScoringError, match=f"^cssrs_screen: item {position + 1} \\({link_id}\\) is missing"):
        score("cssrs_screen", answers)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (
            [0, 0, None, None, None, 2],
            "cssrs_screen item 6 (cssrs_screen-6): 2 is not allowed; choose 0 or 1",
        ),
        ([0, 0], "cssrs_screen: item 6 (cssrs_screen-6) is missing; 2 answers given, 6 needed"),
        ([0, 1], "cssrs_screen: item 3 (cssrs_screen-3) is missing; 2 answers given, 6 needed"),
        (
            [0, 1, 0, 0, 0, 1],
            "cssrs_screen: item 7 (cssrs_screen-6-recent) is missing; 6 answers given, 7 needed",
        ),
        (
            {"cssrs_screen-1": 0, "cssrs_screen-2": 0, "cssrs_screen-4": 1, "cssrs_screen-6": 0},
            "cssrs_screen item 4 (cssrs_screen-4): only asked when item 2 (cssrs_screen-2) is answered 1",
        ),
        (
            [0, 0, None, None, None, 0, 0, 0],
            "cssrs_screen: 8 answers given but the instrument has 7 items (7 scored)",
        ),
    ],
)
def test_cssrs_errors(answers: object, message: str) -> None:
    with pytest.raises(ScoringError, match=f"^{re.escape(message)}"):
        score("cssrs_screen", answers)  # type: ignore[arg-type]


def test_the_triage_json() -> None:
    result = score("cssrs_screen", [1, 1, 1, 0, 0, 1, 0])
    assert json.loads(json.dumps(result.as_dict())) == {
        "instrument": "cssrs_screen",
        "total": 2,
        "band": "moderate",
        "risk": ["suicide_risk_screen"],
        "risk_severity": {"suicide_risk_screen": "moderate"},
        "band_label": "Moderate risk",
        "max_total": 3,
        # Each answer's scored value is the triage level it implies.
        "items": dict(zip(IDS, [1, 1, 2, 0, 0, 2, 0], strict=True)),
        "unscored": {},
    }

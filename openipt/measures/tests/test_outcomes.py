"""outcomes: each rule table-driven, exhaustive where the score space is small.

Thresholds are written out here from the published rules, never read from outcomes.py, so a
wrong number in the module's tables fails.
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import pytest

from openipt.measures.outcomes import (
    RCI_PARAMETERS,
    REMISSION_RULES,
    TALKING_THERAPIES,
    CourseOutcomes,
    PairedScores,
    RciParameters,
    RemissionRule,
    TalkingTherapiesRules,
    TTOutcome,
    Verdict,
    course_outcomes,
    instrument_name,
    reliable_change,
    remission,
    response,
    talking_therapies_outcome,
)

# --- Response: ≥ 50 % fall from baseline (Coley et al. 2020) --------------------------------


@pytest.mark.parametrize(
    ("baseline", "latest", "expected"),
    [
        (20, 10, True),  # exactly 50 %
        (20, 11, False),
        (11, 6, False),  # 45 %
        (11, 5, True),  # 55 %
        (27, 13, True),
        (27, 14, False),
        (10, 0, True),
        (1, 0, True),
        (0, 0, False),  # baseline 0: never a response
        (10, 12, False),  # worse
        (10, 10, False),
    ],
)
def test_response(baseline: int, latest: int, expected: bool) -> None:
    assert response(baseline, latest) is expected


def test_response_over_every_phq9_pair() -> None:
    wrong = [
        (b, a)
        for b in range(28)
        for a in range(28)
        if response(b, a) is not (b > 0 and Fraction(b - a, b) >= Fraction(1, 2))
    ]
    assert wrong == []


@pytest.mark.parametrize(("baseline", "latest"), [(-1, 0), (10, -1)])
def test_response_refuses_negative_scores(baseline: int, latest: int) -> None:
    with pytest.raises(ValueError, match="negative"):
        response(baseline, latest)


# --- Remission: PHQ-9 < 5 (Coley et al. 2020); HAM-D 17 ≤ 7 (Reynolds et al. 2010) ----------


def test_phq9_remission_is_below_5() -> None:
    assert [score for score in range(28) if remission("phq9", score)] == [0, 1, 2, 3, 4]


def test_hamd17_remission_is_7_or_less() -> None:
    assert [score for score in range(53) if remission("hamd17", score)] == list(range(8))


@pytest.mark.parametrize("instrument", ["gad7", "epds", "bdi2", "unknown"])
def test_remission_is_not_defined_elsewhere(instrument: str) -> None:
    assert remission(instrument, 0) is None
    assert remission(instrument, 20) is None


def test_remission_rules_can_be_overridden() -> None:
    # E.g. the ≤ 6 "recovery" criterion of IPT-A and postpartum trials.
    rules = {"hamd17": RemissionRule("hamd17", 6, "HAM-D 17 ≤ 6", "Mufson et al. 1999; O'Hara et al. 2000")}
    assert remission("hamd17", 7, rules) is False
    assert remission("hamd17", 6, rules) is True
    assert remission("phq9", 0, rules) is None


def test_remission_rules_name_their_sources() -> None:
    assert REMISSION_RULES["phq9"].source.startswith("Coley et al. 2020")
    assert REMISSION_RULES["hamd17"].source.startswith("Reynolds et al. 2010")


# --- Reliable change index (Jacobson & Truax; Christensen & Mendoza) ---------------------------

# r = 0.75, SD = 4: SEM = 4 × √0.25 = 2; S_diff = 2√2 ≈ 2.8284; threshold = 1.96 × 2.8284 ≈ 5.5437.
WORKED = RciParameters("phq9", reliability=0.75, baseline_sd=4, source="test", note="worked example")


def test_worked_example_parameters() -> None:
    assert WORKED.sem == pytest.approx(2.0)
    assert WORKED.s_diff == pytest.approx(2 * math.sqrt(2))
    assert WORKED.threshold_points == pytest.approx(1.96 * 2 * math.sqrt(2))
    assert WORKED.threshold_points == pytest.approx(5.5437, abs=1e-4)


@pytest.mark.parametrize(
    ("pre", "post", "rci", "direction"),
    [
        (20, 14, -6 / (2 * math.sqrt(2)), "improved"),  # −2.12
        (20, 15, -5 / (2 * math.sqrt(2)), "no_reliable_change"),  # −1.77
        (10, 16, 6 / (2 * math.sqrt(2)), "deteriorated"),
        (10, 15, 5 / (2 * math.sqrt(2)), "no_reliable_change"),
        (12, 12, 0.0, "no_reliable_change"),
    ],
)
def test_reliable_change_worked_example(pre: int, post: int, rci: float, direction: str) -> None:
    result = reliable_change(WORKED, pre, post)
    assert result.rci == pytest.approx(rci)
    assert result.direction == direction
    assert result.change == post - pre
    assert result.reliable is (direction != "no_reliable_change")
    assert result.s_diff == pytest.approx(2 * math.sqrt(2))


@pytest.mark.parametrize(("instrument", "top", "points"), [("phq9", 27, 6), ("gad7", 21, 4)])
def test_default_parameters_reproduce_the_talking_therapies_thresholds(
    instrument: str, top: int, points: int
) -> None:
    params = RCI_PARAMETERS[instrument]
    assert params.threshold_points == points
    wrong = []
    for pre in range(top + 1):
        for post in range(top + 1):
            expected = (
                "improved"
                if pre - post >= points
                else "deteriorated"
                if post - pre >= points
                else "no_reliable_change"
            )
            if reliable_change(params, pre, post).direction != expected:
                wrong.append((pre, post))
    assert wrong == []


def test_higher_is_better_turns_the_direction_round() -> None:
    alliance = dataclasses.replace(WORKED, instrument="wai_sr", higher_is_better=True)
    assert reliable_change(alliance, 30, 40).direction == "improved"
    assert reliable_change(alliance, 40, 30).direction == "deteriorated"
    assert reliable_change(alliance, 30, 33).direction == "no_reliable_change"
    assert all(not params.higher_is_better for params in RCI_PARAMETERS.values())


def test_an_rci_of_exactly_1_96_is_not_reliable() -> None:
    # Jacobson & Truax 1991: reliable when |RCI| is greater than 1.96. r = 0.5 makes S_diff equal
    # the baseline SD, so a change of 2 gives RCI 1.96 (to the last bit or so).
    params = RciParameters("phq9", reliability=0.5, baseline_sd=2 / 1.96, source="test", note="boundary")
    assert reliable_change(params, 10, 12).rci == pytest.approx(1.96)
    assert reliable_change(params, 10, 12).direction == "no_reliable_change"
    assert reliable_change(params, 12, 10).direction == "no_reliable_change"
    nudged = dataclasses.replace(params, baseline_sd=2 / 1.9601)  # RCI 1.9601
    assert reliable_change(nudged, 10, 12).direction == "deteriorated"
    assert reliable_change(nudged, 12, 10).direction == "improved"


def test_a_change_of_exactly_the_threshold_has_rci_1_96() -> None:
    # A published minimum in points is "at least": exactly 6 on PHQ-9 is reliable, as the
    # programme counts it, although the back-derived RCI is exactly 1.96.
    assert reliable_change(RCI_PARAMETERS["phq9"], 18, 12).direction == "improved"
    assert reliable_change(RCI_PARAMETERS["gad7"], 5, 9).direction == "deteriorated"
    assert reliable_change(RCI_PARAMETERS["phq9"], 18, 12).rci == pytest.approx(-1.96)
    assert reliable_change(RCI_PARAMETERS["gad7"], 5, 9).rci == pytest.approx(1.96)


def test_default_parameters_claim_no_psychometrics() -> None:
    for key in ("phq9", "gad7"):
        params = RCI_PARAMETERS[key]
        assert (params.reliability, params.baseline_sd) == (None, None)
        assert "Back-derived from the NHS Talking Therapies" in params.note
        assert "the programme manual, as cited" in params.note
        assert "Secondary" in params.note
    assert "hamd17" not in RCI_PARAMETERS


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reliability": 0.8, "baseline_sd": 5.0, "min_reliable_change": 6.0}, "not both"),
        ({"reliability": None, "baseline_sd": None}, "not both"),
        ({"reliability": 0.8, "baseline_sd": None}, "go together"),
        ({"reliability": 1.0, "baseline_sd": 5.0}, "below 1"),
        ({"reliability": -0.1, "baseline_sd": 5.0}, "at least 0"),
        ({"reliability": 0.8, "baseline_sd": 0.0}, "positive"),
        ({"reliability": 0.8, "baseline_sd": math.inf}, "positive"),
        ({"reliability": None, "baseline_sd": None, "min_reliable_change": 0.0}, "positive"),
    ],
)
def test_rci_parameters_refuse_inconsistent_values(kwargs: dict[str, float | None], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RciParameters("phq9", source="test", note="test", **kwargs)  # type: ignore[arg-type]


# --- NHS Talking Therapies ----------------------------------------------------------------

Y, N, NA, UNK = Verdict.YES, Verdict.NO, Verdict.NOT_APPLICABLE, Verdict.CANNOT_JUDGE


def test_programme_thresholds() -> None:
    # PHQ-9 caseness, GAD-7 caseness, PHQ-9 and GAD-7 reliable change, appointments for a finished course.
    assert dataclasses.astuple(TALKING_THERAPIES) == (10, 8, 6, 4, 2)


# first PHQ-9, first GAD-7, last PHQ-9, last GAD-7, attended ->
# finished, caseness, reliable improvement, reliable deterioration, recovery, reliable recovery
TT_CASES = [
    # Both measures, finished course.
    ((18, 12, 8, 6, 5), (Y, Y, Y, N, Y, Y)),  # the textbook reliable recovery
    ((12, 9, 9, 7, 6), (Y, Y, N, N, Y, N)),  # recovered, not reliably improved
    ((14, 5, 7, 5, 6), (Y, Y, Y, N, Y, Y)),  # PHQ-9 fall of 7 is enough
    ((9, 10, 9, 5, 6), (Y, Y, Y, N, Y, Y)),  # caseness and improvement on GAD-7 alone
    ((20, 15, 12, 15, 8), (Y, Y, Y, N, N, N)),  # improved, still at caseness
    ((15, 6, 9, 11, 8), (Y, Y, N, Y, N, N)),  # PHQ-9 improved, GAD-7 deteriorated: both flags
    ((10, 8, 16, 8, 8), (Y, Y, N, Y, N, N)),  # PHQ-9 rise of exactly 6
    ((10, 8, 15, 11, 8), (Y, Y, N, N, N, N)),  # rises of 5 and 3: not reliable
    ((8, 6, 3, 2, 4), (Y, N, Y, N, NA, NA)),  # not a case: recovery not applicable
    ((5, 3, 15, 10, 4), (Y, N, N, Y, NA, NA)),
    # Caseness and recovery boundaries.
    ((10, 0, 9, 0, 2), (Y, Y, N, N, Y, N)),
    ((9, 8, 9, 7, 2), (Y, Y, N, N, Y, N)),
    ((9, 7, 9, 7, 2), (Y, N, N, N, NA, NA)),
    ((16, 10, 10, 4, 2), (Y, Y, Y, N, N, N)),  # PHQ-9 ends at 10: still at caseness
    ((16, 12, 9, 8, 2), (Y, Y, Y, N, N, N)),  # GAD-7 ends at 8: still at caseness
    # Not a finished course: only caseness is judged.
    ((18, 12, 8, 6, 1), (N, Y, NA, NA, NA, NA)),
    ((18, 12, 8, 6, 0), (N, Y, NA, NA, NA, NA)),
    ((8, None, 3, None, 1), (N, UNK, NA, NA, NA, NA)),
    # GAD-7 missing: judged where the answer does not depend on it.
    ((18, None, 8, None, 4), (Y, Y, UNK, UNK, UNK, UNK)),
    ((18, None, 15, None, 4), (Y, Y, UNK, UNK, N, N)),
    ((8, None, 8, None, 4), (Y, UNK, UNK, UNK, UNK, UNK)),
    ((12, None, 20, None, 4), (Y, Y, N, Y, N, N)),
    ((12, 9, 6, None, 4), (Y, Y, UNK, UNK, UNK, UNK)),
    ((9, None, 4, 9, 4), (Y, UNK, UNK, UNK, UNK, UNK)),
    # ...and judged where no score the missing GAD-7 could have had would change the answer.
    ((12, None, 4, 3, 4), (Y, Y, Y, N, Y, Y)),  # a last GAD-7 of 3 cannot be 4 above any first
    ((15, 18, 5, None, 4), (Y, Y, Y, N, UNK, UNK)),  # no last GAD-7 can be 4 above 18
    ((15, 21, 9, None, 4), (Y, Y, Y, N, UNK, UNK)),
    ((15, 17, 5, None, 4), (Y, Y, UNK, UNK, UNK, UNK)),  # 21 is 4 above 17: could deteriorate
    ((20, None, 18, 1, 4), (Y, Y, UNK, N, N, N)),  # GAD-7 at 1 cannot have risen 4; from 5, it fell 4
    ((12, None, 15, 20, 4), (Y, Y, N, UNK, N, N)),  # improvement needs a fall this course cannot have
]


def verdicts(outcome: TTOutcome) -> tuple[Verdict, ...]:
    return tuple(judgement.verdict for _, judgement in outcome.judgements())


@pytest.mark.parametrize(("scores", "expected"), TT_CASES)
def test_talking_therapies_outcome(
    scores: tuple[int, int | None, int, int | None, int], expected: tuple[Verdict, ...]
) -> None:
    first_phq9, first_gad7, last_phq9, last_gad7, attended = scores
    outcome = talking_therapies_outcome(
        PairedScores(first_phq9, first_gad7),
        PairedScores(last_phq9, last_gad7),
        attended_appointments=attended,
    )
    assert verdicts(outcome) == expected
    assert len(outcome.reasons) == 6
    assert all(reason.endswith(".") for reason in outcome.reasons)
    assert outcome.cannot_judge == tuple(
        part for part, verdict in zip(TTOutcome.PARTS, expected, strict=True) if verdict == UNK
    )


def test_reasons_in_plain_words() -> None:
    outcome = talking_therapies_outcome(PairedScores(18, 12), PairedScores(8, 6), attended_appointments=5)
    assert outcome.reasons == (
        "Finished course: 5 attended appointments (at least 2 needed).",
        "At caseness at the start: PHQ-9 18, GAD-7 12 (cut-offs PHQ-9 10, GAD-7 8).",
        "Reliable improvement: PHQ-9 from 18 to 8, GAD-7 from 12 to 6. A fall of at least 6 on PHQ-9 "
        "or 4 on GAD-7 counts, with no reliable deterioration on the other.",
        "No reliable deterioration: PHQ-9 from 18 to 8, GAD-7 from 12 to 6.",
        "Recovered: at caseness at the start and below caseness on both measures at the end "
        "(PHQ-9 8, GAD-7 6).",
        "Reliably recovered: recovered, and reliably improved.",
    )


@pytest.mark.parametrize(
    ("first", "last", "attended", "part", "reason"),
    [
        ((8, 6), (3, 2), 4, "recovery", "Not applicable: not at caseness at the start."),
        ((18, 12), (8, 6), 1, "recovery", "Not judged: not a finished course."),
        (
            (18, 12),
            (8, 6),
            1,
            "finished_course",
            "Not a finished course: the programme needs at least 2 attended appointments; this course has 1.",
        ),
        (
            (8, None),
            (8, None),
            4,
            "caseness",
            "Cannot judge caseness: PHQ-9 8 is below 10 and there is no first GAD-7 score.",
        ),
        (
            (18, None),
            (8, None),
            4,
            "recovery",
            "Cannot judge recovery: PHQ-9 is below caseness at the end but there is no last GAD-7 "
            "(PHQ-9 8, GAD-7 not recorded).",
        ),
        (
            (18, None),
            (8, None),
            4,
            "reliable_improvement",
            "Cannot judge reliable improvement without a first and last GAD-7: PHQ-9 from 18 to 8, "
            "GAD-7 not recorded at both the start and the end.",
        ),
        (
            (12, 9),
            (9, 7),
            4,
            "reliable_recovery",
            "Not reliably recovered: recovered, but not reliably improved.",
        ),
        ((20, 15), (12, 15), 4, "reliable_recovery", "Not reliably recovered: not recovered."),
    ],
)
def test_specific_reasons(
    first: tuple[int, int | None], last: tuple[int, int | None], attended: int, part: str, reason: str
) -> None:
    outcome = talking_therapies_outcome(
        PairedScores(*first), PairedScores(*last), attended_appointments=attended
    )
    assert getattr(outcome, part).reason == reason


def test_a_missing_gad7_that_could_not_change_the_answer_is_not_cannot_judge() -> None:
    # PHQ-9 15 → 5, GAD-7 18 → missing: whatever the last GAD-7 (0-21), it cannot be 4 above 18.
    outcome = talking_therapies_outcome(PairedScores(15, 18), PairedScores(5, None), attended_appointments=6)
    assert outcome.reliable_improvement.reason == (
        "Reliable improvement: PHQ-9 from 15 to 5, GAD-7 not recorded at both the start and the end. "
        "A fall of at least 6 on PHQ-9 or 4 on GAD-7 counts, with no reliable deterioration on the "
        "other. No possible score for the missing GAD-7 would change this."
    )
    assert outcome.reliable_deterioration.verdict == Verdict.NO
    assert outcome.cannot_judge == ("recovery", "reliable_recovery")  # the last GAD-7 decides those


def test_reasons_are_translated() -> None:
    outcome = talking_therapies_outcome(
        PairedScores(18, 12), PairedScores(8, 6), attended_appointments=5, gettext=lambda s: "«" + s
    )
    assert all(reason.startswith("«") for reason in outcome.reasons)


def test_rules_can_be_overridden() -> None:
    stricter = TalkingTherapiesRules(phq9_reliable_change=7, min_attended_appointments=3)
    first, last = PairedScores(18, 5), PairedScores(12, 5)
    assert talking_therapies_outcome(first, last, attended_appointments=3).reliable_improvement.verdict == Y
    outcome = talking_therapies_outcome(first, last, attended_appointments=3, rules=stricter)
    assert outcome.reliable_improvement.verdict == N
    assert (
        talking_therapies_outcome(first, last, attended_appointments=2, rules=stricter).recovery.verdict == NA
    )


@pytest.mark.parametrize(("phq9", "gad7"), [(28, None), (-1, None), (10, 22), (10, -1)])
def test_paired_scores_refuse_impossible_totals(phq9: int, gad7: int | None) -> None:
    with pytest.raises(ValueError, match="total is"):
        PairedScores(phq9, gad7)


def test_negative_attendance_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        talking_therapies_outcome(PairedScores(10), PairedScores(5), attended_appointments=-1)


# --- course_outcomes ------------------------------------------------------------------------


def test_course_outcomes_for_a_full_course() -> None:
    result = course_outcomes(
        {"phq9": [18, 14, 8], "gad7": [12, 9, 6], "hamd17": [20, 6]}, attended_appointments=3
    )
    phq9, gad7, hamd17 = result.instruments
    assert (phq9.instrument, phq9.baseline, phq9.latest, phq9.scores) == ("phq9", 18, 8, (18, 14, 8))
    assert (phq9.response, phq9.remission, phq9.notes) == (True, False, ())
    assert phq9.reliable_change is not None
    assert (phq9.reliable_change.change, phq9.reliable_change.direction) == (-10, "improved")
    assert (gad7.response, gad7.remission) == (None, None)
    assert gad7.reliable_change is not None
    assert gad7.reliable_change.direction == "improved"
    # Plain words: nothing internal (no reference document, no keys).
    assert gad7.notes == ("Response and remission are not defined for GAD-7.",)
    assert (gad7.name, hamd17.name) == ("GAD-7", "HAM-D 17")
    assert (hamd17.response, hamd17.remission, hamd17.reliable_change) == (None, True, None)
    assert hamd17.notes == (
        "Response is not defined for HAM-D 17.",
        "No reliable change parameters are configured for HAM-D 17.",
    )
    assert result.talking_therapies is not None
    assert verdicts(result.talking_therapies) == (Y, Y, Y, N, Y, Y)
    assert result.notes == ()
    assert result.for_instrument("gad7") is gad7
    assert result.for_instrument("epds") is None


def test_course_outcomes_with_one_score() -> None:
    result = course_outcomes({"phq9": [18], "gad7": []}, attended_appointments=1)
    (phq9,) = result.instruments
    assert (phq9.response, phq9.remission, phq9.reliable_change) == (None, None, None)
    assert phq9.notes == ("Only one PHQ-9 score so far: change cannot be judged yet.",)
    assert result.talking_therapies is None
    assert result.notes == ("NHS Talking Therapies outcomes need a first and a last PHQ-9.",)


def test_a_single_gad7_counts_as_the_first() -> None:
    result = course_outcomes({"phq9": [9, 4], "gad7": [10]}, attended_appointments=4)
    assert result.talking_therapies is not None
    assert verdicts(result.talking_therapies) == (Y, Y, UNK, UNK, UNK, UNK)


def test_course_outcomes_pass_attendance_to_the_programme_rules() -> None:
    result = course_outcomes({"phq9": [18, 8], "gad7": [12, 6]}, attended_appointments=1)
    assert result.talking_therapies is not None
    assert verdicts(result.talking_therapies) == (N, Y, NA, NA, NA, NA)


def test_course_outcomes_take_a_clinics_own_parameters() -> None:
    # r = 0.9, SD = 4: threshold = 1.96 × √2 × 4 × √0.1 ≈ 3.51 points.
    own = {
        "phq9": RciParameters("phq9", reliability=0.9, baseline_sd=4, source="own data", note="2025 audit")
    }
    default = course_outcomes({"phq9": [15, 10]}, attended_appointments=4)
    configured = course_outcomes({"phq9": [15, 10]}, attended_appointments=4, rci_parameters=own)
    assert default.instruments[0].reliable_change is not None
    assert default.instruments[0].reliable_change.direction == "no_reliable_change"  # 5 < 6
    assert configured.instruments[0].reliable_change is not None
    assert configured.instruments[0].reliable_change.direction == "improved"  # 5 ≥ 3.51
    assert configured.instruments[0].reliable_change.threshold_points == pytest.approx(3.5062, abs=1e-4)


def test_course_outcomes_response_only_where_defined() -> None:
    result = course_outcomes({"phq9": [20, 10], "gad7": [20, 10]}, attended_appointments=4)
    assert [o.response for o in result.instruments] == [True, None]
    widened = course_outcomes(
        {"phq9": [20, 10], "gad7": [20, 10]},
        attended_appointments=4,
        response_sources={"phq9": "Coley et al. 2020", "gad7": "clinic policy"},
    )
    assert [o.response for o in widened.instruments] == [True, True]


def test_course_outcomes_are_frozen() -> None:
    result = course_outcomes({"phq9": [18, 8]}, attended_appointments=4)
    assert isinstance(result, CourseOutcomes)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.attended_appointments = 5  # type: ignore[misc]


def test_instrument_names() -> None:
    assert [instrument_name(k) for k in ("phq9", "gad7", "hamd17", "other")] == [
        "PHQ-9",
        "GAD-7",
        "HAM-D 17",
        "other",
    ]

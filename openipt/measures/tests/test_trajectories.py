"""trajectories: default curves from their stated assumption, fitting synthetic courses, check().

Synthetic courses are drawn here from a known line with seeded noise, so the fit has a known
answer; the default numbers are recomputed here from the assumption in the module docstring.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import random

import pytest

from openipt.measures.trajectories import (
    DEFAULT_CURVES,
    DEFAULT_MIN_COURSES,
    DEFAULT_Z,
    STRATA,
    CourseSeries,
    ExpectedCurve,
    Stratum,
    check,
    check_score,
    curve_for,
    default_curve,
    fit_curves,
)

# --- Strata and default curves --------------------------------------------------------------


def test_strata() -> None:
    assert {key: [(s.low, s.high) for s in strata] for key, strata in STRATA.items()} == {
        "phq9": [(10, 14), (15, 19), (20, 27)],
        "phqa": [(10, 14), (15, 19), (20, 27)],  # the PHQ-9's, as an assumption
        "gad7": [(8, 9), (10, 14), (15, 21)],
    }


@pytest.mark.parametrize(("baseline", "inside"), [(14, False), (15, True), (19, True), (20, False)])
def test_stratum_holds_its_ends(baseline: int, inside: bool) -> None:
    assert (baseline in Stratum(15, 19)) is inside
    assert Stratum(15, 19).label == "15–19"


@pytest.mark.parametrize(("low", "high"), [(5, 4), (-1, 3)])
def test_stratum_refuses_bad_ranges(low: int, high: int) -> None:
    with pytest.raises(ValueError, match="stratum"):
        Stratum(low, high)


# instrument, stratum, intercept (the middle of the stratum)
DEFAULTS = [
    ("phq9", 10, 14, 12.0),
    ("phq9", 15, 19, 17.0),
    ("phq9", 20, 27, 23.5),
    ("phqa", 10, 14, 12.0),
    ("phqa", 15, 19, 17.0),
    ("phqa", 20, 27, 23.5),
    ("gad7", 8, 9, 8.5),
    ("gad7", 10, 14, 12.0),
    ("gad7", 15, 21, 18.0),
]
# S_diff from the NHS Talking Therapies reliable change thresholds: 6 and 4 points over 1.96.
CHANGE_ERROR = {"phq9": 6 / 1.96, "phqa": 6 / 1.96, "gad7": 4 / 1.96}


def test_default_curves_follow_the_stated_assumption() -> None:
    assert [(c.instrument, c.stratum_low, c.stratum_high, c.intercept) for c in DEFAULT_CURVES] == DEFAULTS
    for curve in DEFAULT_CURVES:
        assert (curve.source, curve.n_courses) == ("default", 0)
        assert curve.slope == pytest.approx(-0.5 * curve.intercept / math.log(12))
        assert curve.expected(1) == pytest.approx(curve.intercept)
        assert curve.expected(12) == pytest.approx(curve.intercept / 2)  # 50 % by session 12
        # Measurement error of a change plus a uniform spread of baselines over the stratum.
        baselines = range(curve.stratum_low, curve.stratum_high + 1)
        mean = sum(baselines) / len(baselines)
        spread = sum((b - mean) ** 2 for b in baselines) / len(baselines)
        assert curve.residual_sd == pytest.approx(math.sqrt(CHANGE_ERROR[curve.instrument] ** 2 + spread))
        assert curve.note.startswith("Default, not fitted")


def test_default_residual_sd_for_phq9_15_to_19() -> None:
    assert DEFAULT_CURVES[1].residual_sd == pytest.approx(3.372, abs=0.001)


def test_default_z_is_about_the_top_tenth() -> None:
    assert DEFAULT_Z == 1.28
    assert 0.5 * math.erfc(DEFAULT_Z / math.sqrt(2)) == pytest.approx(0.10, abs=0.001)


def test_no_default_without_a_residual_sd() -> None:
    assert default_curve("hamd17", Stratum(17, 23)) is None
    curve = default_curve("hamd17", Stratum(17, 23), residual_sd=3.0)
    assert curve is not None
    assert curve.intercept == 20


@pytest.mark.parametrize("curve", DEFAULT_CURVES, ids=lambda c: f"{c.instrument}-{c.stratum.label}")
def test_expected_curve_falls_and_never_goes_below_0(curve: ExpectedCurve) -> None:
    values = [curve.expected(session) for session in range(1, 400)]
    assert all(later <= earlier for earlier, later in itertools.pairwise(values))
    assert min(values) >= 0
    assert values[-1] == 0  # the log curve passes 0 long after any course ends, and is clamped


def test_upper_is_expected_plus_z_residual_sds() -> None:
    curve = DEFAULT_CURVES[1]  # PHQ-9 15–19
    assert curve.upper(6) == pytest.approx(curve.expected(6) + 1.28 * curve.residual_sd)
    assert curve.upper(6, 0) == pytest.approx(curve.expected(6))
    assert curve.upper(6, 2) - curve.upper(6, 1) == pytest.approx(curve.residual_sd)


def test_curve_refuses_negative_residual_sd_and_session_0() -> None:
    with pytest.raises(ValueError, match="residual_sd"):
        ExpectedCurve("phq9", 10, 14, 12, -1, -0.1, 0, "default")
    with pytest.raises(ValueError, match="numbered from 1"):
        DEFAULT_CURVES[0].expected(0)


# --- check() --------------------------------------------------------------------------------

FLAT = ExpectedCurve(
    "phq9", 15, 19, intercept=10.0, slope=0.0, residual_sd=2.0, n_courses=40, source="fitted"
)


def test_check_the_worked_example() -> None:
    result = check(curve_for(DEFAULT_CURVES, "phq9", 17), 6, 18)
    assert result.status == "not_on_track"
    assert result.expected == pytest.approx(17 - 8.5 * math.log(6) / math.log(12))  # 10.87
    expected = 17 - 8.5 * math.log(6) / math.log(12)
    assert result.upper == pytest.approx(expected + 1.28 * math.sqrt((6 / 1.96) ** 2 + 2))  # 15.18
    assert result.reason == (
        "PHQ-9 of 18 at session 6 is above the expected range for clients starting 15–19 "
        "(expected about 11, upper limit 15)."
    )
    assert result.provisional is True


def test_check_on_track() -> None:
    result = check(curve_for(DEFAULT_CURVES, "phq9", 17), 6, 15)
    assert result.status == "on_track"
    assert result.reason == (
        "PHQ-9 of 15 at session 6 is within the expected range for clients starting 15–19 "
        "(expected about 11, upper limit 15)."
    )


@pytest.mark.parametrize(("score", "status"), [(11, "on_track"), (12, "on_track"), (13, "not_on_track")])
def test_exactly_on_the_bound_is_on_track(score: int, status: str) -> None:
    result = check(FLAT, 4, score, z=1.0)  # upper = 10 + 1 × 2 = 12
    assert result.upper == 12
    assert result.status == status
    assert result.provisional is False


def test_exactly_on_a_computed_bound_is_on_track() -> None:
    curve = dataclasses.replace(FLAT, residual_sd=6 / 1.96)
    assert check(curve, 3, 16, z=1.96).status == "on_track"  # 10 + 1.96 × 6/1.96, in floating point
    assert check(curve, 3, 17, z=1.96).status == "not_on_track"


@pytest.mark.parametrize("curve", DEFAULT_CURVES, ids=lambda c: f"{c.instrument}-{c.stratum.label}")
def test_session_1_every_baseline_in_the_stratum_is_on_track(curve: ExpectedCurve) -> None:
    results = [check(curve, 1, baseline) for baseline in range(curve.stratum_low, curve.stratum_high + 1)]
    assert [r.status for r in results] == ["on_track"] * len(results)
    assert all(r.expected == pytest.approx(curve.intercept) for r in results)


def test_z_moves_the_bound() -> None:
    curve = curve_for(DEFAULT_CURVES, "phq9", 17)
    assert curve is not None
    uppers = [curve.upper(6, z) for z in (0.0, 1.0, 1.28, 1.645, 1.96)]
    assert uppers == sorted(uppers)
    assert [check(curve, 6, 16, z=z).status for z in (1.28, 1.96)] == ["not_on_track", "on_track"]
    assert check(curve, 6, 11, z=0).status == "not_on_track"  # above the expected 10.87 itself


def test_check_without_a_curve() -> None:
    result = check(None, 3, 12)
    assert (result.status, result.expected, result.upper) == ("no_curve", None, None)
    assert result.reason == "No expected range for this client's starting score."


def test_no_curve_for_a_low_baseline_says_why() -> None:
    result = check_score(DEFAULT_CURVES, "phq9", 7, 3, 7)
    assert result.status == "no_curve"
    assert result.reason == (
        "No expected range: PHQ-9 started at 7, and expected ranges cover clients starting at "
        "10–14, 15–19, 20–27."
    )
    assert check_score(DEFAULT_CURVES, "gad7", 7, 3, 7).status == "no_curve"
    assert check_score(DEFAULT_CURVES, "gad7", 8, 3, 7).status == "on_track"


def test_no_curve_for_an_instrument_without_one() -> None:
    result = check_score(DEFAULT_CURVES, "hamd17", 20, 3, 20)
    assert (result.status, result.reason) == ("no_curve", "No expected range is configured for HAM-D 17.")


def test_check_score_uses_the_curve_for_the_baseline() -> None:
    assert check_score(DEFAULT_CURVES, "phq9", 17, 6, 18) == check(DEFAULT_CURVES[1], 6, 18)


def test_check_refuses_session_0_and_negative_scores() -> None:
    with pytest.raises(ValueError, match="numbered from 1"):
        check(FLAT, 0, 10)
    with pytest.raises(ValueError, match="numbered from 1"):
        check_score(DEFAULT_CURVES, "phq9", 7, 0, 7)
    with pytest.raises(ValueError, match="negative"):
        check(FLAT, 1, -1)


def test_reasons_are_translated() -> None:
    result = check(FLAT, 1, 10, gettext=lambda s: "«" + s)
    assert result.reason.startswith("«")


# --- Fitting --------------------------------------------------------------------------------

TRUE_INTERCEPT, TRUE_SLOPE, TRUE_SD = 17.0, -3.0, 2.5


def synthetic_courses(
    rng: random.Random,
    count: int,
    stratum: Stratum,
    *,
    instrument: str = "phq9",
    intercept: float = TRUE_INTERCEPT,
    slope: float = TRUE_SLOPE,
    sd: float = TRUE_SD,
    sessions: int = 12,
) -> list[CourseSeries]:
    """`count` courses whose every score is intercept + slope × ln(session) + N(0, sd), rounded;
    a course whose first score falls outside `stratum` is drawn again."""
    courses: list[CourseSeries] = []
    while len(courses) < count:
        points = tuple(
            (s, max(0, round(intercept + slope * math.log(s) + rng.gauss(0, sd))))
            for s in range(1, sessions + 1)
        )
        if points[0][1] in stratum:
            courses.append(CourseSeries(instrument, points))
    return courses


def test_fitting_recovers_known_parameters() -> None:
    courses = synthetic_courses(random.Random(20250101), 200, Stratum(15, 19))
    curves = fit_curves(courses, "phq9")
    fitted = curve_for(curves, "phq9", 17)
    assert fitted is not None
    assert (fitted.source, fitted.n_courses) == ("fitted", 200)
    assert fitted.intercept == pytest.approx(TRUE_INTERCEPT, abs=0.3)
    assert fitted.slope == pytest.approx(TRUE_SLOPE, abs=0.15)
    # Rounding to whole points adds 1/12 to the variance; the baseline redraw trims session 1.
    assert fitted.residual_sd == pytest.approx(math.sqrt(TRUE_SD**2 + 1 / 12), abs=0.15)
    assert fitted.note == "Fitted from 200 completed courses (2400 scores)."
    assert check(fitted, 6, 18).provisional is False


def test_fitting_recovers_a_rising_line_too() -> None:
    courses = synthetic_courses(random.Random(7), 60, Stratum(10, 14), intercept=12.0, slope=1.5, sd=1.0)
    fitted = curve_for(fit_curves(courses, "phq9"), "phq9", 12)
    assert fitted is not None
    assert fitted.slope == pytest.approx(1.5, abs=0.15)


def test_strata_with_too_few_courses_keep_the_default() -> None:
    rng = random.Random(42)
    courses = synthetic_courses(rng, 40, Stratum(15, 19)) + synthetic_courses(
        rng, 5, Stratum(10, 14), intercept=12.0
    )
    low, middle, high = fit_curves(courses, "phq9")
    assert (low.source, middle.source, high.source) == ("default", "fitted", "default")
    assert dataclasses.replace(low, note="") == dataclasses.replace(DEFAULT_CURVES[0], note="")
    assert low.note == "Kept the default: 5 completed courses start in 10–14; 30 are needed to fit."
    assert high.note == "Kept the default: 0 completed courses start in 20–27; 30 are needed to fit."
    assert DEFAULT_MIN_COURSES == 30
    low_fitted = fit_curves(courses, "phq9", min_courses=5)[0]
    assert (low_fitted.source, low_fitted.n_courses) == ("fitted", 5)


def test_only_usable_courses_count() -> None:
    rng = random.Random(3)
    single_scores = [CourseSeries("phq9", ((1, 17),)) for _ in range(50)]
    other_instrument = synthetic_courses(rng, 50, Stratum(15, 19), instrument="gad7")
    below_caseness = synthetic_courses(rng, 50, Stratum(5, 9), intercept=7.0)
    curves = fit_curves(single_scores + other_instrument + below_caseness, "phq9")
    assert [c.source for c in curves] == ["default", "default", "default"]
    assert curves[1].note.startswith("Kept the default: 0 completed courses")


def test_scores_at_one_session_only_keep_the_default() -> None:
    courses = [CourseSeries("phq9", ((3, 17), (3, 15))) for _ in range(40)]
    middle = fit_curves(courses, "phq9")[1]
    assert middle.source == "default"
    assert middle.note == (
        "Kept the default: the 40 completed courses starting in 15–19 do not span enough sessions "
        "to fit a curve."
    )


def test_custom_strata_and_instruments_without_defaults() -> None:
    rng = random.Random(11)
    courses = synthetic_courses(rng, 40, Stratum(17, 23), instrument="hamd17", intercept=20.0)
    strata = [Stratum(8, 16), Stratum(17, 23)]
    (fitted,) = fit_curves(courses, "hamd17", strata)  # 8–16: no data and no default, left out
    assert (fitted.stratum_low, fitted.stratum_high, fitted.source) == (17, 23, "fitted")
    assert fit_curves(courses, "hamd17") == []  # no default strata for HAM-D 17


def test_min_courses_must_be_positive() -> None:
    with pytest.raises(ValueError, match="min_courses"):
        fit_curves([], "phq9", min_courses=0)


def test_course_series_sorts_points_and_finds_the_baseline() -> None:
    course = CourseSeries("phq9", ((3, 12), (1, 18), (2, 15)))
    assert course.points == ((1, 18), (2, 15), (3, 12))
    assert course.baseline == 18


@pytest.mark.parametrize(
    ("points", "message"),
    [((), "at least one"), (((0, 10),), "numbered from 1"), (((1, -2),), "negative")],
)
def test_course_series_refuses_bad_points(points: tuple[tuple[int, int], ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CourseSeries("phq9", points)

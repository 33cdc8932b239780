"""Not on track: is this score within the expected range for clients who started like this one?

PURE module: standard library and dataclasses only; no Django, no I/O, no clock, no numpy.

The method (docs/outcomes.md has the long version):

- Finch, Lambert & Schaalje (2001) built expected recovery curves for the OQ-45 from
  11,492 patients: a mixed linear model of score on log(session number), sessions 1–20,
  stratified by intake severity, with tolerance intervals; a patient whose score lies outside
  the interval is flagged as at risk of a poor outcome.
- Delgadillo et al. (2018) used the same idea with PHQ-9 and GAD-7 in 8 NHS
  trusts: each patient's course was compared with norms from similar patients, and "not on
  track" cases were reviewed in supervision. Their model and its coefficients are not
  published in a form we could use, so nothing here claims to reproduce it.

Here, within each stratum of baseline score, expected(session) = intercept + slope × ln(session),
fitted by ordinary least squares to every score of the stratum's completed courses pooled
(raw scores, as in Finch et al., not change from baseline: the stratum's intercept absorbs where its
clients start). The tolerance band is expected + z × residual SD, one-sided because only a
score *above* the band (worse than expected) is a signal. A score exactly on the upper bound is
on track.

Pooled OLS is a simplification of Finch et al.'s mixed model: the slope and intercept are the same
kind of average, but the residual SD lumps differences between clients together with
session-to-session noise, and the band ignores the uncertainty of the fitted line. Both make
the band describe "a score from a client like this at this session", which is what is checked.

There are no published coefficients to use, so the DEFAULT curves are derived from a
stated assumption, not from data; each is marked `source="default"` and is provisional until
the clinic fits its own (`openipt outcomes fit`):

- intercept: the middle of the stratum (PHQ-9 15–19 starts at 17);
- slope: a 50 % fall by session 12 (the PHQ-9 response definition, Coley et al. 2020,
  Verified, and the usual 12–16-session IPT course, Weissman, Markowitz & Klerman 2018), on the
  log curve: slope = −0.5 × intercept / ln 12;
- residual SD: two sources of spread that can be stated without data, added as variances:
  measurement error of a change, S_diff, implied by the NHS Talking Therapies reliable change
  threshold (PHQ-9 6 / 1.96 ≈ 3.06, GAD-7 4 / 1.96 ≈ 2.04; thresholds Secondary, the
  programme manual as cited),
  and where in the stratum the client started, taken as uniform over its whole scores
  (variance (n² − 1) / 12 for n scores). PHQ-9 15–19: √(3.06² + 2) ≈ 3.37. Clients also differ
  in how fast they improve, which neither term covers, so until the curves are fitted expect
  more than the nominal share of scores to be flagged;
- z = 1.28: one-sided, about the top 10 % if the residual SD were right, in line with a vendor
  default of flagging about 15 % of patients (Secondary: a vendor page).

Clients starting below caseness (PHQ-9 < 10, GAD-7 < 8) get no curve: the NHS Talking
Therapies outcomes do not count them as cases, the response definition was evaluated in
episodes starting at 10 or more (Coley et al. 2020), and at such scores the expected fall is
smaller than measurement error, so a band would flag noise.

Sources (author, title, year):

- Coley RY, Boggs JM, Beck A, Simon GE. Defining success in measurement-based care for
  depression: a comparison of common metrics. Psychiatric Services, 2020.
- Delgadillo J et al. Feedback-informed treatment versus usual psychological treatment for
  depression and anxiety: a multisite, open-label, cluster randomised controlled trial. Lancet
  Psychiatry, 2018.
- Finch AE, Lambert MJ, Schaalje BG. Psychotherapy quality control: the statistical generation
  of expected recovery curves for integration into an early warning system. Clinical Psychology
  and Psychotherapy, 2001.
- Weissman MM, Markowitz JC, Klerman GL. The Guide to Interpersonal Psychotherapy, updated and
  expanded edition. Oxford University Press, 2018.
- NHS Talking Therapies (formerly IAPT): caseness and reliable change thresholds of the
  programme manual, as cited in secondary sources.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final, Literal

from openipt.lib.i18n import gettext_noop
from openipt.measures.outcomes import TALKING_THERAPIES, Z_RELIABLE, instrument_name

# One-sided z for the upper bound; about the top 10 % of a normal distribution.
DEFAULT_Z: Final = 1.28
# Fewest completed courses in a stratum before its curve is fitted rather than defaulted. Our
# choice, not a published figure: enough for a stable two-parameter fit and residual SD.
DEFAULT_MIN_COURSES: Final = 30
# The assumption the default curves encode: a 50 % fall by session 12.
DEFAULT_REDUCTION: Final = 0.5
DEFAULT_REDUCTION_SESSION: Final = 12
# Slack for "exactly on the bound" when the bound is computed in floating point.
_EPSILON: Final = 1e-9

CurveSource = Literal["default", "fitted"]
Status = Literal["on_track", "not_on_track", "no_curve"]
Translate = Callable[[str], str]


def _no_translation(message: str) -> str:
    return message


@dataclass(frozen=True)
class Stratum:
    """Clients whose baseline score is from `low` to `high`, both inclusive."""

    low: int
    high: int

    def __post_init__(self) -> None:
        if not 0 <= self.low <= self.high:
            raise ValueError(f"a stratum runs from low to high, not {self.low}-{self.high}")

    def __contains__(self, baseline: object) -> bool:
        return isinstance(baseline, int) and self.low <= baseline <= self.high

    @property
    def label(self) -> str:
        return f"{self.low}–{self.high}"


# Strata follow the published severity bands at and above caseness: PHQ-9 10–14 moderate,
# 15–19 moderately severe, 20–27 severe (Kroenke, Spitzer & Williams 2001); GAD-7 8–9 (caseness in NHS Talking
# Therapies, but the mild band), 10–14 moderate, 15–21 severe (Spitzer et al. 2006).
# The PHQ-A (IPT-A's depression measure) takes the PHQ-9's strata and measurement error: an
# assumption (`outcomes.JUDGED_ON`), since it has the same nine symptoms on the same 0-27 scale.
STRATA: Final[Mapping[str, tuple[Stratum, ...]]] = {
    "phq9": (Stratum(10, 14), Stratum(15, 19), Stratum(20, 27)),
    "phqa": (Stratum(10, 14), Stratum(15, 19), Stratum(20, 27)),
    "gad7": (Stratum(8, 9), Stratum(10, 14), Stratum(15, 21)),
}

# Measurement error of a change, S_diff, from the NHS Talking Therapies reliable change
# thresholds (Secondary): threshold / 1.96. Part of the default residual SD.
CHANGE_ERROR_SD: Final[Mapping[str, float]] = {
    "phq9": TALKING_THERAPIES.phq9_reliable_change / Z_RELIABLE,
    "phqa": TALKING_THERAPIES.phq9_reliable_change / Z_RELIABLE,
    "gad7": TALKING_THERAPIES.gad7_reliable_change / Z_RELIABLE,
}


def _check_session(session: int) -> None:
    if session < 1:
        raise ValueError(f"sessions are numbered from 1, not {session}")


@dataclass(frozen=True)
class ExpectedCurve:
    """The expected score by session for one stratum: intercept + slope × ln(session).

    `n_courses` is the number of completed courses fitted (0 for a default curve); `note` says
    where the numbers come from in plain words.
    """

    instrument: str
    stratum_low: int
    stratum_high: int
    intercept: float
    slope: float
    residual_sd: float
    n_courses: int
    source: CurveSource
    note: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.residual_sd) and self.residual_sd >= 0):
            raise ValueError(f"residual_sd must be a number of at least 0, not {self.residual_sd}")
        Stratum(self.stratum_low, self.stratum_high)  # validates the range

    @property
    def stratum(self) -> Stratum:
        return Stratum(self.stratum_low, self.stratum_high)

    def expected(self, session: int) -> float:
        """The expected score at `session` (numbered from 1); never below 0."""
        _check_session(session)
        return max(0.0, self.intercept + self.slope * math.log(session))

    def upper(self, session: int, z: float = DEFAULT_Z) -> float:
        """The upper bound of the expected range: expected + z × residual SD."""
        return self.expected(session) + z * self.residual_sd


def default_curve(
    instrument: str,
    stratum: Stratum,
    *,
    reduction: float = DEFAULT_REDUCTION,
    by_session: int = DEFAULT_REDUCTION_SESSION,
    residual_sd: float | None = None,
) -> ExpectedCurve | None:
    """The provisional curve for a stratum, from the stated assumption (module docstring).

    The residual SD is √(S_diff² + (n² − 1) / 12) for a stratum of n whole scores, unless
    `residual_sd` is given. None for an instrument with no S_diff (anything but PHQ-9, PHQ-A and GAD-7)
    and no `residual_sd`.
    """
    sd = residual_sd
    if sd is None:
        change_error = CHANGE_ERROR_SD.get(instrument)
        if change_error is None:
            return None
        width = stratum.high - stratum.low + 1
        sd = math.sqrt(change_error**2 + (width**2 - 1) / 12)
    if by_session < 2:
        raise ValueError(f"by_session must be 2 or more, not {by_session}")
    intercept = (stratum.low + stratum.high) / 2
    slope = -reduction * intercept / math.log(by_session)
    note = gettext_noop(
        "Default, not fitted: starts at the middle of the stratum and falls {percent:.0f} % by "
        "session {session} on a log curve; residual SD {sd:.2f} points."
    ).format(percent=reduction * 100, session=by_session, sd=sd)
    return ExpectedCurve(instrument, stratum.low, stratum.high, intercept, slope, sd, 0, "default", note)


def _default_curves() -> tuple[ExpectedCurve, ...]:
    curves = (
        default_curve(instrument, stratum) for instrument, strata in STRATA.items() for stratum in strata
    )
    return tuple(curve for curve in curves if curve is not None)


DEFAULT_CURVES: Final = _default_curves()


# --- Fitting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseSeries:
    """One completed course's scores on one instrument: (session number, score) pairs.

    Points are kept sorted by session (stable, so two scores at one session keep their order);
    the baseline is the first score at the lowest session number.
    """

    instrument: str
    points: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        if not self.points:
            raise ValueError("a course series needs at least one score")
        for session, score in self.points:
            _check_session(session)
            if score < 0:
                raise ValueError(f"scores cannot be negative, not {score}")
        # Frozen dataclass: the sorted copy has to be set through object.__setattr__.
        object.__setattr__(self, "points", tuple(sorted(self.points, key=lambda point: point[0])))

    @property
    def baseline(self) -> int:
        return self.points[0][1]


KEPT_DEFAULT = gettext_noop(
    "Kept the default: {count} completed courses start in {stratum}; {needed} are needed to fit."
)
KEPT_DEFAULT_FLAT = gettext_noop(
    "Kept the default: the {count} completed courses starting in {stratum} do not span enough "
    "sessions to fit a curve."
)
FITTED = gettext_noop("Fitted from {count} completed courses ({points} scores).")


def fit_curves(
    courses: Sequence[CourseSeries],
    instrument: str,
    strata: Sequence[Stratum] | None = None,
    *,
    min_courses: int = DEFAULT_MIN_COURSES,
    gettext: Translate = _no_translation,
) -> list[ExpectedCurve]:
    """One curve per stratum (default strata: `STRATA[instrument]`), fitted where there is data.

    Only `courses` on `instrument` with at least two scores count (a single score says nothing
    about change); each belongs to the stratum its baseline falls in. A stratum with fewer than
    `min_courses` such courses, or whose scores all sit at one session, keeps its default curve
    and says so in `note`; with no default either (instruments other than PHQ-9 and GAD-7) it is
    left out of the result.
    """
    if min_courses < 1:
        raise ValueError(f"min_courses must be at least 1, not {min_courses}")
    chosen = STRATA.get(instrument, ()) if strata is None else tuple(strata)
    usable = [c for c in courses if c.instrument == instrument and len(c.points) >= 2]
    curves = []
    for stratum in chosen:
        members = [course for course in usable if course.baseline in stratum]
        curve = _fit(instrument, stratum, members, min_courses, gettext)
        if curve is not None:
            curves.append(curve)
    return curves


def _fit(
    instrument: str,
    stratum: Stratum,
    members: list[CourseSeries],
    min_courses: int,
    gettext: Translate,
) -> ExpectedCurve | None:
    count = len(members)
    default = default_curve(instrument, stratum)
    if count < min_courses:
        note = gettext(KEPT_DEFAULT).format(count=count, stratum=stratum.label, needed=min_courses)
        return replace(default, note=note) if default is not None else None
    xs = [math.log(session) for course in members for session, _ in course.points]
    ys = [float(score) for course in members for _, score in course.points]
    line = _least_squares(xs, ys)
    if line is None:
        note = gettext(KEPT_DEFAULT_FLAT).format(count=count, stratum=stratum.label)
        return replace(default, note=note) if default is not None else None
    intercept, slope, residual_sd = line
    note = gettext(FITTED).format(count=count, points=len(xs))
    return ExpectedCurve(
        instrument, stratum.low, stratum.high, intercept, slope, residual_sd, count, "fitted", note
    )


def _least_squares(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float, float] | None:
    """(intercept, slope, residual SD) of y = a + b·x; None without 3 points and a spread in x.

    The residual SD divides by n − 2, the degrees of freedom left after the two parameters.
    """
    n = len(xs)
    if n < 3:
        return None
    mean_x, mean_y = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    if sxx <= _EPSILON:
        return None
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    residuals = math.fsum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    return intercept, slope, math.sqrt(residuals / (n - 2))


# --- Checking one score ---------------------------------------------------------------------


@dataclass(frozen=True)
class OnTrack:
    """Whether one score is within the expected range. `expected` and `upper` are None with no
    curve; `provisional` is True when the curve is a default, not fitted to the clinic's data."""

    status: Status
    expected: float | None
    upper: float | None
    reason: str
    provisional: bool = False


ON_TRACK = gettext_noop(
    "{name} of {score} at session {session} is within the expected range for clients starting "
    "{stratum} (expected about {expected}, upper limit {upper})."
)
NOT_ON_TRACK = gettext_noop(
    "{name} of {score} at session {session} is above the expected range for clients starting "
    "{stratum} (expected about {expected}, upper limit {upper})."
)
NO_CURVE = gettext_noop("No expected range for this client's starting score.")
NO_CURVE_FOR_BASELINE = gettext_noop(
    "No expected range: {name} started at {baseline}, and expected ranges cover clients starting "
    "at {covered}."
)
NO_CURVE_FOR_INSTRUMENT = gettext_noop("No expected range is configured for {name}.")


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


def check(
    curve: ExpectedCurve | None,
    session: int,
    score: int,
    *,
    z: float = DEFAULT_Z,
    gettext: Translate = _no_translation,
) -> OnTrack:
    """Is `score` at `session` within `curve`'s expected range? Above the upper bound is
    "not_on_track"; exactly on it is on track. No curve gives "no_curve".

    The reason shows the expected score rounded, and the upper limit as the highest whole score
    still within range.
    """
    _check_session(session)
    if score < 0:
        raise ValueError(f"scores cannot be negative, not {score}")
    if curve is None:
        return OnTrack("no_curve", None, None, gettext(NO_CURVE))
    expected, upper = curve.expected(session), curve.upper(session, z)
    off_track = score > upper + _EPSILON
    reason = gettext(NOT_ON_TRACK if off_track else ON_TRACK).format(
        name=gettext(instrument_name(curve.instrument)),
        score=score,
        session=session,
        stratum=curve.stratum.label,
        expected=_round_half_up(expected),
        upper=math.floor(upper + _EPSILON),
    )
    status: Status = "not_on_track" if off_track else "on_track"
    return OnTrack(status, expected, upper, reason, provisional=curve.source == "default")


def curve_for(curves: Iterable[ExpectedCurve], instrument: str, baseline: int) -> ExpectedCurve | None:
    """The first of `curves` on `instrument` whose stratum holds `baseline`; None if none does."""
    return next((c for c in curves if c.instrument == instrument and baseline in c.stratum), None)


def check_score(
    curves: Iterable[ExpectedCurve],
    instrument: str,
    baseline: int,
    session: int,
    score: int,
    *,
    z: float = DEFAULT_Z,
    gettext: Translate = _no_translation,
) -> OnTrack:
    """`check` against the curve for this client's baseline, saying why when there is none."""
    curves = tuple(curves)
    curve = curve_for(curves, instrument, baseline)
    if curve is not None:
        return check(curve, session, score, z=z, gettext=gettext)
    _check_session(session)
    name = gettext(instrument_name(instrument))
    own = sorted((c for c in curves if c.instrument == instrument), key=lambda c: c.stratum_low)
    if not own:
        return OnTrack("no_curve", None, None, gettext(NO_CURVE_FOR_INSTRUMENT).format(name=name))
    covered = ", ".join(c.stratum.label for c in own)
    reason = gettext(NO_CURVE_FOR_BASELINE).format(name=name, baseline=baseline, covered=covered)
    return OnTrack("no_curve", None, None, reason)

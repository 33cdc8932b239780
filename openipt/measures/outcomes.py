"""Course outcomes: response, remission, reliable change and the NHS Talking Therapies set.

PURE module: standard library and dataclasses only; no Django, no I/O, no clock. Scores in,
frozen results out. The per-instrument tables (`REMISSION_RULES`, `RCI_PARAMETERS`,
`TALKING_THERAPIES`) are defaults only: every function takes its rules as an argument, so a
clinic that has its own psychometrics passes its own table.

Lower scores are better on every instrument with rules here (PHQ-9, GAD-7, HAM-D 17), so a
fall is an improvement and a rise a deterioration. Response, remission and the Talking Therapies
set assume that; `RciParameters.higher_is_better` turns the RCI direction round for a clinic that
configures an instrument such as the WAI-SR, where a higher score is better.

Each rule names its source and how sure we are of it: Verified (stated in a primary or
near-primary source), Secondary (found only in secondary sources: reviews, training or vendor
pages, public code) or UNVERIFIED. docs/outcomes.md explains each rule in plain words. In short:

- response: a fall of at least 50 % from baseline. Verified for PHQ-9 (Coley et al. 2020).
- remission: PHQ-9 < 5, Verified (Coley et al. 2020); HAM-D 17 ≤ 7, "usually" the definition
  (Reynolds et al. 2010; STAR*D, Rush et al. 2006), with no confidence label. Not defined for
  other instruments.
- reliable change index: Jacobson & Truax 1991, with the √2 term of Christensen & Mendoza 1986.
  The PHQ-9 and GAD-7 defaults are back-derived from the NHS Talking Therapies thresholds
  (Secondary: the programme's manual as cited by others); no reliability coefficient or
  baseline SD is claimed for them.
- NHS Talking Therapies: caseness, finished course, reliable improvement, reliable deterioration,
  recovery and reliable recovery, judged on PHQ-9 and GAD-7 together; the labels differ by rule
  and are given in `talking_therapies_outcome`.
- the PHQ-A (IPT-A's depression measure) is judged on the PHQ-9's thresholds (`JUDGED_ON`): an
  assumption, since it asks the same nine symptoms on the same 0-27 scale (Johnson et al. 2002)
  but none of these thresholds was set or checked in adolescents. Every outcome says so.

Sources (author, title, year):

- Christensen L, Mendoza JL. A method of assessing change in a single subject: an alteration of
  the RC index. Behavior Therapy, 1986.
- Coley RY, Boggs JM, Beck A, Simon GE. Defining success in measurement-based care for
  depression: a comparison of common metrics. Psychiatric Services, 2020.
- Gyani A, Shafran R, Layard R, Clark DM. Enhancing recovery rates: lessons from year one of
  IAPT. Behaviour Research and Therapy, 2013.
- Johnson JG, Harris ES, Spitzer RL, Williams JBW. The Patient Health Questionnaire for
  Adolescents: validation of an instrument for the assessment of mental disorders among
  adolescent primary care patients. Journal of Adolescent Health, 2002.
- Jacobson NS, Truax P. Clinical significance: a statistical approach to defining meaningful
  change in psychotherapy research. Journal of Consulting and Clinical Psychology, 1991.
- Mufson L et al. Efficacy of interpersonal psychotherapy for depressed adolescents. Archives of
  General Psychiatry, 1999.
- NHS Talking Therapies (formerly IAPT): the programme manual's thresholds, as cited in secondary
  sources; the Office for Health Improvement and Disparities' common mental disorders glossary
  (Fingertips); the NHS recovery rate indicator; NHS England's service standards.
- O'Hara MW et al. Efficacy of interpersonal psychotherapy for postpartum depression. Archives of
  General Psychiatry, 2000.
- Reynolds CF et al. Treating depression to remission in older adults: escitalopram with
  interpersonal psychotherapy. International Journal of Geriatric Psychiatry, 2010.
- Rush AJ et al. Acute and longer-term outcomes in depressed outpatients requiring one or several
  treatment steps: a STAR*D report. American Journal of Psychiatry, 2006.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Final, Literal

from openipt.lib.i18n import gettext_noop
from openipt.measures.instruments import INSTRUMENTS

# |RCI| above this is unlikely (p < .05) to be measurement error alone (Jacobson & Truax 1991).
Z_RELIABLE: Final = 1.96

# Floating-point slack for "at least" comparisons: 1.96 × (6 / 1.96) need not be exactly 6.
_EPSILON: Final = 1e-9

# Short names for instruments that have outcome rules but no definition in instruments.py yet.
_OTHER_NAMES: Final[Mapping[str, str]] = {"hamd17": gettext_noop("HAM-D 17")}


def _no_translation(message: str) -> str:
    return message


Translate = Callable[[str], str]


def instrument_name(key: str) -> str:
    """The short name shown to people ("PHQ-9"), untranslated; the key itself if unknown."""
    if key in INSTRUMENTS:
        return INSTRUMENTS[key].short_name
    return _OTHER_NAMES.get(key, key)


# Instruments judged on another instrument's published rules (response, remission, reliable
# change, NHS Talking Therapies), as an assumption: the PHQ-A is the PHQ-9 modified for
# adolescents, with the same nine symptoms scored 0-3 and summed to 0-27 (Johnson et al. 2002),
# but the PHQ-9's thresholds were set in adults and have not been checked for the PHQ-A.
JUDGED_ON: Final[Mapping[str, str]] = {"phqa": "phq9"}

JUDGED_ON_NAME = gettext_noop("{name} (judged on {other} thresholds)")
JUDGED_ON_NOTE = gettext_noop(
    "{name} is judged on the {other} thresholds: it asks the same nine symptoms on the same 0-27 "
    "scale, but those thresholds were not set for it. Read these outcomes with that in mind."
)


def rules_key(key: str) -> str:
    """The instrument whose published rules judge `key`: itself, or the one in `JUDGED_ON`."""
    return JUDGED_ON.get(key, key)


def outcome_name(key: str, gettext: Translate = _no_translation) -> str:
    """The name an outcome is shown under: "PHQ-9", or "PHQ-A (judged on PHQ-9 thresholds)"."""
    name = gettext(instrument_name(key))
    if key not in JUDGED_ON:
        return name
    return gettext(JUDGED_ON_NAME).format(name=name, other=gettext(instrument_name(JUDGED_ON[key])))


def _check_scores(*scores: int) -> None:
    for value in scores:
        if value < 0:
            raise ValueError(f"scores cannot be negative, not {value}")


# --- Response and remission -----------------------------------------------------------------

# Instruments with a published response definition, with its source. `response()` itself
# is plain arithmetic; `course_outcomes` reports it only for instruments listed here.
RESPONSE_SOURCES: Final[Mapping[str, str]] = {"phq9": "Coley et al. 2020, Verified"}


def response(baseline: int, latest: int) -> bool:
    """True when `latest` is at least 50 % below `baseline` (exactly 50 % counts).

    The PHQ-9 response definition, Verified (Coley et al. 2020). A baseline of 0 is never a
    response: there
    is nothing to reduce, and 0 → 0 would otherwise count as a 100 % response.
    """
    _check_scores(baseline, latest)
    # Integer arithmetic: (baseline - latest) / baseline >= 0.5 without rounding.
    return baseline > 0 and 2 * (baseline - latest) >= baseline


@dataclass(frozen=True)
class RemissionRule:
    """Remission is a score of at most `at_most`; `definition` is how the source words it."""

    instrument: str
    at_most: int
    definition: str
    source: str


REMISSION_RULES: Final[Mapping[str, RemissionRule]] = {
    "phq9": RemissionRule("phq9", 4, "PHQ-9 < 5", "Coley et al. 2020, Verified"),
    # A single score; the late-life trial (Reynolds et al. 2010) asked for 3 consecutive weekly
    # scores ≤ 7, and IPT-A and postpartum trials used ≤ 6 as "recovery" (Mufson et al. 1999;
    # O'Hara et al. 2000). Neither variant is built in.
    "hamd17": RemissionRule(
        "hamd17",
        7,
        "HAM-D 17 ≤ 7",
        ("Reynolds et al. 2010; STAR*D, Rush et al. 2006; no confidence label ('usually' the definition)"),
    ),
}


def remission(
    instrument: str, score: int, rules: Mapping[str, RemissionRule] = REMISSION_RULES
) -> bool | None:
    """True if `score` is in remission on `instrument`; None where no remission rule is defined.

    Defaults: PHQ-9 < 5 (Coley et al. 2020); HAM-D 17 ≤ 7 (Reynolds et al. 2010; STAR*D, Rush
    et al. 2006). One score is judged on its own;
    a rule asking for several consecutive scores is the caller's to apply.
    """
    _check_scores(score)
    rule = rules.get(instrument)
    if rule is None:
        return None
    return score <= rule.at_most


# --- Reliable change index ------------------------------------------------------------------

Direction = Literal["improved", "deteriorated", "no_reliable_change"]


@dataclass(frozen=True)
class RciParameters:
    """What the reliable change index of one instrument needs, and where it came from.

    Give either `reliability` (test–retest preferred) and `baseline_sd` (the pre-treatment SD),
    from your own data or a published psychometric study, or `min_reliable_change`: a published
    minimum reliable change in raw points, from which the standard error of the difference is
    back-derived (S_diff = min_reliable_change / 1.96). Not both. `source` names the source tags;
    `note` says exactly how each number was obtained. `higher_is_better` is False for every
    default (a fall is an improvement).
    """

    instrument: str
    reliability: float | None
    baseline_sd: float | None
    source: str
    note: str
    min_reliable_change: float | None = None
    higher_is_better: bool = False

    def __post_init__(self) -> None:
        psychometric = self.reliability is not None or self.baseline_sd is not None
        if psychometric == (self.min_reliable_change is not None):
            raise ValueError(
                f"{self.instrument}: give reliability and baseline_sd, or min_reliable_change, not both"
            )
        if self.min_reliable_change is not None:
            if not (math.isfinite(self.min_reliable_change) and self.min_reliable_change > 0):
                raise ValueError(f"{self.instrument}: min_reliable_change must be a positive number")
            return
        if self.reliability is None or self.baseline_sd is None:
            raise ValueError(f"{self.instrument}: reliability and baseline_sd go together")
        if not 0 <= self.reliability < 1:
            raise ValueError(f"{self.instrument}: reliability must be at least 0 and below 1")
        if not (math.isfinite(self.baseline_sd) and self.baseline_sd > 0):
            raise ValueError(f"{self.instrument}: baseline_sd must be a positive number")

    @property
    def sem(self) -> float:
        """Standard error of measurement: SD₁ × √(1 − r) (Jacobson & Truax 1991)."""
        if self.reliability is None or self.baseline_sd is None:
            return self.s_diff / math.sqrt(2)
        return self.baseline_sd * math.sqrt(1 - self.reliability)

    @property
    def s_diff(self) -> float:
        """Standard error of a difference: √2 × SEM (the term added by Christensen & Mendoza 1986)."""
        if self.min_reliable_change is not None:
            return self.min_reliable_change / Z_RELIABLE
        return math.sqrt(2) * self.sem

    @property
    def threshold_points(self) -> float:
        """The reliable change boundary in raw points, 1.96 × S_diff: a change beyond it is
        reliable; for a published `min_reliable_change`, a change of at least it."""
        if self.min_reliable_change is not None:
            return float(self.min_reliable_change)
        return Z_RELIABLE * self.s_diff


@dataclass(frozen=True)
class RciResult:
    """The reliable change from `pre` to `post`. `change` is post − pre (negative = better)."""

    instrument: str
    pre: int
    post: int
    change: int
    rci: float
    s_diff: float
    threshold_points: float
    direction: Direction

    @property
    def reliable(self) -> bool:
        return self.direction != "no_reliable_change"


def reliable_change(params: RciParameters, pre: int, post: int) -> RciResult:
    """Jacobson & Truax RCI = (post − pre) / S_diff; |RCI| greater than 1.96 is reliable.

    Lower is better unless `params.higher_is_better`, so RCI < −1.96 is "improved" and
    RCI > 1.96 "deteriorated"; an RCI of exactly ±1.96 is not reliable (Jacobson & Truax 1991:
    "RC larger than 1.96"). The exception is a published minimum in raw points
    (`min_reliable_change`): its source states it as "at least" that many points (NHS Talking
    Therapies: a fall of 6 or more on PHQ-9), so a change of exactly those points is reliable, as
    the programme counts it, although its back-derived RCI is exactly 1.96.
    """
    _check_scores(pre, post)
    s_diff = params.s_diff
    rci = (post - pre) / s_diff
    if params.min_reliable_change is not None:
        reliable = abs(post - pre) >= params.min_reliable_change - _EPSILON
    else:
        # Strictly greater; the slack keeps a float that lands a hair above 1.96 on the boundary.
        reliable = abs(rci) > Z_RELIABLE + _EPSILON
    direction: Direction = "no_reliable_change"
    if reliable:
        direction = "improved" if (rci < 0) != params.higher_is_better else "deteriorated"
    return RciResult(
        instrument=params.instrument,
        pre=pre,
        post=post,
        change=post - pre,
        rci=rci,
        s_diff=s_diff,
        threshold_points=params.threshold_points,
        direction=direction,
    )


# --- NHS Talking Therapies ------------------------------------------------------------------


@dataclass(frozen=True)
class TalkingTherapiesRules:
    """The programme's thresholds. Caseness is "at or above"; reliable change "at least".

    Caseness cut-offs and reliable change thresholds Secondary (the programme manual, as cited);
    finished course (2 attended appointments) Verified (OHID common mental disorders glossary).
    """

    phq9_caseness: int = 10
    gad7_caseness: int = 8
    phq9_reliable_change: int = 6
    gad7_reliable_change: int = 4
    min_attended_appointments: int = 2


TALKING_THERAPIES: Final = TalkingTherapiesRules()


# The default RCI parameters. We have no published reliability coefficient and baseline SD that
# fit our clients for any instrument, so none is claimed: PHQ-9 and GAD-7 use the programme's
# published minimum reliable change; HAM-D 17 has none until a clinic configures one.
_FROM_PROGRAMME = (
    "Back-derived from the NHS Talking Therapies reliable change threshold of {points} points, "
    "Secondary (the programme manual, as cited): S_diff = {points} / 1.96. No reliability or "
    "baseline SD is claimed; "
    "to use the Jacobson & Truax formula instead, configure both from your own data or a "
    "published psychometric study."
)
RCI_PARAMETERS: Final[Mapping[str, RciParameters]] = {
    "phq9": RciParameters(
        instrument="phq9",
        reliability=None,
        baseline_sd=None,
        min_reliable_change=TALKING_THERAPIES.phq9_reliable_change,
        source="NHS Talking Therapies manual, as cited; Secondary",
        note=_FROM_PROGRAMME.format(points=TALKING_THERAPIES.phq9_reliable_change),
    ),
    "gad7": RciParameters(
        instrument="gad7",
        reliability=None,
        baseline_sd=None,
        min_reliable_change=TALKING_THERAPIES.gad7_reliable_change,
        source="NHS Talking Therapies manual, as cited; Secondary",
        note=_FROM_PROGRAMME.format(points=TALKING_THERAPIES.gad7_reliable_change),
    ),
}


class Verdict(StrEnum):
    YES = "yes"
    NO = "no"
    NOT_APPLICABLE = "not_applicable"
    CANNOT_JUDGE = "cannot_judge"


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    reason: str


@dataclass(frozen=True)
class PairedScores:
    """PHQ-9 and GAD-7 totals from one occasion (the first or the last of a course).

    GAD-7 may be missing; the outcome then says which parts cannot be judged. (The programme
    lets an anxiety-disorder-specific measure replace GAD-7 (OHID common mental disorders
    glossary); that is not supported.)
    """

    phq9: int
    gad7: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.phq9 <= 27:
            raise ValueError(f"a PHQ-9 total is 0-27, not {self.phq9}")
        if self.gad7 is not None and not 0 <= self.gad7 <= 21:
            raise ValueError(f"a GAD-7 total is 0-21, not {self.gad7}")


@dataclass(frozen=True)
class TTOutcome:
    """The NHS Talking Therapies outcome of one course; each part with its plain-words reason."""

    finished_course: Judgement
    caseness: Judgement
    reliable_improvement: Judgement
    reliable_deterioration: Judgement
    recovery: Judgement
    reliable_recovery: Judgement

    PARTS: ClassVar[tuple[str, ...]] = (
        "finished_course",
        "caseness",
        "reliable_improvement",
        "reliable_deterioration",
        "recovery",
        "reliable_recovery",
    )

    def judgements(self) -> tuple[tuple[str, Judgement], ...]:
        return tuple((part, getattr(self, part)) for part in self.PARTS)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Every part's reason, in the order of `PARTS`."""
        return tuple(judgement.reason for _, judgement in self.judgements())

    @property
    def cannot_judge(self) -> tuple[str, ...]:
        """The names of the parts that cannot be judged (usually for want of a GAD-7)."""
        return tuple(
            part for part, judgement in self.judgements() if judgement.verdict == Verdict.CANNOT_JUDGE
        )


FINISHED = gettext_noop("Finished course: {attended} attended appointments (at least {needed} needed).")
NOT_FINISHED = gettext_noop(
    "Not a finished course: the programme needs at least {needed} attended appointments; this course "
    "has {attended}."
)
NOT_JUDGED_UNFINISHED = gettext_noop("Not judged: not a finished course.")
CASENESS_YES = gettext_noop(
    "At caseness at the start: {scores} (cut-offs PHQ-9 {phq9_cut}, GAD-7 {gad7_cut})."
)
CASENESS_NO = gettext_noop(
    "Not at caseness at the start: {scores} (cut-offs PHQ-9 {phq9_cut}, GAD-7 {gad7_cut})."
)
CASENESS_UNKNOWN = gettext_noop(
    "Cannot judge caseness: {depression} {phq9} is below {phq9_cut} and there is no first GAD-7 score."
)
IMPROVED = gettext_noop(
    "Reliable improvement: {changes}. A fall of at least {phq9_rc} on PHQ-9 or {gad7_rc} on GAD-7 "
    "counts, with no reliable deterioration on the other."
)
NOT_IMPROVED = gettext_noop(
    "No reliable improvement: {changes}. A fall of at least {phq9_rc} on PHQ-9 or {gad7_rc} on GAD-7 "
    "is needed, with no reliable deterioration on the other."
)
IMPROVED_UNKNOWN = gettext_noop(
    "Cannot judge reliable improvement without a first and last GAD-7: {changes}."
)
DETERIORATED = gettext_noop(
    "Reliable deterioration: {changes}. A rise of at least {phq9_rc} on PHQ-9 or {gad7_rc} on GAD-7 counts."
)
NOT_DETERIORATED = gettext_noop("No reliable deterioration: {changes}.")
DETERIORATED_UNKNOWN = gettext_noop(
    "Cannot judge reliable deterioration without a first and last GAD-7: {changes}."
)
RECOVERY_NOT_APPLICABLE = gettext_noop("Not applicable: not at caseness at the start.")
RECOVERY_CASENESS_UNKNOWN = gettext_noop("Cannot judge: caseness at the start is not known.")
RECOVERED = gettext_noop(
    "Recovered: at caseness at the start and below caseness on both measures at the end ({scores})."
)
NOT_RECOVERED = gettext_noop("Not recovered: not below caseness on both measures at the end ({scores}).")
RECOVERY_UNKNOWN = gettext_noop(
    "Cannot judge recovery: {depression} is below caseness at the end but there is no last GAD-7 ({scores})."
)
RELIABLY_RECOVERED = gettext_noop("Reliably recovered: recovered, and reliably improved.")
NOT_RELIABLY_RECOVERED_NOT_RECOVERED = gettext_noop("Not reliably recovered: not recovered.")
NOT_RELIABLY_RECOVERED_NOT_IMPROVED = gettext_noop(
    "Not reliably recovered: recovered, but not reliably improved."
)
NOT_RELIABLY_RECOVERED_NEVER_IMPROVED = gettext_noop("Not reliably recovered: not reliably improved.")
RELIABLE_RECOVERY_UNKNOWN = gettext_noop(
    "Cannot judge reliable recovery: recovery or reliable improvement cannot be judged."
)
WHATEVER_GAD7 = gettext_noop("No possible score for the missing {name} would change this.")
SCORE = gettext_noop("{name} {score}")
NOT_RECORDED = gettext_noop("{name} not recorded")
CHANGE = gettext_noop("{name} from {first} to {last}")
NOT_PAIRED = gettext_noop("{name} not recorded at both the start and the end")


def talking_therapies_outcome(
    first: PairedScores,
    last: PairedScores,
    *,
    attended_appointments: int,
    rules: TalkingTherapiesRules = TALKING_THERAPIES,
    gettext: Translate = _no_translation,
    depression: str = "phq9",
) -> TTOutcome:
    """The NHS Talking Therapies outcome from the first and last paired scores of a course.

    Rules, with their confidence labels:

    - finished course: at least 2 attended appointments. Verified (OHID common mental disorders
      glossary). Unless the course is finished, the four outcome parts are "not applicable";
      caseness is still reported.
    - caseness: PHQ-9 ≥ 10 or GAD-7 ≥ 8 at the start. Concept Verified (OHID glossary); cut-offs
      Secondary (the programme manual, as cited).
    - reliable improvement: a fall of ≥ 6 on PHQ-9 or ≥ 4 on GAD-7 (thresholds Secondary:
      the programme manual, as cited) AND no reliable deterioration on the other measure (that
      second clause is the programme rule as usually stated, but we have not seen it in a
      primary source: UNVERIFIED).
    - reliable deterioration: a rise of ≥ 6 on PHQ-9 or ≥ 4 on GAD-7. Reported as
      "deterioration" in NHS statistics, Secondary (NHS England service standards); that the
      thresholds are the same as for improvement is UNVERIFIED. A course can show both (one measure each way).
    - recovery: at caseness at the start on one or both measures, below caseness on both at
      the end. Concept Verified (NHS recovery rate indicator); the "both" rule Secondary (the
      programme manual, as cited). Not at caseness at the start: "not applicable", never
      "recovered".
    - reliable recovery: recovery and reliable improvement. Secondary (Gyani et al. 2013).

    A missing GAD-7 makes a part "cannot judge" only when some score it could have had would
    change the answer (`_judge` tries them all): a PHQ-9 of 12 at the start is caseness whatever
    GAD-7 was; a PHQ-9 of 11 at the end rules out recovery; PHQ-9 15 → 5 with GAD-7 18 → missing
    is a reliable improvement, since no GAD-7 can rise 4 above 18. Such a judgement says so.

    `depression` names the measure the `phq9` totals come from: "phq9", or an instrument judged
    on the PHQ-9's thresholds (`JUDGED_ON`, the PHQ-A); the reasons then name it, beside the
    PHQ-9 cut-offs applied to it.
    """
    if attended_appointments < 0:
        raise ValueError(f"attended appointments cannot be negative, not {attended_appointments}")
    if rules_key(depression) != "phq9":
        raise ValueError(f"{depression!r} is not judged on the PHQ-9 thresholds")
    phq9_name, gad7_name = gettext(instrument_name(depression)), gettext(instrument_name("gad7"))
    cuts = {"phq9_cut": rules.phq9_caseness, "gad7_cut": rules.gad7_caseness}
    thresholds = {"phq9_rc": rules.phq9_reliable_change, "gad7_rc": rules.gad7_reliable_change}

    def scores_text(scores: PairedScores) -> str:
        phq9 = gettext(SCORE).format(name=phq9_name, score=scores.phq9)
        if scores.gad7 is None:
            return phq9 + ", " + gettext(NOT_RECORDED).format(name=gad7_name)
        return phq9 + ", " + gettext(SCORE).format(name=gad7_name, score=scores.gad7)

    changes = gettext(CHANGE).format(name=phq9_name, first=first.phq9, last=last.phq9) + ", "
    if first.gad7 is None or last.gad7 is None:
        changes += gettext(NOT_PAIRED).format(name=gad7_name)
    else:
        changes += gettext(CHANGE).format(name=gad7_name, first=first.gad7, last=last.gad7)

    def reason(text: str, verdict: Verdict, *, reads_missing: bool, **values: object) -> Judgement:
        """The judgement, saying so when a missing GAD-7 could not have changed it."""
        said = gettext(text).format(**values)
        if reads_missing and verdict in (Verdict.YES, Verdict.NO):
            said += " " + gettext(WHATEVER_GAD7).format(name=gad7_name)
        return Judgement(verdict, said)

    finished = attended_appointments >= rules.min_attended_appointments
    finished_course = Judgement(
        Verdict.YES if finished else Verdict.NO,
        gettext(FINISHED if finished else NOT_FINISHED).format(
            attended=attended_appointments, needed=rules.min_attended_appointments
        ),
    )
    case, improved, deteriorated, recovered, reliably = _judge(first, last, rules)
    caseness = reason(
        {Verdict.YES: CASENESS_YES, Verdict.NO: CASENESS_NO}.get(case, CASENESS_UNKNOWN),
        case,
        reads_missing=first.gad7 is None,
        scores=scores_text(first),
        phq9=first.phq9,
        depression=phq9_name,
        **cuts,
    )
    if not finished:
        not_judged = Judgement(Verdict.NOT_APPLICABLE, gettext(NOT_JUDGED_UNFINISHED))
        return TTOutcome(finished_course, caseness, not_judged, not_judged, not_judged, not_judged)

    missing = first.gad7 is None or last.gad7 is None
    improvement = reason(
        {Verdict.YES: IMPROVED, Verdict.NO: NOT_IMPROVED}.get(improved, IMPROVED_UNKNOWN),
        improved,
        reads_missing=missing,
        changes=changes,
        **thresholds,
    )
    deterioration = reason(
        {Verdict.YES: DETERIORATED, Verdict.NO: NOT_DETERIORATED}.get(deteriorated, DETERIORATED_UNKNOWN),
        deteriorated,
        reads_missing=missing,
        changes=changes,
        **thresholds,
    )
    recovery = reason(
        _recovery_text(case, recovered),
        recovered,
        reads_missing=missing,
        scores=scores_text(last),
        depression=phq9_name,
    )
    reliable_recovery = reason(
        _reliable_recovery_text(case, recovered, reliably), reliably, reads_missing=missing
    )
    return TTOutcome(finished_course, caseness, improvement, deterioration, recovery, reliable_recovery)


def _possible_gad7(scores: PairedScores) -> tuple[int, ...]:
    """The GAD-7 totals this occasion may have had: the recorded one, or every possible one."""
    if scores.gad7 is not None:
        return (scores.gad7,)
    gad7 = INSTRUMENTS["gad7"]
    return tuple(range(gad7.min_total, gad7.max_total + 1))


def _judge(
    first: PairedScores, last: PairedScores, rules: TalkingTherapiesRules
) -> tuple[Verdict, Verdict, Verdict, Verdict, Verdict]:
    """Caseness, reliable improvement, reliable deterioration, recovery and reliable recovery.

    A missing GAD-7 is judged by trying every score it could have had (0-21, at most 22 × 22
    pairs): a part whose verdict is the same for all of them is given; a part the missing score
    could change "cannot be judged". So PHQ-9 15 → 5 with GAD-7 18 → missing is a reliable
    improvement and no reliable deterioration, since no last GAD-7 can be 4 above 18.
    """
    found = {
        _judge_complete(first.phq9, first_gad7, last.phq9, last_gad7, rules)
        for first_gad7 in _possible_gad7(first)
        for last_gad7 in _possible_gad7(last)
    }
    case, improved, deteriorated, recovered, reliably = (
        _agreed({verdicts[part] for verdicts in found}) for part in range(5)
    )
    return case, improved, deteriorated, recovered, reliably


def _agreed(verdicts: set[Verdict]) -> Verdict:
    return next(iter(verdicts)) if len(verdicts) == 1 else Verdict.CANNOT_JUDGE


def _judge_complete(
    first_phq9: int, first_gad7: int, last_phq9: int, last_gad7: int, rules: TalkingTherapiesRules
) -> tuple[Verdict, Verdict, Verdict, Verdict, Verdict]:
    """The five parts for a finished course with all four scores known."""
    case = first_phq9 >= rules.phq9_caseness or first_gad7 >= rules.gad7_caseness
    phq9_fall, gad7_fall = first_phq9 - last_phq9, first_gad7 - last_gad7
    deteriorated = -phq9_fall >= rules.phq9_reliable_change or -gad7_fall >= rules.gad7_reliable_change
    improved = not deteriorated and (
        phq9_fall >= rules.phq9_reliable_change or gad7_fall >= rules.gad7_reliable_change
    )
    recovered = last_phq9 < rules.phq9_caseness and last_gad7 < rules.gad7_caseness

    def yes_no(value: bool) -> Verdict:
        return Verdict.YES if value else Verdict.NO

    if not case:
        # Recovery only applies to a course that started at caseness.
        return (
            Verdict.NO,
            yes_no(improved),
            yes_no(deteriorated),
            Verdict.NOT_APPLICABLE,
            Verdict.NOT_APPLICABLE,
        )
    return (
        Verdict.YES,
        yes_no(improved),
        yes_no(deteriorated),
        yes_no(recovered),
        yes_no(recovered and improved),
    )


def _recovery_text(case: Verdict, recovered: Verdict) -> str:
    if recovered == Verdict.CANNOT_JUDGE:
        return RECOVERY_CASENESS_UNKNOWN if case == Verdict.CANNOT_JUDGE else RECOVERY_UNKNOWN
    return {Verdict.YES: RECOVERED, Verdict.NO: NOT_RECOVERED}.get(recovered, RECOVERY_NOT_APPLICABLE)


def _reliable_recovery_text(case: Verdict, recovered: Verdict, reliably: Verdict) -> str:
    if reliably == Verdict.YES:
        return RELIABLY_RECOVERED
    if reliably == Verdict.NOT_APPLICABLE:
        return RECOVERY_NOT_APPLICABLE
    if reliably == Verdict.CANNOT_JUDGE:
        return RECOVERY_CASENESS_UNKNOWN if case == Verdict.CANNOT_JUDGE else RELIABLE_RECOVERY_UNKNOWN
    if recovered == Verdict.NO:
        return NOT_RELIABLY_RECOVERED_NOT_RECOVERED
    if recovered == Verdict.YES:
        return NOT_RELIABLY_RECOVERED_NOT_IMPROVED
    return NOT_RELIABLY_RECOVERED_NEVER_IMPROVED


# --- One course, every instrument -----------------------------------------------------------


@dataclass(frozen=True)
class InstrumentOutcome:
    """Outcomes on one instrument from its first (baseline) to its latest score.

    Each of `response`, `remission`, `reliable_change` is None when it cannot be given; `notes`
    says why, in plain words.
    """

    instrument: str
    scores: tuple[int, ...]
    response: bool | None
    remission: bool | None
    reliable_change: RciResult | None
    notes: tuple[str, ...]
    # The name to show, translated by `course_outcomes` (`outcome_name`); "" when built elsewhere.
    label: str = ""

    @property
    def name(self) -> str:
        """The instrument's short name as shown to people ("PHQ-9"), untranslated; for an
        instrument judged on another's thresholds, the name says so (`outcome_name`)."""
        return outcome_name(self.instrument)

    @property
    def baseline(self) -> int:
        return self.scores[0]

    @property
    def latest(self) -> int:
        return self.scores[-1]


@dataclass(frozen=True)
class CourseOutcomes:
    """What the client page and the course export show: per-instrument outcomes and the TT set."""

    attended_appointments: int
    instruments: tuple[InstrumentOutcome, ...]
    talking_therapies: TTOutcome | None
    notes: tuple[str, ...]

    def for_instrument(self, key: str) -> InstrumentOutcome | None:
        return next((outcome for outcome in self.instruments if outcome.instrument == key), None)


ONE_SCORE = gettext_noop("Only one {name} score so far: change cannot be judged yet.")
NO_RESPONSE_RULE = gettext_noop("Response is not defined for {name}.")
NO_REMISSION_RULE = gettext_noop("Remission is not defined for {name}.")
NO_RESPONSE_OR_REMISSION_RULE = gettext_noop("Response and remission are not defined for {name}.")
NO_RCI_PARAMETERS = gettext_noop("No reliable change parameters are configured for {name}.")
NO_TALKING_THERAPIES = gettext_noop("NHS Talking Therapies outcomes need a first and a last {name}.")


def course_outcomes(
    series: Mapping[str, Sequence[int]],
    *,
    attended_appointments: int,
    response_sources: Mapping[str, str] = RESPONSE_SOURCES,
    remission_rules: Mapping[str, RemissionRule] = REMISSION_RULES,
    rci_parameters: Mapping[str, RciParameters] = RCI_PARAMETERS,
    rules: TalkingTherapiesRules = TALKING_THERAPIES,
    gettext: Translate = _no_translation,
    depression: str = "phq9",
) -> CourseOutcomes:
    """Every outcome of one course, from each instrument's scores in order (first = baseline).

    Instruments with no scores are left out. Per instrument: response (only where
    `response_sources` defines it), remission on the latest score, and the reliable change from
    first to latest, each needing at least two scores. The NHS Talking Therapies set pairs the
    first and last PHQ-9 with the first and last GAD-7; a single GAD-7 counts as the first.

    `depression` is the course's depression measure (its protocol's); the Talking Therapies set
    reads it in place of the PHQ-9 when it is judged on the PHQ-9's thresholds (`JUDGED_ON`).
    """
    outcomes = tuple(
        _instrument_outcome(key, tuple(scores), response_sources, remission_rules, rci_parameters, gettext)
        for key, scores in series.items()
        if scores
    )
    if rules_key(depression) != "phq9":
        depression = "phq9"  # the programme's rules are the PHQ-9's
    phq9 = tuple(series.get(depression, ()))
    gad7 = tuple(series.get("gad7", ()))
    talking_therapies = None
    notes: tuple[str, ...] = ()
    if len(phq9) >= 2:
        first = PairedScores(phq9[0], gad7[0] if gad7 else None)
        last = PairedScores(phq9[-1], gad7[-1] if len(gad7) >= 2 else None)
        talking_therapies = talking_therapies_outcome(
            first,
            last,
            attended_appointments=attended_appointments,
            rules=rules,
            gettext=gettext,
            depression=depression,
        )
    else:
        notes = (gettext(NO_TALKING_THERAPIES).format(name=gettext(instrument_name(depression))),)
    return CourseOutcomes(attended_appointments, outcomes, talking_therapies, notes)


def _instrument_outcome(
    key: str,
    scores: tuple[int, ...],
    response_sources: Mapping[str, str],
    remission_rules: Mapping[str, RemissionRule],
    rci_parameters: Mapping[str, RciParameters],
    gettext: Translate,
) -> InstrumentOutcome:
    _check_scores(*scores)
    name = gettext(instrument_name(key))
    label = outcome_name(key, gettext)
    if len(scores) < 2:
        one = (gettext(ONE_SCORE).format(name=name),)
        return InstrumentOutcome(key, scores, None, None, None, one, label)
    notes = []
    if key in JUDGED_ON:
        other = gettext(instrument_name(JUDGED_ON[key]))
        notes.append(gettext(JUDGED_ON_NOTE).format(name=name, other=other))
    judged_as = rules_key(key)
    baseline, latest = scores[0], scores[-1]
    responded = response(baseline, latest) if judged_as in response_sources else None
    remitted = remission(judged_as, latest, remission_rules)
    undefined = {
        (True, True): NO_RESPONSE_OR_REMISSION_RULE,
        (True, False): NO_RESPONSE_RULE,
        (False, True): NO_REMISSION_RULE,
    }.get((responded is None, remitted is None))
    if undefined is not None:
        notes.append(gettext(undefined).format(name=name))
    params = rci_parameters.get(judged_as)
    change = reliable_change(params, baseline, latest) if params is not None else None
    if change is None:
        notes.append(gettext(NO_RCI_PARAMETERS).format(name=name))
    return InstrumentOutcome(key, scores, responded, remitted, change, tuple(notes), label)

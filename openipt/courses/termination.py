"""The end of a course: the progress review, the relapse-prevention plan, the recommendation that
follows, and starting maintenance IPT (see docs/clinical/ipt.md, "Termination" and "Maintenance").

The termination tasks come from the IPT manuals' termination phase (Weissman, Markowitz & Klerman,
*The Guide to Interpersonal Psychotherapy*, 2018): consolidate gains and review how the focal
problem was handled; treat the ending itself as a role transition; plan for warning signs of
relapse; offer another treatment if IPT has not helped; decide on continuation or maintenance, which
Stuart & Robertson say should be discussed with every client (Stuart & Robertson, *Interpersonal
Psychotherapy: A Clinician's Guide*, 2nd ed., 2012, ch. 20). Every change is an action: one
transaction, saved with `update_fields`, audited without clinical values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_stubs_ext import StrOrPromise

from openipt.audit.actions import record
from openipt.clients.access import can_write
from openipt.lib.errors import ValidationError, refuse, too_long
from openipt.measures import outcomes
from openipt.measures.instruments import INSTRUMENTS
from openipt.measures.models import Score
from openipt.measures.tracking import outcomes_for_course

from . import actions, schedule
from .models import Course, CourseStatus, Formulation, GoalReview, GoalStatus, Recommendation, TerminationPlan

MAINTENANCE_PROTOCOL = "ipt-maintenance"
# Besides the course's depression measure (its protocol's: PHQ-9, or PHQ-A for IPT-A).
ANXIETY_MEASURE = "gad7"
# The relapse-prevention plan: what the client takes home (and what maintenance carries over).
PLAN_FIELDS = ("warning_signs", "what_helps", "who_to_contact", "when_to_come_back")
FIELDS = ("progress_review", "goals_achieved", "feelings_about_ending", *PLAN_FIELDS)
MAX_LENGTH = 5_000


def verbose_name(name: str) -> StrOrPromise:
    return cast("models.Field[Any, Any]", TerminationPlan._meta.get_field(name)).verbose_name


def label(name: str) -> str:
    """The field's label with a capital first letter, as headings and error messages show it."""
    text = str(verbose_name(name))
    return text[:1].upper() + text[1:]


def plan_for(course: Course) -> TerminationPlan | None:
    return TerminationPlan.objects.filter(course=course).select_related("updated_by").first()


# --- The progress review: facts from the stored scores and goal reviews ----------------------


@dataclass(frozen=True)
class ScorePoint:
    total: int
    band: str
    completed_at: datetime
    session_number: int | None


@dataclass(frozen=True)
class MeasureProgress:
    """One measure at the start of the course and now, with its outcomes in words."""

    instrument: str
    name: str
    first: ScorePoint
    latest: ScorePoint | None  # None while there is only one score
    words: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class GoalProgress:
    """Where one problem-area goal stood at its latest review."""

    area: str
    goal: str
    status: str
    status_label: str
    session_number: int

    @property
    def achieved(self) -> bool:
        return self.status == GoalStatus.ACHIEVED


@dataclass(frozen=True)
class Progress:
    measures: tuple[MeasureProgress, ...]
    goals: tuple[GoalProgress, ...]
    # The client has not improved on the depression measure (see `improvement_statement`); False
    # when it cannot be told.
    not_improved: bool
    statement: str
    depression: str = ""  # the depression measure's name, as the page shows it

    def review_text(self) -> str:
        """The facts as a first draft of the written progress review."""
        return "\n".join(" ".join((_point_line(m), *m.words)) for m in self.measures)

    def goals_text(self) -> str:
        """Each goal with its latest status, as a first draft of "goals achieved"."""
        return "\n".join(f"{g.status_label}: {g.goal}" for g in self.goals)


def _when(point: ScorePoint) -> str:
    day = date_format(timezone.localtime(point.completed_at), "D j M Y")
    if point.session_number is None:
        return day
    return _("session %(n)s, %(date)s") % {"n": point.session_number, "date": day}


def _point_line(measure: MeasureProgress) -> str:
    if measure.latest is None:
        return _("%(name)s: %(first)s at the start (%(when)s); no later score yet.") % {
            "name": measure.name,
            "first": measure.first.total,
            "when": _when(measure.first),
        }
    return _("%(name)s: %(first)s at the start (%(first_when)s), %(latest)s now (%(latest_when)s).") % {
        "name": measure.name,
        "first": measure.first.total,
        "first_when": _when(measure.first),
        "latest": measure.latest.total,
        "latest_when": _when(measure.latest),
    }


def _points(n: float) -> str:
    return f"{n:g}"


def outcome_words(outcome: outcomes.InstrumentOutcome) -> tuple[str, ...]:
    """Response, remission and reliable change of one measure, each in a short plain sentence."""
    words = []
    if outcome.response is True:
        words.append(_("A response: at least 50 % lower than at the start."))
    elif outcome.response is False:
        words.append(_("Not a response: less than 50 % lower than at the start."))
    rule = outcomes.REMISSION_RULES.get(outcomes.rules_key(outcome.instrument))
    if outcome.remission is True and rule:
        words.append(_("In remission (%(rule)s).") % {"rule": rule.definition})
    elif outcome.remission is False and rule:
        words.append(_("Not in remission (remission is %(rule)s).") % {"rule": rule.definition})
    change = outcome.reliable_change
    if change is not None:
        points = {"n": _points(change.threshold_points)}
        if change.direction == "improved":
            words.append(_("A reliable improvement (a fall of at least %(n)s points).") % points)
        elif change.direction == "deteriorated":
            words.append(_("A reliable deterioration (a rise of at least %(n)s points).") % points)
        else:
            words.append(_("No reliable change (that needs a change of at least %(n)s points).") % points)
    return tuple(words)


ADVICE = gettext_noop("The manuals advise offering another treatment or a referral when IPT has not helped.")


def progress_instruments(course: Course) -> tuple[str, str]:
    """The measures the progress review shows: the course's depression measure and the GAD-7."""
    return (course.protocol.depression_measure, ANXIETY_MEASURE)


def improvement_statement(
    course_outcomes: outcomes.CourseOutcomes, measure: str = "phq9"
) -> tuple[bool, str]:
    """Whether the client has not improved on the depression `measure` (the course protocol's:
    PHQ-9, or the PHQ-A, judged on the PHQ-9's thresholds as `outcomes.JUDGED_ON` says), and the
    plain statement to show.

    Not improved: not in remission, and either still at caseness (PHQ-9 of 10 or more, as the NHS
    Talking Therapies manual defines it, 2023) or neither a response (a fall of 50 %: Coley, Boggs,
    Beck & Simon, "Defining success in measurement-based care for depression", Psychiatric Services,
    2020) nor a reliable improvement (a fall of 6, NHS Talking Therapies manual). The manuals'
    advice when IPT has not helped is to offer another treatment (Weissman, Markowitz & Klerman
    2018). Fewer than two scores: it cannot be told (False).
    """
    depression = course_outcomes.for_instrument(measure)
    if depression is None or len(depression.scores) < 2:
        return False, _(
            "There are not enough %(name)s scores in this course to say whether the client has improved: "
            "at least two are needed."
        ) % {"name": _(outcomes.instrument_name(measure))}
    change = depression.reliable_change
    improved = change is not None and change.direction == "improved"
    # The programme's caseness cut-off is the PHQ-9's; an instrument without it is judged on
    # response and reliable change alone.
    judged_as_phq9 = outcomes.rules_key(measure) == "phq9"
    caseness = outcomes.TALKING_THERAPIES.phq9_caseness
    went = {
        "name": outcomes.outcome_name(measure, _),
        "first": depression.baseline,
        "latest": depression.latest,
        "cut": caseness,
    }
    if depression.remission:
        return False, ""
    if not depression.response and not improved:
        if change is not None and change.direction == "deteriorated":
            what = _(
                "%(name)s went from %(first)s to %(latest)s: this is not a response, and the rise is a "
                "reliable deterioration."
            )
        else:
            what = _("%(name)s went from %(first)s to %(latest)s: this is not a response.")
    elif judged_as_phq9 and depression.latest >= caseness:
        what = _(
            "%(name)s went from %(first)s to %(latest)s: the latest score is still at caseness "
            "(%(cut)s or more)."
        )
    else:
        return False, ""
    return True, f"{what % went} {_(ADVICE)}"


def _band_label(instrument: str, band: str) -> str:
    definition = INSTRUMENTS.get(instrument)
    labels = {b.key: b.label for b in definition.bands} if definition else {}
    return _(labels[band]) if band in labels else band


def _measures(course: Course, course_outcomes: outcomes.CourseOutcomes) -> tuple[MeasureProgress, ...]:
    series: dict[str, list[ScorePoint]] = {}
    shown = progress_instruments(course)
    rows = (
        Score.objects.filter(course=course, instrument__in=shown)
        .order_by("completed_at", "id")
        .values_list("instrument", "total", "band", "completed_at", "response__session__number")
    )
    for instrument, total, band, completed_at, number in rows:
        point = ScorePoint(total, _band_label(instrument, band), completed_at, number)
        series.setdefault(instrument, []).append(point)
    result = []
    for key in shown:
        points = series.get(key)
        if not points:
            continue
        outcome = course_outcomes.for_instrument(key)
        result.append(
            MeasureProgress(
                instrument=key,
                name=outcomes.outcome_name(key, _),
                first=points[0],
                latest=points[-1] if len(points) > 1 else None,
                words=outcome_words(outcome) if outcome else (),
                # With two scores the words say it all; the notes only list rules PHQ-9/GAD-7 lack.
                notes=outcome.notes if outcome and len(points) < 2 else (),
            )
        )
    return tuple(result)


def _goals(course: Course) -> tuple[GoalProgress, ...]:
    """The latest review of each goal (a later session's review replaces an earlier one)."""
    names = {area.key: area.name for area in course.protocol.problem_areas}
    latest: dict[tuple[str, int], GoalProgress] = {}
    rows = (
        GoalReview.objects.filter(session__course=course)
        .order_by("session__scheduled_date", "session__number", "updated_at", "id")
        .values_list("area", "goal_index", "goal", "status", "session__number")
    )
    for area, index, goal, status, number in rows:
        status_label = str(GoalStatus(status).label) if status in GoalStatus.values else status
        latest[(area, index)] = GoalProgress(_(names.get(area, area)), goal, status, status_label, number)
    return tuple(latest[key] for key in sorted(latest))


def progress_for(course: Course) -> Progress:
    """The facts of the progress review: scores at the start and now, outcomes, goals (5 queries)."""
    course_outcomes = outcomes_for_course(course)
    measure = course.protocol.depression_measure
    not_improved, statement = improvement_statement(course_outcomes, measure)
    depression = _(outcomes.instrument_name(measure))
    return Progress(_measures(course, course_outcomes), _goals(course), not_improved, statement, depression)


# --- Saving the termination work and the relapse-prevention plan ----------------------------


def _clean(fields: dict[str, Any]) -> dict[str, str]:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown termination plan fields: {sorted(unknown)}")
    return {name: str(fields.get(name) or "").replace("\r\n", "\n").strip() for name in FIELDS}


def _too_long(text: dict[str, str]) -> None:
    errors = {
        name: [too_long(len(value), MAX_LENGTH, str(label(name)))]
        for name, value in text.items()
        if len(value) > MAX_LENGTH
    }
    if errors:
        raise ValidationError(errors)


def _stale() -> ValidationError:
    return refuse(
        _(
            "Someone saved the ending of this course after you opened it, so nothing was saved. "
            "Your text is kept in the form; the saved text is shown under it."
        )
    )


def save_termination(
    actor: Any,
    course: Course,
    *,
    base_version: int | None,
    shared_with_client: bool = False,
    request: HttpRequest | None = None,
    **fields: Any,
) -> TerminationPlan:
    """Save the progress review, feelings about ending and the relapse-prevention plan.

    `base_version` is the version the form was opened on (None: there was no plan yet); if the
    plan was saved in between (here or by recording the recommendation), nothing is saved.
    """
    if not can_write(actor, course.client):
        raise PermissionDenied
    text = _clean(fields)
    _too_long(text)
    if not any(text.values()):
        raise refuse(_("Write at least one part before saving."))
    if shared_with_client and not (text["warning_signs"] and (text["what_helps"] or text["who_to_contact"])):
        raise refuse(
            _(
                "There is no relapse-prevention plan to share yet: write the warning signs and what "
                "helps or who to contact."
            ),
            "shared_with_client",
        )
    with transaction.atomic():
        plan = TerminationPlan.objects.select_for_update().filter(course=course).first()
        current = plan.version if plan else None
        if base_version != current:
            raise _stale()
        if plan is None:
            plan = TerminationPlan.objects.create(
                course=course, shared_with_client=shared_with_client, updated_by=actor, **text
            )
        else:
            for name, value in text.items():
                setattr(plan, name, value)
            plan.shared_with_client = shared_with_client
            plan.version += 1
            plan.updated_by = actor
            plan.save(update_fields=[*FIELDS, "shared_with_client", "version", "updated_by", "updated_at"])
        record(actor, "termination.save", obj=plan, client_id=course.client_id, request=request)
    return plan


def record_print(actor: Any, plan: TerminationPlan, *, request: HttpRequest | None = None) -> None:
    """Audit that the relapse-prevention plan was opened for printing (a paper copy may now exist)."""
    record(actor, "termination.print", obj=plan, client_id=plan.course.client_id, request=request)


# --- The recommendation that follows the ending --------------------------------------------


def recommendation_initial(course: Course, progress: Progress) -> dict[str, str]:
    """The stored recommendation, else "another treatment" for a client who has not improved."""
    plan = TerminationPlan.objects.filter(course=course).only("recommendation", "recommendation_note").first()
    if plan is not None and plan.recommendation:
        return {"recommendation": plan.recommendation, "recommendation_note": plan.recommendation_note}
    if progress.not_improved:
        return {"recommendation": Recommendation.OTHER_TREATMENT}
    return {}


def set_recommendation(
    actor: Any,
    course: Course,
    *,
    recommendation: str,
    recommendation_note: str = "",
    request: HttpRequest | None = None,
) -> TerminationPlan:
    """Record what follows the course (creating the plan if there is none yet).

    Recommending nothing further for a client who has not improved on PHQ-9 needs a written note:
    the manuals advise offering another treatment when IPT has not helped (Weissman, Markowitz &
    Klerman 2018).
    """
    if not can_write(actor, course.client):
        raise PermissionDenied
    if recommendation not in Recommendation.values:
        raise refuse(_("Choose what comes next."), "recommendation")
    note = recommendation_note.replace("\r\n", "\n").strip()
    if len(note) > MAX_LENGTH:
        raise refuse(
            too_long(len(note), MAX_LENGTH),
            "recommendation_note",
        )
    if recommendation == Recommendation.NONE and not note:
        measure = course.protocol.depression_measure
        not_improved, _statement = improvement_statement(outcomes_for_course(course), measure)
        if not_improved:
            raise refuse(
                _(
                    "%(name)s shows the client has not improved. To recommend no further treatment, "
                    "write in the note why."
                )
                % {"name": _(outcomes.instrument_name(measure))},
                "recommendation_note",
            )
    with transaction.atomic():
        plan = TerminationPlan.objects.select_for_update().filter(course=course).first()
        if plan is None:
            plan = TerminationPlan(course=course)
        plan.recommendation = recommendation
        plan.recommendation_note = note
        plan.updated_by = actor
        if plan.pk is None:
            plan.save()
        else:
            plan.version += 1
            plan.save(
                update_fields=["recommendation", "recommendation_note", "version", "updated_by", "updated_at"]
            )
        record(actor, "termination.recommend", obj=plan, client_id=course.client_id, request=request)
    return plan


# --- Maintenance IPT -------------------------------------------------------------------------


def active_course_of(course: Course) -> Course | None:
    return Course.objects.filter(client_id=course.client_id, status=CourseStatus.ACTIVE).first()


def maintenance_refusal(course: Course, active: Course | None) -> str:
    """Why maintenance cannot start from this course now ("" when it can)."""
    if course.status == CourseStatus.ACTIVE:
        return _(
            "This course is still active. Maintenance IPT follows a completed course: end this one as "
            "completed first."
        )
    if course.status != CourseStatus.COMPLETED:
        return _(
            "This course ended early. Maintenance IPT follows a completed course; to go on treating "
            "the client, start a new course from the client's page."
        )
    if active is not None:
        return _("This client already has an active course; end it before starting maintenance IPT.")
    return ""


def suggested_start(course: Course, today: date) -> date:
    """A month after the course ended (maintenance sessions are monthly), and never in the past."""
    if course.ended_on is None:
        return today
    return max(today, schedule.add_months(course.ended_on, 1))


def start_maintenance(
    actor: Any,
    course: Course,
    *,
    start_date: date,
    planned_sessions: int | None = None,
    request: HttpRequest | None = None,
) -> Course:
    """Start monthly maintenance IPT after a completed course, carrying over its formulation and
    relapse-prevention plan. The interpersonal inventory belongs to the client and stays as it is."""
    if not can_write(actor, course.client):
        raise PermissionDenied
    with transaction.atomic():
        course = Course.objects.select_for_update().select_related("client").get(pk=course.pk)
        refusal = maintenance_refusal(course, active_course_of(course))
        if refusal:
            raise refuse(refusal)
        following = actions.start_course(
            actor,
            course.client,
            protocol_key=MAINTENANCE_PROTOCOL,
            start_date=start_date,
            planned_sessions=planned_sessions,
            # at the time of day the client is used to
            start_time=course.sessions.order_by("-scheduled_date")
            .values_list("start_time", flat=True)
            .first(),
            request=request,
        )
        following.previous_course = course
        following.save(update_fields=["previous_course"])
        _carry_over(actor, course, following)
        record(actor, "maintenance.start", obj=following, client_id=course.client_id, request=request)
    return following


def _carry_over(actor: Any, course: Course, following: Course) -> None:
    formulation = Formulation.objects.filter(course=course).first()
    if formulation is not None:
        Formulation.objects.create(
            course=following,
            problem_areas=list(formulation.problem_areas),
            rationale=formulation.rationale,
            text=formulation.text,
            dispute_stage=formulation.dispute_stage,
            client_agreed=formulation.client_agreed,
            agreed_on=formulation.agreed_on,
            updated_by=actor,
        )
    plan = TerminationPlan.objects.filter(course=course).first()
    if plan is not None and any(getattr(plan, name).strip() for name in PLAN_FIELDS):
        TerminationPlan.objects.create(
            course=following, updated_by=actor, **{name: getattr(plan, name) for name in PLAN_FIELDS}
        )


def area_names(course: Course, keys: Iterable[str]) -> list[str]:
    """The problem areas' names as the protocol gives them (the key itself if it has none)."""
    names = {area.key: area.name for area in course.protocol.problem_areas}
    return [_(names.get(key, key)) for key in keys]

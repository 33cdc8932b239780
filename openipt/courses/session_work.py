"""The work of a session in the middle of a course: the interval since last time, the problem
area's goals, the techniques used, communication analyses and between-session homework.

Every change goes through an action here: it checks the writer belongs to the care team, runs in
one transaction with the course locked, refuses a finished course or a cancelled appointment, and
writes an audit row without clinical values. The read side (`work_context`, `interval_rows`)
issues a fixed number of queries whatever the length of the course.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from openipt.access.rules import note_read
from openipt.audit.actions import record
from openipt.clients.access import can_write, visible_clients
from openipt.inventory.models import Person
from openipt.lib.errors import refuse, too_long
from openipt.measures.models import Score
from openipt.measures.outcomes import instrument_name
from openipt.protocols.model import Phase, ProblemArea

from .models import (
    Attendance,
    CommunicationAnalysis,
    Course,
    DisputeStage,
    Formulation,
    GoalReview,
    GoalStatus,
    Homework,
    HomeworkOutcome,
    Session,
    SessionWork,
)

MOOD_MIN, MOOD_MAX = 0, 10
MAX_TEXT = 5_000
# Phases whose sessions pursue the chosen problem area's goals.
GOAL_PHASES = frozenset({"middle", "maintenance"})
DISPUTE_AREA = "role_dispute"
# Where the formulation (choosing the problem area) is written; built in the inventory app.
FORMULATION_PATH = "/formulation/courses/{course_id}/"


@dataclass(frozen=True)
class Technique:
    key: str
    name: StrOrPromise
    description: StrOrPromise


# The standard IPT techniques (after Weissman, Markowitz & Klerman, The Guide to Interpersonal
# Psychotherapy, 2018, chapter 10 "IPT Techniques and the Therapist's Role"), in our own words.
TECHNIQUES: tuple[Technique, ...] = (
    Technique(
        "exploratory_questioning",
        gettext_lazy("Exploratory questioning"),
        gettext_lazy("Open prompts to let the client talk freely, and specific questions to fill gaps."),
    ),
    Technique(
        "encouragement_of_affect",
        gettext_lazy("Encouragement of affect"),
        gettext_lazy(
            "Helping the client name, bear and use feelings as information about their relationships."
        ),
    ),
    Technique(
        "clarification",
        gettext_lazy("Clarification"),
        gettext_lazy("Restating or setting side by side what the client said, so a point becomes clear."),
    ),
    Technique(
        "communication_analysis",
        gettext_lazy("Communication analysis"),
        gettext_lazy(
            "Going through one recent conversation step by step to see where it went wrong and what "
            "else could be said."
        ),
    ),
    Technique(
        "decision_analysis",
        gettext_lazy("Decision analysis"),
        gettext_lazy("Naming the problem, listing the options, weighing each one and choosing one to try."),
    ),
    Technique(
        "role_play",
        gettext_lazy("Role play"),
        gettext_lazy("Rehearsing a difficult conversation in the session."),
    ),
    Technique(
        "therapeutic_relationship",
        gettext_lazy("Use of the therapeutic relationship"),
        gettext_lazy("Treating how the client relates to the therapist as an example of patterns elsewhere."),
    ),
)
TECHNIQUE_KEYS = tuple(t.key for t in TECHNIQUES)


# --- Access gates -------------------------------------------------------------------------------


def get_analysis_for_user(user: Any, pk: int | str) -> CommunicationAnalysis:
    """The worksheet if its client is visible to the user, otherwise 404."""
    try:
        found = CommunicationAnalysis.objects.select_related(
            "session", "session__course", "session__course__client", "person", "created_by"
        ).get(pk=int(pk), session__course__client__in=visible_clients(user))
    except (CommunicationAnalysis.DoesNotExist, ValueError, TypeError):
        raise Http404("No such communication analysis") from None
    note_read(found.session.course.client_id)
    return found


def get_homework_for_user(user: Any, pk: int | str) -> Homework:
    """The homework if its client is visible to the user, otherwise 404."""
    try:
        found = Homework.objects.select_related("course", "course__client", "set_in", "reviewed_in").get(
            pk=int(pk), course__client__in=visible_clients(user)
        )
    except (Homework.DoesNotExist, ValueError, TypeError):
        raise Http404("No such homework") from None
    note_read(found.course.client_id)
    return found


# --- Actions ------------------------------------------------------------------------------------


def _guard(actor: Any, session: Session) -> Course:
    """Inside the transaction: the writer, the course (locked) and the session may take work."""
    if not can_write(actor, session.course.client):
        raise PermissionDenied
    course = Course.objects.select_for_update().get(pk=session.course_id)
    if not course.is_active:
        raise refuse(_("This course has ended; it can no longer be changed."))
    if Session.objects.filter(pk=session.pk, attendance=Attendance.CANCELLED).exists():
        raise refuse(_("This appointment was cancelled; record the work on its replacement session."))
    return course


def _text(value: str | None, field: str, *, required: bool = False) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise refuse(_("Fill this in."), field)
    if len(text) > MAX_TEXT:
        raise refuse(too_long(len(text), MAX_TEXT), field)
    return text


def _work_for_update(actor: Any, session: Session) -> SessionWork:
    work, _created = SessionWork.objects.select_for_update().get_or_create(
        session=session, defaults={"updated_by": actor}
    )
    return work


def _save_work(actor: Any, work: SessionWork, fields: list[str], request: HttpRequest | None) -> None:
    work.updated_by = actor
    work.save(update_fields=[*fields, "updated_by", "updated_at"])
    record(actor, "session.work", obj=work.session, client_id=work.session.course.client_id, request=request)


def save_interval(
    actor: Any,
    session: Session,
    *,
    mood: int | None,
    events: str,
    request: HttpRequest | None = None,
) -> SessionWork:
    """Record the interval since the last session: mood (0–10, or not rated) and the week's events."""
    if mood is not None and not MOOD_MIN <= mood <= MOOD_MAX:
        raise refuse(_("Rate the mood from 0 to 10, or leave it empty."), "mood")
    events = _text(events, "events")
    with transaction.atomic():
        _guard(actor, session)
        work = _work_for_update(actor, session)
        work.session = session
        work.interval_mood, work.interval_events = mood, events
        _save_work(actor, work, ["interval_mood", "interval_events"], request)
    return work


def set_techniques(
    actor: Any, session: Session, *, techniques: list[str], request: HttpRequest | None = None
) -> SessionWork:
    """Record which IPT techniques the session used (stored in the order of TECHNIQUES)."""
    unknown = [t for t in techniques if t not in TECHNIQUE_KEYS]
    if unknown:
        raise refuse(_("Choose techniques from the list."), "techniques")
    with transaction.atomic():
        _guard(actor, session)
        work = _work_for_update(actor, session)
        work.session = session
        work.techniques = [k for k in TECHNIQUE_KEYS if k in techniques]
        _save_work(actor, work, ["techniques"], request)
    return work


def _chosen_areas(course: Course) -> list[str]:
    formulation = Formulation.objects.filter(course=course).first()
    return list(formulation.problem_areas) if formulation else []


def set_dispute_stage(
    actor: Any, session: Session, *, stage: str, request: HttpRequest | None = None
) -> SessionWork:
    """Record the role dispute's stage at this session (empty: not assessed)."""
    if stage and stage not in DisputeStage.values:
        raise refuse(_("Choose renegotiation, impasse or dissolution."), "stage")
    with transaction.atomic():
        course = _guard(actor, session)
        if DISPUTE_AREA not in _chosen_areas(course):
            raise refuse(_("A role dispute is not a chosen problem area of this course."), "stage")
        work = _work_for_update(actor, session)
        work.session = session
        work.dispute_stage = stage
        _save_work(actor, work, ["dispute_stage"], request)
    return work


def review_goal(
    actor: Any,
    session: Session,
    *,
    area: str,
    goal_index: int,
    status: str,
    note: str,
    request: HttpRequest | None = None,
) -> GoalReview:
    """Record how one goal of a chosen problem area stands at this session."""
    if status not in GoalStatus.values:
        raise refuse(_("Choose not started, in progress or achieved."), "status")
    note = _text(note, "note")
    with transaction.atomic():
        course = _guard(actor, session)
        if area not in _chosen_areas(course):
            raise refuse(_("That is not a chosen problem area of this course."), "area")
        try:
            goals = course.protocol.problem_area(area).goals
        except KeyError:
            raise refuse(_("That is not a chosen problem area of this course."), "area") from None
        if not 0 <= goal_index < len(goals):
            raise refuse(_("That goal is not one of this problem area's goals."), "goal_index")
        review, _created = GoalReview.objects.update_or_create(
            session=session,
            area=area,
            goal_index=goal_index,
            defaults={"goal": goals[goal_index][:300], "status": status, "note": note, "updated_by": actor},
        )
        record(actor, "goal.review", obj=review, client_id=course.client_id, request=request)
    return review


def _person_of(course: Course, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    person = Person.objects.filter(pk=person_id, client_id=course.client_id).first()
    if person is None:
        raise refuse(_("Choose someone from this client's interpersonal inventory."), "person")
    return person


ANALYSIS_FIELDS = ("what_said", "what_meant", "what_felt", "what_else")


def _analysis_text(fields: dict[str, Any]) -> dict[str, str]:
    unknown = set(fields) - {"situation", *ANALYSIS_FIELDS}
    if unknown:
        raise TypeError(f"Unknown communication analysis fields: {sorted(unknown)}")
    text = {"situation": _text(fields.get("situation"), "situation", required=True)}
    text.update({name: _text(fields.get(name), name) for name in ANALYSIS_FIELDS})
    return text


def add_analysis(
    actor: Any,
    session: Session,
    *,
    person_id: int | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> CommunicationAnalysis:
    """Add a communication analysis worksheet to the session, optionally about one person."""
    text = _analysis_text(fields)
    with transaction.atomic():
        course = _guard(actor, session)
        person = _person_of(course, person_id)
        analysis = CommunicationAnalysis.objects.create(
            session=session, person=person, created_by=actor, **text
        )
        record(actor, "analysis.add", obj=analysis, client_id=course.client_id, request=request)
    return analysis


def update_analysis(
    actor: Any,
    analysis: CommunicationAnalysis,
    *,
    person_id: int | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> CommunicationAnalysis:
    """Change a worksheet's person or text."""
    text = _analysis_text(fields)
    with transaction.atomic():
        course = _guard(actor, analysis.session)
        analysis.person = _person_of(course, person_id)
        for name, value in text.items():
            setattr(analysis, name, value)
        analysis.save(update_fields=["person", "situation", *ANALYSIS_FIELDS])
        record(actor, "analysis.update", obj=analysis, client_id=course.client_id, request=request)
    return analysis


def set_homework(actor: Any, session: Session, *, task: str, request: HttpRequest | None = None) -> Homework:
    """Agree a between-session task; it is reviewed in a later session."""
    task = _text(task, "task", required=True)
    with transaction.atomic():
        course = _guard(actor, session)
        homework = Homework.objects.create(course=course, set_in=session, task=task, created_by=actor)
        record(actor, "homework.set", obj=homework, client_id=course.client_id, request=request)
    return homework


def _order(session: Session) -> tuple[date, int]:
    return (session.scheduled_date, session.number)


def review_homework(
    actor: Any,
    homework: Homework,
    session: Session,
    *,
    outcome: str,
    note: str,
    request: HttpRequest | None = None,
) -> Homework:
    """Record how the homework went, in a session after the one that set it.

    The review may be corrected in the session that recorded it, not from another session.
    """
    if outcome not in HomeworkOutcome.values:
        raise refuse(_("Choose done, partly done or not done."), "outcome")
    note = _text(note, "outcome_note")
    with transaction.atomic():
        course = _guard(actor, session)
        homework = Homework.objects.select_for_update().select_related("set_in").get(pk=homework.pk)
        if homework.course_id != course.pk:
            raise refuse(_("This homework belongs to another course."))
        if homework.set_in_id == session.pk:
            raise refuse(_("Homework is reviewed in a later session than the one it was set in."))
        if _order(session) < _order(homework.set_in):
            raise refuse(_("This session comes before the one the homework was set in."))
        if homework.reviewed_in_id not in (None, session.pk):
            raise refuse(_("This homework was already reviewed in another session."))
        homework.reviewed_in, homework.outcome, homework.outcome_note = session, outcome, note
        homework.reviewed_at = timezone.now()
        homework.save(update_fields=["reviewed_in", "outcome", "outcome_note", "reviewed_at"])
        record(actor, "homework.review", obj=homework, client_id=course.client_id, request=request)
    return homework


# --- The session page -----------------------------------------------------------------------------


@dataclass
class GoalRow:
    area: str
    index: int
    text: str
    review: GoalReview | None
    previous: GoalReview | None
    form: Any = None

    @property
    def anchor(self) -> str:
        return f"goal-{self.area}-{self.index}"


@dataclass
class AreaWork:
    area: ProblemArea
    goals: list[GoalRow]

    @property
    def is_dispute(self) -> bool:
        return self.area.key == DISPUTE_AREA


@dataclass
class TechniqueRow:
    technique: Technique
    used: bool


@dataclass
class HomeworkRow:
    homework: Homework
    form: Any = None


@dataclass
class WorkSection:
    """Everything the session page shows of the session's work."""

    work: SessionWork | None
    previous_work: SessionWork | None
    show_goals: bool
    formulation: Formulation | None
    areas: list[AreaWork]
    techniques: list[TechniqueRow]
    analyses: list[CommunicationAnalysis]
    to_review: list[HomeworkRow]
    set_here: list[Homework]
    formulation_url: str = ""
    people: list[Person] = field(default_factory=list)

    @property
    def has_dispute(self) -> bool:
        return any(a.is_dispute for a in self.areas)


def goal_reviews(
    session: Session,
) -> tuple[dict[tuple[str, int], GoalReview], dict[tuple[str, int], GoalReview]]:
    """This session's reviews and, per goal, the latest review of an earlier session (one query)."""
    here: dict[tuple[str, int], GoalReview] = {}
    before: dict[tuple[str, int], GoalReview] = {}
    reviews = (
        GoalReview.objects.filter(
            session__course_id=session.course_id, session__scheduled_date__lte=session.scheduled_date
        )
        .select_related("session")
        .order_by("session__scheduled_date", "session__number", "id")
    )
    for review in reviews:
        key = (review.area, review.goal_index)
        if review.session_id == session.pk:
            here[key] = review
        elif _order(review.session) < _order(session):
            before[key] = review
    return here, before


def goal_row(session: Session, area: ProblemArea, index: int) -> GoalRow:
    """One goal with this session's and the previous review, for the htmx partial."""
    here, before = goal_reviews(session)
    key = (area.key, index)
    return GoalRow(area.key, index, area.goals[index], here.get(key), before.get(key))


def _areas(course: Course, formulation: Formulation | None, session: Session) -> list[AreaWork]:
    if formulation is None or not formulation.problem_areas:
        return []
    here, before = goal_reviews(session)
    areas = []
    for key in formulation.problem_areas:
        try:
            area = course.protocol.problem_area(key)
        except KeyError:
            continue
        rows = [
            GoalRow(key, i, goal, here.get((key, i)), before.get((key, i)))
            for i, goal in enumerate(area.goals)
        ]
        areas.append(AreaWork(area=area, goals=rows))
    return areas


def _homework(session: Session) -> tuple[list[Homework], list[Homework]]:
    """Homework to review at this session (set earlier, not reviewed elsewhere) and homework set here."""
    earlier = Q(set_in__scheduled_date__lt=session.scheduled_date) | Q(
        set_in__scheduled_date=session.scheduled_date, set_in__number__lt=session.number
    )
    rows = list(
        Homework.objects.filter(course_id=session.course_id)
        .filter(Q(set_in=session) | Q(reviewed_in=session) | (earlier & Q(reviewed_in__isnull=True)))
        .select_related("set_in", "reviewed_in")
        .order_by("set_in__scheduled_date", "created_at", "id")
    )
    return [h for h in rows if h.set_in_id != session.pk], [h for h in rows if h.set_in_id == session.pk]


def work_context(
    session: Session,
    phase: Phase,
    previous: Session | None,
    *,
    writable: bool,
    overrides: dict[str, Any],
) -> dict[str, Any]:
    """The session page's work sections. A refused goal or homework review form in `overrides`
    (`goal_form`; `review_form` with `review_homework_id`) takes the place of that item's form;
    the caller's update of the context replaces the other forms."""
    from . import session_work_forms as forms

    course = session.course
    works = {w.session_id: w for w in SessionWork.objects.filter(session_id__in=_ids(session, previous))}
    work = works.get(session.pk)
    formulation = Formulation.objects.filter(course=course).first()
    show_goals = phase.key in GOAL_PHASES
    areas = _areas(course, formulation, session) if show_goals else []
    to_review, set_here = _homework(session)
    people = list(Person.objects.filter(client_id=course.client_id)) if writable else []

    goal_form, review_form = overrides.get("goal_form"), overrides.get("review_form")
    review_id = overrides.get("review_homework_id")
    if writable:
        for area in areas:
            for row in area.goals:
                row.form = forms.goal_form_for(row)
                if goal_form is not None and goal_form.anchor == row.anchor:
                    row.form = goal_form
    rows = []
    for h in to_review:
        form = None
        if writable:
            form = review_form if review_id == h.pk else forms.HomeworkReviewForm.for_homework(h)
        rows.append(HomeworkRow(h, form))
    section = WorkSection(
        work=work,
        previous_work=works.get(previous.pk) if previous else None,
        show_goals=show_goals,
        formulation=formulation,
        areas=areas,
        techniques=[TechniqueRow(t, bool(work and t.key in work.techniques)) for t in TECHNIQUES],
        analyses=list(
            CommunicationAnalysis.objects.filter(session=session).select_related("person").order_by("id")
        ),
        to_review=rows,
        set_here=set_here,
        formulation_url=FORMULATION_PATH.format(course_id=course.pk),
        people=people,
    )
    return {
        "work": section,
        "interval_form": forms.IntervalForm.for_work(work),
        "techniques_form": forms.TechniquesForm(initial={"techniques": work.techniques if work else []}),
        "dispute_form": forms.DisputeStageForm(initial={"stage": work.dispute_stage if work else ""}),
        "analysis_form": forms.AnalysisForm(people=people),
        "homework_form": forms.HomeworkForm(),
    }


def _ids(session: Session, previous: Session | None) -> list[int]:
    return [session.pk, previous.pk] if previous else [session.pk]


# --- The client page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntervalRow:
    session_id: int
    number: int
    date: date
    mood: int | None
    depression: int | None  # that session's total on the course's depression measure
    measure: str  # that measure's name, translated ("PHQ-9"; "PHQ-A" for IPT-A)
    events: str


def interval_rows(course: Course) -> list[IntervalRow]:
    """Per session held in the course, in order: the interval mood, that session's total on the
    course's depression measure (PHQ-9; PHQ-A for IPT-A) and the interval's interpersonal events,
    side by side (one query)."""
    measure = course.protocol.depression_measure
    measure_name = _(instrument_name(measure))
    depression = (
        Score.objects.filter(response__session=OuterRef("pk"), instrument=measure)
        .order_by("-completed_at", "-id")
        .values("total")[:1]
    )
    sessions = (
        Session.objects.filter(course=course, attendance=Attendance.ATTENDED)
        .select_related("work")
        .annotate(depression_total=Subquery(depression))
        .order_by("scheduled_date", "number")
    )
    rows = []
    for s in sessions:
        try:
            work: SessionWork | None = s.work
        except SessionWork.DoesNotExist:  # no interval recorded at this session
            work = None
        rows.append(
            IntervalRow(
                session_id=s.pk,
                number=s.number,
                date=s.scheduled_date,
                mood=work.interval_mood if work else None,
                depression=s.depression_total,
                measure=measure_name,
                events=work.interval_events if work else "",
            )
        )
    return rows

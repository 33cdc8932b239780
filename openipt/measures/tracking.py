"""Not-on-track flags and course outcomes, from stored scores (the Django side of the pure rules).

Expected-recovery curves come from the organisation's latest fitted set (`openipt outcomes fit`)
or, until a clinic has fitted its own, the provisional defaults in `trajectories.DEFAULT_CURVES`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext

from openipt.courses.models import Attendance, Course, CourseStatus

from . import outcomes, trajectories
from .instruments import INSTRUMENTS
from .models import ExpectedCurveSet, Response, Score

TrackStatus = trajectories.OnTrack


Curves = tuple[tuple[trajectories.ExpectedCurve, ...], float]


def latest_set(organisation_id: int, instrument: str) -> ExpectedCurveSet | None:
    return (
        ExpectedCurveSet.objects.filter(organisation_id=organisation_id, instrument=instrument)
        .order_by("-fitted_at", "-id")
        .first()
    )


def curves_for(organisation_ids: Iterable[int], instrument: str) -> dict[int, Curves]:
    """The curves and z in force per organisation (the latest fitted set, else the defaults)."""
    by_instrument = _curves_by_instrument(organisation_ids, [instrument])
    return {org: by_instrument[org, instrument] for org in set(organisation_ids)}


def _curves_by_instrument(
    organisation_ids: Iterable[int], instruments: Iterable[str]
) -> dict[tuple[int, str], Curves]:
    """The curves in force per (organisation, instrument), for several instruments in 1 query."""
    ids, keys = set(organisation_ids), set(instruments)
    result: dict[tuple[int, str], Curves] = {
        (org, key): (
            tuple(c for c in trajectories.DEFAULT_CURVES if c.instrument == key),
            trajectories.DEFAULT_Z,
        )
        for org in ids
        for key in keys
    }
    seen: set[tuple[int, str]] = set()
    for row in ExpectedCurveSet.objects.filter(organisation_id__in=ids, instrument__in=keys).order_by(
        "-fitted_at", "-id"
    ):
        if (row.organisation_id, row.instrument) in seen:
            continue
        seen.add((row.organisation_id, row.instrument))
        curves = tuple(trajectories.ExpectedCurve(**c) for c in row.curves)
        result[row.organisation_id, row.instrument] = (curves, row.z)
    return result


def _session_series(course_ids: Sequence[int], instrument: str) -> dict[int, list[tuple[int, int]]]:
    """(session number, total) per course, in order; scores without a session are left out."""
    series: dict[int, list[tuple[int, int]]] = defaultdict(list)
    # From the responses by their course index, then each one's score and session by key: read
    # from the scores, PostgreSQL scanned the whole response table to join them.
    rows = (
        Response.objects.filter(course_id__in=course_ids, instrument=instrument, session__isnull=False)
        .order_by("score__completed_at", "score__id")
        .values_list("course_id", "session__number", "score__total")
    )
    for course_id, number, total in rows:
        series[course_id].append((number, total))
    return series


def track_courses(courses: Sequence[Course]) -> dict[int, TrackStatus]:
    """Whether each course's latest depression score (its protocol's `depression_measure`: PHQ-9,
    or PHQ-A for IPT-A) lies within the expected range (2 queries)."""
    if not courses:
        return {}
    measures = {c.pk: c.protocol.depression_measure for c in courses}
    series = _course_series(measures)
    curves = _curves_by_instrument({c.client.organisation_id for c in courses}, set(measures.values()))
    result = {}
    translated: dict[str, str] = {}  # the same few messages for every course of a team

    def translate(message: str) -> str:
        if message not in translated:
            translated[message] = gettext(message)
        return translated[message]

    for course in courses:
        points = series.get(course.pk)
        if not points or len(points) < 2:
            continue
        measure = measures[course.pk]
        org_curves, z = curves[course.client.organisation_id, measure]
        session, latest = points[-1]
        result[course.pk] = trajectories.check_score(
            org_curves, measure, points[0][1], session, latest, z=z, gettext=translate
        )
    return result


def _course_series(measures: dict[int, str]) -> dict[int, list[tuple[int, int]]]:
    """Each course's (session, total) series on its own measure (1 query for all measures)."""
    rows = (
        Response.objects.filter(
            course_id__in=measures, instrument__in=set(measures.values()), session__isnull=False
        )
        .order_by("score__completed_at", "score__id")
        .values_list("course_id", "instrument", "session__number", "score__total")
    )
    series: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for course_id, instrument, number, total in rows:
        if instrument == measures[course_id]:
            series[course_id].append((number, total))
    return series


def outcomes_for_course(course: Course) -> outcomes.CourseOutcomes:
    """Response, remission, reliable change and the NHS Talking Therapies set for one course.

    A triage instrument's "total" is a level's rank, not a score (`Instrument.has_total`): it is left
    out, so a C-SSRS screener never appears as a score going from first to latest.
    """
    totals: dict[str, list[int]] = defaultdict(list)
    for instrument, total in (
        Score.objects.filter(course=course).order_by("completed_at", "id").values_list("instrument", "total")
    ):
        definition = INSTRUMENTS.get(instrument)
        if definition is None or definition.has_total:
            totals[instrument].append(total)
    attended = course.sessions.filter(attendance=Attendance.ATTENDED).count()
    return outcomes.course_outcomes(
        totals,
        attended_appointments=attended,
        gettext=gettext,
        depression=course.protocol.depression_measure,
    )


def fit_for_organisation(
    organisation_id: int,
    instrument: str,
    *,
    now: datetime,
    fitted_by: str,
    min_courses: int = trajectories.DEFAULT_MIN_COURSES,
    z: float = trajectories.DEFAULT_Z,
) -> tuple[ExpectedCurveSet | None, list[trajectories.ExpectedCurve], int]:
    """Re-estimate the curves from the organisation's completed courses.

    The set is stored only when at least one stratum could be fitted: a run on too little data
    must never replace curves the clinic fitted earlier with the defaults. Returns the stored set
    (or None), the curves, and how many completed courses had two or more scores.
    """
    course_ids = list(
        Course.objects.filter(
            client__organisation_id=organisation_id, status=CourseStatus.COMPLETED
        ).values_list("pk", flat=True)
    )
    series = _session_series(course_ids, instrument)
    data = [
        trajectories.CourseSeries(instrument, tuple(points)) for points in series.values() if len(points) >= 2
    ]
    curves = trajectories.fit_curves(data, instrument, min_courses=min_courses)
    if not any(c.source == "fitted" for c in curves):
        return None, curves, len(data)
    with transaction.atomic():
        row = ExpectedCurveSet.objects.create(
            organisation_id=organisation_id,
            instrument=instrument,
            curves=[asdict(c) for c in curves],
            n_courses=len(data),
            z=z,
            fitted_at=now,
            fitted_by=fitted_by,
        )
    return row, curves, len(data)

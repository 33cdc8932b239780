"""Not-on-track flags, the curves in force, fitting per organisation, and outcomes from stored scores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from openipt.accounts.models import Organisation, Team, User
from openipt.clients.actions import create_client
from openipt.clients.models import Client
from openipt.courses.actions import end_course, record_attendance, start_course
from openipt.courses.models import Attendance, Course, CourseStatus
from openipt.measures import licensing, trajectories
from openipt.measures.actions import record_response
from openipt.measures.models import ExpectedCurveSet
from openipt.measures.outcomes import Verdict
from openipt.measures.tracking import curves_for, fit_for_organisation, outcomes_for_course, track_courses
from openipt.measures.trajectories import DEFAULT_CURVES, DEFAULT_Z, CourseSeries, ExpectedCurve

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
START = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def phq9(total: int) -> list[int]:
    answers, left = [0] * 9, total
    for i in range(8):
        answers[i] = min(3, left)
        left -= answers[i]
    return answers


def gad7(total: int) -> list[int]:
    answers, left = [0] * 7, total
    for i in range(7):
        answers[i] = min(3, left)
        left -= answers[i]
    return answers


def record_at(user: User, course: Course, number: int, instrument: str, total: int) -> None:
    """Attend session `number` (if not yet) and record one score there, on the session's day."""
    session = course.sessions.get(number=number)
    if session.attendance != Attendance.ATTENDED:
        record_attendance(user, session, attendance=Attendance.ATTENDED, modality="in_person")
    # The PHQ-A: the same nine items, then its four supplementary questions (all "no").
    answers = {"phq9": phq9(total), "phqa": [*phq9(total), 0, 0, 0, 0]}.get(instrument) or gad7(total)
    at = datetime.combine(session.scheduled_date, time(10, 5 if instrument == "gad7" else 0), tzinfo=UTC)
    record_response(
        user, course.client, instrument=instrument, answers=answers, session=session, completed_at=at
    )


def add_course(
    user: User,
    team: Team,
    identifier: str,
    points: Sequence[tuple[int, int]],
    *,
    start: date = START,
    end: str | None = None,
    protocol: str = "ipt-standard",
) -> Course:
    """A client whose course has scores on its protocol's depression measure (PHQ-9, PHQ-A for
    IPT-A, whose client is 15) at (session number, total); optionally ended."""
    client = create_client(
        user,
        team=team,
        clinic_identifier=identifier,
        given_name="Client",
        family_name=identifier,
        date_of_birth=date(2011, 1, 1) if protocol == "ipt-adolescent" else date(1980, 1, 1),
    )
    course = start_course(user, client, protocol_key=protocol, start_date=start)
    for number, total in points:
        record_at(user, course, number, course.protocol.depression_measure, total)
    if end is not None:
        course = end_course(
            user,
            course,
            status=end,
            ended_on=date(2026, 8, 1),
            reason="Moved away" if end != "completed" else "",
        )
    return course


def curve_set(
    org: Organisation, curves: Sequence[ExpectedCurve], *, z: float, at: datetime
) -> ExpectedCurveSet:
    return ExpectedCurveSet.objects.create(
        organisation=org,
        instrument="phq9",
        curves=[asdict(c) for c in curves],
        n_courses=40,
        z=z,
        fitted_at=at,
        fitted_by="test",
    )


def flat(intercept: float, sd: float = 1.0, low: int = 15, high: int = 19) -> ExpectedCurve:
    """A fitted curve that expects `intercept` at every session."""
    return ExpectedCurve(
        "phq9", low, high, intercept, 0.0, sd, 40, "fitted", "Fitted from 40 completed courses."
    )


# --- track_courses ---------------------------------------------------------------------------------


def test_it_flags_a_course_above_the_default_band_and_not_one_within_it(
    alice: User, north_team: Team
) -> None:
    stuck = add_course(alice, north_team, "NS-2", [(1, 18), (2, 17), (6, 18)])
    improving = add_course(alice, north_team, "NS-3", [(1, 18), (2, 15), (6, 10)])

    result = track_courses([stuck, improving])

    assert result[stuck.pk].status == "not_on_track"
    assert result[stuck.pk].reason == (
        "PHQ-9 of 18 at session 6 is above the expected range for clients starting 15–19 "
        "(expected about 11, upper limit 15)."
    )
    assert result[stuck.pk].provisional is True
    default_15_19 = trajectories.curve_for(DEFAULT_CURVES, "phq9", 18)
    assert default_15_19 is not None
    assert result[stuck.pk].upper == default_15_19.upper(6, DEFAULT_Z)
    assert result[improving.pk].status == "on_track"
    assert result[improving.pk].reason.startswith("PHQ-9 of 10 at session 6 is within the expected range")


def test_a_score_exactly_on_the_upper_limit_is_on_track(alice: User, north_team: Team) -> None:
    # Default 15–19 upper bound at session 6 is about 15.2: 15 is in, 16 is out.
    on_limit = add_course(alice, north_team, "NS-2", [(1, 17), (6, 15)])
    just_above = add_course(alice, north_team, "NS-3", [(1, 17), (6, 16)])

    result = track_courses([on_limit, just_above])

    assert (result[on_limit.pk].status, result[just_above.pk].status) == ("on_track", "not_on_track")


def test_the_latest_score_is_judged_by_its_session_number(alice: User, north_team: Team) -> None:
    # 16 at session 2 is within range (upper about 18.9); the same 16 at session 8 is not (about 14.2).
    early = add_course(alice, north_team, "NS-2", [(1, 18), (2, 16)])
    late = add_course(alice, north_team, "NS-3", [(1, 18), (8, 16)])

    result = track_courses([early, late])

    assert (result[early.pk].status, result[late.pk].status) == ("on_track", "not_on_track")


def test_one_score_gives_no_flag(alice: User, north_team: Team, course_a: Course) -> None:
    single = add_course(alice, north_team, "NS-2", [(1, 27)])

    assert track_courses([single, course_a]) == {}


def test_a_baseline_below_caseness_gets_no_curve(alice: User, north_team: Team) -> None:
    mild = add_course(alice, north_team, "NS-2", [(1, 8), (6, 9)])

    result = track_courses([mild])

    assert result[mild.pk].status == "no_curve"
    assert result[mild.pk].reason == (
        "No expected range: PHQ-9 started at 8, and expected ranges cover clients starting at "
        "10–14, 15–19, 20–27."
    )


def test_scores_without_a_session_are_left_out(alice: User, north_team: Team) -> None:
    course = add_course(alice, north_team, "NS-2", [(1, 18)])
    # A paper form brought in, not tied to a session: it has no session number to judge by.
    record_response(
        alice, course.client, instrument="phq9", answers=phq9(25), course=course, completed_at=NOW
    )

    assert track_courses([course]) == {}


def test_track_courses_needs_two_queries(
    alice: User, north_team: Team, django_assert_num_queries: Any
) -> None:
    for n in range(2, 7):
        add_course(alice, north_team, f"NS-{n}", [(1, 18), (2, 17)])
    courses = list(Course.objects.select_related("client"))

    with django_assert_num_queries(2):
        result = track_courses(courses)

    assert len(result) == 5
    with django_assert_num_queries(0):
        assert track_courses([]) == {}


def test_an_ipt_a_course_is_tracked_on_its_phqa_scores(alice: User, north_team: Team) -> None:
    worsening = add_course(alice, north_team, "NS-A", [(1, 16), (2, 17), (6, 19)], protocol="ipt-adolescent")
    improving = add_course(alice, north_team, "NS-B", [(1, 16), (2, 13), (6, 9)], protocol="ipt-adolescent")

    result = track_courses([worsening, improving])

    assert result[worsening.pk].status == "not_on_track"
    assert result[worsening.pk].reason.startswith("PHQ-A of 19 at session 6 is above the expected range")
    assert result[improving.pk].status == "on_track"


def test_tracking_mixed_protocols_still_needs_two_queries(
    alice: User, north_team: Team, django_assert_num_queries: Any
) -> None:
    add_course(alice, north_team, "NS-1", [(1, 18), (6, 18)])
    add_course(alice, north_team, "NS-2", [(1, 18), (6, 18)], protocol="ipt-adolescent")
    courses = list(Course.objects.select_related("client"))

    with django_assert_num_queries(2):
        result = track_courses(courses)

    assert [r.status for r in result.values()] == ["not_on_track", "not_on_track"]


# --- fitted curves in force -----------------------------------------------------------------------


def test_the_organisations_fitted_curves_replace_the_defaults(
    alice: User, north: Organisation, north_team: Team
) -> None:
    course = add_course(alice, north_team, "NS-2", [(1, 18), (6, 14)])
    assert track_courses([course])[course.pk].status == "on_track"  # default upper at S6 is about 15.2

    curve_set(north, [flat(12.0)], z=1.0, at=NOW - timedelta(days=1))
    result = track_courses([course])[course.pk]

    assert result.status == "not_on_track"
    assert result.provisional is False
    assert (result.expected, result.upper) == (12.0, 13.0)
    assert result.reason == (
        "PHQ-9 of 14 at session 6 is above the expected range for clients starting 15–19 "
        "(expected about 12, upper limit 13)."
    )


def test_the_latest_fit_wins(alice: User, north: Organisation, north_team: Team) -> None:
    course = add_course(alice, north_team, "NS-2", [(1, 18), (6, 14)])
    # Stored newest first, so insertion order cannot decide: the fitting time does.
    curve_set(north, [flat(10.0)], z=1.0, at=NOW - timedelta(days=1))
    curve_set(north, [flat(16.0)], z=1.0, at=NOW - timedelta(days=30))

    assert track_courses([course])[course.pk].status == "not_on_track"

    curve_set(north, [flat(16.0)], z=1.0, at=NOW - timedelta(hours=1))

    assert track_courses([course])[course.pk].status == "on_track"


def test_another_organisations_fit_is_ignored(
    alice: User, charlie: User, north_team: Team, river: Organisation
) -> None:
    north_course = add_course(alice, north_team, "NS-2", [(1, 18), (6, 14)])
    river_course = add_course(charlie, charlie.teams.get(), "RS-2", [(1, 18), (6, 14)])
    curve_set(river, [flat(8.0)], z=1.0, at=NOW - timedelta(days=1))

    result = track_courses([north_course, river_course])

    assert (result[north_course.pk].status, result[north_course.pk].provisional) == ("on_track", True)
    assert (result[river_course.pk].status, result[river_course.pk].provisional) == ("not_on_track", False)


def test_curves_for_gives_defaults_until_a_set_exists(north: Organisation, river: Organisation) -> None:
    stored = curve_set(river, [flat(12.0)], z=1.5, at=NOW)

    result = curves_for([north.pk, river.pk], "phq9")

    assert result[north.pk] == (tuple(c for c in DEFAULT_CURVES if c.instrument == "phq9"), DEFAULT_Z)
    assert result[river.pk] == ((flat(12.0),), 1.5)
    assert stored.curves[0]["stratum_low"] == 15
    assert curves_for([north.pk], "gad7")[north.pk][0] == tuple(
        c for c in DEFAULT_CURVES if c.instrument == "gad7"
    )


# --- fit_for_organisation --------------------------------------------------------------------------


def test_fit_for_organisation_uses_only_its_completed_courses_and_stores_the_set(
    alice: User, charlie: User, north: Organisation, north_team: Team
) -> None:
    add_course(alice, north_team, "NS-2", [(1, 18), (2, 15), (3, 12)], end="completed")
    add_course(alice, north_team, "NS-3", [(1, 16), (2, 14), (3, 10)], end="completed")
    # None of these may move the fit:
    add_course(alice, north_team, "NS-4", [(1, 17), (2, 27), (3, 27)], end="ended_early")
    add_course(alice, north_team, "NS-5", [(1, 15), (2, 0), (3, 0)])  # still active
    add_course(charlie, charlie.teams.get(), "RS-2", [(1, 19), (2, 27), (3, 27)], end="completed")
    paper_only = add_course(alice, north_team, "NS-6", [], end=None)
    for total in (19, 0):  # scores with no session: no session number to fit on
        record_response(
            alice,
            paper_only.client,
            instrument="phq9",
            answers=phq9(total),
            course=paper_only,
            completed_at=NOW,
        )
    end_course(alice, paper_only, status=CourseStatus.COMPLETED, ended_on=date(2026, 8, 1))

    row, curves, n = fit_for_organisation(north.pk, "phq9", now=NOW, fitted_by="erin", min_courses=2, z=1.5)

    expected = trajectories.fit_curves(
        [
            CourseSeries("phq9", ((1, 18), (2, 15), (3, 12))),
            CourseSeries("phq9", ((1, 16), (2, 14), (3, 10))),
        ],
        "phq9",
        min_courses=2,
    )
    assert curves == expected
    assert n == 2
    fitted = [c for c in curves if c.source == "fitted"]
    assert [(c.stratum_low, c.n_courses, c.note) for c in fitted] == [
        (15, 2, "Fitted from 2 completed courses (6 scores).")
    ]
    stored = ExpectedCurveSet.objects.get()
    assert stored == row
    assert (stored.organisation, stored.instrument, stored.n_courses, stored.z) == (north, "phq9", 2, 1.5)
    assert (stored.fitted_at, stored.fitted_by) == (NOW, "erin")
    assert stored.curves == [asdict(c) for c in expected]
    # The stored set is now the one in force.
    assert curves_for([north.pk], "phq9")[north.pk] == (tuple(expected), 1.5)


def test_fitting_with_too_few_courses_keeps_the_defaults(
    alice: User, north: Organisation, north_team: Team
) -> None:
    add_course(alice, north_team, "NS-2", [(1, 18), (2, 15), (3, 12)], end="completed")

    _row, curves, n = fit_for_organisation(north.pk, "phq9", now=NOW, fitted_by="test")

    assert n == 1
    assert [c.source for c in curves] == ["default", "default", "default"]
    assert curves[1].note == "Kept the default: 1 completed courses start in 15–19; 30 are needed to fit."
    assert [asdict(c) | {"note": ""} for c in curves] == [
        asdict(c) | {"note": ""} for c in DEFAULT_CURVES if c.instrument == "phq9"
    ]


# --- outcomes_for_course ---------------------------------------------------------------------------


def test_outcomes_for_course_worked_example(alice: User, client_a: Client) -> None:
    # An earlier, completed course of the same client: its scores must not count.
    earlier = start_course(alice, client_a, protocol_key="ipt-standard", start_date=date(2025, 9, 1))
    record_at(alice, earlier, 1, "phq9", 27)
    record_at(alice, earlier, 1, "gad7", 21)
    end_course(alice, earlier, status=CourseStatus.COMPLETED, ended_on=date(2025, 12, 1))
    course = start_course(alice, client_a, protocol_key="ipt-standard", start_date=START)
    for number, total in enumerate((18, 16, 14, 12, 10, 8), start=1):
        record_at(alice, course, number, "phq9", total)
    record_at(alice, course, 1, "gad7", 12)
    record_at(alice, course, 4, "gad7", 9)
    record_at(alice, course, 6, "gad7", 6)
    no_show = course.sessions.get(number=7)
    record_attendance(alice, no_show, attendance=Attendance.NO_SHOW, modality="in_person")

    result = outcomes_for_course(course)

    assert result.attended_appointments == 6
    phq = result.for_instrument("phq9")
    gad = result.for_instrument("gad7")
    assert phq is not None and gad is not None
    assert (phq.scores, phq.baseline, phq.latest) == ((18, 16, 14, 12, 10, 8), 18, 8)
    assert (phq.response, phq.remission) == (True, False)
    assert phq.reliable_change is not None
    assert (phq.reliable_change.change, phq.reliable_change.direction) == (-10, "improved")
    assert phq.reliable_change.rci == pytest.approx(-10 / (6 / 1.96))
    assert (gad.scores, gad.response, gad.remission) == ((12, 9, 6), None, None)
    assert gad.reliable_change is not None
    assert (gad.reliable_change.change, gad.reliable_change.direction) == (-6, "improved")
    tt = result.talking_therapies
    assert tt is not None
    assert [(part, judgement.verdict) for part, judgement in tt.judgements()] == [
        ("finished_course", Verdict.YES),
        ("caseness", Verdict.YES),
        ("reliable_improvement", Verdict.YES),
        ("reliable_deterioration", Verdict.NO),
        ("recovery", Verdict.YES),
        ("reliable_recovery", Verdict.YES),
    ]
    assert tt.recovery.reason == (
        "Recovered: at caseness at the start and below caseness on both measures at the end "
        "(PHQ-9 8, GAD-7 6)."
    )
    assert tt.finished_course.reason == "Finished course: 6 attended appointments (at least 2 needed)."
    assert result.notes == ()


def test_outcomes_of_an_ipt_a_course_judge_the_phqa_on_phq9_thresholds(alice: User, north_team: Team) -> None:
    course = add_course(alice, north_team, "NS-A", [(1, 18), (2, 14), (6, 8)], protocol="ipt-adolescent")
    record_at(alice, course, 1, "gad7", 12)
    record_at(alice, course, 6, "gad7", 6)

    result = outcomes_for_course(course)

    phqa = result.for_instrument("phqa")
    assert phqa is not None
    assert phqa.name == "PHQ-A (judged on PHQ-9 thresholds)"
    assert (phqa.response, phqa.remission) == (True, False)
    assert phqa.reliable_change is not None and phqa.reliable_change.direction == "improved"
    assert phqa.notes[0].startswith("PHQ-A is judged on the PHQ-9 thresholds")
    tt = result.talking_therapies
    assert tt is not None
    assert tt.reliable_improvement.verdict == Verdict.YES
    assert tt.recovery.reason == (
        "Recovered: at caseness at the start and below caseness on both measures at the end "
        "(PHQ-A 8, GAD-7 6)."
    )


def test_outcomes_leave_out_a_triage_level_that_is_not_a_score(
    alice: User, erin: User, course_a: Course
) -> None:
    # Regression: the C-SSRS screener's stored "total" is its triage level's rank (0 none .. 3 high);
    # it was listed among the outcomes as if it were a score going from first to latest.
    lines = "\n".join(f"Item {n}" for n in range(1, 8))
    licensing.enable_instrument(
        erin, "cssrs_screen", content=lines.encode(), permission_note="Licence ref. 42"
    )
    record_at(alice, course_a, 1, "phq9", 18)
    record_at(alice, course_a, 2, "phq9", 12)
    high = {f"cssrs_screen-{n}": 1 for n in ("1", "2", "3", "4", "5", "6", "6-recent")}
    none = {"cssrs_screen-1": 0, "cssrs_screen-2": 0, "cssrs_screen-6": 0}
    for number, answers in ((1, high), (2, none)):
        session = course_a.sessions.get(number=number)
        record_response(alice, course_a.client, instrument="cssrs_screen", answers=answers, session=session)

    result = outcomes_for_course(course_a)

    assert [o.instrument for o in result.instruments] == ["phq9"]
    assert result.for_instrument("cssrs_screen") is None


def test_outcomes_for_a_course_without_scores(course_a: Course) -> None:
    result = outcomes_for_course(course_a)

    assert (result.instruments, result.talking_therapies, result.attended_appointments) == ((), None, 0)
    assert result.notes == ("NHS Talking Therapies outcomes need a first and a last PHQ-9.",)

"""`openipt outcomes fit|show --org SLUG`: re-estimate and print the expected-recovery curves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openipt.accounts.models import Organisation, Team, User
from openipt.clients.actions import create_client
from openipt.courses.actions import end_course, record_attendance, start_course
from openipt.courses.models import Attendance, Course, CourseStatus
from openipt.measures.actions import record_response
from openipt.measures.models import ExpectedCurveSet
from openipt.measures.tracking import curves_for

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)

HEADER = "stratum   source      n intercept   slope    sd  upper limit at S1/S4/S8/S12 (z={z})"
DEFAULT_NOTE = (
    "          Default, not fitted: starts at the middle of the stratum and falls 50 % by session 12 on a "
    "log curve; residual SD {sd} points."
)
# The default PHQ-9 rows; the numbers are those of the table in docs/outcomes.md.
DEFAULT_ROWS = [
    "10–14     default     0     12.00   -2.41  3.37  16.3/13.0/11.3/10.3",
    "15–19     default     0     17.00   -3.42  3.37  21.3/16.6/14.2/12.8",
    "20–27     default     0     23.50   -4.73  3.82  28.4/21.8/18.6/16.6",
]


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("outcomes", *args, stdout=out)
    return out.getvalue().splitlines()


def phq9(total: int) -> list[int]:
    answers, left = [0] * 9, total
    for i in range(8):
        answers[i] = min(3, left)
        left -= answers[i]
    return answers


def completed_course(
    user: User, team: Team, identifier: str, totals: Sequence[int], *, status: str = "completed"
) -> Course:
    client = create_client(
        user,
        team=team,
        clinic_identifier=identifier,
        given_name="Client",
        family_name=identifier,
        date_of_birth=date(1980, 1, 1),
    )
    course = start_course(user, client, protocol_key="ipt-standard", start_date=date(2026, 3, 2))
    for session, total in zip(course.sessions.order_by("number"), totals, strict=False):
        record_attendance(user, session, attendance=Attendance.ATTENDED, modality="in_person")
        at = datetime.combine(session.scheduled_date, time(10), tzinfo=UTC)
        record_response(
            user, client, instrument="phq9", answers=phq9(total), session=session, completed_at=at
        )
    if status == "active":
        return course
    return end_course(
        user,
        course,
        status=status,
        ended_on=date(2026, 8, 1),
        reason="" if status == "completed" else "Moved",
    )


def test_show_prints_the_default_curves_until_a_clinic_fits_its_own(north: Organisation) -> None:
    lines = run("show", "--org", "northside")

    assert lines == [
        "Northside: the provisional defaults are in force (nothing fitted yet).",
        HEADER.format(z=1.28),
        DEFAULT_ROWS[0],
        DEFAULT_NOTE.format(sd="3.37"),
        DEFAULT_ROWS[1],
        DEFAULT_NOTE.format(sd="3.37"),
        DEFAULT_ROWS[2],
        DEFAULT_NOTE.format(sd="3.82"),
    ]
    assert not ExpectedCurveSet.objects.exists()


def test_show_prints_gad7_strata_when_asked(north: Organisation) -> None:
    lines = run("show", "--org", "northside", "--instrument", "gad7")[1:]

    assert [line[:9].strip() for line in lines[1::2]] == ["8–9", "10–14", "15–21"]
    assert lines[1] == "8–9       default     0      8.50   -1.71  2.10  11.2/8.8/7.6/6.9"


def test_fit_stores_fitted_curves_and_prints_them(
    alice: User, charlie: User, north: Organisation, north_team: Team
) -> None:
    completed_course(alice, north_team, "NS-2", [18, 15, 12])
    completed_course(alice, north_team, "NS-3", [16, 14, 10])
    completed_course(alice, north_team, "NS-4", [17, 27, 27], status=CourseStatus.ENDED_EARLY)
    completed_course(alice, north_team, "NS-5", [15, 27, 27], status="active")
    completed_course(charlie, charlie.teams.get(), "RS-2", [19, 27, 27])

    lines = run("fit", "--org", "northside", "--min-courses", "2", "--z", "1.5")

    assert lines[0] == "Northside: 2 completed courses with two or more phq9 scores."
    assert lines[1] == "Stored: these curves now drive the not-on-track flags (fitted 2026-09-01 12:00 UTC)."
    lines = lines[1:]
    assert lines[1] == HEADER.format(z=1.5)
    assert lines[2] == "10–14     default     0     12.00   -2.41  3.37  17.1/13.7/12.0/11.1"
    assert lines[3] == "          Kept the default: 0 completed courses start in 10–14; 2 are needed to fit."
    assert lines[4].startswith("15–19     fitted      2     ")
    assert lines[5] == "          Fitted from 2 completed courses (6 scores)."
    assert lines[7] == "          Kept the default: 0 completed courses start in 20–27; 2 are needed to fit."
    assert len(lines) == 8
    # Only aggregates: no client identifier, no individual score sequence.
    assert not any("NS-" in line or "RS-" in line for line in lines)

    stored = ExpectedCurveSet.objects.get()
    assert (stored.organisation, stored.instrument, stored.n_courses, stored.z) == (north, "phq9", 2, 1.5)
    assert (stored.fitted_at, stored.fitted_by) == (NOW, "openipt outcomes fit")
    fitted = [c for c in stored.curves if c["source"] == "fitted"]
    assert [(c["stratum_low"], c["stratum_high"], c["n_courses"]) for c in fitted] == [(15, 19, 2)]
    assert lines[4].split()[3:6] == [
        f"{fitted[0]['intercept']:.2f}",
        f"{fitted[0]['slope']:.2f}",
        f"{fitted[0]['residual_sd']:.2f}",
    ]

    # `show` now prints the stored set, with its z and when it was fitted.
    shown = run("show", "--org", "northside")
    assert shown[0] == "Northside: fitted 2026-09-01 12:00 UTC from 2 completed courses."
    assert shown[1:] == lines[1:]


def test_fit_with_fewer_courses_than_needed_keeps_the_defaults_and_says_so(
    alice: User, north: Organisation, north_team: Team
) -> None:
    completed_course(alice, north_team, "NS-2", [18, 15, 12])
    completed_course(alice, north_team, "NS-3", [16, 14, 10])

    lines = run("fit", "--org", "northside", "--min-courses", "3")

    assert lines == [
        "Northside: 2 completed courses with two or more phq9 scores.",
        "No stratum had enough courses to fit: nothing was stored, and the curves in force are unchanged.",
        HEADER.format(z=1.28),
        DEFAULT_ROWS[0],
        "          Kept the default: 0 completed courses start in 10–14; 3 are needed to fit.",
        DEFAULT_ROWS[1],
        "          Kept the default: 2 completed courses start in 15–19; 3 are needed to fit.",
        DEFAULT_ROWS[2],
        "          Kept the default: 0 completed courses start in 20–27; 3 are needed to fit.",
    ]
    curves, z = curves_for([north.pk], "phq9")[north.pk]
    assert {c.source for c in curves} == {"default"}
    assert z == 1.28
    assert not ExpectedCurveSet.objects.exists()


def test_fit_by_default_needs_thirty_courses(alice: User, north: Organisation, north_team: Team) -> None:
    completed_course(alice, north_team, "NS-2", [18, 15, 12])

    lines = run("fit", "--org", "northside")

    assert "          Kept the default: 1 completed courses start in 15–19; 30 are needed to fit." in lines


def test_an_unknown_organisation_is_refused(north: Organisation) -> None:
    for action in ("fit", "show"):
        with pytest.raises(CommandError, match=r"No organisation with the slug 'nowhere'\."):
            run(action, "--org", "nowhere")
    assert not ExpectedCurveSet.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--z", "0"], "--z between 0 and 5"),
        (["--z", "5"], "--z between 0 and 5"),
        (["--z", "-1.28"], "--z between 0 and 5"),
        (["--z", "nan"], "--z between 0 and 5"),
        (["--z", "abc"], "invalid float value"),
        (["--min-courses", "0"], "--min-courses must be 1 or more"),
        (["--min-courses", "-3"], "--min-courses must be 1 or more"),
        (["--min-courses", "2.5"], "invalid int value"),
    ],
)
def test_bad_options_are_refused_and_nothing_is_stored(
    north: Organisation, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run("fit", "--org", "northside", *args)
    assert not ExpectedCurveSet.objects.exists()


def test_an_instrument_without_curves_is_refused(north: Organisation) -> None:
    with pytest.raises(CommandError, match="invalid choice: 'hamd17'"):
        run("fit", "--org", "northside", "--instrument", "hamd17")


def test_the_org_is_required(north: Organisation) -> None:
    with pytest.raises(CommandError, match="the following arguments are required: --org"):
        run("show")

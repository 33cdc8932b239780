"""Session dates: weekly and monthly schedules, working days, moving and cancelling sessions. No database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from openipt.courses.schedule import (
    add_months,
    cancel_session,
    keep_working_days,
    move_session,
    next_session,
    next_session_date,
    next_working_day,
    nth_weekday,
    resize_schedule,
    session_dates,
)

D = date


@pytest.mark.parametrize(
    ("start", "count", "weekday", "expected"),
    [
        # 6 January 2025 is a Monday.
        (D(2025, 1, 6), 3, None, [D(2025, 1, 6), D(2025, 1, 13), D(2025, 1, 20)]),
        (D(2025, 1, 6), 2, 0, [D(2025, 1, 6), D(2025, 1, 13)]),
        (D(2025, 1, 1), 2, 0, [D(2025, 1, 6), D(2025, 1, 13)]),  # Wednesday → next Monday
        (D(2025, 1, 7), 1, 0, [D(2025, 1, 13)]),  # Tuesday → six days on
        (D(2025, 1, 6), 1, 6, [D(2025, 1, 12)]),  # Monday → Sunday
        (D(2024, 12, 29), 2, 5, [D(2025, 1, 4), D(2025, 1, 11)]),  # across the year
        (D(2024, 2, 22), 2, None, [D(2024, 2, 22), D(2024, 2, 29)]),  # leap day
        (D(2025, 1, 6), 0, None, []),
    ],
)
def test_weekly_session_dates(start: date, count: int, weekday: int | None, expected: list[date]) -> None:
    assert session_dates(start, count, "weekly", weekday) == expected


def test_a_sixteen_week_course_spans_fifteen_weeks() -> None:
    dates = session_dates(D(2025, 3, 3), 16, "weekly")

    assert dates[-1] == D(2025, 6, 16)
    assert {d.weekday() for d in dates} == {0}


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        # the first Tuesday of each month
        (D(2025, 1, 7), 4, [D(2025, 1, 7), D(2025, 2, 4), D(2025, 3, 4), D(2025, 4, 1)]),
        # the third Wednesday
        (D(2025, 1, 15), 3, [D(2025, 1, 15), D(2025, 2, 19), D(2025, 3, 19)]),
        # a fifth Friday stays on the month's last Friday
        (D(2025, 1, 31), 4, [D(2025, 1, 31), D(2025, 2, 28), D(2025, 3, 28), D(2025, 4, 25)]),
        (D(2023, 12, 15), 3, [D(2023, 12, 15), D(2024, 1, 19), D(2024, 2, 16)]),
        (D(2025, 1, 31), 1, [D(2025, 1, 31)]),
        (D(2025, 1, 31), 0, []),
    ],
)
def test_monthly_session_dates_keep_the_weekday_of_the_month(
    start: date, count: int, expected: list[date]
) -> None:
    assert session_dates(start, count, "monthly") == expected


def test_a_monthly_series_from_the_fifth_week_stays_on_the_last_weekday() -> None:
    dates = session_dates(D(2024, 2, 29), 37, "monthly")  # a Thursday

    assert all(d.weekday() == 3 and (d + timedelta(days=7)).month != d.month for d in dates)
    assert dates[1] == D(2024, 3, 28)
    assert dates[36] == D(2027, 2, 25)


MON_TO_FRI = frozenset(range(5))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2025, 1, 6), D(2025, 1, 6)),  # a Monday stays
        (D(2025, 1, 10), D(2025, 1, 10)),  # a Friday stays
        (D(2025, 1, 11), D(2025, 1, 13)),  # Saturday → Monday
        (D(2025, 1, 12), D(2025, 1, 13)),  # Sunday → Monday
    ],
)
def test_next_working_day(day: date, expected: date) -> None:
    assert next_working_day(day, MON_TO_FRI) == expected


def test_next_working_day_needs_a_working_day() -> None:
    with pytest.raises(ValueError, match="at least one day of the week must be a working day"):
        next_working_day(D(2025, 1, 6), frozenset())


@pytest.mark.parametrize(
    ("year", "month", "weekday", "n", "expected"),
    [
        (2025, 1, 1, 1, D(2025, 1, 7)),  # first Tuesday
        (2025, 4, 1, 1, D(2025, 4, 1)),  # the 1st itself
        (2025, 1, 4, 5, D(2025, 1, 31)),  # a fifth Friday exists
        (2025, 2, 4, 5, D(2025, 2, 28)),  # no fifth Friday: the last
        (2024, 2, 3, 5, D(2024, 2, 29)),  # leap year
    ],
)
def test_nth_weekday(year: int, month: int, weekday: int, n: int, expected: date) -> None:
    assert nth_weekday(year, month, weekday, n) == expected


@pytest.mark.parametrize(
    ("start", "cadence", "weekday", "expected"),
    [
        # a Saturday start on Mon–Fri: the first session on Monday, then weekly on Mondays
        (D(2025, 1, 4), "weekly", None, [D(2025, 1, 6), D(2025, 1, 13), D(2025, 1, 20)]),
        (D(2025, 1, 4), "weekly", 2, [D(2025, 1, 8), D(2025, 1, 15), D(2025, 1, 22)]),
        # a Saturday start, monthly: the first Monday, then the first Monday of each month
        (D(2025, 1, 4), "monthly", None, [D(2025, 1, 6), D(2025, 2, 3), D(2025, 3, 3)]),
    ],
)
def test_session_dates_fall_on_working_days(
    start: date, cadence: str, weekday: int | None, expected: list[date]
) -> None:
    assert session_dates(start, 3, cadence, weekday, working_days=MON_TO_FRI) == expected


def test_session_dates_refuse_a_closed_weekday() -> None:
    with pytest.raises(ValueError, match="weekday 6 is not a working day"):
        session_dates(D(2025, 1, 6), 3, "weekly", 6, working_days=MON_TO_FRI)


def test_moving_refuses_a_closed_day_and_moves_later_sessions_off_closed_days() -> None:
    weekly = [D(2025, 1, 6), D(2025, 1, 13), D(2025, 1, 20)]  # Mondays

    with pytest.raises(ValueError, match="not a working day"):
        move_session(weekly, 0, D(2025, 1, 11), MON_TO_FRI)
    # Monday → Friday: the later sessions shift four days too, onto Fridays
    assert move_session(weekly, 1, D(2025, 1, 17), MON_TO_FRI) == [
        D(2025, 1, 6),
        D(2025, 1, 17),
        D(2025, 1, 24),
    ]


def test_keep_working_days_keeps_the_order() -> None:
    # Friday, Saturday, Sunday → Friday, Monday, Tuesday
    dates = [D(2025, 1, 10), D(2025, 1, 11), D(2025, 1, 12)]

    assert keep_working_days(dates, MON_TO_FRI) == [D(2025, 1, 10), D(2025, 1, 13), D(2025, 1, 14)]


def test_the_next_session_after_a_friday_goes_to_a_working_day() -> None:
    # a weekly series moved to Fridays, on a clinic closed on Fridays from now on
    assert next_session_date([D(2025, 1, 3)], "weekly", frozenset({0, 1, 2, 3})) == D(2025, 1, 13)


@pytest.mark.parametrize(
    ("start", "count", "cadence", "weekday", "message"),
    [
        (D(2025, 1, 6), 3, "daily", None, "cadence must be one of 'weekly', 'monthly', not 'daily'"),
        (D(2025, 1, 6), -1, "weekly", None, "count must be 0 or more, not -1"),
        (D(2025, 1, 6), 3, "weekly", 7, r"weekday must be between 0 \(Monday\) and 6 \(Sunday\), not 7"),
        (D(2025, 1, 6), 3, "weekly", -1, "weekday must be between"),
        (D(2025, 1, 6), 3, "monthly", 0, "weekday applies only to a weekly cadence"),
    ],
)
def test_session_dates_refuses_invalid_input(
    start: date, count: int, cadence: str, weekday: int | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        session_dates(start, count, cadence, weekday)


@pytest.mark.parametrize(
    ("day", "months", "day_of_month", "expected"),
    [
        (D(2024, 1, 31), 1, None, D(2024, 2, 29)),
        (D(2023, 1, 31), 1, None, D(2023, 2, 28)),
        (D(2024, 3, 31), -1, None, D(2024, 2, 29)),
        (D(2024, 2, 29), 12, None, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, None, D(2028, 2, 29)),
        (D(1900, 1, 29), 1, None, D(1900, 2, 28)),  # not a leap year
        (D(2000, 1, 29), 1, None, D(2000, 2, 29)),  # a leap year
        (D(2024, 12, 15), 1, None, D(2025, 1, 15)),
        (D(2025, 1, 15), -1, None, D(2024, 12, 15)),
        (D(2024, 4, 30), 1, 31, D(2024, 5, 31)),
        (D(2024, 4, 30), 0, 31, D(2024, 4, 30)),
        (D(2024, 5, 31), 1, 1, D(2024, 6, 1)),
    ],
)
def test_add_months(day: date, months: int, day_of_month: int | None, expected: date) -> None:
    assert add_months(day, months, day_of_month=day_of_month) == expected


@pytest.mark.parametrize("day_of_month", [0, 32])
def test_add_months_refuses_an_impossible_day(day_of_month: int) -> None:
    with pytest.raises(ValueError, match="day_of_month must be between 1 and 31"):
        add_months(D(2024, 1, 1), 1, day_of_month=day_of_month)


WEEKLY = [D(2025, 1, 6), D(2025, 1, 13), D(2025, 1, 20)]


@pytest.mark.parametrize(
    ("dates", "index", "new_date", "expected"),
    [
        (WEEKLY, 0, D(2025, 1, 8), [D(2025, 1, 8), D(2025, 1, 15), D(2025, 1, 22)]),  # first, later
        (WEEKLY, 0, D(2025, 1, 2), [D(2025, 1, 2), D(2025, 1, 9), D(2025, 1, 16)]),  # first, earlier
        (WEEKLY, 1, D(2025, 1, 15), [D(2025, 1, 6), D(2025, 1, 15), D(2025, 1, 22)]),
        (WEEKLY, 1, D(2025, 1, 7), [D(2025, 1, 6), D(2025, 1, 7), D(2025, 1, 14)]),  # day after previous
        (WEEKLY, 2, D(2025, 1, 27), [D(2025, 1, 6), D(2025, 1, 13), D(2025, 1, 27)]),  # last
        (WEEKLY, 2, D(2025, 1, 20), WEEKLY),  # unchanged
        (
            [D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 31)],
            1,
            D(2024, 3, 1),
            [D(2024, 1, 31), D(2024, 3, 1), D(2024, 4, 1)],
        ),
    ],
)
def test_move_session_shifts_later_sessions_by_the_same_days(
    dates: list[date], index: int, new_date: date, expected: list[date]
) -> None:
    assert move_session(dates, index, new_date) == expected


def test_move_session_leaves_its_input_alone() -> None:
    dates = list(WEEKLY)

    move_session(dates, 0, D(2025, 1, 8))

    assert dates == WEEKLY


@pytest.mark.parametrize(
    ("dates", "index", "new_date", "message"),
    [
        (
            WEEKLY,
            1,
            D(2025, 1, 6),
            "session 2 cannot move to 2025-01-06: it must come after session 1 on 2025-01-06",
        ),
        (WEEKLY, 2, D(2025, 1, 10), "session 3 cannot move to 2025-01-10: it must come after session 2"),
        (WEEKLY, 3, D(2025, 2, 1), "no session at index 3; the schedule has 3 sessions"),
        (WEEKLY, -1, D(2025, 2, 1), "no session at index -1"),
        ([], 0, D(2025, 2, 1), "the schedule has no sessions"),
        ([D(2025, 1, 13), D(2025, 1, 6)], 0, D(2025, 1, 1), "session dates must increase"),
        ([D(2025, 1, 6), D(2025, 1, 6)], 0, D(2025, 1, 1), "session 2 is not after session 1"),
    ],
)
def test_move_session_refuses_invalid_moves(
    dates: list[date], index: int, new_date: date, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        move_session(dates, index, new_date)


@pytest.mark.parametrize(
    ("dates", "index", "cadence", "expected"),
    [
        (WEEKLY, 0, "weekly", [D(2025, 1, 13), D(2025, 1, 20), D(2025, 1, 27)]),
        (WEEKLY, 1, "weekly", [D(2025, 1, 6), D(2025, 1, 20), D(2025, 1, 27)]),
        (WEEKLY, 2, "weekly", [D(2025, 1, 6), D(2025, 1, 13), D(2025, 1, 27)]),
        # A moved appointment keeps its agreed date.
        (
            [D(2025, 1, 6), D(2025, 1, 13), D(2025, 1, 22)],
            0,
            "weekly",
            [D(2025, 1, 13), D(2025, 1, 22), D(2025, 1, 29)],
        ),
        (
            [D(2025, 1, 31), D(2025, 2, 28), D(2025, 3, 28)],
            0,
            "monthly",
            [D(2025, 2, 28), D(2025, 3, 28), D(2025, 4, 25)],
        ),
        (
            [D(2025, 1, 7), D(2025, 2, 4), D(2025, 3, 4), D(2025, 4, 1)],
            3,
            "monthly",
            [D(2025, 1, 7), D(2025, 2, 4), D(2025, 3, 4), D(2025, 5, 6)],
        ),
        # the last session was moved to a Thursday: the next is April's first Tuesday
        (
            [D(2025, 1, 7), D(2025, 2, 4), D(2025, 3, 6)],
            0,
            "monthly",
            [D(2025, 2, 4), D(2025, 3, 6), D(2025, 4, 1)],
        ),
        ([D(2025, 1, 6)], 0, "weekly", [D(2025, 1, 13)]),
    ],
)
def test_cancel_session_moves_it_and_later_sessions_one_step(
    dates: list[date], index: int, cadence: str, expected: list[date]
) -> None:
    assert cancel_session(dates, index, cadence) == expected


@pytest.mark.parametrize(
    ("start", "cadence"),
    [(D(2025, 1, 6), "weekly"), (D(2024, 1, 31), "monthly"), (D(2024, 2, 29), "monthly")],
)
def test_cancelling_on_a_regular_schedule_equals_skipping_one_appointment(start: date, cadence: str) -> None:
    dates = session_dates(start, 12, cadence)
    longer = session_dates(start, 13, cadence)

    for index in range(12):
        assert cancel_session(dates, index, cadence) == longer[:index] + longer[index + 1 :]


@pytest.mark.parametrize(
    ("dates", "index", "cadence", "message"),
    [
        (WEEKLY, 3, "weekly", "no session at index 3"),
        (WEEKLY, 0, "fortnightly", "cadence must be one of"),
        ([], 0, "weekly", "the schedule has no sessions"),
    ],
)
def test_cancel_session_refuses_invalid_input(
    dates: list[date], index: int, cadence: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        cancel_session(dates, index, cadence)


@pytest.mark.parametrize(
    ("dates", "cadence", "expected"),
    [
        (WEEKLY, "weekly", D(2025, 1, 27)),
        ([D(2025, 1, 31), D(2025, 2, 28)], "monthly", D(2025, 3, 28)),
        ([D(2025, 1, 15), D(2025, 12, 17)], "monthly", D(2026, 1, 21)),
    ],
)
def test_next_session_date(dates: list[date], cadence: str, expected: date) -> None:
    assert next_session_date(dates, cadence) == expected


def test_next_session_date_needs_a_session() -> None:
    with pytest.raises(ValueError, match="at least one session"):
        next_session_date([], "weekly")


@pytest.mark.parametrize(
    ("dates", "count", "cadence", "expected"),
    [
        (WEEKLY, 2, "weekly", WEEKLY[:2]),
        (WEEKLY, 3, "weekly", WEEKLY),
        (WEEKLY, 5, "weekly", [*WEEKLY, D(2025, 1, 27), D(2025, 2, 3)]),
        ([D(2025, 1, 31), D(2025, 2, 28)], 4, "monthly", session_dates(D(2025, 1, 31), 4, "monthly")),
    ],
)
def test_resize_schedule(dates: list[date], count: int, cadence: str, expected: list[date]) -> None:
    assert resize_schedule(dates, count, cadence) == expected


def test_resize_schedule_refuses_an_empty_course() -> None:
    with pytest.raises(ValueError, match="count must be 1 or more, not 0"):
        resize_schedule(WEEKLY, 0, "weekly")


@dataclass(frozen=True)
class Booked:
    scheduled_date: date
    number: int
    attendance: str = "scheduled"


@pytest.mark.parametrize(
    ("sessions", "expected"),
    [
        ([], None),
        ([Booked(date(2026, 3, 1), 1)], None),  # before today
        ([Booked(date(2026, 3, 2), 1, "attended"), Booked(date(2026, 3, 9), 2)], 2),  # held today
        ([Booked(date(2026, 3, 2), 1, "cancelled"), Booked(date(2026, 3, 2), 2, "no_show")], None),
        ([Booked(date(2026, 3, 2), 1), Booked(date(2026, 3, 9), 2)], 1),  # today counts
        ([Booked(date(2026, 3, 16), 3), Booked(date(2026, 3, 9), 4)], 4),  # date first, not number
        ([Booked(date(2026, 3, 9), 5), Booked(date(2026, 3, 9), 4)], 4),  # same day: lower number
    ],
)
def test_next_session(sessions: list[Booked], expected: int | None) -> None:
    found = next_session(sessions, date(2026, 3, 2))
    assert (found.number if found else None) == expected

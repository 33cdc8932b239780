"""Session dates of a course: the initial schedule, moving and cancelling sessions.

Pure date arithmetic on `datetime.date`: no time zones, no clock. Callers pass the start date
(in the organisation's time zone) and the organisation's working days, and store the resulting
list; the time of day is kept on each session, apart from its date.

Cadences are those of `openipt.protocols.model.CADENCES`:

- "weekly": every 7 days on one weekday;
- "monthly": the same weekday of the same week of each month as the first session, so a series
  that starts on the first Tuesday stays on first Tuesdays; a series that starts in the fifth
  week (the 29th–31st) stays on the month's last such weekday, since not every month has a fifth.

Working days are weekday numbers (0 = Monday … 6 = Sunday). No session falls on a closed day:
a date that would is moved to the next working day, and the order of the sessions is kept.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterable, Sequence
from datetime import date, timedelta
from typing import Protocol, TypeVar

from openipt.protocols.model import CADENCES

WEEK = timedelta(days=7)
DAY = timedelta(days=1)
EVERY_DAY = frozenset(range(7))


BOOKED = "scheduled"  # Attendance.SCHEDULED: neither held, missed nor cancelled


class Booking(Protocol):
    @property
    def scheduled_date(self) -> date: ...
    @property
    def number(self) -> int: ...
    @property
    def attendance(self) -> str: ...


B = TypeVar("B", bound=Booking)


def next_session(sessions: Iterable[B], today: date) -> B | None:
    """THE next session, the one rule behind every "next session" a person is shown: the earliest
    session still booked (not held, missed or cancelled) on or after `today`; on one day, the lower
    number first. None when nothing is booked."""
    booked = [s for s in sessions if s.attendance == BOOKED and s.scheduled_date >= today]
    return min(booked, key=lambda s: (s.scheduled_date, s.number), default=None)


def add_months(day: date, months: int, *, day_of_month: int | None = None) -> date:
    """`day` moved by `months` months, on `day_of_month` (default: `day`'s own) or the month's last day."""
    wanted = day.day if day_of_month is None else day_of_month
    if not 1 <= wanted <= 31:
        raise ValueError(f"day_of_month must be between 1 and 31, not {wanted}")
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = month0 + 1
    return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


def next_working_day(day: date, working_days: Collection[int] = EVERY_DAY) -> date:
    """`day` itself if it is a working day, else the first working day after it."""
    _check_working_days(working_days)
    while day.weekday() not in working_days:
        day += DAY
    return day


def week_of_month(day: date) -> int:
    """Which occurrence of its weekday `day` is in its month: 1 (the first) to 5."""
    return (day.day - 1) // 7 + 1


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The `n`th `weekday` of the month (n = 1…4); n = 5 means the month's last such weekday."""
    if not 1 <= n <= 5:
        raise ValueError(f"n must be between 1 and 5, not {n}")
    first = date(year, month, 1)
    day = first + timedelta(days=(weekday - first.weekday()) % 7) + (n - 1) * WEEK
    return day if day.month == month else day - WEEK


def same_weekday_of_month(anchor: date, months: int) -> date:
    """The date `months` months after `anchor` on the same weekday of the same week of the month."""
    year, month0 = divmod(anchor.year * 12 + anchor.month - 1 + months, 12)
    return nth_weekday(year, month0 + 1, anchor.weekday(), week_of_month(anchor))


def session_dates(
    start: date,
    count: int,
    cadence: str,
    weekday: int | None = None,
    *,
    working_days: Collection[int] = EVERY_DAY,
) -> list[date]:
    """The dates of `count` sessions from `start` on, all on working days.

    weekly: the first session falls on the first date on or after `start` that is a `weekday`
    (0 = Monday … 6 = Sunday; None keeps the weekday of the first working day from `start`),
    then every 7 days. A `weekday` that is not a working day is refused.
    monthly: the first working day from `start`, then the same weekday of the same week of each
    following month (every date is computed from the first, so the series never drifts).
    `weekday` does not apply.
    """
    _check_cadence(cadence)
    _check_working_days(working_days)
    if count < 0:
        raise ValueError(f"count must be 0 or more, not {count}")
    if cadence == "monthly":
        if weekday is not None:
            raise ValueError("weekday applies only to a weekly cadence")
        first = next_working_day(start, working_days)
        return keep_working_days([same_weekday_of_month(first, i) for i in range(count)], working_days)
    if weekday is None:
        weekday = next_working_day(start, working_days).weekday()
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be between 0 (Monday) and 6 (Sunday), not {weekday}")
    if weekday not in working_days:
        raise ValueError(f"weekday {weekday} is not a working day")
    first = start + timedelta(days=(weekday - start.weekday()) % 7)
    return [first + i * WEEK for i in range(count)]


def keep_working_days(dates: Sequence[date], working_days: Collection[int] = EVERY_DAY) -> list[date]:
    """`dates` with each date on a closed day moved to the next working day, order kept.

    A date moved onto or before the one before it goes to the next working day after that one.
    """
    kept: list[date] = []
    for day in dates:
        earliest = kept[-1] + DAY if kept and day <= kept[-1] else day
        kept.append(next_working_day(max(day, earliest), working_days))
    return kept


def next_session_date(dates: Sequence[date], cadence: str, working_days: Collection[int] = EVERY_DAY) -> date:
    """The first working day one cadence step after the last of `dates`.

    monthly: the month after the last date's, on the first session's weekday of the month.
    """
    _check_cadence(cadence)
    if not dates:
        raise ValueError("a schedule needs at least one session to continue from")
    if cadence == "monthly":
        last, anchor = dates[-1], dates[0]
        months = (last.year - anchor.year) * 12 + last.month - anchor.month + 1
        candidate = same_weekday_of_month(anchor, months)
        if candidate <= last:  # the last session was moved into a later month
            candidate = same_weekday_of_month(anchor, months + 1)
        return next_working_day(candidate, working_days)
    return next_working_day(dates[-1] + WEEK, working_days)


def move_session(
    dates: Sequence[date], index: int, new_date: date, working_days: Collection[int] = EVERY_DAY
) -> list[date]:
    """Move session `index` to `new_date`; every later session shifts by the same number of days.

    Refuses a new date on a closed day, or on or before the previous session's date (sessions
    keep their order). A later session shifted onto a closed day goes to the next working day.
    """
    _check_dates(dates)
    _check_index(dates, index)
    _check_working_days(working_days)
    if new_date.weekday() not in working_days:
        raise ValueError(f"session {index + 1} cannot move to {new_date.isoformat()}: not a working day")
    if index > 0 and new_date <= dates[index - 1]:
        raise ValueError(
            f"session {index + 1} cannot move to {new_date.isoformat()}: it must come after "
            f"session {index} on {dates[index - 1].isoformat()}"
        )
    shift = new_date - dates[index]
    return [*dates[:index], *keep_working_days([d + shift for d in dates[index:]], working_days)]


def cancel_session(
    dates: Sequence[date], index: int, cadence: str, working_days: Collection[int] = EVERY_DAY
) -> list[date]:
    """Cancel the appointment at `index`; the course keeps its number of sessions.

    The cancelled session moves one cadence step later: it takes the next appointment, each later
    session takes the one after it, and the last session gets a new date one step after the
    current last (see `next_session_date`). On a regular schedule this is every session from
    `index` on moving one week (or one month, on the same weekday of the month) later; on a
    schedule with moved sessions the agreed appointment dates are kept.
    """
    _check_dates(dates)
    _check_index(dates, index)
    return [*dates[:index], *dates[index + 1 :], next_session_date(dates, cadence, working_days)]


def resize_schedule(
    dates: Sequence[date], count: int, cadence: str, working_days: Collection[int] = EVERY_DAY
) -> list[date]:
    """The schedule with `count` sessions: later sessions dropped, or added one step apart."""
    _check_dates(dates)
    if count < 1:
        raise ValueError(f"count must be 1 or more, not {count}")
    resized = list(dates[:count])
    while len(resized) < count:
        resized.append(next_session_date(resized, cadence, working_days))
    return resized


def _check_cadence(cadence: str) -> None:
    if cadence not in CADENCES:
        raise ValueError(f"cadence must be one of {', '.join(map(repr, CADENCES))}, not {cadence!r}")


def _check_working_days(working_days: Collection[int]) -> None:
    if not working_days:
        raise ValueError("at least one day of the week must be a working day")
    if not set(working_days) <= EVERY_DAY:
        raise ValueError("working days are weekday numbers from 0 (Monday) to 6 (Sunday)")


def _check_dates(dates: Sequence[date]) -> None:
    if not dates:
        raise ValueError("the schedule has no sessions")
    for i in range(1, len(dates)):
        if dates[i] <= dates[i - 1]:
            raise ValueError(f"session dates must increase: session {i + 1} is not after session {i}")


def _check_index(dates: Sequence[date], index: int) -> None:
    if not 0 <= index < len(dates):
        raise ValueError(f"no session at index {index}; the schedule has {len(dates)} sessions")

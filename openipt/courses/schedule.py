"""Session dates of a course: the initial schedule, moving and cancelling sessions.

Pure date arithmetic on `datetime.date`: no time zones, no clock. Callers pass the start date
(in the organisation's time zone) and store the resulting list; times of day live elsewhere.

Cadences are those of `openipt.protocols.model.CADENCES`: "weekly" (every 7 days) and
"monthly" (the same day of each month; when a month is too short the session falls on its last
day, and the next month returns to the original day, so 31 Jan → 29 Feb → 31 Mar).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta

from openipt.protocols.model import CADENCES

WEEK = timedelta(days=7)


def add_months(day: date, months: int, *, day_of_month: int | None = None) -> date:
    """`day` moved by `months` months, on `day_of_month` (default: `day`'s own) or the month's last day."""
    wanted = day.day if day_of_month is None else day_of_month
    if not 1 <= wanted <= 31:
        raise ValueError(f"day_of_month must be between 1 and 31, not {wanted}")
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = month0 + 1
    return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


def session_dates(start: date, count: int, cadence: str, weekday: int | None = None) -> list[date]:
    """The dates of `count` sessions from `start` on.

    weekly: the first session falls on the first date on or after `start` that is a `weekday`
    (0 = Monday … 6 = Sunday; None keeps `start`'s weekday), then every 7 days.
    monthly: `start`, then the same day of each following month, clamped to short months but
    never drifting (every date is computed from `start`). `weekday` does not apply.
    """
    _check_cadence(cadence)
    if count < 0:
        raise ValueError(f"count must be 0 or more, not {count}")
    if cadence == "monthly":
        if weekday is not None:
            raise ValueError("weekday applies only to a weekly cadence")
        return [add_months(start, i) for i in range(count)]
    if weekday is None:
        weekday = start.weekday()
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be between 0 (Monday) and 6 (Sunday), not {weekday}")
    first = start + timedelta(days=(weekday - start.weekday()) % 7)
    return [first + i * WEEK for i in range(count)]


def next_session_date(dates: Sequence[date], cadence: str) -> date:
    """The date one cadence step after the last of `dates`.

    monthly: one month after the last date, on the day of month of the first session where the
    month has it (so a series that started on the 31st returns to the 31st after a short month).
    """
    _check_cadence(cadence)
    if not dates:
        raise ValueError("a schedule needs at least one session to continue from")
    if cadence == "monthly":
        return add_months(dates[-1], 1, day_of_month=dates[0].day)
    return dates[-1] + WEEK


def move_session(dates: Sequence[date], index: int, new_date: date) -> list[date]:
    """Move session `index` to `new_date`; every later session shifts by the same number of days.

    Refuses a new date on or before the previous session's date (sessions keep their order).
    """
    _check_dates(dates)
    _check_index(dates, index)
    if index > 0 and new_date <= dates[index - 1]:
        raise ValueError(
            f"session {index + 1} cannot move to {new_date.isoformat()}: it must come after "
            f"session {index} on {dates[index - 1].isoformat()}"
        )
    shift = new_date - dates[index]
    return [*dates[:index], *(d + shift for d in dates[index:])]


def cancel_session(dates: Sequence[date], index: int, cadence: str) -> list[date]:
    """Cancel the appointment at `index`; the course keeps its number of sessions.

    The cancelled session moves one cadence step later: it takes the next appointment, each later
    session takes the one after it, and the last session gets a new date one step after the
    current last (see `next_session_date`). On a regular schedule this is every session from
    `index` on moving one week (or one month, keeping the original day of month) later; on a
    schedule with moved sessions the agreed appointment dates are kept.
    """
    _check_dates(dates)
    _check_index(dates, index)
    return [*dates[:index], *dates[index + 1 :], next_session_date(dates, cadence)]


def resize_schedule(dates: Sequence[date], count: int, cadence: str) -> list[date]:
    """The schedule with `count` sessions: later sessions dropped, or added one step apart."""
    _check_dates(dates)
    if count < 1:
        raise ValueError(f"count must be 1 or more, not {count}")
    resized = list(dates[:count])
    while len(resized) < count:
        resized.append(next_session_date(resized, cadence))
    return resized


def _check_cadence(cadence: str) -> None:
    if cadence not in CADENCES:
        raise ValueError(f"cadence must be one of {', '.join(map(repr, CADENCES))}, not {cadence!r}")


def _check_dates(dates: Sequence[date]) -> None:
    if not dates:
        raise ValueError("the schedule has no sessions")
    for i in range(1, len(dates)):
        if dates[i] <= dates[i - 1]:
            raise ValueError(f"session dates must increase: session {i + 1} is not after session {i}")


def _check_index(dates: Sequence[date], index: int) -> None:
    if not 0 <= index < len(dates):
        raise ValueError(f"no session at index {index}; the schedule has {len(dates)} sessions")

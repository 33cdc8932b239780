"""Reading the diary: the entries of a period, the panel beside a session's agenda, and the card
for the portal's home page. Each reads in one query, however many entries and people there are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Q
from django_stubs_ext import StrOrPromise

from openipt.clients.models import Client

from .actions import GUIDED, today_for
from .models import DiaryEntry, EntryKind
from .prompts import PROMPTS

FIRST_WINDOW_DAYS = 7  # before a course's first session held, the week before the session
MAX_WINDOW_DAYS = 42  # a long gap between sessions shows its last six weeks

_FIELDS = ("id", "entry_date", "kind", "mood", "someone_else", "events", *GUIDED, "created_at")


@dataclass(frozen=True)
class DiaryRow:
    """One entry as it is shown, with the names of the people it names (never other person fields)."""

    pk: int
    entry_date: date
    kind: str
    mood: int | None
    people: tuple[str, ...]
    someone_else: str
    events: str
    what_happened: str
    what_i_said: str
    what_they_said: str
    what_i_felt: str
    what_i_wanted: str
    what_else: str
    created_at: datetime

    @property
    def is_communication(self) -> bool:
        return self.kind == EntryKind.COMMUNICATION

    @property
    def kind_label(self) -> StrOrPromise:
        return EntryKind(self.kind).label

    @property
    def who(self) -> list[str]:
        return [*self.people, *([self.someone_else] if self.someone_else else [])]

    @property
    def steps(self) -> list[tuple[StrOrPromise, str]]:
        """The communication analysis: each prompt with what the client wrote."""
        return [(p.label, getattr(self, p.field)) for p in PROMPTS]


def entries_between(client_id: int, start: date, end: date) -> list[DiaryRow]:
    """The client's entries dated from `start` to `end` (inclusive), oldest first. One query."""
    rows = (
        DiaryEntry.objects.filter(client_id=client_id, entry_date__gte=start, entry_date__lte=end)
        .order_by("entry_date", "created_at", "id", "people__name")
        .values(*_FIELDS, "people__name")
    )
    found: dict[int, tuple[dict, list[str]]] = {}
    for row in rows:
        name = row.pop("people__name")
        _, names = found.setdefault(row["id"], (row, []))
        if name is not None:
            names.append(name)
    return [DiaryRow(pk=row.pop("id"), people=tuple(names), **row) for row, names in found.values()]


@dataclass(frozen=True)
class DayMood:
    day: date
    moods: tuple[int, ...]


@dataclass(frozen=True)
class SessionDiary:
    """The client's diary between the previous session and this one."""

    start: date
    end: date
    entries: list[DiaryRow]

    @property
    def days(self) -> list[DayMood]:
        """Every day of the period with the moods rated on it (none on a day without a rating)."""
        moods: dict[date, list[int]] = {}
        for e in self.entries:
            if e.mood is not None:
                moods.setdefault(e.entry_date, []).append(e.mood)
        span = (self.end - self.start).days + 1
        days = (self.start + timedelta(days=i) for i in range(span))
        return [DayMood(day=d, moods=tuple(moods.get(d, ()))) for d in days]

    @property
    def rated(self) -> bool:
        return any(e.mood is not None for e in self.entries)


def session_window(session_date: date, previous_date: date | None) -> tuple[date, date]:
    """From the previous session held (its day included: the client may write that evening) to
    this session's day; before the first, the week before it. At most the last six weeks."""
    start = previous_date or session_date - timedelta(days=FIRST_WINDOW_DAYS)
    return max(start, session_date - timedelta(days=MAX_WINDOW_DAYS - 1)), session_date


def session_diary(client_id: int, session_date: date, previous_date: date | None) -> SessionDiary:
    """What the session page shows of the client's diary. One query."""
    start, end = session_window(session_date, previous_date)
    return SessionDiary(start=start, end=end, entries=entries_between(client_id, start, end))


@dataclass(frozen=True)
class DiaryCard:
    """For the portal home page: when the client last wrote, and how often this week."""

    today: date
    last_entry_date: date | None
    this_week: int

    @property
    def wrote_today(self) -> bool:
        return self.last_entry_date == self.today


def card_for(client: Client, today: date | None = None) -> DiaryCard:
    """The client's diary at a glance (the week starts on Monday). One query, plus one for the
    organisation's time zone when `today` is not given."""
    today = today or today_for(client)
    monday = today - timedelta(days=today.weekday())
    found = DiaryEntry.objects.filter(client=client).aggregate(
        last=Max("entry_date"), week=Count("id", filter=Q(entry_date__gte=monday, entry_date__lte=today))
    )
    return DiaryCard(today=today, last_entry_date=found["last"], this_week=found["week"])

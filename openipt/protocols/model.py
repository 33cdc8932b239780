"""Protocols as data: one IPT variant's phases, agenda, measures and problem areas.

A protocol is read from a TOML file by `openipt.protocols.loader`, which validates it; the
dataclasses here hold the result and answer the questions a course asks of its protocol
("which phase is session 7 in?", "what is on the agenda?", "which measures are due?").

Session numbers in a protocol (phase ranges, task `sessions`, measure `sessions`, contact
`between_sessions`) count sessions of the protocol's *default* schedule. A treatment contract
may agree a different number of sessions within `min_sessions..max_sessions`; then the
**flexible phase** absorbs the difference and everything after it moves with the end:

- the flexible phase is the "middle" phase, or the last phase when a protocol has no middle
  phase (maintenance);
- phases before it keep their sessions; it stretches or shrinks at its end;
- phases after it (termination) keep their length and stay at the end of the course, so a
  16-session protocol contracted to 12 sessions keeps the initial phase at 1-3, moves
  termination from 14-16 to 10-12 and shrinks the middle phase to 4-9.

The loader refuses protocols in which this rule would lose something: a flexible phase left
without sessions at `min_sessions`, or a task, measure or contact pinned to a session of the
flexible phase that does not exist at `min_sessions`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from openipt.lib.i18n import gettext_noop

CADENCES: Final = ("weekly", "monthly")
CADENCE_LABELS: Final = {"weekly": gettext_noop("weekly"), "monthly": gettext_noop("monthly")}

# In the order phases run; a protocol lists its phases in this order.
PHASE_KEYS: Final = ("engagement", "initial", "middle", "termination", "maintenance")
FLEXIBLE_PHASE: Final = "middle"

# Later work (inventory, formulation, goals) relies on exactly these keys.
PROBLEM_AREA_KEYS: Final = ("grief", "role_dispute", "role_transition", "interpersonal_deficits")

# How many days after the onset of the episode a death, dispute or life change still counts, for
# the problem-area suggestion, as evidence of what keeps the depression going. The manuals tie a
# problem area to the onset *or the continuation* of the episode and give no number of days
# (Weissman, Markowitz & Klerman, Comprehensive Guide to Interpersonal Psychotherapy, 2000); 90 is
# our default, and a protocol may set another value in this range.
CONTINUATION_DAYS: Final = 90
CONTINUATION_DAYS_RANGE: Final = (30, 730)

# The depression measure of a protocol whose file names none.
DEPRESSION_MEASURE: Final = "phq9"


@dataclass(frozen=True)
class Task:
    """One item of a phase's session agenda.

    `sessions=None` puts the task on every session of its phase; otherwise only on those
    session numbers (default schedule numbering, see the module docstring). `participants` names
    who joins the client for it, e.g. ("parent",); empty means client and therapist only.
    `once=True` puts the task on one session of its phase that the clinician chooses for each
    course (IPT-A's middle-phase session with a parent); until then it is on every session of
    the phase, as the prompt to choose one.
    """

    key: str
    title: str
    guidance: str
    sessions: tuple[int, ...] | None = None
    participants: tuple[str, ...] = ()
    optional: bool = False
    sources: tuple[str, ...] = ()
    once: bool = False

    def shifted(self, delta: int) -> Task:
        if self.sessions is None or delta == 0:
            return self
        return dataclasses.replace(self, sessions=tuple(s + delta for s in self.sessions))


@dataclass(frozen=True)
class Phase:
    key: str
    name: str
    first_session: int
    last_session: int
    purpose: str
    tasks: tuple[Task, ...]
    sources: tuple[str, ...] = ()

    @property
    def session_count(self) -> int:
        return self.last_session - self.first_session + 1

    def includes(self, n: int) -> bool:
        return self.first_session <= n <= self.last_session

    def tasks_for_session(self, n: int, chosen: Mapping[str, int] | None = None) -> tuple[Task, ...]:
        """The agenda of session `n`. `chosen` maps a `once` task's key to the session chosen for
        it; a choice outside this phase (the contract moved the phase) counts as not made."""
        return tuple(t for t in self.tasks if self._on_session(t, n, chosen or {}))

    def _on_session(self, task: Task, n: int, chosen: Mapping[str, int]) -> bool:
        if task.sessions is not None and n not in task.sessions:
            return False
        at = chosen.get(task.key) if task.once else None
        return at is None or not self.includes(at) or at == n


@dataclass(frozen=True)
class MeasureRule:
    """When one instrument is due; it is due at a session if any of the selectors matches.

    `sessions`: these session numbers (default schedule numbering);
    `every`: session numbers divisible by it (every=4 → 4, 8, 12, …; every=1 → each session);
    `first` / `last`: the first / the last session of the course.
    """

    instrument: str
    sessions: tuple[int, ...] | None = None
    every: int | None = None
    first: bool = False
    last: bool = False
    sources: tuple[str, ...] = ()

    def matches(self, n: int, total: int) -> bool:
        """Whether `every`, `first` or `last` selects session `n` of `total` (not `sessions`)."""
        return (
            (self.every is not None and n % self.every == 0)
            or (self.first and n == 1)
            or (self.last and n == total)
        )


@dataclass(frozen=True)
class Contact:
    """A contact between sessions, e.g. a phone check-in.

    `between_sessions=(1, 2)` means one contact in the interval after session 1 and one after
    session 2 (default schedule numbering).
    """

    kind: str
    label: str
    between_sessions: tuple[int, ...]
    guidance: str = ""


@dataclass(frozen=True)
class ProblemArea:
    key: str
    name: str
    description: str
    goals: tuple[str, ...]
    strategies: tuple[str, ...]
    sources: tuple[str, ...] = ()


SESSION_COUNT_ERROR: Final = gettext_noop(
    "The number of sessions must be between %(min)d and %(max)d for %(protocol)s, not %(count)d."
)
SESSION_COUNT_FIXED_ERROR: Final = gettext_noop(
    "%(protocol)s always has exactly %(min)d sessions, not %(count)d."
)


class SessionCountError(ValueError):
    """A session count outside the protocol's range; `template % params` is the message.

    `params["protocol"]` is the protocol's name, never its key; `message()` translates template and
    name for the person reading it.
    """

    template = SESSION_COUNT_ERROR

    def __init__(self, params: dict[str, Any], protocol_name: str = "") -> None:
        self.params = params
        self.protocol_name = protocol_name or str(params.get("protocol", ""))
        if params.get("min") == params.get("max"):
            self.template = SESSION_COUNT_FIXED_ERROR
        # the name even here: the message may reach a person through any caller
        super().__init__(self.template % {**params, "protocol": self.protocol_name})

    def message(self, gettext: Callable[[str], str]) -> str:
        """The message for a person: template and protocol name translated with `gettext`."""
        return gettext(self.template) % {**self.params, "protocol": gettext(self.protocol_name)}


@dataclass(frozen=True)
class Protocol:
    """One IPT variant. Built and validated by `openipt.protocols.loader`."""

    key: str
    name: str
    version: str
    summary: str
    sources: tuple[str, ...]
    cadence: str
    session_minutes: int
    default_sessions: int
    min_sessions: int
    max_sessions: int
    phases: tuple[Phase, ...]
    measures: tuple[MeasureRule, ...]
    contacts: tuple[Contact, ...]
    problem_areas: tuple[ProblemArea, ...]
    participants: tuple[str, ...]
    # Days after the onset that still count as the episode's continuation (CONTINUATION_DAYS).
    continuation_days: int = CONTINUATION_DAYS
    # The ages (in whole years on the first day of the course) the protocol is meant for;
    # None: no bound. Starting a course outside them asks the clinician to confirm.
    min_age: int | None = None
    max_age: int | None = None
    # The instrument whose total is "the depression score" of a course on this protocol: what
    # the caseload, not-on-track tracking, outcomes and the termination review read. One of the
    # protocol's measures; PHQ-9 unless the file names another (IPT-A: the PHQ-A).
    depression_measure: str = DEPRESSION_MEASURE

    @property
    def phase_keys(self) -> tuple[str, ...]:
        return tuple(p.key for p in self.phases)

    @property
    def flexible_phase_key(self) -> str:
        """The phase that stretches or shrinks with the contracted number of sessions."""
        keys = self.phase_keys
        return FLEXIBLE_PHASE if FLEXIBLE_PHASE in keys else keys[-1]

    @property
    def problem_area_keys(self) -> tuple[str, ...]:
        return tuple(a.key for a in self.problem_areas)

    def phase(self, key: str) -> Phase:
        for phase in self.phases:
            if phase.key == key:
                return phase
        raise KeyError(f"{self.key} has no phase {key!r}; its phases are {', '.join(self.phase_keys)}")

    def next_phase(self, key: str) -> Phase | None:
        """The phase after `key` (default schedule), or None after the last one."""
        index = self.phase_keys.index(self.phase(key).key)
        return self.phases[index + 1] if index + 1 < len(self.phases) else None

    def problem_area(self, key: str) -> ProblemArea:
        for area in self.problem_areas:
            if area.key == key:
                return area
        raise KeyError(f"{self.key} has no problem area {key!r}")

    def suits_age(self, age: int) -> bool:
        """Whether a client of `age` is within the ages the protocol is meant for."""
        return (self.min_age is None or age >= self.min_age) and (self.max_age is None or age <= self.max_age)

    def validate_session_count(self, n: int) -> None:
        """Raise SessionCountError (a ValueError) unless a contract may set `n` sessions."""
        if not self.min_sessions <= n <= self.max_sessions:
            raise SessionCountError(
                {"min": self.min_sessions, "max": self.max_sessions, "protocol": self.name, "count": n},
                self.name,
            )

    def phases_for(self, total: int | None = None) -> tuple[Phase, ...]:
        """The phases laid out for a course of `total` sessions (default: `default_sessions`).

        Phase ranges and task session numbers of the result are the course's own numbers.
        """
        total = self._checked_total(total)
        delta = total - self.default_sessions
        if delta == 0:
            return self.phases
        flexible = self.flexible_phase_key
        laid_out: list[Phase] = []
        after_flexible = False
        for phase in self.phases:
            if after_flexible:
                phase = dataclasses.replace(
                    phase,
                    first_session=phase.first_session + delta,
                    last_session=phase.last_session + delta,
                    tasks=tuple(t.shifted(delta) for t in phase.tasks),
                )
            elif phase.key == flexible:
                phase = dataclasses.replace(phase, last_session=phase.last_session + delta)
                after_flexible = True
            laid_out.append(phase)
        return tuple(laid_out)

    def phase_for_session(self, n: int, total: int | None = None) -> Phase:
        """The phase session `n` of a `total`-session course falls in, laid out for `total`."""
        total = self._checked_total(total)
        self._check_session(n, total)
        return next(p for p in self.phases_for(total) if p.includes(n))

    def tasks_for_session(
        self, n: int, total: int | None = None, chosen: Mapping[str, int] | None = None
    ) -> tuple[Task, ...]:
        return self.phase_for_session(n, total).tasks_for_session(n, chosen)

    def measures_due(self, n: int, total: int | None = None) -> tuple[str, ...]:
        """Instrument keys due at session `n`, in the order the protocol lists its rules."""
        total = self._checked_total(total)
        self._check_session(n, total)
        return tuple(
            rule.instrument
            for rule in self.measures
            if rule.matches(n, total) or n in self._course_sessions(rule.sessions, total)
        )

    def contacts_after_session(self, n: int, total: int | None = None) -> tuple[Contact, ...]:
        """Contacts planned in the interval between session `n` and the next one."""
        total = self._checked_total(total)
        self._check_session(n, total)
        return tuple(c for c in self.contacts if n in self._course_sessions(c.between_sessions, total))

    def course_session(self, n: int, total: int | None = None) -> int:
        """Where session `n` of the default schedule falls in a `total`-session course."""
        total = self._checked_total(total)
        flexible_end = self.phase(self.flexible_phase_key).last_session
        return n + (total - self.default_sessions) if n > flexible_end else n

    def _course_sessions(self, sessions: tuple[int, ...] | None, total: int) -> tuple[int, ...]:
        return tuple(self.course_session(s, total) for s in sessions or ())

    def _checked_total(self, total: int | None) -> int:
        if total is None:
            return self.default_sessions
        self.validate_session_count(total)
        return total

    def _check_session(self, n: int, total: int) -> None:
        if not 1 <= n <= total:
            raise ValueError(f"session {n} is outside 1..{total} for {self.key}")


def instrument_keys(protocol: Protocol) -> set[str]:
    """Every instrument a protocol names (to check against the instrument library)."""
    return {rule.instrument for rule in protocol.measures} | {protocol.depression_measure}

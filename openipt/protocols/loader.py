"""Read protocol TOML files into validated, frozen `Protocol` objects.

Everything a protocol file gets wrong is refused with a `ProtocolError` naming the file and the
field (``"ipt-standard.toml: phases[1].last_session: must be an integer ≥ first_session (4), not
3"``): missing or mistyped fields, unknown fields (so a typo never passes silently), phases
that leave gaps or overlap, tasks pinned outside their phase, malformed measure rules, unknown
problem areas, source tags the file does not define. Instrument keys are only checked for
shape here; the measures app checks them against its instrument library at start-up, using
`instrument_keys()` (the measure rules' instruments and the `depression_measure`, which must
also be one of the protocol's measures).

The file format is the dataclasses of `openipt.protocols.model` written as TOML: one top-level
table per `Protocol`, ``[[phases]]`` with ``[[phases.tasks]]``, ``[[measures]]``,
``[[contacts]]`` and ``[[problem_areas]]``. Top-level ``sources`` are citations of the primary
source (author, title, year) that start with a short tag in brackets (``"[Weissman2018]
Weissman MM, Markowitz JC, Klerman GL. The Guide to Interpersonal Psychotherapy. Oxford
University Press, 2018."``); phases, tasks and problem areas name the tags they draw on
(``sources = ["Weissman2018"]``).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Final

from openipt.protocols.model import (
    CADENCES,
    CONTINUATION_DAYS,
    CONTINUATION_DAYS_RANGE,
    DEPRESSION_MEASURE,
    PHASE_KEYS,
    PROBLEM_AREA_KEYS,
    Contact,
    MeasureRule,
    Phase,
    ProblemArea,
    Protocol,
    Task,
    instrument_keys,
)

__all__ = [
    "DATA_DIR",
    "ProtocolError",
    "UnknownProtocolError",
    "get_protocol",
    "get_protocols",
    "instrument_keys",
    "load_directory",
    "load_protocol",
]

DATA_DIR: Final = Path(__file__).resolve().parent / "data"

_KEY_RE: Final = re.compile(r"[a-z][a-z0-9_-]*")
_SOURCE_RE: Final = re.compile(r"\[([A-Za-z0-9._-]+)\]\s+\S.*", re.DOTALL)


def _fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


class ProtocolError(Exception):
    """A protocol file that cannot be used; the message names the file and the field."""

    def __init__(self, file: str, field: str | None, message: str) -> None:
        self.file = file
        self.field = field
        super().__init__(f"{file}: {field}: {message}" if field else f"{file}: {message}")


class UnknownProtocolError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def load_protocol(path: Path) -> Protocol:
    """Read and validate one protocol file."""
    file = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProtocolError(file, None, f"cannot be read ({exc.strerror})") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ProtocolError(file, None, f"is not UTF-8 text (byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(file, None, f"invalid TOML: {exc}") from exc
    return _read_protocol(_Table(file, "", data, _fields(Protocol)))


def load_directory(path: Path, *more: Path) -> dict[str, Protocol]:
    """Load every ``*.toml`` file of one or more directories, keyed by protocol key.

    A file's `key` must match its name (``ipt-standard.toml`` holds ``key = "ipt-standard"``);
    the same key in two directories is refused, so a clinic's directory cannot silently
    replace a shipped protocol.
    """
    protocols: dict[str, Protocol] = {}
    origins: dict[str, Path] = {}
    for directory in (path, *more):
        if not directory.is_dir():
            raise ProtocolError(str(directory), None, "is not a directory")
        for file in sorted(directory.glob("*.toml"), key=lambda p: p.stem):
            protocol = load_protocol(file)
            if protocol.key != file.stem:
                raise ProtocolError(
                    file.name, "key", f"must match the file name ({file.stem!r}), not {protocol.key!r}"
                )
            if protocol.key in protocols:
                raise ProtocolError(
                    file.name,
                    "key",
                    f"duplicate protocol key {protocol.key!r}, also in {origins[protocol.key]}",
                )
            protocols[protocol.key] = protocol
            origins[protocol.key] = file
    return protocols


@functools.cache
def get_protocols() -> Mapping[str, Protocol]:
    """The protocols shipped in `DATA_DIR`, loaded once."""
    return MappingProxyType(load_directory(DATA_DIR))


def get_protocol(key: str) -> Protocol:
    protocols = get_protocols()
    try:
        return protocols[key]
    except KeyError:
        known = ", ".join(sorted(protocols))
        raise UnknownProtocolError(f"unknown protocol {key!r}; known protocols: {known}") from None


# --- reading TOML tables with field paths for the error messages -----------------------------


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


class _Table:
    """One TOML table being read; remembers its path (``phases[1].tasks[0]``) for errors."""

    def __init__(self, file: str, where: str, data: object, fields: Collection[str]) -> None:
        self.file = file
        self.where = where
        if not isinstance(data, dict):
            raise ProtocolError(file, where or None, f"must be a table, not {_describe(data)}")
        self.data: dict[str, object] = data
        for name in data:
            if name not in fields:
                close = difflib.get_close_matches(name, fields, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known fields: {', '.join(fields)}"
                raise self.error(name, f"unknown field ({hint})")

    def path(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name

    def error(self, name: str, message: str) -> ProtocolError:
        return ProtocolError(self.file, self.path(name), message)

    def fail(self, message: str) -> ProtocolError:
        return ProtocolError(self.file, self.where or None, message)

    def _required(self, name: str) -> object:
        if name not in self.data:
            raise self.error(name, "required field is missing")
        return self.data[name]

    def text(self, name: str, *, required: bool = True) -> str:
        if not required and name not in self.data:
            return ""
        value = self._required(name)
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, f"must be a non-empty string, not {_describe(value)}")
        return value.strip()

    def key(self, name: str) -> str:
        value = self.text(name)
        if not _KEY_RE.fullmatch(value):
            raise self.error(
                name,
                f"must be a key of lowercase letters, digits, '_' and '-' starting with a letter, "
                f"not {value!r}",
            )
        return value

    def choice(self, name: str, choices: Collection[str]) -> str:
        value = self._required(name)
        if not isinstance(value, str) or value not in choices:
            allowed = ", ".join(repr(c) for c in choices)
            raise self.error(name, f"must be one of {allowed}, not {_describe(value)}")
        return value

    def integer(self, name: str, *, minimum: int, minimum_name: str | None = None) -> int:
        value = self._required(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            bound = f"{minimum_name} ({minimum})" if minimum_name else str(minimum)
            raise self.error(name, f"must be an integer ≥ {bound}, not {_describe(value)}")
        return value

    def optional_integer(self, name: str, *, minimum: int) -> int | None:
        return self.integer(name, minimum=minimum) if name in self.data else None

    def flag(self, name: str) -> bool:
        value = self.data.get(name, False)
        if not isinstance(value, bool):
            raise self.error(name, f"must be true or false, not {_describe(value)}")
        return value

    def texts(self, name: str, *, required: bool = True) -> tuple[str, ...]:
        if not required and name not in self.data:
            return ()
        value = self._required(name)
        if not isinstance(value, list) or not value:
            raise self.error(name, f"must be a non-empty list of strings, not {_describe(value)}")
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.error(f"{name}[{i}]", f"must be a non-empty string, not {_describe(item)}")
        return tuple(item.strip() for item in value)

    def keys(self, name: str, *, required: bool = True) -> tuple[str, ...]:
        values = self.texts(name, required=required)
        for i, value in enumerate(values):
            if not _KEY_RE.fullmatch(value):
                raise self.error(f"{name}[{i}]", f"must be a lowercase key, not {value!r}")
            if value in values[:i]:
                raise self.error(f"{name}[{i}]", f"{value!r} is listed twice")
        return values

    def session_numbers(self, name: str, *, required: bool) -> tuple[int, ...] | None:
        """A non-empty list of distinct session numbers, returned sorted."""
        if not required and name not in self.data:
            return None
        value = self._required(name)
        if not isinstance(value, list) or not value:
            hint = "" if required else " (leave the field out instead of an empty list)"
            raise self.error(
                name, f"must be a non-empty list of session numbers{hint}, not {_describe(value)}"
            )
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, int) or item < 1:
                raise self.error(f"{name}[{i}]", f"must be a session number ≥ 1, not {_describe(item)}")
            if item in value[:i]:
                raise self.error(f"{name}[{i}]", f"session {item} is listed twice")
        return tuple(sorted(value))

    def tables(self, name: str, fields: Collection[str], *, required: bool = True) -> list[_Table]:
        if not required and name not in self.data:
            return []
        value = self._required(name)
        if not isinstance(value, list) or not value:
            raise self.error(name, f"must be a non-empty array of tables, not {_describe(value)}")
        return [_Table(self.file, f"{self.path(name)}[{i}]", item, fields) for i, item in enumerate(value)]


# --- building the protocol ------------------------------------------------------------------


@dataclasses.dataclass
class _Context:
    """What later parts of a file are checked against."""

    file: str
    tags: tuple[str, ...]
    participants: tuple[str, ...]
    task_keys: dict[str, str] = dataclasses.field(default_factory=dict)


def _read_protocol(t: _Table) -> Protocol:
    key = t.key("key")
    name = t.text("name")
    version = t.text("version")
    summary = t.text("summary")
    sources = t.texts("sources")
    cadence = t.choice("cadence", CADENCES)
    session_minutes = t.integer("session_minutes", minimum=1)
    default_sessions = t.integer("default_sessions", minimum=1)
    min_sessions = t.integer("min_sessions", minimum=1)
    if min_sessions > default_sessions:
        raise t.error("min_sessions", f"must be ≤ default_sessions ({default_sessions}), not {min_sessions}")
    max_sessions = t.integer("max_sessions", minimum=default_sessions, minimum_name="default_sessions")
    participants = t.keys("participants")
    if "client" not in participants:
        raise t.error("participants", "must include 'client'")
    continuation_days = _continuation_days(t)
    min_age = t.optional_integer("min_age", minimum=0)
    max_age = t.optional_integer("max_age", minimum=min_age or 0)
    context = _Context(t.file, _source_tags(t, sources), participants)

    phases = _read_phases(t, context, default_sessions)
    protocol = Protocol(
        key=key,
        name=name,
        version=version,
        summary=summary,
        sources=sources,
        cadence=cadence,
        session_minutes=session_minutes,
        default_sessions=default_sessions,
        min_sessions=min_sessions,
        max_sessions=max_sessions,
        phases=phases,
        measures=(),
        contacts=(),
        problem_areas=_read_problem_areas(t, context),
        participants=participants,
        continuation_days=continuation_days,
        min_age=min_age,
        max_age=max_age,
    )
    pinned = _PinnedSessions(protocol)
    pinned.check_phases(t)
    measures = _read_measures(t, context, pinned)
    return dataclasses.replace(
        protocol,
        measures=measures,
        contacts=_read_contacts(t, pinned),
        depression_measure=_depression_measure(t, measures),
    )


def _depression_measure(t: _Table, measures: tuple[MeasureRule, ...]) -> str:
    """Optional; DEPRESSION_MEASURE when left out. Either way one of the protocol's measures, so
    a course always rates the score its caseload column, tracking and outcomes read."""
    key = t.key("depression_measure") if "depression_measure" in t.data else DEPRESSION_MEASURE
    rated = [rule.instrument for rule in measures]
    if key not in rated:
        raise t.error(
            "depression_measure",
            f"must be one of the protocol's measures ({', '.join(rated)}), not {key!r}; "
            "add a [[measures]] rule for it or name another",
        )
    return key


def _continuation_days(t: _Table) -> int:
    """Optional; CONTINUATION_DAYS when left out, else a whole number of days in the range."""
    if "continuation_days" not in t.data:
        return CONTINUATION_DAYS
    low, high = CONTINUATION_DAYS_RANGE
    value = t.data["continuation_days"]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise t.error(
            "continuation_days",
            f"must be a whole number of days from {low} to {high} (the default is {CONTINUATION_DAYS}), "
            f"not {_describe(value)}",
        )
    return value


def _source_tags(t: _Table, sources: tuple[str, ...]) -> tuple[str, ...]:
    tags: list[str] = []
    for i, citation in enumerate(sources):
        match = _SOURCE_RE.fullmatch(citation)
        if not match:
            raise t.error(
                f"sources[{i}]",
                "must start with a tag in brackets, e.g. '[Weissman2018] Author, title, year'",
            )
        if match[1] in tags:
            raise t.error(f"sources[{i}]", f"tag {match[1]!r} is defined twice")
        tags.append(match[1])
    return tuple(tags)


def _tags(t: _Table, context: _Context) -> tuple[str, ...]:
    tags = t.texts("sources", required=False)
    for i, tag in enumerate(tags):
        if tag not in context.tags:
            raise t.error(
                f"sources[{i}]",
                f"unknown source tag {tag!r}; the file's sources define {', '.join(context.tags)}",
            )
    return tags


def _read_phases(t: _Table, context: _Context, default_sessions: int) -> tuple[Phase, ...]:
    phases: list[Phase] = []
    tables = t.tables("phases", _fields(Phase))
    for pt in tables:
        key = pt.choice("key", PHASE_KEYS)
        if phases:
            previous = phases[-1]
            if key in (p.key for p in phases):
                raise pt.error("key", f"phase {key!r} is listed twice")
            if PHASE_KEYS.index(key) < PHASE_KEYS.index(previous.key):
                order = ", ".join(PHASE_KEYS)
                raise pt.error(
                    "key", f"{key!r} cannot follow {previous.key!r}; phases run in the order {order}"
                )
        expected_first = phases[-1].last_session + 1 if phases else 1
        first = pt.integer("first_session", minimum=1)
        if first != expected_first:
            raise pt.error(
                "first_session",
                f"must be {expected_first} (phases follow one another without gaps or overlaps), not {first}",
            )
        last = pt.integer("last_session", minimum=first, minimum_name="first_session")
        phases.append(
            Phase(
                key=key,
                name=pt.text("name"),
                first_session=first,
                last_session=last,
                purpose=pt.text("purpose"),
                tasks=tuple(_read_task(tt, context, first, last) for tt in pt.tables("tasks", _fields(Task))),
                sources=_tags(pt, context),
            )
        )
    end = phases[-1].last_session
    if end != default_sessions:
        raise tables[-1].error(
            "last_session", f"the last phase must end at default_sessions ({default_sessions}), not {end}"
        )
    return tuple(phases)


def _read_task(t: _Table, context: _Context, first: int, last: int) -> Task:
    key = t.key("key")
    if key in context.task_keys:
        raise t.error("key", f"task key {key!r} is already used at {context.task_keys[key]}")
    context.task_keys[key] = t.where
    sessions = t.session_numbers("sessions", required=False)
    once = t.flag("once")
    if once and sessions is not None:
        raise t.error("once", "a task held once is placed by the clinician; leave sessions out")
    for s in sessions or ():
        if not first <= s <= last:
            raise t.error("sessions", f"session {s} is outside its phase (sessions {first}-{last})")
    participants = t.keys("participants", required=False)
    for i, participant in enumerate(participants):
        if participant not in context.participants:
            known = ", ".join(context.participants)
            raise t.error(
                f"participants[{i}]", f"{participant!r} is not among the protocol's participants ({known})"
            )
    return Task(
        key=key,
        title=t.text("title"),
        guidance=t.text("guidance"),
        sessions=sessions,
        participants=participants,
        optional=t.flag("optional"),
        sources=_tags(t, context),
        once=once,
    )


class _PinnedSessions:
    """Checks session numbers pinned by tasks, measures and contacts against the schedule rule.

    A course may have as few as `min_sessions`; the flexible phase then loses sessions at its
    end, so nothing may be pinned to those (see `openipt.protocols.model`).
    """

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.flexible = protocol.phase(protocol.flexible_phase_key)
        shrink = protocol.default_sessions - protocol.min_sessions
        self.kept_last = self.flexible.last_session - shrink

    def check_phases(self, t: _Table) -> None:
        protocol, flexible = self.protocol, self.flexible
        if self.kept_last < flexible.first_session:
            raise t.error(
                "min_sessions",
                f"a course of {protocol.min_sessions} sessions would leave the {flexible.key} phase "
                f"(sessions {flexible.first_session}-{flexible.last_session}) without sessions; "
                f"that phase shrinks when a contract sets fewer than default_sessions",
            )
        index = protocol.phase_keys.index(flexible.key)
        for j, task in enumerate(flexible.tasks):
            self.check(t, f"phases[{index}].tasks[{j}].sessions", task.sessions)

    def check(self, t: _Table, name: str, sessions: tuple[int, ...] | None, *, between: bool = False) -> None:
        """`between`: the numbers name the session a between-session contact follows."""
        default = self.protocol.default_sessions
        for s in sessions or ():
            if s > default:
                raise t.error(name, f"session {s} is after the last session ({default})")
            if between and s == default:
                raise t.error(name, f"session {s} is the last session; a contact comes between two sessions")
            if self.kept_last < s <= self.flexible.last_session:
                raise t.error(
                    name,
                    f"session {s} of the {self.flexible.key} phase does not exist in a course of "
                    f"min_sessions ({self.protocol.min_sessions}) sessions; pin to sessions "
                    f"{self.flexible.first_session}-{self.kept_last} of that phase or leave sessions out",
                )


def _read_measures(t: _Table, context: _Context, pinned: _PinnedSessions) -> tuple[MeasureRule, ...]:
    rules: list[MeasureRule] = []
    for mt in t.tables("measures", _fields(MeasureRule)):
        instrument = mt.key("instrument")
        for j, rule in enumerate(rules):
            if rule.instrument == instrument:
                raise mt.error(
                    "instrument", f"{instrument!r} already has a rule at measures[{j}]; combine them"
                )
        sessions = mt.session_numbers("sessions", required=False)
        pinned.check(mt, "sessions", sessions)
        rule = MeasureRule(
            instrument=instrument,
            sessions=sessions,
            every=mt.optional_integer("every", minimum=1),
            first=mt.flag("first"),
            last=mt.flag("last"),
            sources=_tags(mt, context),
        )
        if rule.sessions is None and rule.every is None and not rule.first and not rule.last:
            raise mt.fail("names no session: set sessions, every, first or last")
        rules.append(rule)
    return tuple(rules)


def _read_contacts(t: _Table, pinned: _PinnedSessions) -> tuple[Contact, ...]:
    contacts: list[Contact] = []
    for ct in t.tables("contacts", _fields(Contact), required=False):
        between = ct.session_numbers("between_sessions", required=True)
        pinned.check(ct, "between_sessions", between, between=True)
        contacts.append(
            Contact(
                kind=ct.key("kind"),
                label=ct.text("label"),
                between_sessions=between or (),
                guidance=ct.text("guidance", required=False),
            )
        )
    return tuple(contacts)


def _read_problem_areas(t: _Table, context: _Context) -> tuple[ProblemArea, ...]:
    areas: list[ProblemArea] = []
    for at in t.tables("problem_areas", _fields(ProblemArea)):
        key = at.choice("key", PROBLEM_AREA_KEYS)
        if any(a.key == key for a in areas):
            raise at.error("key", f"problem area {key!r} is listed twice")
        areas.append(
            ProblemArea(
                key=key,
                name=at.text("name"),
                description=at.text("description"),
                goals=at.texts("goals"),
                strategies=at.texts("strategies"),
                sources=_tags(at, context),
            )
        )
    return tuple(areas)

"""Scoring: `score(instrument, answers) -> Score`, with the total, band and risk flags.

PURE module: standard library only, no Django, no I/O, no clock. Every answer is validated
here; callers (forms, actions, the `score` command) rely on `ScoringError` messages, which name
the item by number and link id and say what is allowed. Messages never echo more than a short
piece of a rejected value, so free text typed by mistake does not end up in logs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from openipt.measures.instruments import SEVERITIES, Band, Instrument, Item, UnknownInstrument, get_instrument

# ASCII digits only: int() would also accept "1_0", "٣" and other forms no form or CLI sends.
_INTEGER = re.compile(r"\s*[+-]?[0-9]+\s*")

# An option index; a string of digits as it comes from a form or the command line; None for
# an item not answered.
Answer = int | str | None


class ScoringError(ValueError):
    """The answers cannot be scored; the message says which item is wrong and what is allowed."""


@dataclass(frozen=True)
class Score:
    """The result of scoring one set of answers (FHIR Observation, derived from a Response).

    `items` holds (link_id, scored value) for every scored item answered, in item order;
    `unscored` holds the same for unscored items that were answered. `answers` holds (link_id,
    option index) for every answered item: what to store as the response, since for a
    reverse-keyed instrument the index and the scored value differ. `risk` lists the risk flags
    raised, in item order, without repeats; `risk_severity` pairs each with the highest severity
    any item gave it ("low", "moderate" or "high"). `subscales` holds (key, sum) for an
    instrument with subscales (WAI-SR). `not_applicable` lists scored items answered "not
    applicable": the total is over the other items, not pro-rated, `max_total` is the highest
    total those other items allow, and the band uses the cut-offs scaled to that range.

    For a triage instrument (`Instrument.has_total` False: the C-SSRS screener) `total` is the
    rank of the triage level in its bands, 0 for none to 3 for high; show the band, not a score.
    """

    instrument: str
    total: int
    band: str
    band_label: str
    max_total: int
    risk: tuple[str, ...]
    items: tuple[tuple[str, int], ...]
    unscored: tuple[tuple[str, int], ...] = ()
    answers: tuple[tuple[str, int], ...] = ()
    risk_severity: tuple[tuple[str, str], ...] = ()
    subscales: tuple[tuple[str, int], ...] = ()
    not_applicable: tuple[str, ...] = ()

    def severity_for(self, flag: str) -> str | None:
        """The severity of `flag` ("low", "moderate" or "high"), or None if it was not raised."""
        return dict(self.risk_severity).get(flag)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dict: lists and dicts only, keys in a stable order. `subscales` and
        `not_applicable` appear only for a score that has them."""
        result: dict[str, object] = {
            "instrument": self.instrument,
            "total": self.total,
            "band": self.band,
            "risk": list(self.risk),
            "risk_severity": dict(self.risk_severity),
            "band_label": self.band_label,
            "max_total": self.max_total,
            "items": dict(self.items),
            "unscored": dict(self.unscored),
        }
        if self.subscales:
            result["subscales"] = dict(self.subscales)
        if self.not_applicable:
            result["not_applicable"] = list(self.not_applicable)
        return result


@dataclass(slots=True)
class _Answered:
    """What `_read` found, item by item; `score()` turns it into a `Score`."""

    indexes: dict[str, int] = field(default_factory=dict)
    scored: dict[str, int] = field(default_factory=dict)
    unscored: dict[str, int] = field(default_factory=dict)
    not_applicable: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)


def score(instrument: str | Instrument, answers: Sequence[Answer] | Mapping[str, Answer]) -> Score:
    """Score `answers` to `instrument` (a key such as "phq9", or an `Instrument`).

    Each answer is the index of the chosen option in printed order (0 for the first option);
    the option's value is what is scored. An int or a string of ASCII digits is accepted; bools,
    floats and other strings are not. `None` counts as not answered.

    `answers` is either a sequence in item order (PHQ-9: the nine items, optionally followed by
    the difficulty item; None in the place of an item skip logic leaves out) or a mapping of link
    id to answer. Every required item that is asked must be answered; an item skip logic leaves
    out must not be; unknown link ids and surplus answers are refused. Raises `ScoringError` on
    any problem.
    """
    definition = _resolve(instrument)
    found = _read(definition, _by_link_id(definition, answers), answers)
    total = definition.total_of(found.scored)
    band = _band(definition, total, found)
    return Score(
        instrument=definition.key,
        total=total,
        band=band.key,
        band_label=band.label,
        max_total=_max_total(definition, found),
        risk=tuple(found.severity),
        items=tuple(found.scored.items()),
        unscored=tuple(found.unscored.items()),
        answers=tuple(found.indexes.items()),
        risk_severity=tuple(found.severity.items()),
        subscales=_subscales(definition, found.scored) if definition.subscales else (),
        not_applicable=tuple(found.not_applicable),
    )


def _subscales(definition: Instrument, scored: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """Each subscale's sum over its answered items."""
    return tuple(
        (group.key, sum(scored[link_id] for link_id in group.link_ids if link_id in scored))
        for group in definition.subscales
    )


def _read(definition: Instrument, given: Mapping[str, object], answers: object) -> _Answered:
    """Check every answer in item order, applying skip logic, and collect values and risk."""
    found = _Answered()
    for number, item in enumerate(definition.items, start=1):
        raw = given.get(item.link_id)
        when = item.enable_when
        if when is not None and found.indexes.get(when[0]) != when[1]:
            if raw is not None:
                raise _not_asked_error(definition, number, item.link_id, when)
            continue
        if raw is None:
            if item.required:
                hint = _count_hint(definition, answers, found.indexes)
                raise ScoringError(f"{definition.key}: item {number} ({item.link_id}) is missing{hint}")
            continue
        # type() rather than isinstance(): a bool is an int but never an answer.
        if type(raw) is int and 0 <= raw < len(item.options):
            index = raw
        else:
            index = _option_index(definition.key, number, item, raw)
        found.indexes[item.link_id] = index
        value = item.options[index].value
        if value is None:
            found.not_applicable.append(item.link_id)
            continue
        (found.scored if item.scored else found.unscored)[item.link_id] = value
        # Risk is judged item by item, whatever the total: a minimal total can still carry a flag.
        if item.risk_flag and (severity := item.risk_severity(value)):
            found.severity[item.risk_flag] = _higher(found.severity.get(item.risk_flag), severity)
    return found


def _asked(item: Item, indexes: Mapping[str, int]) -> bool:
    """Whether skip logic asks `item`, given the option indexes chosen for earlier items."""
    if item.enable_when is None:
        return True
    link_id, index = item.enable_when
    return indexes.get(link_id) == index


def _higher(current: str | None, new: str) -> str:
    if current is None:
        return new
    return max(current, new, key=SEVERITIES.index)


def _band(definition: Instrument, total: int, found: _Answered) -> Band:
    """The band of `total`. With items answered "not applicable" (WSAS work item) the total is over
    fewer items, and cut-offs published for every item (Mundt et al. 2002 give them for all five)
    would understate it. It is then banded on the cut-offs scaled to the items answered: the last
    band whose lower bound, as a share of the full range, the total reaches as a share of its own
    range (for WSAS over four items: 0-7, 8-16, 17-32, from 10 and 21 of 40). That scaling is our
    choice, stated in docs/outcomes.md; no published four-item cut-offs exist to use instead."""
    if not found.not_applicable:
        return definition.band_for(total)
    low, full, answered = definition.min_total, definition.max_total, _max_total(definition, found)
    reached = [
        band
        for band in definition.bands
        if (total - low) * (full - low) >= (band.low - low) * (answered - low)
    ]
    return reached[-1] if reached else definition.bands[0]


def _max_total(definition: Instrument, found: _Answered) -> int:
    """The instrument's maximum, less what items answered "not applicable" could have added.
    Items skip logic leaves out still count: skipping them is part of the answer."""
    if not found.not_applicable:
        return definition.max_total
    left_out = set(found.not_applicable)
    maxima = {
        item.link_id: item.max_value for item in definition.scored_items if item.link_id not in left_out
    }
    return definition.total_of(maxima)


def _not_asked_error(
    definition: Instrument, number: int, link_id: str, enable_when: tuple[str, int]
) -> ScoringError:
    on, index = enable_when
    label = definition.item(on).options[index].label
    on_number = definition.link_ids.index(on) + 1
    return ScoringError(
        f"{definition.key} item {number} ({link_id}): only asked when item {on_number} ({on}) "
        f"is answered {index} ({label}); leave it out"
    )


def _resolve(instrument: str | Instrument) -> Instrument:
    if isinstance(instrument, Instrument):
        return instrument
    try:
        return get_instrument(instrument)
    except UnknownInstrument as exc:
        raise ScoringError(str(exc)) from None


def _by_link_id(instrument: Instrument, answers: object) -> dict[str, object]:
    """Answers keyed by link id, whichever shape they came in."""
    key = instrument.key
    if isinstance(answers, Mapping):
        link_ids = instrument.link_ids
        unknown = [name for name in answers if name not in link_ids]
        if unknown:
            names = ", ".join(_shown(name) for name in unknown)
            raise ScoringError(f"{key}: unknown item {names}; the items are {', '.join(link_ids)}")
        return dict(answers)
    # A string is a Sequence too, but "102301001" is far more likely a mistake than 9 answers.
    if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
        raise ScoringError(
            f"{key}: answers must be a list in item order or a mapping of link id to answer, "
            f"not {type(answers).__name__}"
        )
    items = instrument.items
    if len(answers) > len(items):
        optional = [item.link_id for item in items if not item.required]
        shape = f"{len(instrument.scored_items)} scored"
        if optional:
            shape += f"; optional: {', '.join(optional)}"
        raise ScoringError(
            f"{key}: {len(answers)} answers given but the instrument has {len(items)} items ({shape})"
        )
    return {item.link_id: answer for item, answer in zip(items, answers, strict=False)}


def _count_hint(instrument: Instrument, answers: object, indexes: Mapping[str, int]) -> str:
    """For a sequence that stops early, how many answers were given and how many are needed
    (up to the last required item that the answers so far ask)."""
    if isinstance(answers, Mapping) or not isinstance(answers, Sequence):
        return ""
    needed = max(
        number
        for number, item in enumerate(instrument.items, start=1)
        if item.required and _asked(item, indexes)
    )
    return f"; {len(answers)} answers given, {needed} needed" if len(answers) < needed else ""


def _option_index(key: str, number: int, item: Item, raw: object) -> int:
    """The option index `raw` stands for, or ScoringError naming the item and the choices."""
    # bool is an int subclass: True would silently score as 1.
    if isinstance(raw, int) and not isinstance(raw, bool):
        index = raw
    elif isinstance(raw, str) and _INTEGER.fullmatch(raw):
        index = int(raw)
    else:
        problem = (
            f"{raw} is not an answer" if isinstance(raw, bool) else f"{_shown(raw)} is not a whole number"
        )
        raise _answer_error(key, number, item, problem)
    if not 0 <= index < len(item.options):
        raise _answer_error(key, number, item, f"{index} is not allowed")
    return index


def _answer_error(key: str, number: int, item: Item, problem: str) -> ScoringError:
    return ScoringError(
        f"{key} item {number} ({item.link_id}): {problem}; choose {_choices(len(item.options))}"
    )


def _choices(count: int) -> str:
    """'0, 1, 2 or 3' for four options."""
    indexes = [str(index) for index in range(count)]
    if len(indexes) == 1:
        return indexes[0]
    return f"{', '.join(indexes[:-1])} or {indexes[-1]}"


def _shown(raw: object) -> str:
    text = repr(raw)
    return text if len(text) <= 20 else f"{text[:17]}..."

"""Which IPT problem area the inventory and the timeline point to, and a formulation draft.

Pure: standard library only, no clock, no I/O. The clinician always decides: `suggest` only
reads what has been recorded and says, in plain sentences, which of the four problem areas the
facts fit and why; `draft_formulation` writes a first draft of the interpersonal formulation
for the clinician to edit and agree with the client (identifying the problem area and the
formulation are tasks of the initial phase; Weissman, Markowitz & Klerman, *Comprehensive Guide
to Interpersonal Psychotherapy*, 2000, and *The Guide to Interpersonal Psychotherapy*, 2018;
Markowitz & Swartz 1997 for the formulation).

The manuals tie a problem area to the **onset or the continuation** of the current episode
(Weissman, Markowitz & Klerman 2000 and 2018; Markowitz & Weissman, *Casebook of Interpersonal
Psychotherapy*, 2012). The rules follow each area's criteria:

- **grief**: the onset or the continuation of the depression is tied to the death of someone
  close;
- **role dispute**: a significant relationship with non-reciprocal expectations, in open
  conflict, the struggle linked to the depression; judged on those facts whatever ring the
  person is drawn on (a manager in the outer ring can be the dispute);
- **role transition**: a life change linked to the depression; wanted changes count too;
- **interpersonal deficits**: only when no other area has any evidence and the client has few
  attachments; the manuals treat it as "none of the above", warn that careful assessment
  sometimes uncovers hidden grief, and report poorer outcomes (Weissman, Markowitz & Klerman
  2018).

"Tied to the onset or the continuation" has no number of days in the manuals. Our
operationalisation is the `OnsetWindow`: an event from a year before the onset to a month after
it is tied to the onset (strong evidence; symptoms are often noticed a little after they begin);
an event later than that but within `continuation_days` of the onset (by default 90, the
protocol's `continuation_days`) happened while the depression continued and is at least possible
evidence of what keeps it going. A death of someone in the inner ring is never set aside: long
before or long after the onset it stays possible evidence, since grief can be hidden or delayed.

Every reason is built from the facts that were weighed, including those set aside ("That lies
long before the onset."); no sentence denies something that is recorded.

Dates in reasons go through an injected `format_date` (ISO 8601 by default), so views can pass
the house format ("Tue 3 Mar 2026"). Names and descriptions are user data and are kept exactly
as given; whoever renders the reasons escapes them (Django templates do). Every sentence is a
template marked with `gettext_noop` and filled with `str.format`; pass `gettext` to translate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from openipt.lib.i18n import gettext_noop
from openipt.protocols.model import CONTINUATION_DAYS, PROBLEM_AREA_KEYS

Strength = Literal["strong", "possible", "none"]
Ring = Literal["inner", "middle", "outer"]
Met = Literal["yes", "partly", "no", "unknown"]
ConflictLevel = Literal["none", "some", "serious"]

RINGS: Final = ("inner", "middle", "outer")
MET_VALUES: Final = ("yes", "partly", "no", "unknown")
CONFLICT_LEVELS: Final = ("none", "some", "serious")
STRENGTHS: Final[tuple[Strength, ...]] = ("strong", "possible", "none")

EVENT_KINDS: Final = (
    "death",
    "separation",
    "divorce",
    "move",
    "job_change",
    "job_loss",
    "retirement",
    "birth",
    "illness",
    "dispute_start",
    "migration",
    "relationship_start",
    "relationship_end",
    "school_change",
    "other",
)
# The life changes the manuals list for role transitions; wanted ones (a birth, a new job, a new
# relationship) count as much as unwanted ones (Weissman, Markowitz & Klerman 2018).
LIFE_CHANGE_KINDS: Final = frozenset(
    {
        "separation",
        "divorce",
        "move",
        "job_change",
        "job_loss",
        "retirement",
        "birth",
        "illness",
        "migration",
        "relationship_start",
        "relationship_end",
        "school_change",
    }
)
EVENT_KIND_LABELS: Final = {
    "death": gettext_noop("Death"),
    "separation": gettext_noop("Separation"),
    "divorce": gettext_noop("Divorce"),
    "move": gettext_noop("Move"),
    "job_change": gettext_noop("Job change"),
    "job_loss": gettext_noop("Job loss"),
    "retirement": gettext_noop("Retirement"),
    "birth": gettext_noop("Birth"),
    "illness": gettext_noop("Illness"),
    "dispute_start": gettext_noop("A dispute started"),
    "migration": gettext_noop("Migration"),
    "relationship_start": gettext_noop("A relationship began"),
    "relationship_end": gettext_noop("A relationship ended"),
    "school_change": gettext_noop("School change"),
    "other": gettext_noop("Other event"),
}
AREA_NAMES: Final = {
    "grief": gettext_noop("grief"),
    "role_dispute": gettext_noop("role dispute"),
    "role_transition": gettext_noop("role transition"),
    "interpersonal_deficits": gettext_noop("interpersonal deficits"),
}

# Interpersonal deficits is considered when the inner ring holds at most this many living
# people: "few attachments" in the manuals, which give no number.
FEW_CLOSE_TIES: Final = 1
# The manuals advise one focus, sometimes two.
MAX_CHOSEN_AREAS: Final = 2
# The source named in sentences shown to clinicians; a title, so never translated.
GUIDE: Final = "Weissman, Markowitz & Klerman, The Guide to Interpersonal Psychotherapy, 2018"

# --- sentences -------------------------------------------------------------------------------

WHO: Final = gettext_noop("{name} ({relationship})")
EVENT_WHAT: Final = gettext_noop("{kind} ({detail})")
AND: Final = gettext_noop("{first} and {second}")

ONE_DAY: Final = gettext_noop("1 day")
DAYS: Final = gettext_noop("{n} days")
WEEKS: Final = gettext_noop("{n} weeks")
ONE_MONTH: Final = gettext_noop("1 month")
MONTHS: Final = gettext_noop("{n} months")
YEARS: Final = gettext_noop("{n} years")
BEFORE_ONSET: Final = gettext_noop("{gap} before the depression began")
AFTER_ONSET: Final = gettext_noop("{gap} after the depression began")
SAME_DAY: Final = gettext_noop("the day the depression began")

DIED: Final = gettext_noop("{who} died on {date}, {when}.")
DIED_NO_ONSET: Final = gettext_noop("{who} died on {date}.")
DIED_UNDATED: Final = gettext_noop("{who} has died; the date is not recorded.")
HAPPENED: Final = gettext_noop("{what} on {date}, {when}.")
HAPPENED_NO_ONSET: Final = gettext_noop("{what} on {date}.")

NO_ONSET_YET: Final = gettext_noop("With no onset date recorded, it cannot yet be tied to the depression.")
CONTINUING: Final = gettext_noop(
    "That was after the onset, while the depression continued: ask whether it is keeping the "
    "depression going."
)
CONTINUING_LOSS: Final = gettext_noop(
    "That was after the onset, while the depression continued: ask whether the loss is keeping the "
    "depression going."
)
LATER: Final = gettext_noop(
    "That is more than {days} days after the onset, later than the time weighed for its continuation."
)
LATER_BUT_CLOSE: Final = gettext_noop(
    "That is more than {days} days after the onset, but they were among the closest people: ask "
    "whether the loss bears on the depression now."
)
LONG_BEFORE: Final = gettext_noop("That lies long before the onset.")
LONG_BEFORE_BUT_CLOSE: Final = gettext_noop(
    "That lies long before the onset, but they were among the closest people: grief can stay "
    "hidden or be delayed, so ask about it."
)
RECORD_DEATH_DATE: Final = gettext_noop("Record the date to see whether the death is tied to the onset.")
OTHER_NEAR: Final = gettext_noop("Decide whether it changed the client's roles.")
OTHER_CONTINUING: Final = gettext_noop(
    "That was after the onset, while the depression continued: decide whether it changed the client's roles."
)

DISPUTE_FACTS: Final = gettext_noop("{who}: {expectations}; {conflict}.")
EXPECTATIONS_TEXT: Final = {
    "yes": gettext_noop("expectations met"),
    "partly": gettext_noop("expectations only partly met"),
    "no": gettext_noop("expectations not met"),
    "unknown": gettext_noop("expectations not explored yet"),
}
CONFLICT_TEXT: Final = {
    "none": gettext_noop("no conflict recorded"),
    "some": gettext_noop("some conflict"),
    "serious": gettext_noop("serious conflict"),
}
LINK_SAID: Final = gettext_noop("The client links the struggle to the depression.")
LINK_CHANGED: Final = gettext_noop("The relationship changed around the onset.")
LINK_EVENT: Final = gettext_noop("A dispute began on {date}, {when}.")
LINK_CONTINUING: Final = gettext_noop(
    "A dispute began on {date}, {when}, after the onset, while the depression continued."
)
EVENT_NOT_LINKED: Final = gettext_noop(
    "A dispute began on {date}, {when}: too far from the onset to link it."
)
EVENT_NO_ONSET: Final = gettext_noop(
    "A dispute began on {date}; with no onset date recorded, it cannot yet be tied."
)
EXPECTATIONS_MET: Final = gettext_noop(
    "Expectations are recorded as met, so this does not look like a role dispute: check that with the client."
)
ONLY_EXPECTATIONS: Final = gettext_noop(
    "Neither open conflict nor a link to the depression is recorded, so this is not counted as a "
    "role dispute."
)
NO_LINK: Final = gettext_noop(
    "Not yet linked to the depression: ask whether the struggle and the low mood go together."
)
NO_CONFLICT: Final = gettext_noop("No open conflict is recorded: ask how the two deal with the disagreement.")
ASK_EXPECTATIONS: Final = gettext_noop("Ask what each expects of the other.")
DISPUTE_EVENT: Final = gettext_noop("A dispute began ({detail}) on {date}, {when}.")

FEW_TIES_NONE: Final = gettext_noop("No one living is in the inner ring.")
FEW_TIES_SOME: Final = gettext_noop("The inner ring holds only {names}.")
NOTHING_RECORDED: Final = gettext_noop("No death, dispute or life change is recorded.")
NOTHING_TIED: Final = gettext_noop(
    "Nothing recorded ties a death, a dispute or a life change to the onset or to the {days} days "
    "after it: the other areas show what was weighed."
)
DEFICITS_LOSSES: Final = gettext_noop(
    "Recorded losses: {who}. Ask about them before settling on this area: grief can look like isolation."
)
NONE_OF_THE_ABOVE: Final = gettext_noop(
    "The manuals treat interpersonal deficits as 'none of the above' and warn that careful "
    "assessment sometimes uncovers hidden grief ({source}): ask again about losses."
)
POORER_OUTCOMES: Final = gettext_noop(
    "Outcomes tend to be poorer in this area; consider other treatments, such as CBT or medication, "
    "if there is no improvement ({source})."
)
DEFICITS_OTHERS_FIT: Final = gettext_noop(
    "Not considered while another area has evidence: the manuals keep interpersonal deficits for "
    "when none of the others applies ({source})."
)
DEFICITS_MANY_TIES: Final = gettext_noop(
    "The inner ring holds {count} living people, so the client does not seem short of close attachments."
)
DEFICITS_NO_ONSET: Final = gettext_noop(
    "Record the onset first: this area is considered only once no other area fits around it."
)

NOTE_CLINICIAN_DECIDES: Final = gettext_noop(
    "These suggestions come only from what has been recorded; the clinician decides, and agrees the "
    "focus with the client."
)
NOTE_NO_ONSET: Final = gettext_noop("No onset date recorded: record when this episode began.")
NOTE_NO_PEOPLE: Final = gettext_noop(
    "No people recorded: take the interpersonal inventory of the important people in the client's life."
)
NOTE_NO_EVENTS: Final = gettext_noop(
    "No life events recorded: ask what changed in the client's life around the time the depression began."
)
NOTE_ONE_FOCUS: Final = gettext_noop(
    "More than one area fits. The manuals advise one focus, two at most, to keep the treatment "
    "organised ({source})."
)
NOTE_NOTHING_FITS: Final = gettext_noop(
    "Nothing recorded points to a problem area yet: ask about changes in relationships around the onset."
)

CHOICE_EMPTY: Final = gettext_noop(
    "Choose a problem area: grief, role dispute, role transition or interpersonal deficits."
)
CHOICE_UNKNOWN: Final = gettext_noop(
    '"{area}" is not a problem area: choose from grief, role dispute, role transition, '
    "interpersonal deficits."
)
CHOICE_REPEATED: Final = gettext_noop("{area} is chosen more than once: choose each problem area once.")
CHOICE_TOO_MANY: Final = gettext_noop(
    "Choose one problem area, or two at most: the manuals advise a single focus to keep the "
    "treatment organised."
)

DRAFT_ILLNESS: Final = gettext_noop(
    "{client}, from what you have told me, you have depression. Depression is a common medical "
    "illness that can be treated. It is not your fault, and it is not a weakness."
)
DRAFT_ONSET: Final = gettext_noop("It began around {date}.")
DRAFT_NO_ONSET: Final = gettext_noop("We have not yet pinned down when it began.")
DRAFT_GRIEF: Final = gettext_noop(
    "It seems connected to the death of {who} on {date}: grief that has not been mourned can bring "
    "on depression and keep it going."
)
DRAFT_GRIEF_UNDATED: Final = gettext_noop(
    "It seems connected to the death of {who}: grief that has not been mourned can bring on "
    "depression and keep it going."
)
DRAFT_GRIEF_EVENT: Final = gettext_noop(
    "It seems connected to a death on {date} ({detail}): grief that has not been mourned can bring "
    "on depression and keep it going."
)
DRAFT_GRIEF_GENERIC: Final = gettext_noop(
    "It seems connected to the loss of someone close to you, and grief that has not been mourned."
)
DRAFT_DISPUTE: Final = gettext_noop(
    "It seems connected to a struggle with {who}: you expect different things of each other."
)
DRAFT_DISPUTE_GENERIC: Final = gettext_noop(
    "It seems connected to a struggle with someone important to you, where you expect different "
    "things of each other."
)
DRAFT_TRANSITION: Final = gettext_noop("It seems connected to a change in your life: {what}.")
DRAFT_TRANSITION_ITEM: Final = gettext_noop("{what} on {date}")
DRAFT_TRANSITION_GENERIC: Final = gettext_noop(
    "It seems connected to a change in your life and the new role it asked of you."
)
DRAFT_DEFICITS: Final = gettext_noop(
    "It seems connected to feeling alone: you have had few people to be close to and to lean on."
)
DRAFT_WORK: Final = gettext_noop("In our sessions we will work on {area}. The work will be to:")
DRAFT_CLOSE: Final = gettext_noop(
    "Each week we will look at how your mood and these relationships are going, and whether this "
    "focus still fits. Does this fit how you see it?"
)

# The goals of each area in plain words (after Weissman, Markowitz & Klerman 2018); callers may
# pass their protocol's.
DEFAULT_GOALS: Final[Mapping[str, tuple[str, ...]]] = {
    "grief": (
        gettext_noop("Help the mourning to happen."),
        gettext_noop("Rebuild interests and relationships that can partly make up for what was lost."),
    ),
    "role_dispute": (
        gettext_noop("Name the dispute and what each of you expects."),
        gettext_noop("Choose a plan."),
        gettext_noop("Change how you talk to each other, what you expect, or both."),
    ),
    "role_transition": (
        gettext_noop("Come to terms with the loss of the old role."),
        gettext_noop("See the new role more realistically, including what is good in it."),
        gettext_noop("Feel capable again by getting on top of what the new role asks."),
    ),
    "interpersonal_deficits": (
        gettext_noop("Feel less alone."),
        gettext_noop("Strengthen the relationships you have now."),
        gettext_noop("Make new ones."),
    ),
}


def _no_translation(message: str) -> str:
    return message


def _check_choice(field: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{field} must be one of {', '.join(allowed)}, not {value!r}")


# --- input and output ------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonFacts:
    """One person from the interpersonal inventory, as far as the rules need them.

    `relationship` is the label to show ("Father"), not a stored key. A person counts as dead
    when `deceased` is set or `died_on` is given. `changed_around_onset` and
    `linked_to_depression` are the clinician's answers to the inventory's questions.
    """

    id: int
    name: str
    relationship: str
    ring: Ring
    deceased: bool = False
    died_on: date | None = None
    expectations_met: Met = "unknown"
    conflict: ConflictLevel = "none"
    changed_around_onset: bool = False
    linked_to_depression: bool = False

    def __post_init__(self) -> None:
        _check_choice("ring", self.ring, RINGS)
        _check_choice("expectations_met", self.expectations_met, MET_VALUES)
        _check_choice("conflict", self.conflict, CONFLICT_LEVELS)

    @property
    def dead(self) -> bool:
        return self.deceased or self.died_on is not None


@dataclass(frozen=True)
class EventFacts:
    """One life event; `people` are the ids of the people involved (for a death, who died)."""

    id: int
    kind: str
    on: date
    people: tuple[int, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        _check_choice("kind", self.kind, EVENT_KINDS)


Place = Literal["before", "within", "continuation", "after"]


@dataclass(frozen=True)
class OnsetWindow:
    """What counts as "tied to the onset": from `before_days` before it to `after_days` after;
    and as "while the depression continued": from then to `continuation_days` after the onset.

    The manuals' criterion is a link in time and in the client's account; these numbers are our
    operationalisation of it, not the manuals'. Callers pass the protocol's `continuation_days`
    (`openipt.protocols.model.CONTINUATION_DAYS` by default).
    """

    before_days: int = 365
    after_days: int = 30
    continuation_days: int = CONTINUATION_DAYS

    def __post_init__(self) -> None:
        if self.before_days < 0 or self.after_days < 0:
            raise ValueError("an onset window cannot have negative days")
        if self.continuation_days < self.after_days:
            raise ValueError(
                f"continuation_days ({self.continuation_days}) must be at least "
                f"after_days ({self.after_days})"
            )

    def place(self, day: date, onset: date) -> Place:
        """Where `day` lies: before the window, within it (tied to the onset), in the
        continuation after it, or after that."""
        offset = (day - onset).days
        if offset < -self.before_days:
            return "before"
        if offset <= self.after_days:
            return "within"
        if offset <= self.continuation_days:
            return "continuation"
        return "after"


ONSET_WINDOW: Final = OnsetWindow()


@dataclass(frozen=True)
class Evidence:
    """A pointer to a recorded fact: a person or an event of the inventory, by id."""

    kind: Literal["person", "event"]
    id: int


@dataclass(frozen=True)
class AreaSuggestion:
    """What the records say about one problem area.

    `reasons` explain the verdict, the strongest findings first, including facts that were
    weighed and found not to fit ("That lies long before the onset."); `evidence` points to the
    people and events behind a "strong" or "possible" verdict only.
    """

    area: str
    strength: Strength
    reasons: tuple[str, ...]
    evidence: tuple[Evidence, ...]

    @property
    def suggested(self) -> bool:
        return self.strength != "none"

    @property
    def person_ids(self) -> tuple[int, ...]:
        return tuple(e.id for e in self.evidence if e.kind == "person")

    @property
    def event_ids(self) -> tuple[int, ...]:
        return tuple(e.id for e in self.evidence if e.kind == "event")


@dataclass(frozen=True)
class Suggestion:
    """All four areas, suggested ones first (strong, then possible, each in the manuals' order),
    and notes on what is missing or what to bear in mind."""

    areas: tuple[AreaSuggestion, ...]
    notes: tuple[str, ...]

    @property
    def suggested(self) -> tuple[AreaSuggestion, ...]:
        return tuple(a for a in self.areas if a.suggested)

    def area(self, key: str) -> AreaSuggestion:
        for suggestion in self.areas:
            if suggestion.area == key:
                return suggestion
        raise KeyError(key)


class ChoiceError(ValueError):
    """A choice of problem areas the manuals do not allow; `template.format(**params)` is the
    message. Callers that show it to a person translate `template` first."""

    def __init__(self, template: str, params: Mapping[str, str] | None = None) -> None:
        self.template = template
        self.params = dict(params or {})
        super().__init__(template.format(**self.params))


# --- suggestion ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Finding:
    strength: Strength
    reason: str
    evidence: tuple[Evidence, ...]
    on: date | None = None


@dataclass(frozen=True)
class _Words:
    """Translation and date formatting, passed together through the rules."""

    gettext: Callable[[str], str]
    format_date: Callable[[date], str]

    def __call__(self, template: str, **params: object) -> str:
        return self.gettext(template).format(**params)

    def when(self, day: date, onset: date) -> str:
        days = (day - onset).days
        if days == 0:
            return self(SAME_DAY)
        return self(BEFORE_ONSET if days < 0 else AFTER_ONSET, gap=self.gap(abs(days)))

    def gap(self, days: int) -> str:
        """A plain duration: days under two weeks, weeks under nine, months under two years."""
        if days == 1:
            return self(ONE_DAY)
        if days < 14:
            return self(DAYS, n=days)
        if days < 63:
            return self(WEEKS, n=round(days / 7))
        if days < 730:
            months = round(days / 30.44)
            return self(ONE_MONTH) if months == 1 else self(MONTHS, n=months)
        return self(YEARS, n=round(days / 365.25))

    def who(self, person: PersonFacts) -> str:
        if not person.relationship:
            return person.name
        return self(WHO, name=person.name, relationship=person.relationship)

    def both(self, items: Sequence[str]) -> str:
        """Names joined in words: "A", "A and B", "A, B and C"."""
        if len(items) <= 1:
            return "".join(items)
        return self(AND, first=", ".join(items[:-1]), second=items[-1])

    def what(self, event: EventFacts, people: Mapping[int, PersonFacts]) -> str:
        kind = self(EVENT_KIND_LABELS[event.kind])
        detail = event.description or self.both([people[i].name for i in event.people if i in people])
        return self(EVENT_WHAT, kind=kind, detail=detail) if detail else kind


def suggest(
    people: Sequence[PersonFacts],
    events: Sequence[EventFacts],
    onset: date | None,
    *,
    window: OnsetWindow = ONSET_WINDOW,
    format_date: Callable[[date], str] = date.isoformat,
    gettext: Callable[[str], str] = _no_translation,
) -> Suggestion:
    """Weigh the recorded people and events against each problem area's criteria.

    Several areas may be suggested; they come first, ordered by strength and then in the
    manuals' order (grief, role dispute, role transition, interpersonal deficits). The notes
    always remind that the clinician decides, say what is missing, and, when several areas fit,
    that the manuals advise one focus.
    """
    words = _Words(gettext, format_date)
    by_id = {p.id: p for p in people}
    findings = {
        "grief": _grief(people, events, onset, window, by_id, words),
        "role_dispute": _dispute(people, events, onset, window, by_id, words),
        "role_transition": _transition(events, onset, window, by_id, words),
    }
    areas = [_area(key, found) for key, found in findings.items()]
    areas.append(_deficits(areas, people, events, onset, window, by_id, words))
    rank = {strength: n for n, strength in enumerate(STRENGTHS)}
    ordered = sorted(areas, key=lambda a: (rank[a.strength], PROBLEM_AREA_KEYS.index(a.area)))
    return Suggestion(tuple(ordered), _notes(ordered, people, events, onset, words))


def _area(key: str, findings: Iterable[_Finding]) -> AreaSuggestion:
    rank = {strength: n for n, strength in enumerate(STRENGTHS)}
    ordered = sorted(findings, key=lambda f: (rank[f.strength], f.on or date.max))
    evidence: list[Evidence] = []
    for finding in ordered:
        if finding.strength != "none":
            evidence.extend(e for e in finding.evidence if e not in evidence)
    strength = ordered[0].strength if ordered else "none"
    return AreaSuggestion(key, strength, tuple(f.reason for f in ordered), tuple(evidence))


def _dead_ids(people: Sequence[PersonFacts], events: Sequence[EventFacts]) -> set[int]:
    """Everyone recorded as dead: on their own record or as the person of a death event."""
    return {p.id for p in people if p.dead} | {i for e in events if e.kind == "death" for i in e.people}


def _grief(
    people: Sequence[PersonFacts],
    events: Sequence[EventFacts],
    onset: date | None,
    window: OnsetWindow,
    by_id: Mapping[int, PersonFacts],
    words: _Words,
) -> list[_Finding]:
    """A death tied to the onset is strong evidence of grief; a death while the depression
    continued is possible evidence of what keeps it going. A death of someone in the inner ring
    is possible evidence however long before or after the onset, because grief can be hidden or
    delayed (Weissman, Markowitz & Klerman 2018)."""
    findings: list[_Finding] = []
    covered: set[int] = set()
    for event in events:
        if event.kind != "death":
            continue
        dead = [by_id[i] for i in event.people if i in by_id]
        covered.update(p.id for p in dead)
        refs = (Evidence("event", event.id), *(Evidence("person", p.id) for p in dead))
        if dead:
            fact = _died(words.both([words.who(p) for p in dead]), event.on, onset, words)
        else:
            fact = _happened(words.what(event, by_id), event.on, onset, words)
        closest = any(p.ring == "inner" for p in dead)
        findings.append(_death_finding(fact, event.on, onset, window, closest, refs, words))
    for person in people:
        if not person.dead or person.id in covered:
            continue
        refs = (Evidence("person", person.id),)
        if person.died_on is None:
            # Without a date the death can be neither tied to the onset nor ruled out.
            strength: Strength = "none" if person.ring == "outer" else "possible"
            reason = f"{words(DIED_UNDATED, who=words.who(person))} {words(RECORD_DEATH_DATE)}"
            findings.append(_Finding(strength, reason, refs))
            continue
        fact = _died(words.who(person), person.died_on, onset, words)
        closest = person.ring == "inner"
        findings.append(_death_finding(fact, person.died_on, onset, window, closest, refs, words))
    return findings


def _died(who: str, on: date, onset: date | None, words: _Words) -> str:
    if onset is None:
        return words(DIED_NO_ONSET, who=who, date=words.format_date(on))
    return words(DIED, who=who, date=words.format_date(on), when=words.when(on, onset))


def _happened(what: str, on: date, onset: date | None, words: _Words) -> str:
    if onset is None:
        return words(HAPPENED_NO_ONSET, what=what, date=words.format_date(on))
    return words(HAPPENED, what=what, date=words.format_date(on), when=words.when(on, onset))


def _death_finding(
    fact: str,
    on: date,
    onset: date | None,
    window: OnsetWindow,
    closest: bool,
    refs: tuple[Evidence, ...],
    words: _Words,
) -> _Finding:
    if onset is None:
        return _Finding("possible", f"{fact} {words(NO_ONSET_YET)}", refs, on)
    place = window.place(on, onset)
    if place == "within":
        return _Finding("strong", fact, refs, on)
    if place == "continuation":
        return _Finding("possible", f"{fact} {words(CONTINUING_LOSS)}", refs, on)
    if place == "after":
        if closest:
            later = words(LATER_BUT_CLOSE, days=window.continuation_days)
            return _Finding("possible", f"{fact} {later}", refs, on)
        return _Finding("none", f"{fact} {words(LATER, days=window.continuation_days)}", refs, on)
    if closest:
        return _Finding("possible", f"{fact} {words(LONG_BEFORE_BUT_CLOSE)}", refs, on)
    return _Finding("none", f"{fact} {words(LONG_BEFORE)}", refs, on)


def _dispute(
    people: Sequence[PersonFacts],
    events: Sequence[EventFacts],
    onset: date | None,
    window: OnsetWindow,
    by_id: Mapping[int, PersonFacts],
    words: _Words,
) -> list[_Finding]:
    """Each living person with a dispute recorded on their record or on the timeline, judged on
    expectations, conflict and the link to the depression, whatever ring they are drawn on (see
    `_person_dispute`). A dispute on the timeline whose people have nothing recorded that makes it
    a dispute: possible when it began around the onset or while the depression continued, with
    what to ask; otherwise weighed and set aside."""
    findings: list[_Finding] = []
    dead = _dead_ids(people, events)
    disputes = [e for e in events if e.kind == "dispute_start"]
    considered: set[int] = set()
    for person in people:
        if person.id in dead:
            continue
        own = [e for e in disputes if person.id in e.people]
        finding = _person_dispute(person, own, onset, window, words)
        if finding is not None:
            considered.add(person.id)
            findings.append(finding)
    for event in disputes:
        involved = [by_id[i] for i in event.people if i in by_id]
        if any(p.id in considered for p in involved):
            continue
        detail = event.description or words.both([words.who(p) for p in involved])
        refs = (Evidence("event", event.id), *(Evidence("person", p.id) for p in involved))
        if onset is None:
            fact = words(EVENT_NO_ONSET, date=words.format_date(event.on))
            findings.append(_Finding("possible", f"{fact} {words(ASK_EXPECTATIONS)}", refs, event.on))
            continue
        fact = words(
            DISPUTE_EVENT, detail=detail, date=words.format_date(event.on), when=words.when(event.on, onset)
        )
        place = window.place(event.on, onset)
        if place == "within":
            findings.append(_Finding("possible", f"{fact} {words(ASK_EXPECTATIONS)}", refs, event.on))
        elif place == "continuation":
            reason = f"{fact} {words(CONTINUING)} {words(ASK_EXPECTATIONS)}"
            findings.append(_Finding("possible", reason, refs, event.on))
        elif place == "before":
            findings.append(_Finding("none", f"{fact} {words(LONG_BEFORE)}", refs, event.on))
        else:
            later = words(LATER, days=window.continuation_days)
            findings.append(_Finding("none", f"{fact} {later}", refs, event.on))
    return findings


def _person_dispute(
    person: PersonFacts,
    own: Sequence[EventFacts],
    onset: date | None,
    window: OnsetWindow,
    words: _Words,
) -> _Finding | None:
    """Non-reciprocal expectations, open conflict and a link to the onset: strong. A link only
    through a dispute that began while the depression continued, or one part missing (no link
    yet, no open conflict, expectations not explored): possible, with what to ask. Conflict with
    expectations met, or unmet expectations with neither conflict nor link: weighed and set aside.
    Nothing dispute-like recorded: no finding."""
    non_reciprocal = person.expectations_met in ("no", "partly")
    in_conflict = person.conflict != "none"
    if not non_reciprocal and not in_conflict:
        return None
    links = []  # ties to the onset
    if person.linked_to_depression:
        links.append(words(LINK_SAID))
    if person.changed_around_onset:
        links.append(words(LINK_CHANGED))
    continuing = []  # ties to the continuation only
    unlinked = []  # disputes on the timeline that tie to neither
    for e in own:
        day = words.format_date(e.on)
        if onset is None:
            unlinked.append(words(EVENT_NO_ONSET, date=day))
            continue
        place = window.place(e.on, onset)
        when = words.when(e.on, onset)
        if place == "within":
            links.append(words(LINK_EVENT, date=day, when=when))
        elif place == "continuation":
            continuing.append(words(LINK_CONTINUING, date=day, when=when))
        else:
            unlinked.append(words(EVENT_NOT_LINKED, date=day, when=when))
    fact = words(
        DISPUTE_FACTS,
        who=words.who(person),
        expectations=words(EXPECTATIONS_TEXT[person.expectations_met]),
        conflict=words(CONFLICT_TEXT[person.conflict]),
    )
    refs = (Evidence("person", person.id), *(Evidence("event", e.id) for e in own))
    said = [fact, *links, *continuing, *unlinked]
    if person.expectations_met == "yes":
        return _Finding("none", " ".join([*said, words(EXPECTATIONS_MET)]), refs)
    if non_reciprocal and in_conflict and links:
        return _Finding("strong", " ".join(said), refs)
    if non_reciprocal and in_conflict and continuing:
        return _Finding("possible", " ".join(said), refs)
    if non_reciprocal and in_conflict:
        return _Finding("possible", " ".join([*said, words(NO_LINK)]), refs)
    if non_reciprocal and (links or continuing):
        return _Finding("possible", " ".join([*said, words(NO_CONFLICT)]), refs)
    if non_reciprocal:
        return _Finding("none", " ".join([*said, words(ONLY_EXPECTATIONS)]), refs)
    # In conflict, expectations not explored yet.
    if links or continuing:
        return _Finding("possible", " ".join([*said, words(ASK_EXPECTATIONS)]), refs)
    return _Finding("possible", " ".join([*said, words(ASK_EXPECTATIONS), words(NO_LINK)]), refs)


def _transition(
    events: Sequence[EventFacts],
    onset: date | None,
    window: OnsetWindow,
    by_id: Mapping[int, PersonFacts],
    words: _Words,
) -> list[_Finding]:
    """A life change tied to the onset: strong, wanted changes included; one while the
    depression continued: possible. Before or after that: weighed and set aside. An "other"
    event tied to the onset or the continuation: possible, for the clinician to judge."""
    findings = []
    for event in events:
        if event.kind not in LIFE_CHANGE_KINDS and event.kind != "other":
            continue
        fact = _happened(words.what(event, by_id), event.on, onset, words)
        refs = (Evidence("event", event.id),)
        place = None if onset is None else window.place(event.on, onset)
        strength: Strength
        if place is None:
            reason, strength = f"{fact} {words(NO_ONSET_YET)}", "possible"
            if event.kind == "other":
                reason = f"{fact} {words(NO_ONSET_YET)} {words(OTHER_NEAR)}"
        elif place == "within":
            other = event.kind == "other"
            reason = f"{fact} {words(OTHER_NEAR)}" if other else fact
            strength = "possible" if other else "strong"
        elif place == "continuation":
            reason = f"{fact} {words(OTHER_CONTINUING if event.kind == 'other' else CONTINUING)}"
            strength = "possible"
        elif place == "before":
            reason, strength = f"{fact} {words(LONG_BEFORE)}", "none"
        else:
            reason, strength = f"{fact} {words(LATER, days=window.continuation_days)}", "none"
        findings.append(_Finding(strength, reason, refs, event.on))
    return findings


def _deficits(
    others: Sequence[AreaSuggestion],
    people: Sequence[PersonFacts],
    events: Sequence[EventFacts],
    onset: date | None,
    window: OnsetWindow,
    by_id: Mapping[int, PersonFacts],
    words: _Words,
) -> AreaSuggestion:
    """Only when no other area has any evidence, the inventory has been taken, the onset is
    known, and the inner ring holds at most FEW_CLOSE_TIES living people. Never "strong": it is
    a verdict by exclusion, and hidden grief may yet turn up (Weissman, Markowitz & Klerman
    2018). The reasons say what was weighed, and name every recorded loss, so that a death never
    hides behind what looks like isolation."""
    key = "interpersonal_deficits"
    dead = _dead_ids(people, events)
    close = [p for p in people if p.ring == "inner" and p.id not in dead]
    if not people:
        return AreaSuggestion(key, "none", (), ())
    if any(a.suggested for a in others):
        return AreaSuggestion(key, "none", (words(DEFICITS_OTHERS_FIT, source=GUIDE),), ())
    if onset is None:
        return AreaSuggestion(key, "none", (words(DEFICITS_NO_ONSET),), ())
    if len(close) > FEW_CLOSE_TIES:
        return AreaSuggestion(key, "none", (words(DEFICITS_MANY_TIES, count=len(close)),), ())
    if close:
        reasons = [words(FEW_TIES_SOME, names=words.both([words.who(p) for p in close]))]
    else:
        reasons = [words(FEW_TIES_NONE)]
    disputed = any(p.conflict != "none" or p.expectations_met in ("no", "partly") for p in people)
    if events or dead or disputed:
        reasons.append(words(NOTHING_TIED, days=window.continuation_days))
    else:
        reasons.append(words(NOTHING_RECORDED))
    losses = [words.who(by_id[i]) for i in sorted(dead) if i in by_id]
    losses += [words.what(e, by_id) for e in events if e.kind == "death" and not e.people]
    if losses:
        reasons.append(words(DEFICITS_LOSSES, who=words.both(losses)))
    reasons += [words(NONE_OF_THE_ABOVE, source=GUIDE), words(POORER_OUTCOMES, source=GUIDE)]
    return AreaSuggestion(key, "possible", tuple(reasons), tuple(Evidence("person", p.id) for p in close))


def _notes(
    areas: Sequence[AreaSuggestion],
    people: Sequence[PersonFacts],
    events: Sequence[EventFacts],
    onset: date | None,
    words: _Words,
) -> tuple[str, ...]:
    notes = [words(NOTE_CLINICIAN_DECIDES)]
    if onset is None:
        notes.append(words(NOTE_NO_ONSET))
    if not people:
        notes.append(words(NOTE_NO_PEOPLE))
    if not events:
        notes.append(words(NOTE_NO_EVENTS))
    suggested = [a for a in areas if a.suggested]
    if len(suggested) > 1:
        notes.append(words(NOTE_ONE_FOCUS, source=GUIDE))
    if not suggested and (people or events) and onset is not None:
        notes.append(words(NOTE_NOTHING_FITS))
    return tuple(notes)


# --- the clinician's choice and the formulation -----------------------------------------------


def validate_choice(areas: Sequence[str]) -> None:
    """Raise ChoiceError (a ValueError) unless `areas` is one or two distinct problem areas."""
    if not areas:
        raise ChoiceError(CHOICE_EMPTY)
    for area in areas:
        if area not in PROBLEM_AREA_KEYS:
            raise ChoiceError(CHOICE_UNKNOWN, {"area": str(area)})
    for area in areas:
        if areas.count(area) > 1:
            raise ChoiceError(CHOICE_REPEATED, {"area": AREA_NAMES[area]})
    if len(areas) > MAX_CHOSEN_AREAS:
        raise ChoiceError(CHOICE_TOO_MANY)


def draft_formulation(
    chosen_areas: Sequence[str],
    suggestion: Suggestion,
    people: Sequence[PersonFacts],
    events: Sequence[EventFacts],
    onset: date | None,
    *,
    client_name: str,
    goals: Mapping[str, Sequence[str]] | None = None,
    format_date: Callable[[date], str] = date.isoformat,
    gettext: Callable[[str], str] = _no_translation,
) -> str:
    """A first draft of the interpersonal formulation, in plain words, for the clinician to edit
    and then agree with the client (after Markowitz & Swartz 1997, "Case formulation in
    interpersonal psychotherapy of depression").

    It names the depression as a common, treatable medical illness that is not the client's
    fault; ties its onset to each chosen area with the key recorded facts (the evidence behind
    that area in `suggestion`); and says what the work will be, from each area's `goals` (by
    default DEFAULT_GOALS; pass the protocol's to use its wording). Paragraphs are separated by
    blank lines and goals are "- " lines, ready for a text box. Raises ChoiceError for a choice
    `validate_choice` refuses.
    """
    validate_choice(chosen_areas)
    words = _Words(gettext, format_date)
    by_person = {p.id: p for p in people}
    by_event = {e.id: e for e in events}
    opening = [words(DRAFT_ILLNESS, client=client_name)]
    opening.append(words(DRAFT_ONSET, date=format_date(onset)) if onset else words(DRAFT_NO_ONSET))
    ties = [_draft_tie(area, suggestion.area(area), by_person, by_event, words) for area in chosen_areas]
    paragraphs = [" ".join(opening), " ".join(ties)]
    for area in chosen_areas:
        area_goals = (goals or DEFAULT_GOALS).get(area) or DEFAULT_GOALS[area]
        lines = [words(DRAFT_WORK, area=words(AREA_NAMES[area]))]
        lines.extend(f"- {gettext(goal)}" for goal in area_goals)
        paragraphs.append("\n".join(lines))
    paragraphs.append(words(DRAFT_CLOSE))
    return "\n\n".join(paragraphs)


def _draft_tie(
    area: str,
    found: AreaSuggestion,
    by_person: Mapping[int, PersonFacts],
    by_event: Mapping[int, EventFacts],
    words: _Words,
) -> str:
    """One or two sentences linking the depression to `area`, from its strongest evidence."""
    people = [by_person[i] for i in found.person_ids if i in by_person]
    events = [by_event[i] for i in found.event_ids if i in by_event]
    if area == "grief":
        return _draft_grief(people, events, by_person, words)
    if area == "role_dispute":
        if not people:
            return words(DRAFT_DISPUTE_GENERIC)
        return words(DRAFT_DISPUTE, who=words.both([words.who(p) for p in people]))
    if area == "role_transition":
        changes = [e for e in events if e.kind in LIFE_CHANGE_KINDS or e.kind == "other"][:2]
        if not changes:
            return words(DRAFT_TRANSITION_GENERIC)
        items = [
            words(DRAFT_TRANSITION_ITEM, what=words.what(e, by_person), date=words.format_date(e.on))
            for e in changes
        ]
        return words(DRAFT_TRANSITION, what=words.both(items))
    return words(DRAFT_DEFICITS)


def _draft_grief(
    people: Sequence[PersonFacts],
    events: Sequence[EventFacts],
    by_person: Mapping[int, PersonFacts],
    words: _Words,
) -> str:
    deaths = [e for e in events if e.kind == "death"]
    if deaths:
        death = deaths[0]
        dead = [by_person[i] for i in death.people if i in by_person]
        if dead:
            who = words.both([words.who(p) for p in dead])
            return words(DRAFT_GRIEF, who=who, date=words.format_date(death.on))
        if death.description:
            return words(DRAFT_GRIEF_EVENT, date=words.format_date(death.on), detail=death.description)
        return words(DRAFT_GRIEF_GENERIC)
    for person in people:
        if person.died_on is not None:
            return words(DRAFT_GRIEF, who=words.who(person), date=words.format_date(person.died_on))
    if people:
        return words(DRAFT_GRIEF_UNDATED, who=words.who(people[0]))
    return words(DRAFT_GRIEF_GENERIC)

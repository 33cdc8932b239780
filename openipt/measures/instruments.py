"""Instrument definitions: items, answer options, bands, codes and licences, as plain data.

PURE module: standard library only, no Django, no I/O. Each instrument is a frozen `Instrument`
built once at import; `Instrument.__post_init__` refuses inconsistent data (duplicate link ids,
bands with gaps, totals that do not match the options), so a typo fails at start-up rather
than in a client's score.

Answers are recorded as the *index* of the chosen option in printed order; the option's
`value` is what is scored. For PHQ-9 and GAD-7 the two coincide. An instrument with reverse
keying (EPDS) lists its options with values 3, 2, 1, 0; one with mixed ranges (HAM-D 17) gives
each item its own options; a licence-gated instrument sets `Licence.item_text_allowed=False`
and leaves item text empty. Adding one is adding data here, not changing `scoring.score()`.

Facts, codes and licence terms come from docs reference CLINICAL.md §3; its source tags
([S64] and so on) are named in each instrument's `source`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from openipt.lib.i18n import gettext_noop as _

Respondent = Literal["client", "clinician"]


class UnknownInstrument(ValueError):
    """Raised by `get_instrument` for a key that is not in `INSTRUMENTS`."""


@dataclass(frozen=True)
class Option:
    """One printed answer choice. `value` is the scored value; `code` the LOINC answer code."""

    value: int
    label: str
    code: str | None = None


@dataclass(frozen=True)
class Item:
    """One question, keyed by a `link_id` that never changes once data has been recorded.

    `scored=False` items (PHQ-9's difficulty question) are recorded but not added to the total.
    `required=False` items may be left out. An item with a `risk_flag` raises that flag when its
    scored value is at least `risk_threshold`, whatever the total.
    """

    link_id: str
    text: str
    options: tuple[Option, ...]
    code: str | None = None
    scored: bool = True
    required: bool = True
    risk_flag: str | None = None
    risk_threshold: int = 1

    @property
    def min_value(self) -> int:
        return min(option.value for option in self.options)

    @property
    def max_value(self) -> int:
        return max(option.value for option in self.options)


@dataclass(frozen=True)
class Band:
    """A severity band: totals from `low` to `high`, both inclusive."""

    key: str
    label: str
    low: int
    high: int

    def __contains__(self, total: object) -> bool:
        return isinstance(total, int) and self.low <= total <= self.high


@dataclass(frozen=True)
class Licence:
    """Who holds the instrument and whether we may show its item wording."""

    holder: str
    terms: str
    item_text_allowed: bool
    source: str


@dataclass(frozen=True)
class Instrument:
    """A questionnaire (FHIR Questionnaire): its items in printed order and how it is banded."""

    key: str
    name: str
    short_name: str
    preamble: str
    recall: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    min_total: int
    max_total: int
    loinc_panel: str | None
    loinc_total: str | None
    licence: Licence
    source: str
    respondent: Respondent = "client"
    _by_link_id: dict[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Frozen dataclass: the lookup table has to be set through object.__setattr__.
        object.__setattr__(self, "_by_link_id", {item.link_id: item for item in self.items})
        self._check()

    def _check(self) -> None:
        """Refuse definitions that would score wrongly; run once, at import."""
        problems = []
        if len(self._by_link_id) != len(self.items):
            problems.append("link ids are not unique")
        for item in self.items:
            if not item.options:
                problems.append(f"{item.link_id} has no options")
            if not item.text and self.licence.item_text_allowed:
                problems.append(f"{item.link_id} has no text")
        scored = self.scored_items
        if scored and sum(item.min_value for item in scored) != self.min_total:
            problems.append("min_total does not match the scored items")
        if scored and sum(item.max_value for item in scored) != self.max_total:
            problems.append("max_total does not match the scored items")
        expected_low = self.min_total
        for band in self.bands:
            if band.low != expected_low or band.high < band.low:
                problems.append(f"band {band.key} does not start at {expected_low}")
            expected_low = band.high + 1
        if self.bands and expected_low != self.max_total + 1:
            problems.append(f"bands do not end at {self.max_total}")
        if problems:
            raise ValueError(f"instrument {self.key}: " + "; ".join(problems))

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.scored)

    @property
    def link_ids(self) -> tuple[str, ...]:
        return tuple(item.link_id for item in self.items)

    def item(self, link_id: str) -> Item:
        """The item with this link id; KeyError if there is none."""
        return self._by_link_id[link_id]

    def band_for(self, total: int) -> Band:
        """The band containing `total`; ValueError if it is outside min_total..max_total."""
        for band in self.bands:
            if total in band:
                return band
        raise ValueError(f"{self.key}: total {total} is outside {self.min_total}-{self.max_total}")


# --- Shared answer scales -------------------------------------------------------------------

# LOINC answer list LL358-3 [S66], used by every PHQ-family and GAD-7 frequency item.
FREQUENCY_OPTIONS = (
    Option(0, _("Not at all"), "LA6568-5"),
    Option(1, _("Several days"), "LA6569-3"),
    Option(2, _("More than half the days"), "LA6570-1"),
    Option(3, _("Nearly every day"), "LA6571-9"),
)

# LOINC answer list LL359-1 [S67]. The codes are not in numeric order ("very" is LA6575-0,
# "extremely" LA6574-3): that is how LOINC assigned them, not a typo.
DIFFICULTY_OPTIONS = (
    Option(0, _("Not difficult at all"), "LA6572-7"),
    Option(1, _("Somewhat difficult"), "LA6573-5"),
    Option(2, _("Very difficult"), "LA6575-0"),
    Option(3, _("Extremely difficult"), "LA6574-3"),
)

PFIZER_LICENCE = Licence(
    holder="Pfizer Inc.",
    terms=(
        "Copyright Pfizer Inc. No permission required to reproduce, translate, display or "
        "distribute (the PHQ family and GAD-7 were made freely available in 2010)."
    ),
    item_text_allowed=True,
    source="[S72][S73]",
)


def _frequency_item(
    link_id: str, text: str, code: str, risk_flag: str | None = None, risk_threshold: int = 1
) -> Item:
    return Item(link_id, text, FREQUENCY_OPTIONS, code, risk_flag=risk_flag, risk_threshold=risk_threshold)


# --- PHQ-9 ----------------------------------------------------------------------------------

PHQ9 = Instrument(
    key="phq9",
    name=_("Patient Health Questionnaire-9"),
    short_name=_("PHQ-9"),
    preamble=_("Over the last 2 weeks, how often have you been bothered by any of the following problems?"),
    recall=_("last 2 weeks"),
    items=(
        # Item order and LOINC item codes as in HL7 US Core / PCO Questionnaire 44249-1 [S69][S70].
        _frequency_item("phq9-1", _("Little interest or pleasure in doing things"), "44250-9"),
        _frequency_item("phq9-2", _("Feeling down, depressed, or hopeless"), "44255-8"),
        _frequency_item("phq9-3", _("Trouble falling or staying asleep, or sleeping too much"), "44259-0"),
        _frequency_item("phq9-4", _("Feeling tired or having little energy"), "44254-1"),
        _frequency_item("phq9-5", _("Poor appetite or overeating"), "44251-7"),
        _frequency_item(
            "phq9-6",
            _(
                "Feeling bad about yourself — or that you are a failure or have let yourself "
                "or your family down"
            ),
            "44258-2",
        ),
        _frequency_item(
            "phq9-7",
            _("Trouble concentrating on things, such as reading the newspaper or watching television"),
            "44252-5",
        ),
        _frequency_item(
            "phq9-8",
            _(
                "Moving or speaking so slowly that other people could have noticed? Or the "
                "opposite — being so fidgety or restless that you have been moving around a lot "
                "more than usual"
            ),
            "44253-3",
        ),
        # Any non-zero answer to item 9 is positive, independent of the total (CLINICAL.md §5.1).
        _frequency_item(
            "phq9-9",
            _("Thoughts that you would be better off dead or of hurting yourself in some way"),
            "44260-8",
            risk_flag="suicidal_ideation",
            risk_threshold=1,
        ),
        # The difficulty question is recorded but never added to the total [S64].
        # Two LOINC codes use answer list LL359-1, 69722-7 and 44256-6; which one sits in panel
        # 44249-1 is UNVERIFIED (CLINICAL.md §3.2, §7). We use 69722-7, as public code commonly does.
        Item(
            link_id="phq9-difficulty",
            text=_(
                "If you checked off any problems, how difficult have these problems made it for "
                "you to do your work, take care of things at home, or get along with other people?"
            ),
            options=DIFFICULTY_OPTIONS,
            code="69722-7",
            scored=False,
            required=False,
        ),
    ),
    # LOINC's text for 44261-6 labels the lowest band "minimal", other sources "none/minimal"
    # (CLINICAL.md §3.2 asks us to pick one and document it): we say "minimal" for 0-4.
    bands=(
        Band("minimal", _("Minimal"), 0, 4),
        Band("mild", _("Mild"), 5, 9),
        Band("moderate", _("Moderate"), 10, 14),
        Band("moderately_severe", _("Moderately severe"), 15, 19),
        Band("severe", _("Severe"), 20, 27),
    ),
    min_total=0,
    max_total=27,
    loinc_panel="44249-1",
    loinc_total="44261-6",
    licence=PFIZER_LICENCE,
    source=(
        "Kroenke, Spitzer & Williams 2001 [S64]; LOINC 44261-6 [S65], answer lists LL358-3 [S66] "
        "and LL359-1 [S67]; item order and codes from HL7 US Core and PCO Questionnaire 44249-1 "
        "[S69][S70]; licence [S72][S73]"
    ),
    respondent="client",
)


# --- GAD-7 ----------------------------------------------------------------------------------

GAD7 = Instrument(
    key="gad7",
    name=_("Generalized Anxiety Disorder-7"),
    short_name=_("GAD-7"),
    preamble=_("Over the last 2 weeks, how often have you been bothered by the following problems?"),
    recall=_("last 2 weeks"),
    items=(
        # Item codes from the PHQ-SADS panel 69729-2 [S87].
        _frequency_item("gad7-1", _("Feeling nervous, anxious, or on edge"), "69725-0"),
        _frequency_item("gad7-2", _("Not being able to stop or control worrying"), "68509-9"),
        _frequency_item("gad7-3", _("Worrying too much about different things"), "69733-4"),
        _frequency_item("gad7-4", _("Trouble relaxing"), "69734-2"),
        _frequency_item("gad7-5", _("Being so restless that it is hard to sit still"), "69735-9"),
        # Caution (CLINICAL.md §3.5): LOINC's long name for 69689-8 says "last 4 weeks", not 2;
        # check the GAD-7 panel definition before relying on this code in an export.
        _frequency_item("gad7-6", _("Becoming easily annoyed or irritable"), "69689-8"),
        _frequency_item("gad7-7", _("Feeling afraid, as if something awful might happen"), "69736-7"),
    ),
    bands=(
        Band("minimal", _("Minimal"), 0, 4),
        Band("mild", _("Mild"), 5, 9),
        Band("moderate", _("Moderate"), 10, 14),
        Band("severe", _("Severe"), 15, 21),
    ),
    min_total=0,
    max_total=21,
    # The panel code is Secondary [S88]; the total code is Verified [S89].
    loinc_panel="69737-5",
    loinc_total="70274-6",
    licence=PFIZER_LICENCE,
    source=(
        "Spitzer et al. 2006, scoring and bands [S85]; LOINC total 70274-6 [S89], panel 69737-5 "
        "(Secondary) [S88]; item codes from PHQ-SADS panel 69729-2 [S87]; answer list LL358-3 "
        "[S66]; licence [S72][S73]"
    ),
    respondent="client",
)


INSTRUMENTS: dict[str, Instrument] = {instrument.key: instrument for instrument in (PHQ9, GAD7)}


def get_instrument(key: str) -> Instrument:
    """The instrument registered under `key`; `UnknownInstrument` (naming the known keys) if none."""
    try:
        return INSTRUMENTS[key]
    except (KeyError, TypeError):
        known = ", ".join(sorted(INSTRUMENTS))
        raise UnknownInstrument(f"unknown instrument {key!r}; choose one of {known}") from None

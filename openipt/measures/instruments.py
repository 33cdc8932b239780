"""Instrument definitions: items, answer options, bands, codes and licences, as plain data.

PURE module: standard library only, no Django, no I/O. Each instrument is a frozen `Instrument`
built once at import; `Instrument.__post_init__` refuses inconsistent data (duplicate link ids,
bands with gaps, totals that do not match the options, skip logic pointing forwards, risk levels
out of order), so a typo fails at start-up rather than in a client's score.

Answers are recorded as the *index* of the chosen option in printed order; the option's
`value` is what is scored. For most instruments the two coincide. A reverse-keyed item (EPDS)
lists its options with values 3, 2, 1, 0; mixed ranges (HAM-D 17) give each item its own
options; an option whose value is None ("not applicable", WSAS work item) is recorded but left
out of the total. Adding an instrument is adding data here, not changing `scoring.score()`:

- `Instrument.rule` says how the scored values combine: "sum" (almost all) or "highest" (the
  C-SSRS screener, whose answers each carry the triage level they imply).
- `Instrument.domains` groups items that count once, as their highest value (QIDS-SR16).
- `Instrument.subscales` groups items whose sums are reported beside the total (WAI-SR).
- `Item.enable_when` is skip logic (FHIR `enableWhen`): the item is asked only when an earlier
  item got a given answer; otherwise it must be left out.
- `Item.risk_flag` with `risk_levels` raises a flag with a severity ("low" < "moderate" <
  "high") from the item's scored value, whatever the total, so the safety app needs no
  instrument-specific code.

Licence-gated instruments (`Licence.item_text_allowed=False`, i.e. `Licence.needs_permission`)
ship their structure, scoring and codes with placeholder item texts: topic labels in our own
words such as "WSAS item 1 (work)", and option labels that name the position or the number on
the printed form. A clinic that holds permission supplies the real wording as a UTF-8 text file
with one line per item in printed order, that is in `Instrument.link_ids` order, unscored and
skip-logic items included (blank lines and lines starting with '#' are ignored). Only item texts
are replaced; option labels, preambles, bands and scoring stay as defined here.

Each instrument's `source` names where its facts, codes and licence terms come from: the primary
publication by author and year, LOINC codes by code, and the licence holder's own statement. The
full references are listed below. A code we could not verify is None here, never guessed; a fact
found only in secondary sources (reviews, vendor pages, public code) is marked "Secondary".

Sources (author, title, year):

- Arroll B et al. Validation of PHQ-2 and PHQ-9 to screen for major depression in the primary
  care population. Annals of Family Medicine, 2010.
- Columbia Lighthouse Project. Columbia-Suicide Severity Rating Scale, screener version, and its
  clinical triage guidelines (Posner K et al. The Columbia-Suicide Severity Rating Scale: initial
  validity and internal consistency findings. American Journal of Psychiatry, 2011).
- Cox JL, Holden JM, Sagovsky R. Detection of postnatal depression: development of the 10-item
  Edinburgh Postnatal Depression Scale. British Journal of Psychiatry, 1987; and the Royal College
  of Psychiatrists' permission notice for the scale.
- GLAD-PC (Guidelines for Adolescent Depression in Primary Care) toolkit: PHQ-9 modified for
  teens, with scoring.
- Hamilton M. A rating scale for depression. Journal of Neurology, Neurosurgery and Psychiatry,
  1960.
- Hatcher RL, Gillaspy JA. Development and validation of a revised short version of the Working
  Alliance Inventory. Psychotherapy Research, 2006.
- HL7 FHIR implementation guides: US Core (Questionnaire PHQ-9 example), Patient-Centered
  Outcomes (Questionnaire 44249-1), Structured Data Capture (PHQ-9 Questionnaire example, with
  the copyright statement).
- Johnson JG, Harris ES, Spitzer RL, Williams JBW. The Patient Health Questionnaire for
  Adolescents. Journal of Adolescent Health, 2002.
- Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure.
  Journal of General Internal Medicine, 2001.
- Kroenke K, Spitzer RL, Williams JBW. The Patient Health Questionnaire-2: validity of a two-item
  depression screener. Medical Care, 2003.
- LOINC (Regenstrief Institute): codes as named beside each use.
- Medizininformatik-Initiative. PROMs implementation guide, minimal reference questionnaires
  (EPDS: SNOMED CT 273441006, licence restriction).
- Mundt JC, Marks IM, Shear MK, Greist JH. The Work and Social Adjustment Scale: a simple measure
  of impairment in functioning. British Journal of Psychiatry, 2002.
- NINDS Common Data Elements, HAM-D entry (public domain), as quoted in the CamCOPS documentation.
- NSW Health. Scoring the EPDS (perinatal and infant mental health protocol).
- Pfizer Inc. Announcement of unrestricted access to the PHQ and GAD-7 screening tools, 2010.
- Reynolds CF et al. Treating depression to remission in older adults: escitalopram with
  interpersonal psychotherapy. International Journal of Geriatric Psychiatry, 2010.
- Rush AJ et al. The 16-item Quick Inventory of Depressive Symptomatology (QIDS), clinician rating
  (QIDS-C), and self-report (QIDS-SR). Biological Psychiatry, 2003.
- Rush AJ et al. Acute and longer-term outcomes in depressed outpatients requiring one or several
  treatment steps: a STAR*D report. American Journal of Psychiatry, 2006.
- Simon GE et al. Does response on the PHQ-9 depression questionnaire predict subsequent suicide
  attempt or suicide death? Psychiatric Services, 2013.
- Louzon SA et al. Does suicidal ideation as measured by the PHQ-9 predict suicide among VA
  patients? Psychiatric Services, 2016.
- Society for Psychotherapy Research: permissions for the Working Alliance Inventory (rights
  passed on by A. O. Horvath).
- Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized anxiety
  disorder: the GAD-7. Archives of Internal Medicine, 2006.
- Zimmerman M et al. Severity classification on the Hamilton Depression Rating Scale. Journal of
  Affective Disorders, 2013.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from openipt.lib.i18n import gettext_noop as _

Respondent = Literal["client", "clinician"]
# "sum": the total adds the scored values. "highest": the total is the highest scored value
# (a triage level, not a score).
Rule = Literal["sum", "highest"]
RULES: tuple[Rule, ...] = ("sum", "highest")
# Risk severities, lowest first; a flag raised by several items takes the highest.
SEVERITIES = ("low", "moderate", "high")


class UnknownInstrument(ValueError):
    """Raised by `get_instrument` for a key that is not in `INSTRUMENTS`."""


@dataclass(frozen=True)
class Option:
    """One printed answer choice. `value` is the scored value; `code` the LOINC answer code.

    A `value` of None marks "not applicable": the answer is recorded but the item is left out
    of the total, which is then over fewer items and is not pro-rated.
    """

    value: int | None
    label: str
    code: str | None = None


@dataclass(frozen=True)
class Item:
    """One question, keyed by a `link_id` that never changes once data has been recorded.

    `scored=False` items (PHQ-9's difficulty question) are recorded but not added to the total.
    `required=False` items may be left out. `enable_when=(link_id, index)` asks the item only when
    that earlier item was answered with that option index; `required` then applies only when it
    is asked (as in FHIR). An item with a `risk_flag` is a risk item, and one rule holds for every
    risk item on every instrument: any answer whose scored value is above the item's lowest raises
    the flag, whatever the total ("not at all" or "absent" is the only answer that does not).
    `risk_levels` is the severity ladder, as data: ((1, "moderate"), (2, "high")) means 1 is
    moderate and 2 or more high. The ladder must start at or below the item's `risk_threshold`,
    so every positive answer has a severity.
    """

    link_id: str
    text: str
    options: tuple[Option, ...]
    code: str | None = None
    scored: bool = True
    required: bool = True
    risk_flag: str | None = None
    risk_levels: tuple[tuple[int, str], ...] = ()
    enable_when: tuple[str, int] | None = None

    @property
    def values(self) -> tuple[int, ...]:
        """The scored values of the options, leaving out "not applicable"."""
        return tuple(option.value for option in self.options if option.value is not None)

    @property
    def min_value(self) -> int:
        return min(self.values)

    @property
    def max_value(self) -> int:
        return max(self.values)

    @property
    def risk_threshold(self) -> int | None:
        """The lowest scored value that raises this item's flag: by rule, the lowest value above
        the item's minimum. None for an item with no risk flag (or no value above its minimum)."""
        above = [value for value in self.values if value > self.min_value]
        return min(above) if self.risk_flag is not None and above else None

    @property
    def never_skipped(self) -> bool:
        """A risk question (the PHQ-A's supplementary suicide questions included): every input
        path asks it and takes no blank for it when it is asked, even where `required=False`.
        Scoring still accepts a response without it: the portal sends the answers given so far at
        once after an earlier positive risk answer, then asks it after crisis help."""
        return self.risk_flag is not None

    def risk_severity(self, value: int) -> str | None:
        """The severity of this item's flag at scored `value`; None if the flag is not raised."""
        threshold = self.risk_threshold
        if threshold is None or value < threshold:
            return None
        reached = [severity for step, severity in self.risk_levels if value >= step]
        # `Instrument._check` makes the ladder start at or below the threshold; were it not to,
        # a positive answer is still not safe, so it counts as high.
        return reached[-1] if reached else "high"


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
class Group:
    """Items scored together: a QIDS domain (counts as its highest item) or a WAI-SR subscale
    (reported as the sum of its items)."""

    key: str
    label: str
    link_ids: tuple[str, ...]


@dataclass(frozen=True)
class Licence:
    """Who holds the instrument and whether we may show its item wording."""

    holder: str
    terms: str
    item_text_allowed: bool
    source: str

    @property
    def needs_permission(self) -> bool:
        """True when a clinic must supply the item wording under its own permission."""
        return not self.item_text_allowed


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
    rule: Rule = "sum"
    domains: tuple[Group, ...] = ()
    subscales: tuple[Group, ...] = ()
    _by_link_id: dict[str, Item] = field(init=False, repr=False, compare=False)
    _grouped: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Frozen dataclass: the lookup tables have to be set through object.__setattr__.
        object.__setattr__(self, "_by_link_id", {item.link_id: item for item in self.items})
        grouped = frozenset(link_id for domain in self.domains for link_id in domain.link_ids)
        object.__setattr__(self, "_grouped", grouped)
        self._check()

    def _check(self) -> None:
        """Refuse definitions that would score wrongly; run once, at import."""
        problems = []
        if len(self._by_link_id) != len(self.items):
            problems.append("link ids are not unique")
        if self.rule not in RULES:
            problems.append(f"unknown rule {self.rule!r}")
        earlier: dict[str, Item] = {}
        for item in self.items:
            problems.extend(self._item_problems(item, earlier))
            earlier[item.link_id] = item
        problems.extend(self._group_problems())
        # Totals and bands can only be checked once the items and groups are sound.
        if not problems:
            problems.extend(self._range_problems())
        if problems:
            raise ValueError(f"instrument {self.key}: " + "; ".join(problems))

    def _item_problems(self, item: Item, earlier: dict[str, Item]) -> Iterable[str]:
        if not item.values:
            yield f"{item.link_id} has no scored options"
        if not item.text and self.licence.item_text_allowed:
            yield f"{item.link_id} has no text"
        if item.enable_when is not None:
            on, index = item.enable_when
            if on not in earlier or not 0 <= index < len(earlier[on].options):
                yield f"{item.link_id} is enabled by {on} option {index}, which is not an earlier answer"
        yield from self._risk_problems(item)

    @staticmethod
    def _risk_problems(item: Item) -> Iterable[str]:
        """A risk item needs an answer above its lowest, and a severity ladder that gives every
        such answer a severity: steps rising, starting at or below the threshold, severities
        known and never falling as the value rises."""
        if item.risk_flag is None:
            if item.risk_levels:
                yield f"{item.link_id} has risk levels but no risk flag"
            return
        if item.risk_threshold is None:
            yield f"{item.link_id} is a risk item with no answer above its lowest"
            return
        steps = [step for step, _ in item.risk_levels]
        ranks = [
            SEVERITIES.index(severity) if severity in SEVERITIES else -1 for _, severity in item.risk_levels
        ]
        if (
            not steps
            or steps != sorted(set(steps))
            or steps[0] > item.risk_threshold
            or -1 in ranks
            or ranks != sorted(ranks)
        ):
            yield (
                f"{item.link_id} risk levels must start at or below its risk threshold "
                f"({item.risk_threshold}) and rise, with known severities"
            )

    def _group_problems(self) -> Iterable[str]:
        in_domain: set[str] = set()
        for group in (*self.domains, *self.subscales):
            for link_id in group.link_ids:
                if link_id not in self._by_link_id or not self._by_link_id[link_id].scored:
                    yield f"group {group.key} names {link_id}, which is not a scored item"
        for domain in self.domains:
            if in_domain & set(domain.link_ids):
                yield f"domain {domain.key} shares items with another domain"
            in_domain |= set(domain.link_ids)

    def _range_problems(self) -> Iterable[str]:
        scored = self.scored_items
        if scored and self.total_of({item.link_id: item.min_value for item in scored}) != self.min_total:
            yield "min_total does not match the scored items"
        if scored and self.total_of({item.link_id: item.max_value for item in scored}) != self.max_total:
            yield "max_total does not match the scored items"
        expected_low = self.min_total
        for band in self.bands:
            if band.low != expected_low or band.high < band.low:
                yield f"band {band.key} does not start at {expected_low}"
            expected_low = band.high + 1
        if self.bands and expected_low != self.max_total + 1:
            yield f"bands do not end at {self.max_total}"

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.scored)

    @property
    def link_ids(self) -> tuple[str, ...]:
        """Every item's link id in printed order: the line order of a clinic's item-text file."""
        return tuple(item.link_id for item in self.items)

    @property
    def has_total(self) -> bool:
        """False for a triage instrument (C-SSRS screener): its `total` is the level's rank in
        its bands (0 none ... 3 high), to be shown as the band, never as a score."""
        return self.rule == "sum"

    def total_of(self, values: Mapping[str, int]) -> int:
        """The total from scored values by link id: each domain counts as its highest item, other
        items as they are, combined by `rule`. Items absent from `values` (skipped, or not
        applicable) are left out, and so is a domain with none of its items present."""
        counted: Iterable[int] = values.values()
        if self.domains:
            counted = [value for link_id, value in values.items() if link_id not in self._grouped]
            for domain in self.domains:
                present = [values[link_id] for link_id in domain.link_ids if link_id in values]
                if present:
                    counted.append(max(present))
        return sum(counted) if self.rule == "sum" else max(counted, default=0)

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

# LOINC answer list LL358-3, used by every PHQ-family and GAD-7 frequency item.
FREQUENCY_OPTIONS = (
    Option(0, _("Not at all"), "LA6568-5"),
    Option(1, _("Several days"), "LA6569-3"),
    Option(2, _("More than half the days"), "LA6570-1"),
    Option(3, _("Nearly every day"), "LA6571-9"),
)

# LOINC answer list LL359-1. The codes are not in numeric order ("very" is LA6575-0,
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
    source="Pfizer 2010; HL7 SDC PHQ-9 Questionnaire example (copyright statement)",
)


# Answer codes for "No" and "Yes" are left out: we verified none. "No" comes first
# on our forms, whatever a paper form prints, so the index is the scored value (0 no, 1 yes).
YES_NO_OPTIONS = (Option(0, _("No")), Option(1, _("Yes")))

# PHQ-9 item 9 and its relatives: any non-zero answer is positive; tiered by answer, 1 moderate and
# 2-3 high, since higher frequency means higher risk (1-year suicide-attempt risk from 0.4 % at "not
# at all" to 4 % at "nearly every day", Simon et al. 2013; hazard ratios for suicide death up to
# 2.85, Louzon et al. 2016). "Not at all" does not mean safe.
FREQUENCY_RISK_LEVELS = ((1, "moderate"), (2, "high"))


def _frequency_item(
    link_id: str,
    text: str,
    code: str | None,
    risk_flag: str | None = None,
    risk_levels: tuple[tuple[int, str], ...] = (),
) -> Item:
    return Item(link_id, text, FREQUENCY_OPTIONS, code, risk_flag=risk_flag, risk_levels=risk_levels)


def _positional_options(values: tuple[int, ...]) -> tuple[Option, ...]:
    """Options for a licence-gated item: they name the answer's position on the printed form."""
    positions = (
        _("First answer as printed"),
        _("Second answer as printed"),
        _("Third answer as printed"),
        _("Fourth answer as printed"),
    )
    return tuple(Option(value, label) for value, label in zip(values, positions, strict=True))


# --- PHQ-9 ----------------------------------------------------------------------------------

PHQ9 = Instrument(
    key="phq9",
    name=_("Patient Health Questionnaire-9"),
    short_name=_("PHQ-9"),
    preamble=_("Over the last 2 weeks, how often have you been bothered by any of the following problems?"),
    recall=_("last 2 weeks"),
    items=(
        # Item order and LOINC item codes as in the HL7 US Core and PCO Questionnaire 44249-1.
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
        # Any non-zero answer to item 9 is positive, independent of the total; 1 is moderate,
        # 2-3 high (see FREQUENCY_RISK_LEVELS).
        _frequency_item(
            "phq9-9",
            _("Thoughts that you would be better off dead or of hurting yourself in some way"),
            "44260-8",
            risk_flag="suicidal_ideation",
            risk_levels=FREQUENCY_RISK_LEVELS,
        ),
        # The difficulty question is recorded but never added to the total (Kroenke, Spitzer &
        # Williams 2001). Two LOINC codes use answer list LL359-1, 69722-7 and 44256-6; which one
        # sits in panel 44249-1 is UNVERIFIED. We use 69722-7, as public code commonly does.
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
    # LOINC's text for 44261-6 labels the lowest band "minimal", other sources "none/minimal";
    # one label set has to be chosen and documented: we say "minimal" for 0-4.
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
        "Kroenke, Spitzer & Williams 2001; LOINC 44261-6, answer lists LL358-3 and LL359-1; item "
        "order and codes from HL7 US Core and PCO Questionnaire 44249-1; licence Pfizer 2010"
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
        # Item codes from the LOINC PHQ-SADS panel 69729-2.
        _frequency_item("gad7-1", _("Feeling nervous, anxious, or on edge"), "69725-0"),
        _frequency_item("gad7-2", _("Not being able to stop or control worrying"), "68509-9"),
        _frequency_item("gad7-3", _("Worrying too much about different things"), "69733-4"),
        _frequency_item("gad7-4", _("Trouble relaxing"), "69734-2"),
        _frequency_item("gad7-5", _("Being so restless that it is hard to sit still"), "69735-9"),
        # Caution: LOINC's long name for 69689-8 says "last 4 weeks", not 2;
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
    # The panel code is Secondary (seen only in secondary sources); the total code is LOINC's own.
    loinc_panel="69737-5",
    loinc_total="70274-6",
    licence=PFIZER_LICENCE,
    source=(
        "Spitzer, Kroenke, Williams & Löwe 2006, scoring and bands; LOINC total 70274-6, panel "
        "69737-5 (Secondary); item codes from LOINC PHQ-SADS panel 69729-2; answer list LL358-3; "
        "licence Pfizer 2010"
    ),
    respondent="client",
)
# --- PHQ-2 ----------------------------------------------------------------------------------

PHQ2 = Instrument(
    key="phq2",
    name=_("Patient Health Questionnaire-2"),
    short_name=_("PHQ-2"),
    preamble=PHQ9.preamble,
    recall=_("last 2 weeks"),
    # The first two PHQ-9 items, word for word and with their LOINC codes (panel 55757-9); own link ids so a
    # PHQ-2 answer is never mistaken for part of a PHQ-9.
    items=(
        replace(PHQ9.item("phq9-1"), link_id="phq2-1"),
        replace(PHQ9.item("phq9-2"), link_id="phq2-2"),
    ),
    # >=3 is the published cut-off (sensitivity 83%, specificity 92%; Kroenke, Spitzer & Williams
    # 2003); a later primary-care study found >=2 more sensitive (86%/78% against 61%/92% for >=3;
    # Arroll et al. 2010). A service wanting
    # sensitivity can act on 2 as well; the bands follow the published >=3.
    bands=(
        Band("negative", _("Negative screen"), 0, 2),
        Band("positive", _("Positive screen"), 3, 6),
    ),
    min_total=0,
    max_total=6,
    loinc_panel="55757-9",
    loinc_total="55758-7",
    licence=PFIZER_LICENCE,
    source=(
        "Kroenke, Spitzer & Williams 2003, cut-off >=3; >=2 more sensitive, Arroll et al. 2010; LOINC "
        "panel 55757-9, total 55758-7, items 44250-9 and 44255-8; licence Pfizer 2010"
    ),
    respondent="client",
)


# --- PHQ-A ----------------------------------------------------------------------------------

PHQA = Instrument(
    key="phqa",
    name=_("Patient Health Questionnaire-9 modified for adolescents"),
    short_name=_("PHQ-A"),
    preamble=_("Over the past 2 weeks, how often has each of these problems bothered you?"),
    recall=_("past 2 weeks"),
    # The order is the PHQ-A's printed order (mood before interest, appetite before energy), as in
    # public implementations of the GLAD-PC form: Secondary. Wording the PHQ-A adapts (items 1, 4
    # and 7; Johnson et al. 2002) and the extra questions are in our own words; the rest
    # is the PHQ-9 wording. LOINC item codes for panel 89206-7 were not checked, so none are given.
    items=(
        _frequency_item("phqa-1", _("Feeling low, depressed, irritable or hopeless"), None),
        _frequency_item("phqa-2", _("Little interest or pleasure in doing things"), None),
        _frequency_item("phqa-3", _("Trouble falling or staying asleep, or sleeping too much"), None),
        _frequency_item("phqa-4", _("Poor appetite, losing weight, or overeating"), None),
        _frequency_item("phqa-5", _("Feeling tired or having little energy"), None),
        _frequency_item(
            "phqa-6",
            _(
                "Feeling bad about yourself — or that you are a failure or have let yourself "
                "or your family down"
            ),
            None,
        ),
        _frequency_item(
            "phqa-7", _("Trouble concentrating, for example on school work, reading or watching TV"), None
        ),
        _frequency_item(
            "phqa-8",
            _(
                "Moving or speaking so slowly that other people could have noticed? Or the "
                "opposite — being so fidgety or restless that you have been moving around a lot "
                "more than usual"
            ),
            None,
        ),
        _frequency_item(
            "phqa-9",
            _("Thoughts that you would be better off dead or of hurting yourself in some way"),
            None,
            risk_flag="suicidal_ideation",
            risk_levels=FREQUENCY_RISK_LEVELS,
        ),
        # The extra questions are recorded, never added to the total (LOINC 89204-2 is the sum of
        # the first nine items).
        Item(
            "phqa-past-year",
            _("Over the past year, were you sad or depressed on most days, even if some days were fine?"),
            YES_NO_OPTIONS,
            scored=False,
            required=False,
        ),
        Item(
            "phqa-difficulty",
            _(
                "If you have had any of these problems, how hard have they made it to do your work, "
                "look after things at home or get along with other people?"
            ),
            DIFFICULTY_OPTIONS,
            scored=False,
            required=False,
        ),
        # GLAD-PC's two suicide questions should trigger follow-up whatever the total (GLAD-PC
        # toolkit). Severities are our choice: serious thoughts in the past month are
        # current risk (high); a lifetime attempt is history to assess, not evidence of current
        # intent (moderate, as item 9 at "several days").
        Item(
            "phqa-past-month-thoughts",
            _("In the past month, have you seriously thought about ending your life?"),
            YES_NO_OPTIONS,
            scored=False,
            required=False,
            risk_flag="suicidal_thoughts_past_month",
            risk_levels=((1, "high"),),
        ),
        Item(
            "phqa-attempt",
            _("Have you ever, at any time in your life, tried to kill yourself or made a suicide attempt?"),
            YES_NO_OPTIONS,
            scored=False,
            required=False,
            risk_flag="suicide_attempt_history",
            risk_levels=((1, "moderate"),),
        ),
    ),
    bands=PHQ9.bands,
    min_total=0,
    max_total=27,
    loinc_panel="89206-7",
    loinc_total="89204-2",
    licence=Licence(
        holder="Pfizer Inc. (PHQ family); extra questions from the GLAD-PC toolkit",
        terms=(
            "The nine PHQ-A items are PHQ family (Pfizer: no permission required to reproduce, "
            "translate, display or distribute); adapted wording is our own. The GLAD-PC version, "
            'source of the extra questions, is marked "use with permission": check with its '
            "authors before distributing a printed form."
        ),
        item_text_allowed=True,
        source="Pfizer 2010; GLAD-PC toolkit, PHQ-9 modified for teens",
    ),
    source=(
        "Johnson, Harris, Spitzer & Williams 2002, adolescent wording; GLAD-PC toolkit, extra "
        "questions, their follow-up and scoring; LOINC panel 89206-7, total 89204-2; bands as "
        "PHQ-9; item order Secondary (public "
        "implementations of the GLAD-PC form)"
    ),
    respondent="client",
)


# --- HAM-D 17 -------------------------------------------------------------------------------


def _hamd_item(number: int, title: str, anchors: tuple[str, ...]) -> Item:
    options = tuple(Option(value, label) for value, label in enumerate(anchors))
    return Item(f"hamd17-{number}", title, options)


# Item titles are Hamilton's (public domain per the NINDS CDE entry); every anchor is a short
# paraphrase in our own words. Per-item ranges are those of the standard 17-item form as public
# implementations give it (items 4-6, 12-14, 16 and 17 are 0-2, the rest 0-4), which adds up to
# the published 0-52 (Hamilton 1960). Item 16 uses form A, weight loss by history: outpatients are not
# weighed weekly (form B); the "not assessed" answer some forms print is not offered, so every
# total covers all 17 items and totals stay comparable.
HAMD17 = Instrument(
    key="hamd17",
    name=_("Hamilton Rating Scale for Depression (17 items)"),
    short_name=_("HAM-D 17"),
    preamble=_("Rate each item from the clinical interview, for the past week."),
    recall=_("past week"),
    items=(
        _hamd_item(
            1,
            _("Depressed mood"),
            (
                _("Absent"),
                _("Described only when asked"),
                _("Described without prompting"),
                _("Shown without words: face, posture, voice, tears"),
                _("Dominates what the person says and shows"),
            ),
        ),
        _hamd_item(
            2,
            _("Feelings of guilt"),
            (
                _("Absent"),
                _("Blames self; feels they have let others down"),
                _("Dwells on past mistakes or wrongdoing"),
                _("Sees the illness as deserved punishment; delusions of guilt"),
                _("Accusing voices or threatening visions"),
            ),
        ),
        # A risk item like any other: every answer above "absent" raises the flag. 1 ("feels life
        # is not worth living") and 2 ("wishes to be dead") are moderate, as PHQ-9 item 9 at
        # "several days"; 3-4 (ideas, gesture, attempt) high.
        replace(
            _hamd_item(
                3,
                _("Suicide"),
                (
                    _("Absent"),
                    _("Feels life is not worth living"),
                    _("Wishes to be dead, or thinks of own death"),
                    _("Suicidal ideas or a suicidal gesture"),
                    _("Suicide attempt"),
                ),
            ),
            risk_flag="suicide_item",
            risk_levels=((1, "moderate"), (3, "high")),
        ),
        _hamd_item(
            4,
            _("Insomnia: early in the night"),
            (
                _("No trouble falling asleep"),
                _("Sometimes takes over half an hour to fall asleep"),
                _("Trouble falling asleep every night"),
            ),
        ),
        _hamd_item(
            5,
            _("Insomnia: middle of the night"),
            (
                _("No trouble"),
                _("Restless or disturbed during the night"),
                _("Wakes in the night; any getting out of bed except to pass urine"),
            ),
        ),
        _hamd_item(
            6,
            _("Insomnia: early hours of the morning"),
            (
                _("No trouble"),
                _("Wakes early but falls asleep again"),
                _("Wakes early and cannot get back to sleep once up"),
            ),
        ),
        _hamd_item(
            7,
            _("Work and activities"),
            (
                _("No difficulty"),
                _("Feels incapable, tired or weak in work or hobbies"),
                _("Has lost interest; listless or indecisive"),
                _("Spends less time on activities or gets less done"),
                _("Has stopped working because of the present illness"),
            ),
        ),
        _hamd_item(
            8,
            _("Retardation (slowness of thought, speech and movement)"),
            (
                _("Normal speech and thinking"),
                _("Slightly slowed at interview"),
                _("Clearly slowed at interview"),
                _("Slowing makes the interview difficult"),
                _("Stupor"),
            ),
        ),
        _hamd_item(
            9,
            _("Agitation"),
            (
                _("None"),
                _("Fidgety"),
                _("Fiddles with hands, hair or similar"),
                _("Moves about; cannot sit still"),
                _("Wrings hands, bites nails or lips, pulls hair"),
            ),
        ),
        _hamd_item(
            10,
            _("Anxiety: psychic"),
            (
                _("None"),
                _("Feels tense or irritable"),
                _("Worries about small matters"),
                _("Apprehension visible in face or speech"),
                _("Voices fears without being asked"),
            ),
        ),
        _hamd_item(
            11,
            _("Anxiety: somatic (bodily signs of anxiety)"),
            (_("Absent"), _("Mild"), _("Moderate"), _("Severe"), _("Incapacitating")),
        ),
        _hamd_item(
            12,
            _("Somatic symptoms: gastro-intestinal"),
            (
                _("None"),
                _("Less appetite but eats without being urged"),
                _("Eats only when urged, or needs medicine for bowel or stomach symptoms"),
            ),
        ),
        _hamd_item(
            13,
            _("Somatic symptoms: general"),
            (
                _("None"),
                _("Heavy limbs, back or head; aches; tiredness"),
                _("Any clear-cut bodily symptom"),
            ),
        ),
        _hamd_item(
            14,
            _("Genital symptoms (such as loss of libido, menstrual disturbance)"),
            (_("Absent"), _("Mild"), _("Severe")),
        ),
        _hamd_item(
            15,
            _("Hypochondriasis"),
            (
                _("Absent"),
                _("Absorbed in own body"),
                _("Preoccupied with health"),
                _("Complains often; asks often for help"),
                _("Hypochondriacal delusions"),
            ),
        ),
        _hamd_item(
            16,
            _("Loss of weight (form A: by history)"),
            (
                _("No weight loss"),
                _("Probably lost weight with this illness"),
                _("Definitely lost weight, by the person's account"),
            ),
        ),
        _hamd_item(
            17,
            _("Insight"),
            (
                _("Knows they are depressed and ill"),
                _("Accepts being ill but puts it down to an outside cause"),
                _("Denies being ill"),
            ),
        ),
    ),
    # A common band set (17 and 24 from Zimmerman et al. 2013); other sets circulate. Remission is
    # usually <=7 (Reynolds et al. 2010; STAR*D, Rush et al. 2006), the top of "none".
    bands=(
        Band("none", _("No depression"), 0, 7),
        Band("mild", _("Mild"), 8, 16),
        Band("moderate", _("Moderate"), 17, 23),
        Band("severe", _("Severe"), 24, 52),
    ),
    min_total=0,
    max_total=52,
    # No LOINC codes: none verified.
    loinc_panel=None,
    loinc_total=None,
    licence=Licence(
        holder="Public domain",
        terms=(
            "Public domain according to the NINDS Common Data Elements entry. Item titles are "
            "Hamilton's; the answer anchors are paraphrased in our own words."
        ),
        item_text_allowed=True,
        source="NINDS Common Data Elements, HAM-D entry, as quoted by CamCOPS",
    ),
    source=(
        "Hamilton 1960, 17 items, total 0-52, item 3 suicide 0-4; bands 0-7, 8-16, 17-23, >=24, "
        "Zimmerman et al. 2013; remission <=7, Reynolds et al. 2010; licence NINDS Common Data "
        "Elements; per-item ranges and item 16 forms "
        "as in public implementations of the standard form (Secondary)"
    ),
    respondent="clinician",
)


# --- WSAS -----------------------------------------------------------------------------------

# 0 (no impairment) to 8 (very severe) (Mundt et al. 2002); anchors at the even numbers, in our own words.
WSAS_OPTIONS = (
    Option(0, _("0 — not at all impaired")),
    Option(1, "1"),
    Option(2, _("2 — slightly")),
    Option(3, "3"),
    Option(4, _("4 — definitely")),
    Option(5, "5"),
    Option(6, _("6 — markedly")),
    Option(7, "7"),
    Option(8, _("8 — very severely impaired")),
)

WSAS = Instrument(
    key="wsas",
    name=_("Work and Social Adjustment Scale"),
    short_name=_("WSAS"),
    preamble=_("Rate each area from 0 (not at all impaired) to 8 (very severely impaired)."),
    recall=_("at present"),
    items=(
        # Work can be not applicable for people retired or not working for reasons unrelated to
        # their problem (the printed WSAS form offers this). Chosen here: a tenth option, recorded
        # and left out of the total. The total is then over 4 items, not pro-rated, and banded on
        # the cut-offs scaled to 32 points (0-7, 8-16, 17-32; `scoring._band`), since the
        # five-item cut-offs would understate impairment; the score lists the item as not
        # applicable and its maximum as 32.
        Item(
            "wsas-1",
            _("WSAS item 1 (work)"),
            (*WSAS_OPTIONS, Option(None, _("Not applicable: retired, or not working for other reasons"))),
        ),
        Item("wsas-2", _("WSAS item 2 (home management)"), WSAS_OPTIONS),
        Item("wsas-3", _("WSAS item 3 (social leisure, with others)"), WSAS_OPTIONS),
        Item("wsas-4", _("WSAS item 4 (private leisure, alone)"), WSAS_OPTIONS),
        Item("wsas-5", _("WSAS item 5 (close relationships)"), WSAS_OPTIONS),
    ),
    # Mundt et al. 2002: below 10 subclinical, 10-20 significant impairment, above 20 moderately
    # severe or worse.
    bands=(
        Band("subclinical", _("Subclinical"), 0, 9),
        Band("significant", _("Significant impairment"), 10, 20),
        Band("severe", _("Moderately severe or worse"), 21, 40),
    ),
    min_total=0,
    max_total=40,
    loinc_panel=None,
    loinc_total=None,
    licence=Licence(
        holder="Professor Isaac Marks (forms are reproduced with his permission)",
        terms=(
            "Formal terms UNVERIFIED. Structure, scoring and codes only; a clinic holding "
            "permission supplies the item wording."
        ),
        item_text_allowed=False,
        source="WSAS forms: reproduced with the permission of Professor Isaac Marks",
    ),
    source=(
        "Mundt, Marks, Shear & Greist 2002, items, range and interpretation; work item not "
        "applicable as on the printed WSAS form; licence as stated on the forms"
    ),
    respondent="client",
)


# --- EPDS -----------------------------------------------------------------------------------

# Items 1, 2 and 4 score 0 to 3 top to bottom; items 3 and 5-10 are reverse-keyed, 3 to 0
# (Cox, Holden & Sagovsky 1987).
EPDS_FORWARD = _positional_options((0, 1, 2, 3))
EPDS_REVERSED = _positional_options((3, 2, 1, 0))

EPDS = Instrument(
    key="epds",
    name=_("Edinburgh Postnatal Depression Scale"),
    short_name=_("EPDS"),
    preamble=_(
        "For each item, enter the position of the answer chosen on the printed form; the first "
        "answer is the top one."
    ),
    recall=_("past 7 days"),
    items=(
        Item("epds-1", _("EPDS item 1 (laughter and humour)"), EPDS_FORWARD),
        Item("epds-2", _("EPDS item 2 (looking forward with enjoyment)"), EPDS_FORWARD),
        Item("epds-3", _("EPDS item 3 (self-blame)"), EPDS_REVERSED),
        Item("epds-4", _("EPDS item 4 (anxiety or worry)"), EPDS_FORWARD),
        Item("epds-5", _("EPDS item 5 (fear or panic)"), EPDS_REVERSED),
        Item("epds-6", _("EPDS item 6 (coping)"), EPDS_REVERSED),
        Item("epds-7", _("EPDS item 7 (sleep troubled by unhappiness)"), EPDS_REVERSED),
        Item("epds-8", _("EPDS item 8 (sadness)"), EPDS_REVERSED),
        Item("epds-9", _("EPDS item 9 (crying)"), EPDS_REVERSED),
        # Any scored value above 0 must trigger further assessment, whatever the total (Cox, Holden
        # & Sagovsky 1987; NSW Health); tiered like PHQ-9 item 9: 1 moderate, 2-3 high.
        Item(
            "epds-10",
            _("EPDS item 10 (thoughts of harming oneself)"),
            EPDS_REVERSED,
            risk_flag="self_harm_thoughts",
            risk_levels=FREQUENCY_RISK_LEVELS,
        ),
    ),
    # >=13 probable depression; >=10 possible, when more sensitivity is wanted (Cox, Holden &
    # Sagovsky 1987). The NSW Health antenatal cut-offs differ; these are the general ones.
    bands=(
        Band("unlikely", _("Depression unlikely"), 0, 9),
        Band("possible", _("Possible depression"), 10, 12),
        Band("probable", _("Probable depression"), 13, 30),
    ),
    min_total=0,
    max_total=30,
    loinc_panel="71354-5",
    # Public FHIR code uses LOINC 99046-5 for the EPDS total, but its LOINC definition is
    # UNVERIFIED, so no total code is claimed.
    loinc_total=None,
    licence=Licence(
        holder="Cox, Holden & Sagovsky 1987; Royal College of Psychiatrists",
        terms=(
            "Conflicting statements: the 1987 paper allows reproduction with citation, a later "
            "Royal College of Psychiatrists notice requires written permission. Structure, scoring "
            "and codes only; a clinic holding written permission supplies the item wording."
        ),
        item_text_allowed=False,
        source=(
            "Cox, Holden & Sagovsky 1987 (reproduction statement); Royal College of Psychiatrists "
            "permission notice; Medizininformatik-Initiative PROMs guide (licence-restricted)"
        ),
    ),
    source=(
        "Cox, Holden & Sagovsky 1987: scoring, reverse keying, cut-offs and item 10; NSW Health, "
        "Scoring the EPDS; LOINC panel 71354-5, total 99046-5 UNVERIFIED; SNOMED CT 273441006 "
        "(Medizininformatik-Initiative PROMs guide); licence as above"
    ),
    respondent="client",
)


# --- C-SSRS screener ------------------------------------------------------------------------

# No total: the result is a triage level. Each answer's scored value is the level it implies
# (0 none, 1 low, 2 moderate, 3 high) and the instrument takes the highest (rule "highest"), so the
# triage table reads item by item below. The tiers follow a common three-tier implementation
# by a vendor (Secondary; tiers vary by organisation): items 1-2 low; item 3, or behaviour not in the
# past 3 months, moderate; items 4-5, or behaviour in the past 3 months, high, which matches the
# owner's most urgent group (Columbia Lighthouse Project, C-SSRS triage guidelines).
CSSRS_LEVELS = ((1, "low"), (2, "moderate"), (3, "high"))


def _cssrs_item(link_id: str, topic: str, yes_level: int, enable_when: tuple[str, int] | None = None) -> Item:
    return Item(
        link_id,
        topic,
        (Option(0, _("No")), Option(yes_level, _("Yes"))),
        risk_flag="suicide_risk_screen",
        risk_levels=CSSRS_LEVELS,
        enable_when=enable_when,
    )


CSSRS_SCREEN = Instrument(
    key="cssrs_screen",
    name=_("Columbia Suicide Severity Rating Scale — Screener"),
    short_name=_("C-SSRS screener"),
    preamble=_(
        "Ask each question as printed on the screener. Items 1 to 5 are about the past month; item 6 "
        "about ever, then about the past 3 months."
    ),
    recall=_("past month (items 1-5); lifetime and past 3 months (item 6)"),
    # Flow (Columbia Lighthouse Project, C-SSRS screener): items 1, 2 and 6 always; 3-5 only if
    # item 2 is yes; the 3-month question only if item 6 is yes.
    items=(
        _cssrs_item("cssrs_screen-1", _("C-SSRS item 1 (wish to be dead)"), 1),
        _cssrs_item("cssrs_screen-2", _("C-SSRS item 2 (thoughts of killing oneself)"), 1),
        _cssrs_item(
            "cssrs_screen-3", _("C-SSRS item 3 (thoughts of a method)"), 2, enable_when=("cssrs_screen-2", 1)
        ),
        _cssrs_item(
            "cssrs_screen-4",
            _("C-SSRS item 4 (intent to act, without a plan)"),
            3,
            enable_when=("cssrs_screen-2", 1),
        ),
        _cssrs_item(
            "cssrs_screen-5", _("C-SSRS item 5 (intent with a plan)"), 3, enable_when=("cssrs_screen-2", 1)
        ),
        _cssrs_item("cssrs_screen-6", _("C-SSRS item 6 (suicidal behaviour, ever)"), 2),
        _cssrs_item(
            "cssrs_screen-6-recent",
            _("C-SSRS item 6, follow-up (behaviour within the past 3 months)"),
            3,
            enable_when=("cssrs_screen-6", 1),
        ),
    ),
    bands=(
        Band("none", _("No positive answer"), 0, 0),
        Band("low", _("Low risk"), 1, 1),
        Band("moderate", _("Moderate risk"), 2, 2),
        Band("high", _("High risk: immediate evaluation"), 3, 3),
    ),
    min_total=0,
    max_total=3,
    loinc_panel=None,
    loinc_total=None,
    licence=Licence(
        holder="Columbia Lighthouse Project (C-SSRS authors)",
        terms=(
            "Copyrighted; current usage terms UNVERIFIED (older commentary says permission must be "
            "requested to use the forms as they are). Structure and triage only; a clinic holding "
            "permission supplies the item wording."
        ),
        item_text_allowed=False,
        source="Columbia Lighthouse Project; 2012 commentary on C-SSRS copyright (terms UNVERIFIED)",
    ),
    source=(
        "Posner et al. 2011 and the Columbia Lighthouse Project: screener items, flow and triage "
        "guidelines; three-tier implementation by a vendor (Secondary); no training needed to ask "
        "(Columbia Protocol); licence as above"
    ),
    respondent="client",
    rule="highest",
)


# --- WAI-SR ---------------------------------------------------------------------------------

# A 5-point scale from "seldom" (1) to "always" (5) (Hatcher & Gillaspy 2006); only the ends are
# labelled here.
WAI_OPTIONS = (
    Option(1, _("1 — seldom")),
    Option(2, "2"),
    Option(3, "3"),
    Option(4, "4"),
    Option(5, _("5 — always")),
)

WAI_SR = Instrument(
    key="wai_sr",
    name=_("Working Alliance Inventory — Short Revised"),
    short_name=_("WAI-SR"),
    preamble=_("Rate each statement from 1 (seldom) to 5 (always)."),
    recall=_("current therapy"),
    items=tuple(
        Item(f"wai_sr-{number}", text, WAI_OPTIONS)
        for number, text in enumerate(
            (
                _("WAI-SR item 1 (task)"),
                _("WAI-SR item 2 (task)"),
                _("WAI-SR item 3 (bond)"),
                _("WAI-SR item 4 (goal)"),
                _("WAI-SR item 5 (bond)"),
                _("WAI-SR item 6 (goal)"),
                _("WAI-SR item 7 (bond)"),
                _("WAI-SR item 8 (goal)"),
                _("WAI-SR item 9 (bond)"),
                _("WAI-SR item 10 (task)"),
                _("WAI-SR item 11 (goal)"),
                _("WAI-SR item 12 (task)"),
            ),
            start=1,
        )
    ),
    # Vendor bands such as "12-35 weak" are not published norms: one band, follow the trend.
    bands=(Band("no_cutoffs", _("No standard cut-offs: follow the trend"), 12, 60),),
    min_total=12,
    max_total=60,
    loinc_panel=None,
    loinc_total=None,
    licence=Licence(
        holder="Society for Psychotherapy Research (rights passed on by A. O. Horvath)",
        terms=(
            "Downloadable from the WAI website; permission questions go to SPR, and one source says "
            "permission is needed before use: confirm with SPR. Structure and scoring only; a clinic "
            "holding permission supplies the item wording."
        ),
        item_text_allowed=False,
        source="Society for Psychotherapy Research, WAI permissions (rights passed on by A. O. Horvath)",
    ),
    source=(
        "Hatcher & Gillaspy 2006: 12 items, 1-5, total 12-60, subscales Task (1, 2, 10, 12), Bond "
        "(3, 5, 7, 9), Goal (4, 6, 8, 11); no standard cut-offs; licence: Society for "
        "Psychotherapy Research"
    ),
    respondent="client",
    subscales=(
        Group("task", _("Task"), ("wai_sr-1", "wai_sr-2", "wai_sr-10", "wai_sr-12")),
        Group("bond", _("Bond"), ("wai_sr-3", "wai_sr-5", "wai_sr-7", "wai_sr-9")),
        Group("goal", _("Goal"), ("wai_sr-4", "wai_sr-6", "wai_sr-8", "wai_sr-11")),
    ),
)


# --- QIDS-SR16 ------------------------------------------------------------------------------

QIDS_OPTIONS = _positional_options((0, 1, 2, 3))
QIDS_TEXTS = (
    _("QIDS-SR16 item 1 (falling asleep)"),
    _("QIDS-SR16 item 2 (sleep during the night)"),
    _("QIDS-SR16 item 3 (waking too early)"),
    _("QIDS-SR16 item 4 (sleeping too much)"),
    _("QIDS-SR16 item 5 (feeling sad)"),
    _("QIDS-SR16 item 6 (decreased appetite)"),
    _("QIDS-SR16 item 7 (increased appetite)"),
    _("QIDS-SR16 item 8 (decreased weight)"),
    _("QIDS-SR16 item 9 (increased weight)"),
    _("QIDS-SR16 item 10 (concentration and decisions)"),
    _("QIDS-SR16 item 11 (view of oneself)"),
    _("QIDS-SR16 item 12 (thoughts of death or suicide)"),
    _("QIDS-SR16 item 13 (general interest)"),
    _("QIDS-SR16 item 14 (energy)"),
    _("QIDS-SR16 item 15 (feeling slowed down)"),
    _("QIDS-SR16 item 16 (feeling restless)"),
)


def _qids_item(number: int, text: str) -> Item:
    item = Item(f"qids_sr16-{number}", text, QIDS_OPTIONS)
    if number == 12:
        # Suicidal ideation: any non-zero answer is positive, tiered as PHQ-9 item 9.
        return replace(item, risk_flag="suicidal_ideation", risk_levels=FREQUENCY_RISK_LEVELS)
    return item


def _qids(*numbers: int) -> tuple[str, ...]:
    return tuple(f"qids_sr16-{number}" for number in numbers)


QIDS_SR16 = Instrument(
    key="qids_sr16",
    name=_("Quick Inventory of Depressive Symptomatology — Self-Report (16 items)"),
    short_name=_("QIDS-SR16"),
    preamble=_(
        "For each item, enter the position of the answer chosen on the printed form; the first "
        "answer is the top one and scores 0."
    ),
    recall=_("past 7 days"),
    items=tuple(_qids_item(number, text) for number, text in enumerate(QIDS_TEXTS, start=1)),
    # 16 items, 9 DSM symptom domains; a domain counts as its highest item (Rush et al. 2003). The six
    # single-item domains (5, 10, 11, 12, 13, 14) count as they are.
    domains=(
        Group("sleep", _("Sleep"), _qids(1, 2, 3, 4)),
        Group("appetite_weight", _("Appetite or weight"), _qids(6, 7, 8, 9)),
        Group("psychomotor", _("Psychomotor"), _qids(15, 16)),
    ),
    bands=(
        Band("none", _("None"), 0, 5),
        Band("mild", _("Mild"), 6, 10),
        Band("moderate", _("Moderate"), 11, 15),
        Band("severe", _("Severe"), 16, 20),
        Band("very_severe", _("Very severe"), 21, 27),
    ),
    min_total=0,
    max_total=27,
    loinc_panel=None,
    loinc_total=None,
    licence=Licence(
        holder="IDS/QIDS developers (copyright statement UNVERIFIED)",
        terms=(
            "Described as freely available for clinical and research use; commercial-use terms "
            "UNVERIFIED. Structure and scoring only; a clinic holding permission supplies the item "
            "wording."
        ),
        item_text_allowed=False,
        source="IDS/QIDS developers, as described in the Brain-CODE QIDS-SR entry",
    ),
    source=("Rush et al. 2003: 16 items in 9 domains, domain maxima, range 0-27 and bands; licence as above"),
    respondent="client",
)


INSTRUMENTS: dict[str, Instrument] = {
    instrument.key: instrument
    for instrument in (PHQ9, PHQ2, PHQA, GAD7, HAMD17, WSAS, EPDS, CSSRS_SCREEN, WAI_SR, QIDS_SR16)
}


def get_instrument(key: str) -> Instrument:
    """The instrument registered under `key`; `UnknownInstrument` (naming the known keys) if none."""
    try:
        return INSTRUMENTS[key]
    except (KeyError, TypeError):
        known = ", ".join(sorted(INSTRUMENTS))
        raise UnknownInstrument(f"unknown instrument {key!r}; choose one of {known}") from None

"""Problem-area suggestion, formulation draft and the choice of areas: table-driven, no database."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from openipt.inventory.formulation import (
    ChoiceError,
    EventFacts,
    Evidence,
    OnsetWindow,
    PersonFacts,
    Suggestion,
    draft_formulation,
    suggest,
    validate_choice,
)

ONSET = date(2026, 3, 17)
AREAS = ("grief", "role_dispute", "role_transition", "interpersonal_deficits")


def before(days: int) -> date:
    return ONSET - timedelta(days=days)


def after(days: int) -> date:
    return ONSET + timedelta(days=days)


def person(id: int, name: str = "", ring: str = "inner", **facts: object) -> PersonFacts:
    return PersonFacts(id, name or f"Person {id}", facts.pop("relationship", "Friend"), ring, **facts)  # type: ignore[arg-type]


def event(id: int, kind: str, on: date, people: tuple[int, ...] = (), description: str = "") -> EventFacts:
    return EventFacts(id, kind, on, people, description)


# Two living people in the inner ring, so that interpersonal deficits stays out of the way.
CLOSE = [person(91, "Mum", relationship="Mother"), person(92, "Ade", relationship="Best friend")]
GRANDAD = person(1, "Grandad Joe", relationship="Grandfather")
DAN_SERIOUS = {"expectations_met": "no", "conflict": "serious"}

STRENGTH_CASES: dict[str, tuple[list[PersonFacts], list[EventFacts], date | None, tuple[str, ...]]] = {
    "death six weeks before the onset": (
        [GRANDAD, *CLOSE],
        [event(1, "death", before(42), (1,))],
        ONSET,
        ("strong", "none", "none", "none"),
    ),
    "death event naming no one": (
        CLOSE,
        [event(1, "death", before(42))],
        ONSET,
        ("strong", "none", "none", "none"),
    ),
    "deceased person with a date of death near the onset": (
        [person(1, deceased=True, died_on=before(100)), *CLOSE],
        [],
        ONSET,
        ("strong", "none", "none", "none"),
    ),
    "date of death alone marks a person as dead": (
        [person(1, died_on=before(10)), *CLOSE],
        [],
        ONSET,
        ("strong", "none", "none", "none"),
    ),
    "deceased without a date, inner ring": (
        [person(1, deceased=True), *CLOSE],
        [],
        ONSET,
        ("possible", "none", "none", "none"),
    ),
    "deceased without a date, middle ring": (
        [person(1, "Uncle", "middle", deceased=True), *CLOSE],
        [],
        ONSET,
        ("possible", "none", "none", "none"),
    ),
    "deceased without a date, outer ring": (
        [person(1, "Neighbour", "outer", deceased=True), *CLOSE],
        [],
        ONSET,
        ("none", "none", "none", "none"),
    ),
    "death long before the onset, inner ring": (
        [GRANDAD, *CLOSE],
        [event(1, "death", before(3 * 365), (1,))],
        ONSET,
        ("possible", "none", "none", "none"),
    ),
    "death long before the onset, middle ring": (
        [person(1, "Uncle Bill", "middle"), *CLOSE],
        [event(1, "death", before(3 * 365), (1,))],
        ONSET,
        ("none", "none", "none", "none"),
    ),
    "death soon after the onset": (
        [GRANDAD, *CLOSE],
        [event(1, "death", after(14), (1,))],
        ONSET,
        ("strong", "none", "none", "none"),
    ),
    "death of someone in the inner ring months after the onset": (
        [GRANDAD, *CLOSE],
        [event(1, "death", after(120), (1,))],
        ONSET,
        ("possible", "none", "none", "none"),
    ),
    "death of someone in the middle ring months after the onset": (
        [person(1, "Uncle Bill", "middle"), *CLOSE],
        [event(1, "death", after(120), (1,))],
        ONSET,
        ("none", "none", "none", "none"),
    ),
    "dispute the client links to the depression": (
        [person(2, "Dan", **DAN_SERIOUS, linked_to_depression=True), *CLOSE],
        [],
        ONSET,
        ("none", "strong", "none", "none"),
    ),
    "dispute with a relationship that changed around the onset": (
        [
            person(2, "Dan", "middle", expectations_met="partly", conflict="some", changed_around_onset=True),
            *CLOSE,
        ],
        [],
        ONSET,
        ("none", "strong", "none", "none"),
    ),
    "dispute that started near the onset": (
        [person(2, "Dan", **DAN_SERIOUS), *CLOSE],
        [event(5, "dispute_start", before(60), (2,))],
        ONSET,
        ("none", "strong", "none", "none"),
    ),
    "dispute not yet linked to the depression": (
        [person(2, "Dan", **DAN_SERIOUS), *CLOSE],
        [],
        ONSET,
        ("none", "possible", "none", "none"),
    ),
    "dispute that started long before the onset is no link": (
        [person(2, "Dan", **DAN_SERIOUS), *CLOSE],
        [event(5, "dispute_start", before(800), (2,))],
        ONSET,
        ("none", "possible", "none", "none"),
    ),
    "non-reciprocal and linked but no open conflict": (
        [person(2, "Dan", expectations_met="no", linked_to_depression=True), *CLOSE],
        [],
        ONSET,
        ("none", "possible", "none", "none"),
    ),
    "conflict and link but expectations not explored": (
        [person(2, "Dan", conflict="serious", linked_to_depression=True), *CLOSE],
        [],
        ONSET,
        ("none", "possible", "none", "none"),
    ),
    "conflict with expectations met": (
        [person(2, "Dan", expectations_met="yes", conflict="serious", linked_to_depression=True), *CLOSE],
        [],
        ONSET,
        ("none", "none", "none", "none"),
    ),
    "dispute with someone in the outer ring": (
        [person(2, "Boss", "outer", **DAN_SERIOUS, linked_to_depression=True), *CLOSE],
        [],
        ONSET,
        ("none", "strong", "none", "none"),
    ),
    "dispute event near the onset with no facts on the person": (
        [person(2, "Dan"), *CLOSE],
        [event(5, "dispute_start", before(20), (2,))],
        ONSET,
        ("none", "possible", "none", "none"),
    ),
    "job loss three months before the onset": (
        CLOSE,
        [event(3, "job_loss", before(90), description="laid off")],
        ONSET,
        ("none", "none", "strong", "none"),
    ),
    "a wanted change: a birth": (
        CLOSE,
        [event(3, "birth", before(40))],
        ONSET,
        ("none", "none", "strong", "none"),
    ),
    "a move long before the onset": (
        CLOSE,
        [event(3, "move", before(5 * 365))],
        ONSET,
        ("none", "none", "none", "none"),
    ),
    "a retirement after the onset": (
        CLOSE,
        [event(3, "retirement", after(200))],
        ONSET,
        ("none", "none", "none", "none"),
    ),
    "another kind of event near the onset": (
        CLOSE,
        [event(3, "other", before(30), description="car accident")],
        ONSET,
        ("none", "none", "possible", "none"),
    ),
    "another kind of event long before the onset": (
        CLOSE,
        [event(3, "other", before(900))],
        ONSET,
        ("none", "none", "none", "none"),
    ),
    "grief and a transition together": (
        [GRANDAD, *CLOSE],
        [event(1, "death", before(42), (1,)), event(3, "move", before(20))],
        ONSET,
        ("strong", "none", "strong", "none"),
    ),
    "few close ties and nothing else": (
        [person(7, "Ade"), person(8, "Kim", "outer")],
        [event(3, "move", before(5 * 365))],
        ONSET,
        ("none", "none", "none", "possible"),
    ),
    "no one in the inner ring and nothing else": (
        [person(8, "Kim", "middle")],
        [],
        ONSET,
        ("none", "none", "none", "possible"),
    ),
    "few close ties, but a dispute is possible": (
        [person(2, "Dan", **DAN_SERIOUS)],
        [],
        ONSET,
        ("none", "possible", "none", "none"),
    ),
    "few close ties, but grief is possible": (
        [GRANDAD],
        [event(1, "death", before(4 * 365), (1,))],
        ONSET,
        ("possible", "none", "none", "none"),
    ),
    "an inner-ring death long after the onset is weighed as grief, not isolation": (
        [person(7, "Ade"), person(1, deceased=True, died_on=after(200)), person(4, "Ann", "middle")],
        [],
        ONSET,
        ("possible", "none", "none", "none"),
    ),
    "deceased middle-ring people leave the inner ring as it is": (
        [person(7, "Ade"), person(1, "Uncle", "middle", died_on=before(3 * 365)), person(4, "Ann", "middle")],
        [],
        ONSET,
        ("none", "none", "none", "possible"),
    ),
    "many close ties and nothing else": (CLOSE, [], ONSET, ("none", "none", "none", "none")),
    "few close ties but no onset": ([person(7, "Ade")], [], None, ("none", "none", "none", "none")),
    "no evidence at all": ([], [], None, ("none", "none", "none", "none")),
    "onset alone": ([], [], ONSET, ("none", "none", "none", "none")),
    "events but no onset": (
        CLOSE,
        [event(1, "death", date(2025, 1, 1)), event(3, "move", date(2024, 6, 1))],
        None,
        ("possible", "none", "possible", "none"),
    ),
}


def strengths(suggestion: Suggestion) -> tuple[str, ...]:
    return tuple(suggestion.area(key).strength for key in AREAS)


@pytest.mark.parametrize(
    ("people", "events", "onset", "expected"), STRENGTH_CASES.values(), ids=STRENGTH_CASES
)
def test_it_weighs_each_area(
    people: list[PersonFacts], events: list[EventFacts], onset: date | None, expected: tuple[str, ...]
) -> None:
    suggestion = suggest(people, events, onset)
    assert strengths(suggestion) == expected
    assert {a.area for a in suggestion.areas} == set(AREAS)
    for area in suggestion.areas:
        assert area.suggested is (area.strength != "none")
        assert bool(area.evidence) or area.area != "grief" or not area.suggested


def test_it_says_who_died_and_how_long_before_the_onset() -> None:
    suggestion = suggest([GRANDAD, *CLOSE], [event(1, "death", date(2026, 2, 3), (1,))], ONSET)
    assert suggestion.area("grief").reasons == (
        "Grandad Joe (Grandfather) died on 2026-02-03, 6 weeks before the depression began.",
    )
    assert suggestion.area("grief").evidence == (Evidence("event", 1), Evidence("person", 1))


def test_it_says_a_death_long_before_the_onset_lies_long_before_it() -> None:
    grief = suggest([GRANDAD], [event(1, "death", before(3 * 365), (1,))], ONSET).area("grief")
    (reason,) = grief.reasons
    assert "3 years before the depression began" in reason
    assert "long before the onset" in reason
    assert "hidden" in reason


def test_it_says_a_death_past_the_continuation_window_lies_beyond_it() -> None:
    uncle = person(1, "Uncle Bill", "middle", relationship="Uncle")
    grief = suggest([uncle, *CLOSE], [event(1, "death", after(120), (1,))], ONSET).area("grief")
    assert grief.reasons == (
        "Uncle Bill (Uncle) died on 2026-07-15, 4 months after the depression began. That is more "
        "than 90 days after the onset, later than the time weighed for its continuation.",
    )
    assert grief.evidence == ()


def test_it_asks_for_the_date_of_an_undated_death() -> None:
    grief = suggest([person(1, "Gran", deceased=True), *CLOSE], [], ONSET).area("grief")
    assert grief.reasons == (
        "Gran (Friend) has died; the date is not recorded. "
        "Record the date to see whether the death is tied to the onset.",
    )
    assert grief.person_ids == (1,)


def test_it_counts_a_death_recorded_twice_once() -> None:
    people = [person(1, "Gran", deceased=True, died_on=before(40)), *CLOSE]
    grief = suggest(people, [event(1, "death", before(42), (1,))], ONSET).area("grief")
    assert len(grief.reasons) == 1
    assert grief.event_ids == (1,)
    assert grief.person_ids == (1,)


def test_it_names_the_link_and_what_to_ask_in_a_dispute() -> None:
    dan = person(2, "Dan", relationship="Partner", **DAN_SERIOUS)
    linked = suggest([dan], [event(5, "dispute_start", date(2026, 1, 6), (2,))], ONSET).area("role_dispute")
    assert linked.reasons == (
        "Dan (Partner): expectations not met; serious conflict. "
        "A dispute began on 2026-01-06, 2 months before the depression began.",
    )
    assert linked.evidence == (Evidence("person", 2), Evidence("event", 5))
    unlinked = suggest([dan], [], ONSET).area("role_dispute")
    assert "Not yet linked to the depression" in unlinked.reasons[0]


def test_it_says_a_change_long_before_the_onset_lies_long_before_it() -> None:
    transition = suggest(CLOSE, [event(3, "move", date(2019, 5, 1), description="to Leeds")], ONSET)
    (reason,) = transition.area("role_transition").reasons
    assert (
        reason == "Move (to Leeds) on 2019-05-01, 7 years before the depression began. "
        "That lies long before the onset."
    )


def test_it_names_the_people_of_an_event_without_a_description() -> None:
    people = [person(2, "Dan", relationship="Partner"), *CLOSE]
    transition = suggest(people, [event(3, "separation", before(21), (2,))], ONSET).area("role_transition")
    assert transition.reasons == ("Separation (Dan) on 2026-02-24, 3 weeks before the depression began.",)


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (0, "the day the depression began"),
        (-1, "1 day before"),
        (-13, "13 days before"),
        (-14, "2 weeks before"),
        (-62, "9 weeks before"),
        (-63, "2 months before"),
        (-30, "4 weeks before"),
        (-45, "6 weeks before"),
        (-400, "13 months before"),
        (-729, "24 months before"),
        (-730, "2 years before"),
        (20, "3 weeks after"),
    ],
)
def test_it_words_the_gap_to_the_onset(days: int, words: str) -> None:
    transition = suggest(CLOSE, [event(3, "move", ONSET + timedelta(days=days))], ONSET).area(
        "role_transition"
    )
    assert words in transition.reasons[0]


def test_the_window_around_the_onset_is_configurable() -> None:
    events = [event(3, "move", before(200))]
    assert suggest(CLOSE, events, ONSET).area("role_transition").strength == "strong"
    narrow = OnsetWindow(before_days=90, after_days=0, continuation_days=0)
    assert suggest(CLOSE, events, ONSET, window=narrow).area("role_transition").strength == "none"
    soon_after = [event(3, "move", after(10))]
    assert suggest(CLOSE, soon_after, ONSET, window=narrow).area("role_transition").strength == "none"


def test_an_onset_window_cannot_be_negative_or_end_its_continuation_early() -> None:
    with pytest.raises(ValueError, match="negative"):
        OnsetWindow(before_days=-1)
    with pytest.raises(ValueError, match=r"continuation_days \(20\) must be at least after_days \(30\)"):
        OnsetWindow(continuation_days=20)


def test_it_orders_suggested_areas_by_strength_then_the_manuals_order() -> None:
    people = [GRANDAD, person(2, "Dan", **DAN_SERIOUS, linked_to_depression=True), *CLOSE]
    events = [event(1, "death", before(4 * 365), (1,)), event(3, "job_loss", before(30))]
    suggestion = suggest(people, events, ONSET)
    assert [(a.area, a.strength) for a in suggestion.areas] == [
        ("role_dispute", "strong"),
        ("role_transition", "strong"),
        ("grief", "possible"),
        ("interpersonal_deficits", "none"),
    ]
    assert [a.area for a in suggestion.suggested] == ["role_dispute", "role_transition", "grief"]


def test_it_reminds_of_one_focus_when_several_areas_fit() -> None:
    events = [event(1, "death", before(42), (1,)), event(3, "move", before(20))]
    suggestion = suggest([GRANDAD, *CLOSE], events, ONSET)
    assert any(
        "one focus, two at most" in note
        and "(Weissman, Markowitz & Klerman, The Guide to Interpersonal Psychotherapy, 2018)" in note
        for note in suggestion.notes
    )
    alone = suggest([GRANDAD, *CLOSE], events[:1], ONSET)
    assert not any("one focus" in note for note in alone.notes)


def test_it_says_what_is_missing_when_nothing_is_recorded() -> None:
    suggestion = suggest([], [], None)
    assert suggestion.suggested == ()
    assert all(a.evidence == () for a in suggestion.areas)
    assert "the clinician decides" in suggestion.notes[0]
    assert suggestion.notes[1:] == (
        "No onset date recorded: record when this episode began.",
        "No people recorded: take the interpersonal inventory of the important people in the client's life.",
        "No life events recorded: ask what changed in the client's life "
        "around the time the depression began.",
    )


def test_it_says_nothing_fits_yet_when_the_records_point_nowhere() -> None:
    suggestion = suggest(CLOSE, [event(3, "move", before(3000))], ONSET)
    assert suggestion.suggested == ()
    assert any(note.startswith("Nothing recorded points to a problem area yet") for note in suggestion.notes)


def test_it_warns_about_hidden_grief_and_poorer_outcomes_with_deficits() -> None:
    deficits = suggest([person(7, "Ade", relationship="Friend")], [], ONSET).area("interpersonal_deficits")
    assert deficits.strength == "possible"
    assert deficits.person_ids == (7,)
    ties, weighed, none_of_the_above, outcomes = deficits.reasons
    assert ties == "The inner ring holds only Ade (Friend)."
    assert weighed == "No death, dispute or life change is recorded."
    guide = "(Weissman, Markowitz & Klerman, The Guide to Interpersonal Psychotherapy, 2018)"
    assert "'none of the above'" in none_of_the_above
    assert f"hidden grief {guide}" in none_of_the_above
    assert "poorer" in outcomes and guide in outcomes


def test_it_explains_why_deficits_is_not_suggested() -> None:
    dispute = suggest([person(2, "Dan", **DAN_SERIOUS)], [], ONSET).area("interpersonal_deficits")
    assert "none of the others applies" in dispute.reasons[0]
    many = suggest(CLOSE, [], ONSET).area("interpersonal_deficits")
    assert many.reasons == (
        "The inner ring holds 2 living people, so the client does not seem short of close attachments.",
    )


def test_it_formats_dates_and_translates_through_what_it_is_given() -> None:
    def pirate(message: str) -> str:
        return message.replace("died on", "walked the plank on")

    suggestion = suggest(
        [GRANDAD, *CLOSE],
        [event(1, "death", date(2026, 2, 3), (1,))],
        ONSET,
        format_date=lambda d: d.strftime("%a %-d %b %Y"),
        gettext=pirate,
    )
    assert (
        suggestion.area("grief")
        .reasons[0]
        .startswith("Grandad Joe (Grandfather) walked the plank on Tue 3 Feb 2026")
    )


def test_it_keeps_names_as_given() -> None:
    hostile = person(1, "<b>Joe</b> {name}", relationship="{who}")
    reasons = suggest([hostile, *CLOSE], [event(1, "death", before(42), (1,))], ONSET).area("grief").reasons
    assert reasons[0].startswith("<b>Joe</b> {name} ({who}) died on")


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: person(1, ring="closest"), "ring"),
        (lambda: person(1, expectations_met="maybe"), "expectations_met"),
        (lambda: person(1, conflict="lots"), "conflict"),
        (lambda: event(1, "wedding", ONSET), "kind"),
    ],
)
def test_it_refuses_unknown_values(make: object, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        make()  # type: ignore[operator]


# --- choice of areas -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("areas", "message"),
    [
        ([], "Choose a problem area: grief, role dispute, role transition or interpersonal deficits."),
        (
            ["a sixth problem area"],
            '"a sixth problem area" is not a problem area: choose from grief, role dispute, '
            "role transition, interpersonal deficits.",
        ),
        (["grief", "grief"], "grief is chosen more than once: choose each problem area once."),
        (
            ["grief", "role_dispute", "role_transition"],
            "Choose one problem area, or two at most: the manuals advise a single focus to keep the "
            "treatment organised.",
        ),
    ],
)
def test_it_refuses_a_choice_the_manuals_do_not_allow(areas: list[str], message: str) -> None:
    with pytest.raises(ChoiceError, match=f"^{re.escape(message)}$") as raised:
        validate_choice(areas)
    assert isinstance(raised.value, ValueError)
    assert raised.value.template.format(**raised.value.params) == message


@pytest.mark.parametrize(
    "areas", [["grief"], ["role_dispute", "role_transition"], ("interpersonal_deficits",)]
)
def test_it_accepts_one_or_two_areas(areas: list[str]) -> None:
    validate_choice(areas)


# --- formulation draft -----------------------------------------------------------------------

DRAFT_PEOPLE = [
    GRANDAD,
    person(2, "Dan", relationship="Partner", **DAN_SERIOUS, linked_to_depression=True),
    *CLOSE,
]
DRAFT_EVENTS = [
    event(1, "death", date(2026, 2, 3), (1,)),
    event(3, "job_loss", date(2025, 12, 1), description="laid off at the warehouse"),
]


def draft(areas: list[str], **kwargs: object) -> str:
    suggestion = suggest(DRAFT_PEOPLE, DRAFT_EVENTS, ONSET)
    options: dict[str, object] = {"client_name": "Sam"} | kwargs
    return draft_formulation(areas, suggestion, DRAFT_PEOPLE, DRAFT_EVENTS, ONSET, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("area", "fact", "goal"),
    [
        ("grief", "the death of Grandad Joe (Grandfather) on 2026-02-03", "Help the mourning to happen."),
        ("role_dispute", "a struggle with Dan (Partner)", "Choose a plan."),
        (
            "role_transition",
            "a change in your life: Job loss (laid off at the warehouse) on 2025-12-01",
            "Come to terms with the loss of the old role.",
        ),
        ("interpersonal_deficits", "feeling alone", "Feel less alone."),
    ],
)
def test_the_draft_names_the_illness_the_area_its_facts_and_the_work(area: str, fact: str, goal: str) -> None:
    text = draft([area])
    assert text.startswith("Sam, from what you have told me, you have depression.")
    assert "a common medical illness that can be treated" in text
    assert "It is not your fault" in text
    assert "It began around 2026-03-17." in text
    assert f"It seems connected to {fact}" in text
    name = {"role_dispute": "role dispute", "role_transition": "role transition"}.get(area, area)
    name = name.replace("_", " ")
    assert f"In our sessions we will work on {name}. The work will be to:" in text
    assert f"\n- {goal}" in text
    assert text.endswith("Does this fit how you see it?")


def test_the_draft_covers_two_areas() -> None:
    text = draft(["grief", "role_transition"])
    assert text.index("the death of Grandad Joe") < text.index("Job loss")
    assert text.count("The work will be to:") == 2


def test_the_draft_uses_the_protocols_goals_when_given() -> None:
    text = draft(["grief"], goals={"grief": ("Mourn.", "Move on.")})
    assert "- Mourn.\n- Move on." in text
    assert "Help the mourning" not in text


def test_the_draft_falls_back_to_general_words_without_evidence() -> None:
    suggestion = suggest([], [], None)
    text = draft_formulation(["grief"], suggestion, [], [], None, client_name="Sam")
    assert "We have not yet pinned down when it began." in text
    assert "It seems connected to the loss of someone close to you" in text


def test_the_draft_refuses_a_bad_choice() -> None:
    with pytest.raises(ChoiceError, match="two at most"):
        draft(["grief", "role_dispute", "role_transition"])

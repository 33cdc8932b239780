"""The shipped protocols load and say what the clinical reference says."""

from __future__ import annotations

import dataclasses
import re

import pytest

from openipt.protocols import (
    DATA_DIR,
    PROBLEM_AREA_KEYS,
    Protocol,
    SessionCountError,
    get_protocol,
    get_protocols,
    instrument_keys,
)

SHIPPED = ["ipt-standard", "ipt-brief", "ipt-adolescent", "ipt-maintenance"]
ACUTE = ["ipt-standard", "ipt-brief", "ipt-adolescent"]


def layout(protocol: Protocol, total: int | None = None) -> list[tuple[str, int, int]]:
    return [(p.key, p.first_session, p.last_session) for p in protocol.phases_for(total)]


def task_keys(protocol: Protocol, n: int, total: int | None = None) -> list[str]:
    return [t.key for t in protocol.tasks_for_session(n, total)]


def test_every_shipped_protocol_loads() -> None:
    assert sorted(get_protocols()) == sorted(SHIPPED)


@pytest.mark.parametrize(
    ("key", "cadence", "default", "minimum", "maximum", "phases"),
    [
        (
            "ipt-standard",
            "weekly",
            16,
            12,
            16,
            [("initial", 1, 3), ("middle", 4, 13), ("termination", 14, 16)],
        ),
        (
            "ipt-brief",
            "weekly",
            9,
            9,
            9,
            [("engagement", 1, 1), ("initial", 2, 3), ("middle", 4, 7), ("termination", 8, 9)],
        ),
        (
            "ipt-adolescent",
            "weekly",
            12,
            12,
            16,
            [("initial", 1, 3), ("middle", 4, 9), ("termination", 10, 12)],
        ),
        ("ipt-maintenance", "monthly", 12, 1, 36, [("maintenance", 1, 12)]),
    ],
)
def test_shipped_protocol_shape(
    key: str, cadence: str, default: int, minimum: int, maximum: int, phases: list[tuple[str, int, int]]
) -> None:
    protocol = get_protocol(key)

    assert protocol.key == key
    assert protocol.cadence == cadence
    assert (protocol.default_sessions, protocol.min_sessions, protocol.max_sessions) == (
        default,
        minimum,
        maximum,
    )
    assert layout(protocol) == phases
    assert protocol.session_minutes == 50


@pytest.mark.parametrize(
    ("key", "total", "phases"),
    [
        ("ipt-standard", 12, [("initial", 1, 3), ("middle", 4, 9), ("termination", 10, 12)]),
        ("ipt-standard", 14, [("initial", 1, 3), ("middle", 4, 11), ("termination", 12, 14)]),
        ("ipt-standard", 16, [("initial", 1, 3), ("middle", 4, 13), ("termination", 14, 16)]),
        ("ipt-adolescent", 16, [("initial", 1, 3), ("middle", 4, 13), ("termination", 14, 16)]),
        ("ipt-maintenance", 1, [("maintenance", 1, 1)]),
        ("ipt-maintenance", 36, [("maintenance", 1, 36)]),
    ],
)
def test_a_contracted_session_count_stretches_the_middle_phase(
    key: str, total: int, phases: list[tuple[str, int, int]]
) -> None:
    assert layout(get_protocol(key), total) == phases


@pytest.mark.parametrize(
    ("n", "total", "phase"),
    [
        (1, None, "initial"),
        (3, None, "initial"),
        (4, None, "middle"),
        (13, None, "middle"),
        (14, None, "termination"),
        (16, None, "termination"),
        (9, 12, "middle"),
        (10, 12, "termination"),
        (12, 12, "termination"),
        (11, 13, "termination"),
        (10, 13, "middle"),
    ],
)
def test_phase_for_session_in_standard_ipt(n: int, total: int | None, phase: str) -> None:
    assert get_protocol("ipt-standard").phase_for_session(n, total).key == phase


@pytest.mark.parametrize(("n", "total"), [(0, None), (17, None), (13, 12), (-1, 12)])
def test_phase_for_session_refuses_a_session_outside_the_course(n: int, total: int | None) -> None:
    with pytest.raises(ValueError, match=r"outside 1\.\.1[26] for ipt-standard"):
        get_protocol("ipt-standard").phase_for_session(n, total)


@pytest.mark.parametrize(
    ("key", "n", "message"),
    [
        (
            "ipt-standard",
            11,
            r"between 12 and 16 for Interpersonal Psychotherapy \(IPT\), standard weekly course, not 11",
        ),
        (
            "ipt-standard",
            17,
            r"between 12 and 16 for Interpersonal Psychotherapy \(IPT\), standard weekly course, not 17",
        ),
        ("ipt-brief", 8, r"\(IPT-B\): engagement session \+ 8 sessions always has exactly 9 sessions, not 8"),
        ("ipt-adolescent", 17, "between 12 and 16 for IPT for depressed adolescents"),
        ("ipt-maintenance", 0, "between 1 and 36 for Maintenance IPT"),
        ("ipt-maintenance", 37, "between 1 and 36 for Maintenance IPT"),
    ],
)
def test_validate_session_count_refuses_counts_outside_the_range(key: str, n: int, message: str) -> None:
    protocol = get_protocol(key)

    with pytest.raises(ValueError, match=message) as caught:
        protocol.validate_session_count(n)
    with pytest.raises(SessionCountError):
        protocol.tasks_for_session(1, n)

    error = caught.value
    assert isinstance(error, SessionCountError)
    assert error.template % error.params == str(error)
    assert error.params["protocol"] == protocol.name  # a person reads the name, never the key


@pytest.mark.parametrize(("key", "n"), [("ipt-standard", 12), ("ipt-standard", 16), ("ipt-maintenance", 1)])
def test_validate_session_count_accepts_counts_in_the_range(key: str, n: int) -> None:
    get_protocol(key).validate_session_count(n)


def test_standard_initial_phase_covers_the_manual_tasks() -> None:
    assert task_keys(get_protocol("ipt-standard"), 1) == [
        "symptom_review",
        "name_diagnosis",
        "psychoeducation",
        "sick_role",
        "medication_review",
        "interpersonal_inventory",
        "identify_problem_area",
        "interpersonal_formulation",
        "treatment_contract",
    ]


def test_standard_middle_phase_tasks() -> None:
    protocol = get_protocol("ipt-standard")

    assert task_keys(protocol, 4) == [
        "interval_review",
        "symptom_rating",
        "problem_area_work",
        "techniques",
        "between_session_tasks",
    ]
    assert [t.key for t in protocol.phase("middle").tasks if t.optional] == ["between_session_tasks"]


@pytest.mark.parametrize(("n", "total"), [(14, None), (16, None), (10, 12), (12, 12)])
def test_standard_termination_tasks_follow_the_end(n: int, total: int | None) -> None:
    assert task_keys(get_protocol("ipt-standard"), n, total) == [
        "review_progress",
        "feelings_about_ending",
        "relapse_prevention",
        "further_treatment",
    ]


@pytest.mark.parametrize(
    ("key", "n", "total", "due"),
    [
        ("ipt-standard", 1, None, ("phq9", "gad7")),
        ("ipt-standard", 2, None, ("phq9",)),
        ("ipt-standard", 4, None, ("phq9", "gad7")),
        ("ipt-standard", 5, None, ("phq9",)),
        ("ipt-standard", 12, None, ("phq9", "gad7")),
        ("ipt-standard", 15, None, ("phq9",)),
        ("ipt-standard", 16, None, ("phq9", "gad7")),
        ("ipt-standard", 13, 13, ("phq9", "gad7")),
        ("ipt-standard", 12, 13, ("phq9", "gad7")),
        ("ipt-standard", 11, 13, ("phq9",)),
        ("ipt-brief", 1, None, ("phq9", "gad7")),
        ("ipt-brief", 9, None, ("phq9", "gad7")),
        ("ipt-adolescent", 3, None, ("phqa",)),
        ("ipt-adolescent", 12, None, ("phqa", "gad7")),
        ("ipt-maintenance", 1, None, ("phq9",)),
        ("ipt-maintenance", 36, 36, ("phq9",)),
    ],
)
def test_measures_due(key: str, n: int, total: int | None, due: tuple[str, ...]) -> None:
    assert get_protocol(key).measures_due(n, total) == due


@pytest.mark.parametrize(
    ("key", "instrument"),
    [
        ("ipt-standard", "phq9"),
        ("ipt-brief", "phq9"),
        ("ipt-maintenance", "phq9"),
        ("ipt-adolescent", "phqa"),
    ],
)
def test_depression_is_rated_at_every_session(key: str, instrument: str) -> None:
    """Adults rate the PHQ-9; adolescents the PHQ-A (PHQ-9 modified for adolescents), whose
    supplementary suicide questions are then asked at every session too."""
    protocol = get_protocol(key)

    for total in {protocol.min_sessions, protocol.default_sessions, protocol.max_sessions}:
        for n in range(1, total + 1):
            assert protocol.measures_due(n, total)[0] == instrument


def test_instrument_keys() -> None:
    assert instrument_keys(get_protocol("ipt-standard")) == {"phq9", "gad7"}
    assert instrument_keys(get_protocol("ipt-maintenance")) == {"phq9"}


def test_brief_starts_with_an_engagement_session_then_eight() -> None:
    protocol = get_protocol("ipt-brief")

    assert protocol.phase_for_session(1).key == "engagement"
    assert protocol.default_sessions - protocol.phase("engagement").session_count == 8
    assert task_keys(protocol, 1) == ["motivational_engagement", "practical_barriers", "instil_hope"]
    assert protocol.phase("initial").session_count == 2


@pytest.mark.parametrize("total", [12, 14, 16])
def test_adolescent_checks_suicidal_ideation_and_school_every_session(total: int) -> None:
    protocol = get_protocol("ipt-adolescent")

    for n in range(1, total + 1):
        keys = task_keys(protocol, n, total)
        assert any(k.startswith("suicide_check_") for k in keys), n
        assert any(k.startswith("school_check_") for k in keys), n


@pytest.mark.parametrize("total", [12, 16])
def test_adolescent_phone_contacts_in_the_first_four_weeks(total: int) -> None:
    protocol = get_protocol("ipt-adolescent")

    weeks = [
        n for n in range(1, total + 1) for c in protocol.contacts_after_session(n, total) if c.kind == "phone"
    ]

    assert weeks == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("n", "total", "parent_tasks"),
    [
        (1, 12, ["parent_first_session"]),
        (2, 12, []),
        (4, 12, ["parent_middle_session"]),
        (9, 12, ["parent_middle_session"]),
        (11, 12, []),
        (12, 12, ["parent_final_session"]),
        (12, 16, ["parent_middle_session"]),
        (15, 16, []),
        (16, 16, ["parent_final_session"]),
    ],
)
def test_adolescent_parents_join_at_the_start_once_in_the_middle_and_at_the_end(
    n: int, total: int, parent_tasks: list[str]
) -> None:
    protocol = get_protocol("ipt-adolescent")

    assert "parent" in protocol.participants
    assert [t.key for t in protocol.tasks_for_session(n, total) if "parent" in t.participants] == parent_tasks


def test_adolescent_has_one_parent_task_in_the_middle_phase() -> None:
    middle = get_protocol("ipt-adolescent").phase("middle")

    assert [t.key for t in middle.tasks if t.participants == ("parent",)] == ["parent_middle_session"]


def test_maintenance_is_one_monthly_phase() -> None:
    protocol = get_protocol("ipt-maintenance")

    assert protocol.phase_keys == ("maintenance",)
    assert protocol.next_phase("maintenance") is None
    assert task_keys(protocol, 30, 36) == [
        "interval_review",
        "warning_signs_check",
        "maintain_gains",
        "review_plan",
    ]


@pytest.mark.parametrize(
    ("key", "phase", "following"),
    [
        ("ipt-standard", "initial", "middle"),
        ("ipt-standard", "middle", "termination"),
        ("ipt-standard", "termination", None),
        ("ipt-brief", "engagement", "initial"),
    ],
)
def test_next_phase(key: str, phase: str, following: str | None) -> None:
    after = get_protocol(key).next_phase(phase)

    assert (after.key if after else None) == following


def test_next_phase_refuses_an_unknown_phase() -> None:
    with pytest.raises(KeyError, match="ipt-brief has no phase 'maintenance'"):
        get_protocol("ipt-brief").next_phase("maintenance")


@pytest.mark.parametrize("key", SHIPPED)
def test_every_problem_area_has_goals_and_strategies(key: str) -> None:
    protocol = get_protocol(key)

    assert protocol.problem_area_keys == PROBLEM_AREA_KEYS
    for area in protocol.problem_areas:
        assert area.goals
        assert area.strategies
        assert area.sources


@pytest.mark.parametrize("key", SHIPPED)
def test_every_phase_task_and_problem_area_names_its_sources(key: str) -> None:
    protocol = get_protocol(key)

    assert all(phase.sources for phase in protocol.phases)
    assert all(task.sources for phase in protocol.phases for task in phase.tasks)
    assert all(area.sources for area in protocol.problem_areas)
    # Each citation names the primary source: a tag, then author(s), title and year.
    for citation in protocol.sources:
        assert re.match(r"\[[A-Za-z][A-Za-z0-9-]*\] \S", citation)
        assert not re.match(r"\[S\d+\]", citation)
        assert re.search(r"(19|20)\d\d|undated|year not recorded", citation)


@pytest.mark.parametrize("key", SHIPPED)
def test_protocol_files_cite_no_file_outside_the_repository(key: str) -> None:
    text = (DATA_DIR / f"{key}.toml").read_text()

    assert not re.search(r"\b[A-Z][A-Z-]+\.md\b", text)  # no reference document by file name
    assert not re.search(r"\[S\d+\]|\"S\d+\"", text)


@pytest.mark.parametrize(
    ("key", "ages"),
    [
        ("ipt-adolescent", [(11, False), (12, True), (17, True), (18, False)]),
        ("ipt-standard", [(17, False), (18, True), (90, True)]),
        ("ipt-brief", [(17, False), (18, True)]),
        # Maintenance continues an acute course whose start checked the age: no bound of its own.
        ("ipt-maintenance", [(12, True), (17, True), (18, True)]),
    ],
)
def test_each_protocol_declares_the_ages_it_is_for(key: str, ages: list[tuple[int, bool]]) -> None:
    protocol = get_protocol(key)

    assert [(age, protocol.suits_age(age)) for age, _fits in ages] == ages


def test_adolescent_parent_joins_the_middle_phase_once_at_the_chosen_session() -> None:
    protocol = get_protocol("ipt-adolescent")
    middle = protocol.phase("middle")
    parent_tasks = [t for t in middle.tasks if "parent" in t.participants]

    assert [t.key for t in parent_tasks] == ["parent_middle_session"]
    assert parent_tasks[0].once
    chosen = {"parent_middle_session": 6}
    on = [n for n in range(4, 10) if "parent_middle_session" in task_keys_chosen(protocol, n, chosen)]
    assert on == [6]
    # Not chosen yet: on every middle session, as the prompt to choose one.
    assert all("parent_middle_session" in task_keys_chosen(protocol, n, {}) for n in range(4, 10))
    # A choice the contract moved out of the middle phase counts as not made.
    assert "parent_middle_session" in task_keys_chosen(protocol, 9, {"parent_middle_session": 11})


@pytest.mark.parametrize("key", ACUTE)
def test_acute_protocols_end_with_termination(key: str) -> None:
    protocol = get_protocol(key)

    assert protocol.phase_keys[-1] == "termination"
    assert {"review_progress", "relapse_prevention", "further_treatment"} <= {
        t.key for t in protocol.phase("termination").tasks
    }


def test_protocols_are_frozen() -> None:
    protocol = get_protocol("ipt-standard")

    with pytest.raises(dataclasses.FrozenInstanceError):
        protocol.default_sessions = 20  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        protocol.phases[0].tasks[0].title = "x"  # type: ignore[misc]


def task_keys_chosen(protocol: Protocol, n: int, chosen: dict[str, int]) -> list[str]:
    return [t.key for t in protocol.tasks_for_session(n, chosen=chosen)]


def test_a_session_count_error_names_the_protocol_for_people_not_its_key() -> None:
    protocol = get_protocol("ipt-standard")
    with pytest.raises(SessionCountError) as raised:
        protocol.validate_session_count(40)
    message = raised.value.message(lambda text: text.replace(protocol.name, "Translated name"))
    assert message == "The number of sessions must be between 12 and 16 for Translated name, not 40."

"""Loading protocol files: valid files load, and every broken file names its file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from openipt.protocols.loader import (
    DATA_DIR,
    ProtocolError,
    UnknownProtocolError,
    get_protocol,
    get_protocols,
    instrument_keys,
    load_directory,
    load_protocol,
)

MINIMAL = """\
key = "mini"
name = "Mini protocol"
version = "1"
summary = "A small protocol for tests."
sources = ["[Weissman2018] Weissman MM et al. The Guide to IPT, 2018.", "[Local-2] Another source."]
cadence = "weekly"
session_minutes = 50
default_sessions = 6
min_sessions = 5
max_sessions = 8
participants = ["client", "parent"]

[[phases]]
key = "initial"
name = "Initial"
first_session = 1
last_session = 2
purpose = "Start."
sources = ["Weissman2018"]

[[phases.tasks]]
key = "inventory"
title = "Inventory"
guidance = "Take it."
sessions = [1]
participants = ["parent"]

[[phases]]
key = "middle"
name = "Middle"
first_session = 3
last_session = 4
purpose = "Work."

[[phases.tasks]]
key = "work"
title = "Work"
guidance = "Do it."
optional = true

[[phases]]
key = "termination"
name = "Termination"
first_session = 5
last_session = 6
purpose = "End."

[[phases.tasks]]
key = "ending"
title = "Ending"
guidance = "End well."
sessions = [6]
sources = ["Local-2"]

[[measures]]
instrument = "phq9"
every = 1

[[measures]]
instrument = "gad7"
first = true
last = true
sessions = [3, 5]

[[contacts]]
kind = "phone"
label = "Call"
between_sessions = [1, 5]

[[problem_areas]]
key = "grief"
name = "Grief"
description = "Loss."
goals = ["Mourn."]
strategies = ["Talk."]
sources = ["Weissman2018"]
"""


def write(tmp_path: Path, text: str, name: str = "broken.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edit(old: str, new: str, text: str = MINIMAL) -> str:
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


def test_it_loads_the_minimal_protocol(tmp_path: Path) -> None:
    protocol = load_protocol(write(tmp_path, MINIMAL, "mini.toml"))

    assert protocol.key == "mini"
    assert protocol.phase_keys == ("initial", "middle", "termination")
    assert protocol.sources == (
        "[Weissman2018] Weissman MM et al. The Guide to IPT, 2018.",
        "[Local-2] Another source.",
    )
    assert protocol.phases[0].tasks[0].sessions == (1,)
    assert protocol.phases[0].tasks[0].participants == ("parent",)
    assert protocol.phases[1].tasks[0].optional is True
    assert protocol.phases[2].tasks[0].sources == ("Local-2",)
    assert protocol.phases[1].tasks[0].once is False
    assert (protocol.min_age, protocol.max_age) == (None, None)


def test_it_reads_the_ages_and_a_task_held_once(tmp_path: Path) -> None:
    text = edit(
        'participants = ["client", "parent"]',
        'participants = ["client", "parent"]\nmin_age = 12\nmax_age = 17',
    )
    text = edit("optional = true", "optional = true\nonce = true", text)

    protocol = load_protocol(write(tmp_path, text, "mini.toml"))

    assert (protocol.min_age, protocol.max_age) == (12, 17)
    assert protocol.phases[1].tasks[0].once is True
    assert protocol.suits_age(12) and protocol.suits_age(17)
    assert not protocol.suits_age(11) and not protocol.suits_age(18)
    assert protocol.contacts[0].between_sessions == (1, 5)
    assert instrument_keys(protocol) == {"phq9", "gad7"}
    assert isinstance(protocol.phases, tuple)
    assert isinstance(protocol.problem_areas[0].goals, tuple)


def test_the_continuation_window_defaults_to_90_days_and_can_be_set(tmp_path: Path) -> None:
    assert load_protocol(write(tmp_path, MINIMAL, "mini.toml")).continuation_days == 90
    longer = edit("session_minutes = 50", "session_minutes = 50\ncontinuation_days = 180")
    assert load_protocol(write(tmp_path, longer, "mini.toml")).continuation_days == 180
    assert all(p.continuation_days >= 90 for p in get_protocols().values())


@pytest.mark.parametrize(
    ("total", "layout"),
    [
        (5, [("initial", 1, 2), ("middle", 3, 3), ("termination", 4, 5)]),
        (6, [("initial", 1, 2), ("middle", 3, 4), ("termination", 5, 6)]),
        (8, [("initial", 1, 2), ("middle", 3, 6), ("termination", 7, 8)]),
    ],
)
def test_it_stretches_the_middle_phase_and_keeps_termination_last(
    tmp_path: Path, total: int, layout: list[tuple[str, int, int]]
) -> None:
    protocol = load_protocol(write(tmp_path, MINIMAL, "mini.toml"))

    phases = protocol.phases_for(total)

    assert [(p.key, p.first_session, p.last_session) for p in phases] == layout
    assert phases[-1].tasks[0].sessions == (total,)


@pytest.mark.parametrize(
    ("total", "n", "due", "contacts"),
    [
        (6, 1, ("phq9", "gad7"), ("phone",)),
        (6, 3, ("phq9", "gad7"), ()),
        (6, 5, ("phq9", "gad7"), ("phone",)),
        (6, 6, ("phq9", "gad7"), ()),
        (8, 5, ("phq9",), ()),
        (8, 7, ("phq9", "gad7"), ("phone",)),
        (8, 8, ("phq9", "gad7"), ()),
        (5, 4, ("phq9", "gad7"), ("phone",)),
    ],
)
def test_pinned_sessions_after_the_middle_phase_move_with_the_end(
    tmp_path: Path, total: int, n: int, due: tuple[str, ...], contacts: tuple[str, ...]
) -> None:
    protocol = load_protocol(write(tmp_path, MINIMAL, "mini.toml"))

    assert protocol.measures_due(n, total) == due
    assert tuple(c.kind for c in protocol.contacts_after_session(n, total)) == contacts


BROKEN = [
    # (id, edited text, field path or None, message fragment)
    ("toml-syntax", edit('cadence = "weekly"', "cadence = weekly"), None, "invalid TOML: "),
    (
        "cadence",
        edit('cadence = "weekly"', 'cadence = "daily"'),
        "cadence",
        "must be one of 'weekly', 'monthly', not 'daily'",
    ),
    ("cadence-type", edit('cadence = "weekly"', "cadence = 7"), "cadence", "not 7"),
    ("missing-name", edit('name = "Mini protocol"\n', ""), "name", "required field is missing"),
    (
        "empty-summary",
        edit('summary = "A small protocol for tests."', 'summary = "  "'),
        "summary",
        "non-empty",
    ),
    ("key-shape", edit('key = "mini"', 'key = "Mini Protocol"'), "key", "must be a key of lowercase"),
    (
        "unknown-top-level-field",
        edit("session_minutes = 50", "sesion_minutes = 50"),
        "sesion_minutes",
        "unknown field (did you mean 'session_minutes'?)",
    ),
    (
        "unknown-task-field",
        edit('title = "Work"', 'titel = "Work"'),
        "phases[1].tasks[0].titel",
        "unknown field (did you mean 'title'?)",
    ),
    (
        "unknown-field-no-hint",
        edit('version = "1"', 'version = "1"\nxyzzy = 1'),
        "xyzzy",
        "known fields: key",
    ),
    (
        "minutes-string",
        edit("session_minutes = 50", 'session_minutes = "50"'),
        "session_minutes",
        "must be an integer ≥ 1, not '50'",
    ),
    ("minutes-zero", edit("session_minutes = 50", "session_minutes = 0"), "session_minutes", "≥ 1, not 0"),
    (
        "sessions-bool",
        edit("default_sessions = 6", "default_sessions = true"),
        "default_sessions",
        "not true",
    ),
    (
        "min-above-default",
        edit("min_sessions = 5", "min_sessions = 7"),
        "min_sessions",
        "must be ≤ default_sessions (6), not 7",
    ),
    (
        "max-below-default",
        edit("max_sessions = 8", "max_sessions = 4"),
        "max_sessions",
        "must be an integer ≥ default_sessions (6), not 4",
    ),
    (
        "min-empties-middle",
        edit("min_sessions = 5", "min_sessions = 3"),
        "min_sessions",
        "a course of 3 sessions would leave the middle phase (sessions 3-4) without sessions",
    ),
    (
        "no-client",
        edit('participants = ["client", "parent"]', 'participants = ["parent"]'),
        "participants",
        "'client'",
    ),
    (
        "duplicate-participant",
        edit('participants = ["client", "parent"]', 'participants = ["client", "client"]'),
        "participants[1]",
        "listed twice",
    ),
    (
        "source-without-tag",
        edit(
            '"[Weissman2018] Weissman MM et al. The Guide to IPT, 2018."',
            '"Weissman MM. The Guide to IPT, 2018."',
        ),
        "sources[0]",
        "must start with a tag in brackets",
    ),
    (
        "source-tag-twice",
        edit('"[Local-2] Another source."', '"[Weissman2018] Another source."'),
        "sources[1]",
        "tag 'Weissman2018' is defined twice",
    ),
    (
        "unknown-source-tag",
        edit(
            'purpose = "Start."\nsources = ["Weissman2018"]',
            'purpose = "Start."\nsources = ["Weissman2018", "Mufson2004"]',
        ),
        "phases[0].sources[1]",
        "unknown source tag 'Mufson2004'; the file's sources define Weissman2018, Local-2",
    ),
    ("phases-not-tables", MINIMAL.split("[[phases]]")[0] + 'phases = "all"\n', "phases", "array of tables"),
    (
        "phase-key-unknown",
        edit('key = "middle"', 'key = "middel"'),
        "phases[1].key",
        "must be one of 'engagement', 'initial', 'middle', 'termination', 'maintenance', not 'middel'",
    ),
    (
        "phase-key-order",
        edit('key = "middle"', 'key = "engagement"'),
        "phases[1].key",
        "'engagement' cannot follow 'initial'",
    ),
    (
        "phase-key-twice",
        edit('key = "middle"', 'key = "initial"'),
        "phases[1].key",
        "'initial' is listed twice",
    ),
    (
        "phase-gap",
        edit("first_session = 3", "first_session = 4"),
        "phases[1].first_session",
        "must be 3 (phases follow one another without gaps or overlaps), not 4",
    ),
    ("phase-overlap", edit("first_session = 3", "first_session = 2"), "phases[1].first_session", "must be 3"),
    (
        "phase-first-not-one",
        edit("first_session = 1", "first_session = 2"),
        "phases[0].first_session",
        "must be 1",
    ),
    (
        "phase-ends-before-starting",
        edit("last_session = 4", "last_session = 2"),
        "phases[1].last_session",
        "must be an integer ≥ first_session (3), not 2",
    ),
    (
        "phases-past-default",
        edit("last_session = 6", "last_session = 7"),
        "phases[2].last_session",
        "the last phase must end at default_sessions (6), not 7",
    ),
    (
        "phase-without-tasks",
        edit('[[phases.tasks]]\nkey = "work"\ntitle = "Work"\nguidance = "Do it."\noptional = true\n', ""),
        "phases[1].tasks",
        "required field is missing",
    ),
    (
        "task-key-twice",
        edit('key = "ending"', 'key = "work"'),
        "phases[2].tasks[0].key",
        "task key 'work' is already used at phases[1].tasks[0]",
    ),
    (
        "task-session-outside-phase",
        edit("sessions = [1]", "sessions = [3]"),
        "phases[0].tasks[0].sessions",
        "session 3 is outside its phase (sessions 1-2)",
    ),
    (
        "task-session-lost-at-min",
        edit('guidance = "Do it."', 'guidance = "Do it."\nsessions = [4]'),
        "phases[1].tasks[0].sessions",
        "session 4 of the middle phase does not exist in a course of min_sessions (5) sessions",
    ),
    (
        "task-sessions-empty",
        edit("sessions = [1]", "sessions = []"),
        "phases[0].tasks[0].sessions",
        "leave the field",
    ),
    (
        "task-session-twice",
        edit("sessions = [1]", "sessions = [1, 1]"),
        "phases[0].tasks[0].sessions[1]",
        "twice",
    ),
    (
        "task-session-zero",
        edit("sessions = [1]", "sessions = [0]"),
        "phases[0].tasks[0].sessions[0]",
        "≥ 1, not 0",
    ),
    (
        "task-participant-unknown",
        edit('participants = ["parent"]', 'participants = ["parnet"]'),
        "phases[0].tasks[0].participants[0]",
        "'parnet' is not among the protocol's participants (client, parent)",
    ),
    (
        "task-once-with-sessions",
        edit("optional = true", "optional = true\nonce = true\nsessions = [3]"),
        "phases[1].tasks[0].once",
        "placed by the clinician; leave sessions out",
    ),
    (
        "task-once-type",
        edit("optional = true", 'optional = true\nonce = "yes"'),
        "phases[1].tasks[0].once",
        "true or false",
    ),
    (
        "ages-upside-down",
        edit(
            'participants = ["client", "parent"]',
            'participants = ["client", "parent"]\nmin_age = 18\nmax_age = 12',
        ),
        "max_age",
        "must be an integer ≥ 18, not 12",
    ),
    (
        "age-not-a-number",
        edit('participants = ["client", "parent"]', 'participants = ["client", "parent"]\nmin_age = "12"'),
        "min_age",
        "must be an integer ≥ 0",
    ),
    (
        "task-optional-type",
        edit("optional = true", 'optional = "yes"'),
        "phases[1].tasks[0].optional",
        "true or false",
    ),
    (
        "measure-without-selector",
        edit('instrument = "phq9"\nevery = 1', 'instrument = "phq9"'),
        "measures[0]",
        "names no session: set sessions, every, first or last",
    ),
    (
        "measure-every-zero",
        edit("every = 1", "every = 0"),
        "measures[0].every",
        "must be an integer ≥ 1, not 0",
    ),
    (
        "measure-instrument-twice",
        edit('instrument = "gad7"', 'instrument = "phq9"'),
        "measures[1].instrument",
        "'phq9' already has a rule at measures[0]",
    ),
    (
        "measure-session-after-end",
        edit("sessions = [3, 5]", "sessions = [3, 7]"),
        "measures[1].sessions",
        "session 7 is after the last session (6)",
    ),
    (
        "measure-session-lost-at-min",
        edit("sessions = [3, 5]", "sessions = [4]"),
        "measures[1].sessions",
        "does not exist in a course of min_sessions (5)",
    ),
    (
        "measure-instrument-shape",
        edit('instrument = "gad7"', 'instrument = "GAD 7"'),
        "measures[1].instrument",
        "key",
    ),
    (
        "measures-misspelt",
        MINIMAL.replace("[[measures]]", "[[measure]]"),
        "measure",
        "did you mean 'measures'?",
    ),
    (
        "measures-missing",
        MINIMAL.split("[[measures]]")[0] + "[[contacts]]" + MINIMAL.split("[[contacts]]")[1],
        "measures",
        "required field is missing",
    ),
    (
        "measure-unknown-source-tag",
        edit('instrument = "gad7"', 'instrument = "gad7"\nsources = ["Frank2007"]'),
        "measures[1].sources[0]",
        "unknown source tag 'Frank2007'",
    ),
    (
        "contact-after-last-session",
        edit("between_sessions = [1, 5]", "between_sessions = [6]"),
        "contacts[0].between_sessions",
        "session 6 is the last session; a contact comes between two sessions",
    ),
    (
        "contact-missing-sessions",
        edit("between_sessions = [1, 5]\n", ""),
        "contacts[0].between_sessions",
        "required field is missing",
    ),
    (
        "problem-area-unknown",
        edit('key = "grief"', 'key = "loneliness"'),
        "problem_areas[0].key",
        "must be one of 'grief', 'role_dispute', 'role_transition', 'interpersonal_deficits', "
        "not 'loneliness'",
    ),
    (
        "problem-area-no-goals",
        edit('goals = ["Mourn."]', "goals = []"),
        "problem_areas[0].goals",
        "non-empty list",
    ),
    (
        "continuation-too-short",
        edit("session_minutes = 50", "session_minutes = 50\ncontinuation_days = 10"),
        "continuation_days",
        "must be a whole number of days from 30 to 730 (the default is 90), not 10",
    ),
    (
        "continuation-text",
        edit("session_minutes = 50", 'session_minutes = 50\ncontinuation_days = "90"'),
        "continuation_days",
        "not '90'",
    ),
    (
        "continuation-too-long",
        edit("session_minutes = 50", "session_minutes = 50\ncontinuation_days = 731"),
        "continuation_days",
        "not 731",
    ),
    (
        "problem-area-goal-type",
        edit('goals = ["Mourn."]', "goals = [1]"),
        "problem_areas[0].goals[0]",
        "not 1",
    ),
    (
        "problem-area-twice",
        MINIMAL + '\n[[problem_areas]]\nkey = "grief"\nname = "G"\ndescription = "D"\ngoals = ["g"]\n'
        'strategies = ["s"]\n',
        "problem_areas[1].key",
        "'grief' is listed twice",
    ),
]


@pytest.mark.parametrize(("text", "field", "fragment"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_it_refuses_a_broken_file_naming_file_and_field(
    tmp_path: Path, text: str, field: str | None, fragment: str
) -> None:
    with pytest.raises(ProtocolError) as caught:
        load_protocol(write(tmp_path, text))

    error = caught.value
    assert error.file == "broken.toml"
    assert error.field == field
    prefix = f"broken.toml: {field}: " if field else "broken.toml: "
    assert str(error).startswith(prefix)
    assert fragment in str(error)


def test_a_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError, match=r"^broken\.toml: invalid TOML: .*line 6"):
        load_protocol(write(tmp_path, edit('cadence = "weekly"', "cadence = weekly")))


def test_it_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_bytes(MINIMAL.encode("utf-8").replace(b"Mini protocol", b"Mini \xff protocol"))

    with pytest.raises(ProtocolError, match=r"^broken\.toml: is not UTF-8 text"):
        load_protocol(path)


def test_it_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError, match=r"^absent\.toml: cannot be read"):
        load_protocol(tmp_path / "absent.toml")


def test_a_broken_shipped_file_names_phase_and_bound(tmp_path: Path) -> None:
    text = (DATA_DIR / "ipt-standard.toml").read_text(encoding="utf-8")

    with pytest.raises(ProtocolError) as caught:
        load_protocol(
            write(tmp_path, edit("last_session = 13", "last_session = 3", text), "ipt-standard.toml")
        )

    assert str(caught.value) == (
        "ipt-standard.toml: phases[1].last_session: must be an integer ≥ first_session (4), not 3"
    )


def test_load_directory_keys_protocols_by_file_name(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL, "mini.toml")
    write(tmp_path, edit('key = "mini"', 'key = "mini-two"'), "mini-two.toml")
    (tmp_path / "notes.txt").write_text("not a protocol", encoding="utf-8")

    protocols = load_directory(tmp_path)

    assert list(protocols) == ["mini", "mini-two"]
    assert protocols["mini-two"].key == "mini-two"


def test_load_directory_refuses_a_key_that_does_not_match_the_file_name(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL, "other.toml")

    with pytest.raises(ProtocolError) as caught:
        load_directory(tmp_path)

    assert str(caught.value) == "other.toml: key: must match the file name ('other'), not 'mini'"


def test_load_directory_refuses_duplicate_keys_across_directories(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write(tmp_path / "a", MINIMAL, "mini.toml")
    write(tmp_path / "b", MINIMAL, "mini.toml")

    with pytest.raises(ProtocolError, match=r"^mini\.toml: key: duplicate protocol key 'mini', also in "):
        load_directory(tmp_path / "a", tmp_path / "b")


def test_load_directory_refuses_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError, match="is not a directory"):
        load_directory(tmp_path / "absent")


def test_get_protocols_loads_the_packaged_directory_once() -> None:
    protocols = get_protocols()

    assert set(protocols) == {"ipt-standard", "ipt-brief", "ipt-adolescent", "ipt-maintenance"}
    assert get_protocols() is protocols
    assert get_protocol("ipt-standard") is protocols["ipt-standard"]
    with pytest.raises(TypeError):
        protocols["x"] = protocols["ipt-standard"]  # type: ignore[index]


def test_get_protocol_lists_the_known_keys_for_an_unknown_one() -> None:
    with pytest.raises(KeyError) as caught:
        get_protocol("ipt-daily")

    assert isinstance(caught.value, UnknownProtocolError)
    assert str(caught.value) == (
        "unknown protocol 'ipt-daily'; "
        "known protocols: ipt-adolescent, ipt-brief, ipt-maintenance, ipt-standard"
    )


def test_the_depression_measure_defaults_to_phq9_and_must_be_rated(tmp_path: Path) -> None:
    assert load_protocol(write(tmp_path, MINIMAL, "mini.toml")).depression_measure == "phq9"
    named = edit("session_minutes = 50", 'session_minutes = 50\ndepression_measure = "gad7"')
    assert load_protocol(write(tmp_path, named, "mini.toml")).depression_measure == "gad7"
    unrated = edit("session_minutes = 50", 'session_minutes = 50\ndepression_measure = "phqa"')
    with pytest.raises(ProtocolError) as caught:
        load_protocol(write(tmp_path, unrated, "mini.toml"))
    assert str(caught.value) == (
        "mini.toml: depression_measure: must be one of the protocol's measures (phq9, gad7), "
        "not 'phqa'; add a [[measures]] rule for it or name another"
    )


def test_ipt_a_reads_the_phqa_as_its_depression_measure() -> None:
    assert get_protocol("ipt-adolescent").depression_measure == "phqa"
    assert {p.depression_measure for k, p in get_protocols().items() if k != "ipt-adolescent"} == {"phq9"}

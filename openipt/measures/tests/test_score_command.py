"""The `score` command, through call_command and once as a real process.

None of these tests has database access: pytest-django fails any test without the django_db mark
that touches the database, and the real-process test checks the SQLite file is never created.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

REPO = Path(__file__).resolve().parents[3]
ISSUE_EXAMPLE = ["1", "0", "2", "3", "0", "1", "0", "0", "1"]


def run_score(*args: str) -> str:
    out = io.StringIO()
    call_command("score", *args, stdout=out)
    return out.getvalue()


def test_it_prints_one_line_of_json_for_answers_in_item_order() -> None:
    output = run_score("phq9", *ISSUE_EXAMPLE)
    assert output.count("\n") == 1
    assert output.endswith("\n")
    assert json.loads(output) == {
        "instrument": "phq9",
        "total": 8,
        "band": "mild",
        "risk": ["suicidal_ideation"],
        "risk_severity": {"suicidal_ideation": "moderate"},
        "band_label": "Mild",
        "max_total": 27,
        "items": {f"phq9-{n}": int(value) for n, value in enumerate(ISSUE_EXAMPLE, start=1)},
        "unscored": {},
    }


def test_it_accepts_the_optional_difficulty_answer() -> None:
    result = json.loads(run_score("phq9", *ISSUE_EXAMPLE, "2"))
    assert (result["total"], result["unscored"]) == (8, {"phq9-difficulty": 2})


def test_it_accepts_link_id_pairs_in_any_order() -> None:
    pairs = ["gad7-7=2", "gad7-1=3", "gad7-2=1", "gad7-3=0", "gad7-4=0", "gad7-5=3", "gad7-6=1"]
    result = json.loads(run_score("gad7", *pairs))
    assert (result["total"], result["band"], result["risk"]) == (10, "moderate", [])
    assert result["items"]["gad7-7"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["phq9", "1", "0", "4", "3", "0", "1", "0", "0", "1"],
            "phq9 item 3 (phq9-3): 4 is not allowed; choose 0, 1, 2 or 3",
        ),
        (
            ["phq9", "-1", "0", "2", "3", "0", "1", "0", "0", "1"],
            "phq9 item 1 (phq9-1): -1 is not allowed; choose 0, 1, 2 or 3",
        ),
        (
            ["phq9", "x", "0", "2", "3", "0", "1", "0", "0", "1"],
            "phq9 item 1 (phq9-1): 'x' is not a whole number; choose 0, 1, 2 or 3",
        ),
        (["phq9", *ISSUE_EXAMPLE[:8]], "phq9: item 9 (phq9-9) is missing; 8 answers given, 9 needed"),
        (["phq9"], "phq9: item 1 (phq9-1) is missing; 0 answers given, 9 needed"),
        (["phq9", *ISSUE_EXAMPLE, "0", "0"], "phq9: 11 answers given but the instrument has 10 items"),
        (["gad7", "gad7-1=1", "gad7-8=1"], "gad7: unknown item 'gad7-8'; the items are gad7-1"),
        (["gad7", "gad7-1=1", "gad7-2=1"], "gad7: item 3 (gad7-3) is missing"),
        (["gad7", "gad7-1=1", "gad7-1=2"], "gad7-1 is answered twice"),
        (["gad7", "gad7-1=1", "2"], "give answers either all in item order or all as link_id=index pairs"),
        (["phq10", *ISSUE_EXAMPLE], "unknown instrument 'phq10'; choose one of cssrs_screen, epds, gad7"),
        # The PHQ-A's supplementary suicide questions are risk questions: never left out.
        (
            ["phqa", *["1"] * 9],
            "phqa: answer the risk question(s) item 12 (phqa-past-month-thoughts), item 13 (phqa-attempt); "
            "a risk question is never left out",
        ),
        (
            ["phqa", *["1"] * 9, "-", "-", "0", "-"],
            "phqa: answer the risk question(s) item 13 (phqa-attempt)",
        ),
    ],
)
def test_a_bad_answer_is_a_command_error_and_prints_nothing(args: list[str], message: str) -> None:
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("score", *args, stdout=out)
    assert str(raised.value).startswith(message)
    assert out.getvalue() == ""


def test_it_runs_as_a_real_process_without_a_database(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    sqlite = tmp_path / "openipt.sqlite3"
    env |= {
        "DJANGO_SETTINGS_MODULE": "openipt.settings",
        "SECRET_KEY": "test-only",
        "OPENIPT_VAR_DIR": str(tmp_path),
        "OPENIPT_SQLITE_PATH": str(sqlite),
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "manage.py", "score", *args]
        return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)

    good = run("phq9", *ISSUE_EXAMPLE)
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["total"] == 8

    bad = run("phq9", "1", "0", "-1", "3", "0", "1", "0", "0", "1")
    assert bad.returncode == 1
    assert bad.stdout == ""
    assert "CommandError: phq9 item 3 (phq9-3): -1 is not allowed; choose 0, 1, 2 or 3" in bad.stderr
    assert not sqlite.exists()


# --- Every instrument, skipped items, subscales -----------------------------------------------

ONE_ANSWER_SET = {
    "phq9": ["0"] * 9,
    "phq2": ["2", "1"],
    "phqa": ["1"] * 9 + ["-", "-", "1", "0"],
    "gad7": ["0"] * 7,
    "hamd17": ["1"] * 17,
    "wsas": ["9", "4", "4", "2", "0"],
    "epds": ["0"] * 10,
    "cssrs_screen": ["1", "1", "0", "0", "0", "0"],
    "wai_sr": ["2"] * 12,
    "qids_sr16": ["1"] * 16,
}


@pytest.mark.parametrize("key", ONE_ANSWER_SET)
def test_every_instrument_scores_from_the_command_line(key: str) -> None:
    result = json.loads(run_score(key, *ONE_ANSWER_SET[key]))
    assert result["instrument"] == key
    assert isinstance(result["risk_severity"], dict)
    assert list(result["risk_severity"]) == result["risk"]


def test_a_dash_is_an_item_skip_logic_leaves_out() -> None:
    result = json.loads(run_score("cssrs_screen", "0", "0", "-", "-", "-", "1", "0"))
    assert (result["band"], result["risk_severity"]) == ("moderate", {"suicide_risk_screen": "moderate"})
    assert "cssrs_screen-3" not in result["items"]


def test_the_issue_example_for_the_c_ssrs_screener() -> None:
    result = json.loads(run_score("cssrs_screen", "1", "1", "0", "0", "0", "0"))
    assert (result["total"], result["band"], result["risk"]) == (1, "low", ["suicide_risk_screen"])


def test_a_dash_works_in_link_id_pairs_too() -> None:
    pairs = ["cssrs_screen-1=0", "cssrs_screen-2=0", "cssrs_screen-3=-", "cssrs_screen-6=0"]
    assert json.loads(run_score("cssrs_screen", *pairs))["band"] == "none"


def test_subscales_and_not_applicable_are_printed_where_present() -> None:
    wai = json.loads(run_score("wai_sr", *["4"] * 12))
    assert wai["subscales"] == {"task": 20, "bond": 20, "goal": 20}
    wsas = json.loads(run_score("wsas", *ONE_ANSWER_SET["wsas"]))
    assert (wsas["total"], wsas["max_total"], wsas["not_applicable"]) == (10, 32, ["wsas-1"])
    assert "subscales" not in wsas


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["phq9", "-", *ISSUE_EXAMPLE[1:]], "phq9: item 1 (phq9-1) is missing"),
        (
            ["cssrs_screen", "0", "0", "1", "-", "-", "0"],
            "cssrs_screen item 3 (cssrs_screen-3): only asked when item 2 (cssrs_screen-2) is answered 1",
        ),
        (
            ["cssrs_screen", "1", "1", "0", "0", "0", "1"],
            "cssrs_screen: item 7 (cssrs_screen-6-recent) is missing; 6 answers given, 7 needed",
        ),
    ],
)
def test_skip_logic_errors_are_command_errors(args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as raised:
        call_command("score", *args, stdout=io.StringIO())
    assert str(raised.value).startswith(message)

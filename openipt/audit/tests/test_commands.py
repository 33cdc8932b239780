"""`openipt audit verify` and `openipt audit client <client-id>`."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openipt.accounts.models import User
from openipt.audit.actions import record
from openipt.clients.models import Client

from .helpers import set_row, triggers_dropped

REPO = Path(__file__).resolve().parents[3]


def test_verify_reports_an_intact_chain(alice: User, client_a: Client) -> None:
    record(alice, "client.view", client_id=client_a.pk)
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().startswith("Audit chain intact: 2 rows (head ")


def test_verify_fails_naming_the_row(alice: User, client_a: Client) -> None:
    event = record(alice, "client.view", client_id=client_a.pk)
    with triggers_dropped():
        set_row(event.pk, {"actor_label": "mallory"})

    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify", stdout=StringIO())
    assert str(raised.value) == (
        f"Audit chain broken at row {event.pk} (edited): "
        "its contents no longer match its hash: the row was edited."
    )


def test_client_lists_who_touched_the_record_newest_first(
    alice: User, bob: User, client_a: Client, time_machine
) -> None:
    time_machine.move_to(datetime(2030, 3, 2, 9, 0, tzinfo=UTC), tick=False)
    record(bob, "client.view", obj=client_a, client_id=client_a.pk)
    time_machine.move_to(datetime(2030, 3, 2, 10, 0, tzinfo=UTC), tick=False)
    record(alice, "note.sign", client_id=client_a.pk)
    record(alice, "client.view", client_id=client_a.pk + 1000)  # another client: not listed
    out = StringIO()

    call_command("audit", "client", str(client_a.pk), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["2030-03-02", "10:00:00Z", "alice", "note.sign", "-"]
    assert lines[1].split() == [
        "2030-03-02",
        "09:00:00Z",
        "bob",
        "client.view",
        f"clients.client:{client_a.pk}",
    ]
    assert lines[2].split()[2:4] == ["alice", "client.create"]
    assert len(lines) == 3
    assert "Okafor" not in out.getvalue()


def test_client_says_when_there_is_nothing(db: None) -> None:
    out = StringIO()
    call_command("audit", "client", "4242", stdout=out)
    assert out.getvalue() == "No audit rows for client 4242.\n"


def test_the_exit_code_tells_a_script_whether_the_chain_holds(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    database = tmp_path / "openipt.sqlite3"
    env |= {
        "DJANGO_SETTINGS_MODULE": "openipt.settings",
        "SECRET_KEY": "test-only",
        "OPENIPT_VAR_DIR": str(tmp_path),
        "OPENIPT_SQLITE_PATH": str(database),
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "manage.py", *args]
        return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=180)

    assert run("migrate", "-v", "0").returncode == 0
    intact = run("audit", "verify")
    assert (intact.returncode, intact.stdout.split(":")[0]) == (0, "Audit chain intact")
    assert "0 rows" in intact.stdout

    with sqlite3.connect(database) as db:  # a row slipped in by hand, with a made-up hash
        db.execute(
            "INSERT INTO audit_auditevent (id, at, actor_label, action, object_type, object_id,"
            " prev_hash, hash) VALUES (1, '2026-03-02 09:00:00', 'mallory', 'client.view', '', '',"
            " ?, ?)",
            ("0" * 64, "f" * 64),
        )
    broken = run("audit", "verify")
    assert broken.returncode == 1
    assert "Audit chain broken at row 1 (edited)" in broken.stderr
    with sqlite3.connect(database) as db, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit_auditevent")

"""Backup and restore as an operator runs them: real processes against a real database.

The live database is seeded from the test database (the conftest cast, backed up in-process and
restored by a real process); then a real process backs it up, a row is added, and a real process
restores. The SQLite leg uses a file database in WAL mode (the test run's own database is in
memory); the PostgreSQL leg (scripts/test-postgres.sh) uses a throwaway database beside the test
database.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import call_command
from django.db import connection

from openipt.courses.models import Course

REPO = Path(__file__).resolve().parents[3]


def openipt(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "openipt.cli", *args]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def ok(env: dict[str, str], *args: str) -> str:
    done = openipt(env, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def base_env(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    return env | {
        "DJANGO_SETTINGS_MODULE": "openipt.settings",
        "SECRET_KEY": "test-only",
        "OPENIPT_VAR_DIR": str(tmp_path),
    }


def check_round_trip(env: dict[str, str], tmp_path: Path, add_row, count_rows) -> None:
    """Seed the live database from the test database, back it up, add a row, restore: row gone."""
    seed = tmp_path / "seed" / "seed.backup"
    call_command("backup", "--output", str(seed), stdout=io.StringIO())  # the cast, from this process
    output = ok(env, "restore", str(seed), "--yes", "--no-safety-copy")  # into the empty live database
    assert "row counts          match the manifest" in output

    backup = tmp_path / "out" / "clinic.backup"
    ok(env, "backup", "--output", str(backup))
    manifest = json.loads(backup.with_name(backup.name + ".json").read_text())
    assert manifest["row_counts"]["clients_client"] == 1
    assert (backup.stat().st_mode & 0o777) == 0o600

    add_row()
    assert count_rows() == 1
    refused = openipt(env, "restore", str(backup))
    assert refused.returncode == 1
    assert "Nothing was restored" in refused.stderr
    assert count_rows() == 1

    output = ok(env, "restore", str(backup), "--yes")

    assert count_rows() == 0
    assert "row counts          match the manifest" in output
    assert "Restore complete and verified." in output
    assert ("audit chain check skipped: command not available" in output) or (
        "audit chain         ok" in output
    )
    assert len(list((tmp_path / "backups").glob("pre-restore-*"))) == 2  # the copy and its manifest


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite leg")
@pytest.mark.django_db(transaction=True)
def test_it_round_trips_a_live_sqlite_file(tmp_path: Path, settings, course_a: Course) -> None:
    settings.VAR_DIR = tmp_path
    env = base_env(tmp_path)
    database = tmp_path / "openipt.sqlite3"
    session = ("added-after-backup", "e30", "2099-01-01 00:00:00")

    def add_row() -> None:
        with contextlib.closing(sqlite3.connect(database)) as db, db:
            db.execute("INSERT INTO django_session VALUES (?, ?, ?)", session)

    def count_rows() -> int:
        with contextlib.closing(sqlite3.connect(database)) as db:
            query = "SELECT COUNT(*) FROM django_session WHERE session_key = ?"
            return db.execute(query, session[:1]).fetchone()[0]

    check_round_trip(env, tmp_path, add_row, count_rows)
    with contextlib.closing(sqlite3.connect(database)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.fixture
def throwaway_postgres() -> Iterator[str]:
    """A DATABASE_URL for an empty database created for this test and dropped after it."""
    import psycopg

    url = urlsplit(os.environ["DATABASE_URL"])
    name = f"openipt_restore_{secrets.token_hex(4)}"
    params = connection.settings_dict
    admin = psycopg.connect(
        dbname="postgres",
        user=params["USER"],
        password=params["PASSWORD"],
        host=params["HOST"],
        port=params["PORT"],
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(url._replace(path=f"/{name}"))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL leg")
@pytest.mark.django_db(transaction=True)
def test_it_round_trips_a_postgres_database(
    tmp_path: Path, settings, course_a: Course, throwaway_postgres: str
) -> None:
    settings.VAR_DIR = tmp_path
    import psycopg

    env = base_env(tmp_path) | {"DATABASE_URL": throwaway_postgres}

    def add_row() -> None:
        with psycopg.connect(throwaway_postgres) as db:
            db.execute("INSERT INTO django_session VALUES ('added-after-backup', 'e30', '2099-01-01')")

    def count_rows() -> int:
        with psycopg.connect(throwaway_postgres) as db:
            row = db.execute("SELECT COUNT(*) FROM django_session WHERE session_key = 'added-after-backup'")
            return row.fetchone()[0]  # type: ignore[index]

    check_round_trip(env, tmp_path, add_row, count_rows)

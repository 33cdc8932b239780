"""`openipt backup` and `openipt restore` through call_command, on the test run's own database."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from openipt.accounts.models import Organisation
from openipt.audit.models import AuditEvent
from openipt.ops import backup as ops

only_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite restore path")


@pytest.fixture(autouse=True)
def setup(settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path  # backups and demo logins never land in the repository's var/
    settings.OPENIPT_DEMO_PASSWORD = "a demo password for tests"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def take_backup(tmp_path: Path) -> Path:
    path = tmp_path / "copy" / "backup.db"
    run("backup", "--output", str(path))
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@only_sqlite
@pytest.mark.django_db(transaction=True)
def test_it_round_trips_the_demo_clinic(tmp_path: Path) -> None:
    run("demo")
    output = run("backup")

    [path] = (tmp_path / "backups").glob("openipt-*.sqlite3")
    assert f"Backup written: {path}" in output
    manifest_path = path.with_name(path.name + ".json")
    manifest = json.loads(manifest_path.read_text())
    assert manifest["format_version"] == 1
    assert manifest["vendor"] == "sqlite"
    assert manifest["created_utc"].endswith("Z")
    assert manifest["sha256"] == ops.sha256_of(path)
    assert manifest["row_counts"]["accounts_organisation"] == 2
    assert manifest["row_counts"]["clients_client"] > 0
    assert manifest["migrations"]["audit"].startswith("00")
    assert manifest["openipt_version"]
    assert mode(path) == mode(manifest_path) == 0o600
    assert mode(path.parent) == 0o700
    assert AuditEvent.objects.filter(action="ops.backup").count() == 1

    Organisation.objects.create(name="Added after the backup", slug="added")
    output = run("restore", str(path), "--yes")

    assert not Organisation.objects.filter(slug="added").exists()
    assert Organisation.objects.count() == 2
    assert "checksum verified" in output
    assert "integrity check     ok" in output
    assert "row counts          match the manifest" in output
    assert "audit chain" in output
    assert "Restore complete and verified." in output
    # The database as it was before the restore was saved first, and the restore is audited.
    [safety] = (tmp_path / "backups").glob("pre-restore-*.sqlite3")
    safety_manifest = json.loads(safety.with_name(safety.name + ".json").read_text())
    assert safety_manifest["row_counts"]["accounts_organisation"] == 3
    assert AuditEvent.objects.filter(action="ops.restore").count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_corrupted_backup_before_changing_anything(tmp_path: Path) -> None:
    Organisation.objects.create(name="Northside", slug="northside")
    path = take_backup(tmp_path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    Organisation.objects.create(name="Added after the backup", slug="added")

    with pytest.raises(CommandError, match="Not restored: Checksum mismatch"):
        run("restore", str(path), "--yes")

    assert Organisation.objects.count() == 2
    assert not (tmp_path / "backups").exists()  # not even the safety copy was taken
    assert not AuditEvent.objects.filter(action="ops.restore").exists()


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_backup_without_its_manifest(tmp_path: Path) -> None:
    path = take_backup(tmp_path)
    path.with_name(path.name + ".json").unlink()

    with pytest.raises(CommandError, match="No manifest beside the backup"):
        run("restore", str(path), "--yes")
    assert not (tmp_path / "backups").exists()


@pytest.mark.django_db
def test_it_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No backup file at"):
        run("restore", str(tmp_path / "nothing.sqlite3"), "--yes")


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_backup_of_another_vendor(tmp_path: Path) -> None:
    path = take_backup(tmp_path)
    manifest_path = path.with_name(path.name + ".json")
    manifest = json.loads(manifest_path.read_text())
    manifest["vendor"] = "oracle" if connection.vendor == "sqlite" else "sqlite"
    manifest_path.write_text(json.dumps(manifest))

    with pytest.raises(CommandError, match=f"backup is of a {manifest['vendor']} database"):
        run("restore", str(path), "--yes")


@pytest.mark.django_db(transaction=True)
def test_it_changes_nothing_without_yes(tmp_path: Path) -> None:
    path = take_backup(tmp_path)
    Organisation.objects.create(name="Added after the backup", slug="added")
    out = io.StringIO()

    with pytest.raises(CommandError, match=r"Nothing was restored\. Run again with --yes"):
        call_command("restore", str(path), stdout=out)

    assert "Restoring would replace everything in the" in out.getvalue()
    assert Organisation.objects.filter(slug="added").exists()
    assert not (tmp_path / "backups").exists()


@pytest.mark.django_db(transaction=True)
def test_it_never_overwrites_a_file(tmp_path: Path) -> None:
    path = tmp_path / "existing.db"
    path.write_bytes(b"keep me")

    with pytest.raises(CommandError, match="already exists"):
        run("backup", "--output", str(path))
    assert path.read_bytes() == b"keep me"
    assert not list(tmp_path.glob(".*partial"))


@only_sqlite
@pytest.mark.django_db(transaction=True)
def test_a_failed_audit_chain_check_fails_the_restore(tmp_path: Path, monkeypatch) -> None:
    path = take_backup(tmp_path)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise CommandError("row 7 does not follow row 6")

    monkeypatch.setattr(ops, "get_commands", lambda: {"audit": "openipt.audit"})
    monkeypatch.setattr(ops, "call_command", broken)
    out = io.StringIO()
    with pytest.raises(CommandError, match="checks failed"):
        call_command("restore", str(path), "--yes", stdout=out)
    assert "audit chain         failed: row 7 does not follow row 6" in out.getvalue()


def test_the_audit_check_is_skipped_when_the_command_is_missing(monkeypatch) -> None:
    monkeypatch.setattr(ops, "get_commands", dict)
    assert ops.verify_audit_chain() == ("skipped", "command not available")


def test_a_missing_pg_tool_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setattr(ops.shutil, "which", lambda name: None)
    with pytest.raises(
        ops.BackupError, match=r"pg_dump was not found on PATH\. Install the PostgreSQL client"
    ):
        ops._pg_tool("pg_dump")


def test_the_postgres_password_never_reaches_the_command_line(monkeypatch) -> None:
    seen: dict[str, Any] = {}

    def fake_run(command: list[str], env: dict[str, str], **kwargs: Any) -> SimpleNamespace:
        seen.update(command=command, env=env)
        return SimpleNamespace(returncode=0, stdout="", stderr="")

    monkeypatch.setattr(ops.subprocess, "run", fake_run)
    params = {
        "NAME": "ipt",
        "USER": "app",
        "PASSWORD": "s3cret-pw",
        "HOST": "db",
        "PORT": 5433,
        "OPTIONS": {},
    }
    ops._run_pg("/usr/bin/pg_dump", SimpleNamespace(settings_dict=params), ["--format=custom"])  # type: ignore[arg-type]

    assert seen["env"]["PGPASSWORD"] == "s3cret-pw"
    assert not any("s3cret-pw" in part for part in seen["command"])
    assert seen["command"] == [
        "/usr/bin/pg_dump",
        "--no-password",
        "--host=db",
        "--port=5433",
        "--username=app",
        "--format=custom",
        "--dbname=ipt",
    ]


@only_sqlite
@pytest.mark.django_db(transaction=True)
def test_a_restored_database_without_its_guard_triggers_fails_the_checks(tmp_path: Path) -> None:
    from openipt.audit.triggers import SQLITE_CREATE

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER audit_event_no_delete")
    try:
        path = take_backup(tmp_path)
        out = io.StringIO()
        with pytest.raises(CommandError, match="checks failed"):
            call_command("restore", str(path), "--yes", stdout=out)
        assert "guard triggers      MISSING: audit_event_no_delete" in out.getvalue()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
            cursor.execute(next(sql for sql in SQLITE_CREATE if "audit_event_no_delete" in sql))
    assert ops.missing_guard_triggers(connection) == []


@pytest.mark.django_db
def test_a_normal_database_has_every_guard_trigger() -> None:
    assert ops.missing_guard_triggers(connection) == []

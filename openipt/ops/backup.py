"""Consistent, checksummed backups of the OpenIPT database, and restores that verify first.

A backup is two files side by side: the copy itself and `<copy>.json`, its manifest (format
version, time taken, database vendor, latest applied migration per app, row count per table,
SHA-256 of the copy, OpenIPT version).

- SQLite: the online backup API copies a single consistent snapshot while the server runs
  (never `cp`: a copy taken mid-write or without the `-wal` file can be inconsistent). The copy
  is switched out of WAL mode, so it is one self-contained file, and checked with
  `PRAGMA integrity_check`; row counts and migrations are read from the copy itself.
- PostgreSQL: `pg_dump --format=custom` runs on a snapshot exported from a REPEATABLE READ
  transaction, so the row counts in the manifest describe exactly the rows in the dump.

A restore refuses, changing nothing, unless the copy and its manifest exist, the checksum
matches and the vendor matches. After restoring it checks integrity, compares row counts with
the manifest and runs `openipt audit verify` when that command exists.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

FORMAT_VERSION = 1
VENDORS = {"sqlite": ".sqlite3", "postgresql": ".dump"}


class BackupError(Exception):
    """A backup or restore was refused or failed; the message says why, without clinical data."""


@dataclass
class RestoreReport:
    integrity: str = "ok"
    count_mismatches: list[str] = field(default_factory=list)
    audit_status: str = "skipped"  # "ok", "failed" or "skipped"
    audit_detail: str = ""
    pending_migrations: int = 0
    missing_guards: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.integrity == "ok"
            and not self.count_mismatches
            and self.audit_status != "failed"
            and not self.missing_guards
        )


def manifest_path_for(backup: Path) -> Path:
    return backup.with_name(backup.name + ".json")


def default_output(vendor: str, now: datetime, prefix: str = "openipt") -> Path:
    """var/backups/<prefix>-YYYYMMDD-HHMMSS.<ext>, the time in UTC."""
    stamp = now.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"{prefix}-{stamp}{VENDORS[vendor]}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def openipt_version() -> str:
    try:
        return metadata.version("openipt")
    except metadata.PackageNotFoundError:
        return "unknown"


def vendor_of(using: str = "default") -> str:
    vendor = connections[using].vendor
    if vendor not in VENDORS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


# --- Backup -----------------------------------------------------------------------------------


def create_backup(
    output: Path | None = None, *, using: str = "default", prefix: str = "openipt"
) -> tuple[Path, dict[str, Any]]:
    """Write a consistent copy of the database and its manifest, both mode 0600."""
    vendor = vendor_of(using)
    now = timezone.now()
    output = Path(output) if output else default_output(vendor, now, prefix)
    manifest_path = manifest_path_for(output)
    for path in (output, manifest_path):
        if path.exists():
            raise BackupError(f"{path} already exists; a backup never overwrites another file.")
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)

    # Written under a private name and moved into place, so a crash never leaves a half-written
    # copy under the final name; the manifest is written last and marks the backup complete.
    partial = output.with_name(f".{output.name}.partial")
    _create_private(partial)
    try:
        connection = connections[using]
        if vendor == "sqlite":
            counts, migrations, tool = _backup_sqlite(connection, partial)
        else:
            counts, migrations, tool = _backup_postgresql(connection, partial)
        os.chmod(partial, 0o600)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)

    manifest = {
        "format_version": FORMAT_VERSION,
        "created_utc": now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "openipt_version": openipt_version(),
        "vendor": vendor,
        "tool": tool,
        "file": output.name,
        "size_bytes": output.stat().st_size,
        "sha256": sha256_of(output),
        "migrations": migrations,
        "row_counts": counts,
    }
    _write_private(manifest_path, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return output, manifest


def _create_private(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _write_private(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _backup_sqlite(connection: BaseDatabaseWrapper, dest: Path) -> tuple[dict[str, int], dict[str, str], str]:
    connection.ensure_connection()
    source: sqlite3.Connection = connection.connection
    with contextlib.closing(sqlite3.connect(dest)) as copy:
        source.backup(copy)  # one step: a single consistent snapshot, WAL included
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        check = sqlite_integrity(copy)
        if check != "ok":
            raise BackupError(f"The copy failed PRAGMA integrity_check ({check}); no backup was kept.")
        counts = _counts(copy.cursor(), _sqlite_tables(copy), '"{}"')
        migrations = _migrations(copy.cursor(), "django_migrations" in counts)
    return counts, migrations, f"sqlite3 online backup API (SQLite {sqlite3.sqlite_version})"


def _backup_postgresql(
    connection: BaseDatabaseWrapper, dest: Path
) -> tuple[dict[str, int], dict[str, str], str]:
    pg_dump = _pg_tool("pg_dump")
    if connection.in_atomic_block:
        raise BackupError("A PostgreSQL backup cannot run inside an open transaction.")
    # pg_dump reads from the snapshot this transaction exports, so the counts match the dump.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = connection.introspection.table_names(cursor)
        counts = _counts(cursor, tables, '"{}"')
        migrations = _migrations(cursor, "django_migrations" in counts)
        _run_pg(pg_dump, connection, ["--format=custom", f"--snapshot={snapshot}", f"--file={dest}"])
    version = _run([pg_dump, "--version"], dict(os.environ)).strip()
    return counts, migrations, f"{version} --format=custom"


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [name for (name,) in rows]


def _counts(cursor: Any, tables: list[str], quote: str) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        # Table names come from the database's own catalogue, never from a user, and are quoted.
        sql = f"SELECT COUNT(*) FROM {quote.format(table.replace(chr(34), chr(34) * 2))}"  # noqa: S608  # nosec B608
        cursor.execute(sql)
        counts[table] = cursor.fetchone()[0]
    return counts


def _migrations(cursor: Any, present: bool) -> dict[str, str]:
    """The latest applied migration of each app (names start with a zero-padded number)."""
    if not present:
        return {}
    cursor.execute("SELECT app, MAX(name) FROM django_migrations GROUP BY app ORDER BY app")
    return dict(cursor.fetchall())


def sqlite_integrity(conn: sqlite3.Connection) -> str:
    rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    return "ok" if rows == ["ok"] else "; ".join(rows[:5])


# --- PostgreSQL client tools --------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools "
            "(Debian/Ubuntu: apt install postgresql-client) in a version at least as new as the server."
        )
    return path


def _run_pg(tool: str, connection: BaseDatabaseWrapper, args: list[str]) -> str:
    """Run pg_dump or pg_restore against the Django connection's database.

    The password goes in PGPASSWORD, never on the command line, where other users could see it.
    """
    params = connection.settings_dict
    env = dict(os.environ)
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    options = params.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    command = [tool, "--no-password"]
    if params.get("HOST"):
        command.append(f"--host={params['HOST']}")
    if params.get("PORT"):
        command.append(f"--port={params['PORT']}")
    if params.get("USER"):
        command.append(f"--username={params['USER']}")
    command += [*args, f"--dbname={params['NAME']}"]
    return _run(command, env)


def _run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        detail = done.stderr.strip()[-2000:] or f"exit status {done.returncode}"
        raise BackupError(f"{Path(command[0]).name} failed: {detail}")
    return done.stdout


# --- Restore ----------------------------------------------------------------------------------


def verify_backup(backup: Path, *, using: str = "default") -> dict[str, Any]:
    """The manifest of a backup that may be restored here; BackupError (nothing changed) if not."""
    backup = Path(backup)
    if backup.name.endswith(".json") and backup.with_suffix("").is_file():
        backup = backup.with_suffix("")  # the manifest was named instead of the copy
    if not backup.is_file():
        raise BackupError(f"No backup file at {backup}.")
    manifest_path = manifest_path_for(backup)
    if not manifest_path.is_file():
        raise BackupError(
            f"No manifest beside the backup (expected {manifest_path}); "
            "an unverifiable file is never restored."
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        version, expected, vendor = manifest["format_version"], manifest["sha256"], manifest["vendor"]
        manifest["row_counts"] = {str(k): int(v) for k, v in manifest["row_counts"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BackupError(
            f"The manifest {manifest_path} is not a valid OpenIPT backup manifest ({error})."
        ) from None
    if version != FORMAT_VERSION:
        raise BackupError(
            f"Manifest format version {version} is not supported (this OpenIPT reads {FORMAT_VERSION})."
        )
    actual = sha256_of(backup)
    if actual != expected:
        raise BackupError(
            f"Checksum mismatch: {backup} has SHA-256 {actual}, the manifest says {expected}. "
            "The file is damaged or was changed; nothing was restored."
        )
    current = vendor_of(using)
    if vendor != current:
        raise BackupError(f"This backup is of a {vendor} database; the configured database is {current}.")
    manifest["path"] = str(backup)
    return manifest


def describe_target(using: str = "default") -> str:
    params = connections[using].settings_dict
    if connections[using].vendor == "sqlite":
        return f"the SQLite database {params['NAME']}"
    host = params.get("HOST") or "local socket"
    return f"the PostgreSQL database {params['NAME']!r} on {host}"


def current_counts(using: str = "default") -> dict[str, int]:
    connection = connections[using]
    with connection.cursor() as cursor:
        return _counts(cursor, connection.introspection.table_names(cursor), '"{}"')


def restore_backup(manifest: dict[str, Any], *, using: str = "default") -> RestoreReport:
    """Replace the whole database with a verified backup, then check what was restored."""
    backup = Path(manifest["path"])
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("A restore cannot run inside an open transaction.")
    if manifest["vendor"] == "sqlite":
        _restore_sqlite(backup, connection)
    else:
        connection.close()  # no session of ours holds locks on the tables pg_restore drops
        _run_pg(
            _pg_tool("pg_restore"),
            connection,
            ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error", str(backup)],
        )
    return check_restored(manifest, using=using)


def _restore_sqlite(backup: Path, connection: BaseDatabaseWrapper) -> None:
    connection.ensure_connection()
    live: sqlite3.Connection = connection.connection
    with contextlib.closing(sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)) as source:
        # Through SQLite itself, not by copying files: the live WAL is handled, never replayed stale.
        source.backup(live)
    live.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # a no-op for an in-memory database


def check_restored(manifest: dict[str, Any], *, using: str = "default") -> RestoreReport:
    connection = connections[using]
    report = RestoreReport()
    if manifest["vendor"] == "sqlite":
        connection.ensure_connection()
        report.integrity = sqlite_integrity(connection.connection)
    counts = current_counts(using)
    expected = manifest["row_counts"]
    for table in sorted(set(expected) | set(counts)):
        if expected.get(table) != counts.get(table):
            report.count_mismatches.append(
                f"{table}: backup {expected.get(table)}, restored {counts.get(table)}"
            )
    report.audit_status, report.audit_detail = verify_audit_chain()
    executor = MigrationExecutor(connection)
    report.pending_migrations = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    if not report.pending_migrations:  # an older backup gains its guards when it is migrated
        report.missing_guards = missing_guard_triggers(connection)
    return report


AUDIT_TRIGGERS = ("audit_event_no_update", "audit_event_no_delete", "audit_event_advance_head")


def missing_guard_triggers(connection: BaseDatabaseWrapper) -> list[str]:
    """The triggers that keep the audit log append-only and final records final, if any is missing
    (a restored file whose guards were dropped would otherwise accept silent edits)."""
    from openipt.lib.db.guards import installed_triggers, missing_triggers

    present = installed_triggers(connection)
    return [*(t for t in AUDIT_TRIGGERS if t not in present), *missing_triggers(connection)]


def verify_audit_chain() -> tuple[str, str]:
    """Run `openipt audit verify` if this installation has it: ("ok" | "failed" | "skipped", detail)."""
    if "audit" not in get_commands():
        return "skipped", "command not available"
    out = io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=out)
    except (Exception, SystemExit) as error:  # any failure of the check is a failed check
        return "failed", str(error) or out.getvalue().strip()
    return "ok", out.getvalue().strip()

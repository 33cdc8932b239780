"""`openipt restore PATH --yes`: verify a backup's checksum, replace the database, check the result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openipt.audit.actions import record
from openipt.ops.backup import (
    BackupError,
    create_backup,
    current_counts,
    describe_target,
    restore_backup,
    verify_backup,
)


class Command(BaseCommand):
    help = (
        "Replace the whole database with a backup made by `openipt backup`. The checksum is verified "
        "first; the current database is saved to var/backups/pre-restore-* unless --no-safety-copy."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the backup file (its .json manifest must be beside it)")
        parser.add_argument("--yes", action="store_true", help="confirm: replace the current database")
        parser.add_argument(
            "--no-safety-copy", action="store_true", help="do not back up the current database first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = verify_backup(options["path"])
        except BackupError as error:
            raise CommandError(f"Not restored: {error}") from None
        backup_rows = sum(manifest["row_counts"].values())
        self.stdout.write(f"Backup {manifest['path']}: checksum verified.")
        self.stdout.write(
            f"  taken {manifest['created_utc']} by OpenIPT {manifest['openipt_version']}, "
            f"{backup_rows} rows in {len(manifest['row_counts'])} tables"
        )
        if not options["yes"]:
            live = current_counts()
            self.stdout.write(
                f"Restoring would replace everything in {describe_target()} "
                f"(now {sum(live.values())} rows in {len(live)} tables) with this backup."
            )
            raise CommandError("Nothing was restored. Run again with --yes to replace the database.")

        if not options["no_safety_copy"]:
            try:
                safety, _ = create_backup(prefix="pre-restore")
            except BackupError as error:
                raise CommandError(
                    f"Not restored: the current database could not be saved first ({error}). "
                    "Fix that, or pass --no-safety-copy."
                ) from None
            self.stdout.write(f"Current database saved to {safety}")

        try:
            report = restore_backup(manifest)
        except BackupError as error:
            raise CommandError(f"Restore failed: {error}") from None
        record(None, "ops.restore")

        self.stdout.write(f"Restored {describe_target()} from {manifest['path']}.")
        self.stdout.write(f"  integrity check     {report.integrity}")
        if report.count_mismatches:
            self.stdout.write("  row counts          DIFFER from the manifest:")
            for line in report.count_mismatches:
                self.stdout.write(f"    {line}")
        else:
            self.stdout.write(f"  row counts          match the manifest ({backup_rows} rows)")
        if report.audit_status == "skipped":
            self.stdout.write(f"  audit chain check skipped: {report.audit_detail}")
        else:
            detail = f": {report.audit_detail}" if report.audit_detail else ""
            self.stdout.write(f"  audit chain         {report.audit_status}{detail}")
        if report.missing_guards:
            self.stdout.write(
                "  guard triggers      MISSING: "
                + ", ".join(report.missing_guards)
                + " (records could be changed silently; run `openipt migrate` on a copy and investigate)"
            )
        else:
            self.stdout.write("  guard triggers      all present")
        if report.pending_migrations:
            self.stdout.write(
                f"  {report.pending_migrations} migrations of this version are not applied: "
                "run `openipt migrate`."
            )
        if not report.ok:
            raise CommandError("The restore finished but its checks failed (see above).")
        self.stdout.write(self.style.SUCCESS("Restore complete and verified."))

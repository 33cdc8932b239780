"""`openipt backup [--output PATH]`: a consistent, checksummed copy of the database and its manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openipt.audit.actions import record
from openipt.ops.backup import BackupError, create_backup, manifest_path_for


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database (safe while the server runs) and a manifest with its "
        "SHA-256, row counts and migration state. Default: var/backups/openipt-YYYYMMDD-HHMMSS.*"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, help="where to write the copy; the manifest goes beside it"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path, manifest = create_backup(options["output"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        record(None, "ops.backup")
        counts = manifest["row_counts"]
        self.stdout.write(self.style.SUCCESS(f"Backup written: {path}"))
        self.stdout.write(f"  manifest  {manifest_path_for(path)}")
        self.stdout.write(f"  sha256    {manifest['sha256']}")
        self.stdout.write(
            f"  contents  {sum(counts.values())} rows in {len(counts)} tables ({manifest['vendor']})"
        )
        self.stdout.write("The copy holds clinical data: keep it encrypted and off this machine.")

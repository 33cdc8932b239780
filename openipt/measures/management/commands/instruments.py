"""`openipt instruments list|enable|disable`: licence status, and enabling restricted instruments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from openipt.accounts.models import Role, User
from openipt.measures import licensing
from openipt.measures.instruments import INSTRUMENTS
from openipt.measures.models import InstrumentPermission


class Command(BaseCommand):
    help = "List instruments with their licence status; enable or disable a licence-restricted one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser(
            "list", help="instruments and their licence status for an administrator's clinic"
        )
        listing.add_argument("--user", required=True, help="username of an administrator")
        enable = sub.add_parser(
            "enable", help="enable a restricted instrument with item text from a local file"
        )
        enable.add_argument("instrument")
        enable.add_argument("--user", required=True, help="username of an administrator")
        enable.add_argument("--text-file", required=True, type=Path, help="UTF-8, one line per item")
        enable.add_argument("--permission", required=True, help="who granted permission, and the reference")
        enable.add_argument("--confirm", action="store_true", help="confirm the clinic holds permission")
        disable = sub.add_parser("disable", help="stop new administrations of an instrument")
        disable.add_argument("instrument")
        disable.add_argument("--user", required=True, help="username of an administrator")

    def handle(self, *args: Any, **options: Any) -> None:
        admin = User.objects.filter(username=options["user"], role=Role.ADMIN, is_active=True).first()
        if admin is None or admin.organisation_id is None:
            raise CommandError(f"{options['user']!r} is not an active administrator of an organisation.")
        try:
            getattr(self, f"do_{options['action']}")(admin, options)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None

    def do_list(self, admin: User, options: dict[str, Any]) -> None:
        org_id = admin.organisation_id or 0  # handle() refused administrators without one
        enabled = InstrumentPermission.objects.filter(organisation_id=org_id, enabled=True)
        enabled_keys = set(enabled.values_list("instrument", flat=True))
        for key, instrument in INSTRUMENTS.items():
            if not licensing.needs_permission(instrument):
                status = "available (free licence)"
            elif key in enabled_keys:
                status = "enabled (permission confirmed)"
            else:
                status = "needs permission (no item text shipped)"
            self.stdout.write(f"{key:14} {instrument.short_name:12} {status}")

    def do_enable(self, admin: User, options: dict[str, Any]) -> None:
        if not options["confirm"]:
            raise CommandError("Add --confirm to confirm the clinic holds permission to use this instrument.")
        path: Path = options["text_file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        licensing.enable_instrument(
            admin,
            options["instrument"],
            content=content,
            permission_note=options["permission"],
            source_file_name=path.name,
        )
        self.stdout.write(self.style.SUCCESS(f"{options['instrument']} enabled."))

    def do_disable(self, admin: User, options: dict[str, Any]) -> None:
        licensing.disable_instrument(admin, options["instrument"])
        self.stdout.write(self.style.SUCCESS(f"{options['instrument']} disabled."))

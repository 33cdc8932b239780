"""`openipt audit verify` and `openipt audit client <client-id>`."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openipt.audit.queries import client_events
from openipt.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Check the audit log's hash chain, or list who accessed or changed a client's record."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="walk the hash chain; exit 1 naming the first broken row")
        client = sub.add_parser("client", help="who accessed or changed a client's record, newest first")
        client.add_argument("client_id", type=int, metavar="client-id")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            result = verify_chain()
            if not result.intact:
                raise CommandError(result.summary())
            self.stdout.write(self.style.SUCCESS(result.summary()))
            return
        client_id = options["client_id"]
        count = 0
        for event in client_events(client_id).iterator(chunk_size=2000):
            when = event.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
            target = f"{event.object_type}:{event.object_id}" if event.object_type else "-"
            self.stdout.write(f"{when}  {event.actor_label:20}  {event.action:28}  {target}")
            count += 1
        if count == 0:
            self.stdout.write(f"No audit rows for client {client_id}.")

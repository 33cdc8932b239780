"""`openipt rescan_risk`: raise the risk alerts stored answers should have raised under today's rules.

Run it once after an upgrade that corrects a risk rule (the release notes say when). It prints one
line per alert raised, without clinical values, and nothing when every risk answer has its alert.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from openipt.measures.actions import raise_missed_alerts


class Command(BaseCommand):
    help = "Raise the risk alerts that stored answers should have raised under today's risk rules."

    def handle(self, *args: Any, **options: Any) -> None:
        raised = raise_missed_alerts(now=timezone.now())
        for line in raised:
            self.stdout.write(f"raised: {line}")
        self.stdout.write(f"{len(raised)} alert(s) raised; every stored risk answer now has its alert.")

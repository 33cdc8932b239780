"""`openipt send_reminders`: queue every reminder due now, and queue again the ones that failed.

`openipt worker` sends what is queued. Run this every few minutes (cron, a systemd timer) unless
the worker runs the reminder scan itself.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from openipt.reminders.scan import send_due_reminders


class Command(BaseCommand):
    help = "Queue the session and questionnaire reminders due now; `openipt worker` sends them."

    def handle(self, *args: Any, **options: Any) -> None:
        result = send_due_reminders(timezone.now())
        self.stdout.write(f"Queued {result.queued} reminder(s); queued {result.requeued} again.")

"""`openipt worker`: background work — the risk-alert escalation scan and the queued tasks.

One thread and one database connection do both, in a loop:

1. when `--scan-interval` seconds have passed, escalate overdue alerts and queue again the
   escalation e-mails that failed (`openipt.safety.escalation`), then queue the client reminders
   that are due (`openipt.reminders.scan`; a failure there never holds up escalation);
2. run every queued task (django-tasks-db's own `Worker`, in batch mode), so the e-mails queued
   by step 1 go out straight away;
3. sleep up to a second and go round again.

SIGTERM or SIGINT stops the loop once the task in hand has finished; a second signal stops at
once. A failing scan or database outage is logged and retried on the next turn, never fatal.
Several workers may run side by side: an alert is escalated by whichever claims it first, and
django-tasks-db locks each task row. `--once` does steps 1 and 2 and exits (cron, tests).
"""

from __future__ import annotations

import logging
import signal
import time
from argparse import ArgumentParser, ArgumentTypeError
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from openipt.reminders.scan import send_due_reminders
from openipt.safety.escalation import escalate_due_alerts, retry_undelivered

logger = logging.getLogger("openipt.safety.worker")

TASK_POLL_SECONDS = 1.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def positive_seconds(value: str) -> float:
    seconds = float(value)
    if not 0 < seconds < float("inf"):
        raise ArgumentTypeError("must be a positive number of seconds")
    return seconds


class Command(BaseCommand):
    help = "Run the background worker: escalate unacknowledged risk alerts and run queued tasks."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="scan once, run every queued task, then exit (for cron and tests)",
        )
        parser.add_argument(
            "--scan-interval",
            type=positive_seconds,
            default=30.0,
            metavar="SECONDS",
            help="seconds between escalation scans (default: 30)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verbosity"] < 2:
            # django-tasks-db logs the start and end of every batch: two lines a second in this loop.
            logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
        self.stop_requested = False
        self.worker = self.task_worker()
        if options["once"]:
            escalated, requeued = self.scan()
            self.run_tasks()
            self.stdout.write(f"Escalated {escalated} alert(s); queued {requeued} e-mail(s) again.")
            return
        self.run_forever(options["scan_interval"])

    def task_worker(self) -> Worker | None:
        """django-tasks-db's worker for the default backend; None if tasks run elsewhere."""
        if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            logger.warning("The default task backend is not the database: running escalation scans only")
            return None
        return Worker(
            queue_names=["*"],
            excluded_queue_names=[],
            interval=0,
            batch=True,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
        )

    def scan(self) -> tuple[int, int]:
        now = timezone.now()
        escalated = escalate_due_alerts(now)
        requeued = retry_undelivered(now)
        self.guarded(self.scan_reminders)  # a reminder problem never holds up escalation
        return len(escalated), len(requeued)

    def scan_reminders(self) -> None:
        send_due_reminders(timezone.now())

    def run_tasks(self) -> None:
        if self.worker is not None:
            self.worker.run()

    def run_forever(self, scan_interval: float) -> None:
        logger.info("Worker started; escalation scan every %s s", scan_interval)
        previous = {signum: signal.signal(signum, self.request_stop) for signum in STOP_SIGNALS}
        try:
            next_scan = time.monotonic()
            while not self.stop_requested:
                close_old_connections()
                if time.monotonic() >= next_scan:
                    next_scan = time.monotonic() + scan_interval
                    self.guarded(self.scan)
                if not self.stop_requested:
                    self.guarded(self.run_tasks)
                if not self.stop_requested:
                    time.sleep(max(0.0, min(TASK_POLL_SECONDS, next_scan - time.monotonic())))
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        logger.info("Worker stopped")

    def guarded(self, step: Callable[[], object]) -> None:
        """Run one step of the loop; an error (say, the database restarting) waits for the next turn."""
        try:
            step()
        except Exception:
            logger.exception("Worker step %s failed; trying again on the next turn", step.__name__)

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        if self.stop_requested:
            logger.warning("Received %s again: stopping now", signal.strsignal(signum))
            raise SystemExit(1)
        logger.warning("Received %s: stopping after the task in hand", signal.strsignal(signum))
        self.stop_requested = True
        if self.worker is not None:
            self.worker.running = False  # its batch stops after the current task

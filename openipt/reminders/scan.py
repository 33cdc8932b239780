"""The reminder scan: log and queue every reminder due, and queue again the ones that failed.

`send_due_reminders(now)` is meant to run every minute or so (the `scan_reminders` task, or
`openipt send_reminders` from cron). Each reminder is logged once: its `ReminderDelivery` row is
created under a unique key in its own transaction, so a second scan, or a second worker scanning at
the same moment, gets an IntegrityError instead of a second reminder. The e-mail or text itself is
sent by the `deliver_reminder` task, queued once that transaction has committed.

A failed reminder is queued again after RETRY_AFTER, at most MAX_ATTEMPTS attempts in all, and
only while it is still due (the same day's window, the session still on, the client still opted
in). A task lost before it ran (the worker stopped between the commit and the queue) is queued
again after LOST_TASK_AFTER; one that started and never finished is marked failed "Interrupted"
and retried like any failure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from openipt.audit.actions import record
from openipt.safety.tasks import enqueue_after_commit

from .due import Due, due_reminders, still_due
from .models import ReminderDelivery, ReminderStatus
from .tasks import deliver_reminder

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=5)
LOST_TASK_AFTER = timedelta(minutes=10)
INTERRUPTED = "Interrupted"
TASK_LOST = "TaskLost"


@dataclass(frozen=True)
class ScanResult:
    queued: int  # new reminders logged and queued
    requeued: int  # failed or lost ones queued again


def send_due_reminders(now: datetime) -> ScanResult:
    """Log and queue every reminder due at `now` that is not logged yet; retry failed ones."""
    due = due_reminders(now)
    logged = logged_keys(due)
    queued = [d for d in due if d.key not in logged and queue_reminder(d, now) is not None]
    requeued = retry_undelivered(now)
    if queued or requeued:
        logger.info("Reminders: %d queued, %d queued again", len(queued), requeued)
    return ScanResult(len(queued), requeued)


def logged_keys(due: list[Due]) -> set[tuple[int, str, int, object]]:
    """The keys of these reminders that are in the log already (one query)."""
    if not due:
        return set()
    rows = ReminderDelivery.objects.filter(session_ref__in={d.session.pk for d in due}).values_list(
        "client_id", "kind", "session_ref", "session_date"
    )
    return set(rows)


def queue_reminder(due: Due, now: datetime) -> ReminderDelivery | None:
    """Log the reminder and queue its task; None when it is logged already (a racing scan won)."""
    try:
        with transaction.atomic():
            delivery = ReminderDelivery.objects.create(
                client=due.client,
                kind=due.kind,
                session_ref=due.session.pk,
                session_date=due.session.scheduled_date,
                channel=due.channel,
                created_at=now,
                queued_at=now,
            )
            record(None, "reminder.queue", obj=delivery, client_id=due.client.pk)
            enqueue_after_commit(deliver_reminder, delivery.pk)
    except IntegrityError:
        return None
    return delivery


def retry_undelivered(now: datetime) -> int:
    """Queue again failed reminders (and lost tasks) that are still due; returns how many."""
    stuck = (
        ReminderDelivery.objects.filter(session_date__gte=(now - timedelta(days=1)).date())
        .filter(
            Q(status=ReminderStatus.FAILED, attempts__lt=MAX_ATTEMPTS, last_attempt_at__lte=now - RETRY_AFTER)
            | Q(status=ReminderStatus.QUEUED, queued_at__lte=now - LOST_TASK_AFTER)
        )
        .select_related("client__organisation")
        .order_by("pk")
    )
    requeued = 0
    for delivery in stuck:
        started = delivery.last_attempt_at is not None and delivery.last_attempt_at >= delivery.queued_at
        if delivery.status == ReminderStatus.QUEUED and started:
            # Its attempt began and never finished: count it as failed; the next scan may retry it.
            ReminderDelivery.objects.filter(pk=delivery.pk, status=ReminderStatus.QUEUED).update(
                status=ReminderStatus.FAILED, error=INTERRUPTED
            )
            continue
        if delivery.attempts >= MAX_ATTEMPTS or still_due(delivery, now) is None:
            if delivery.status == ReminderStatus.QUEUED:  # its task was lost and its day has passed
                ReminderDelivery.objects.filter(pk=delivery.pk, queued_at=delivery.queued_at).update(
                    status=ReminderStatus.FAILED, error=TASK_LOST
                )
            continue
        with transaction.atomic():
            # Only one racing scan wins the flip back to queued.
            claimed = ReminderDelivery.objects.filter(
                pk=delivery.pk, status=delivery.status, queued_at=delivery.queued_at
            ).update(status=ReminderStatus.QUEUED, queued_at=now)
            if claimed:
                enqueue_after_commit(deliver_reminder, delivery.pk)
        requeued += bool(claimed)
    return requeued


@task()
def scan_reminders() -> str:
    """The scan as a task, for deployments that queue it from a scheduler."""
    result = send_due_reminders(timezone.now())
    return f"queued {result.queued}, queued again {result.requeued}"

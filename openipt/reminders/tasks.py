"""Sending one reminder, as a background task run by `openipt worker` (Django's tasks API).

The task re-checks that the reminder is still wanted (the session may have been cancelled, the
client may have turned reminders off), sends it, and writes the outcome on its log row: sent, or
failed with the error's class name only (SMTP and gateway errors can contain addresses). The
scan (`openipt.reminders.scan`) queues failed reminders again a bounded number of times.
"""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from .content import message_for
from .due import Due, still_due
from .models import Channel, ReminderDelivery, ReminderStatus
from .sms import send_sms

logger = logging.getLogger(__name__)


def send(due: Due) -> None:
    """Send the reminder by its channel; raises when it was not accepted."""
    day, locale = due.session.scheduled_date, due.client.locale
    message = message_for(due.kind, day, due.days_before, due.questionnaires, locale)
    if due.channel == Channel.SMS:
        send_sms(due.address, message.sms)
    else:
        send_mail(message.subject, message.body, None, [due.address])


def claim(delivery: ReminderDelivery) -> bool:
    """Start an attempt: only one copy of the task may send a queued reminder.

    An attempt is open to claim when none was made since the row was last queued; claiming it
    counts the attempt. A second copy of the same task (a lost task queued again) then finds it taken.
    """
    now = timezone.now()
    claimed = (
        ReminderDelivery.objects.filter(pk=delivery.pk, status=ReminderStatus.QUEUED)
        .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=F("queued_at")))
        .update(attempts=F("attempts") + 1, last_attempt_at=now)
    )
    return bool(claimed)


def finish(delivery: ReminderDelivery, status: str, error: str = "") -> None:
    sent_at = timezone.now() if status == ReminderStatus.SENT else None
    ReminderDelivery.objects.filter(pk=delivery.pk).update(status=status, error=error[:100], sent_at=sent_at)


@task()
def deliver_reminder(delivery_id: int) -> str:
    """Send one logged reminder, once; write the outcome back to its row."""
    delivery = ReminderDelivery.objects.select_related("client__organisation").filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    if delivery.status != ReminderStatus.QUEUED or not claim(delivery):
        return "taken"  # sent, skipped, or another copy of this task has it
    due = still_due(delivery, timezone.now())
    if due is None:
        finish(delivery, ReminderStatus.SKIPPED)
        logger.info("Reminder %s not sent: no longer due", delivery.pk)
        return "skipped"
    try:
        send(due)
    except Exception as exc:
        finish(delivery, ReminderStatus.FAILED, type(exc).__name__)
        logger.warning("Reminder %s: %s failed (%s)", delivery.pk, delivery.channel, type(exc).__name__)
        return "failed"
    finish(delivery, ReminderStatus.SENT)
    logger.info("Reminder %s sent by %s", delivery.pk, delivery.channel)
    return "sent"

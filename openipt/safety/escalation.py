"""Escalating risk alerts that nobody acknowledged in time (hazard H1), and retrying their e-mails.

`openipt worker` calls `escalate_due_alerts` and `retry_undelivered` on every scan. An open alert is
due when it has waited its organisation's `alert_escalation_minutes`. Escalating it sets
`RiskAlert.escalated_at`, stores an `AlertEscalation` naming the recipients by user id, writes an
`alert.escalate` audit row, and — once that transaction has committed — queues the e-mail task.
Each alert is escalated at most once, however many workers scan at the same time: the escalation
starts with a conditional UPDATE that only one of them can win.

Recipients are the active supervisors of the client's care team who have an e-mail address. When
the team has none, the organisation's active administrators with an address are notified instead,
so that an alert is never escalated to nobody because a team lacks a supervisor.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from openipt.accounts.models import Role, User
from openipt.audit.actions import record
from openipt.clients.models import Client

from .models import AlertEscalation, AlertStatus, DeliveryStatus, RiskAlert
from .tasks import NoRecipientsError, enqueue_after_commit, send_escalation_email

logger = logging.getLogger(__name__)

# An escalation still queued this long after it was made lost its task (say the process stopped
# between the commit and the enqueue); the next scan queues it again.
LOST_TASK_AFTER = timedelta(minutes=10)


def is_due(raised_at: datetime, minutes: int, now: datetime) -> bool:
    """Whether an alert raised at `raised_at` has waited `minutes` or longer at `now`."""
    return now - raised_at >= timedelta(minutes=minutes)


def escalation_recipients(client: Client) -> list[User]:
    """The care team's supervisors; the organisation's administrators if the team has none."""
    reachable = User.objects.filter(is_active=True, organisation_id=client.organisation_id).exclude(email="")
    supervisors = list(reachable.filter(role=Role.SUPERVISOR, teams=client.team_id).order_by("pk"))
    return supervisors or list(reachable.filter(role=Role.ADMIN).order_by("pk"))


def escalate_due_alerts(now: datetime) -> list[AlertEscalation]:
    """Escalate every open alert that has waited its organisation's escalation time; each only once."""
    candidates = (
        RiskAlert.objects.filter(status=AlertStatus.OPEN, escalated_at__isnull=True, raised_at__lte=now)
        .select_related("client__organisation")
        .order_by("raised_at", "pk")
    )
    due = [a for a in candidates if is_due(a.raised_at, a.client.organisation.alert_escalation_minutes, now)]
    escalations = [escalate_alert(alert, now) for alert in due]
    return [e for e in escalations if e is not None]


def escalate_alert(alert: RiskAlert, now: datetime) -> AlertEscalation | None:
    """Escalate one open alert, or return None when it was acknowledged or escalated meanwhile."""
    with transaction.atomic():
        # Only one concurrent scan can change escalated_at from NULL, and never on a closed alert.
        claimed = RiskAlert.objects.filter(
            pk=alert.pk, status=AlertStatus.OPEN, escalated_at__isnull=True
        ).update(escalated_at=now)
        if not claimed:
            return None
        recipients = [user.pk for user in escalation_recipients(alert.client)]
        escalation = AlertEscalation.objects.create(
            alert=alert,
            at=now,
            recipients=recipients,
            delivery=DeliveryStatus.QUEUED if recipients else DeliveryStatus.FAILED,
            error="" if recipients else NoRecipientsError.__name__,
        )
        record(None, "alert.escalate", obj=alert, client_id=alert.client_id)
        if recipients:
            enqueue_after_commit(send_escalation_email, escalation.pk)
    alert.escalated_at = now
    if recipients:
        logger.info("Alert %s escalated to %d recipient(s)", alert.pk, len(recipients))
    else:
        logger.error("Alert %s escalated, but no supervisor or administrator has an e-mail address", alert.pk)
    return escalation


def retry_undelivered(now: datetime) -> list[AlertEscalation]:
    """Queue again the e-mail of every escalation of a still-open alert that failed or lost its task.

    An escalation made to nobody looks for recipients again, so adding a supervisor's address
    later reaches them. Once the alert is acknowledged its escalation e-mail is no longer retried.
    """
    stuck = (
        AlertEscalation.objects.filter(alert__status=AlertStatus.OPEN)
        .filter(
            Q(delivery=DeliveryStatus.FAILED)
            | Q(delivery=DeliveryStatus.QUEUED, at__lte=now - LOST_TASK_AFTER)
        )
        .select_related("alert__client")
        .order_by("at", "pk")
    )
    requeued = []
    for escalation in stuck:
        recipients = escalation.recipients or [u.pk for u in escalation_recipients(escalation.alert.client)]
        if not recipients:
            continue
        with transaction.atomic():
            # Only one racing scan flips failed → queued. A lost task may be queued twice; the task
            # then skips the row once it is sent.
            claimed = AlertEscalation.objects.filter(pk=escalation.pk, delivery=escalation.delivery).update(
                delivery=DeliveryStatus.QUEUED, recipients=recipients
            )
            if not claimed:
                continue
            enqueue_after_commit(send_escalation_email, escalation.pk)
        logger.info("Alert %s: escalation e-mail queued again", escalation.alert_id)
        requeued.append(escalation)
    return requeued

"""Background e-mails about risk alerts, run by `openipt worker` through Django's tasks API.

The e-mails say only that an alert needs attention and link to it: no client name, no score, no
answer, no severity (hazard H7). Staff read the details after signing in. A failure to send never
touches the alert; it is logged with the alert id and the error's class name only, because SMTP
error messages can contain addresses.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task
from django_tasks.base import Task

from openipt.accounts.models import Role, User

from .models import AlertEscalation, DeliveryStatus, RiskAlert

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def enqueue_after_commit(job: Task[Any, Any], *args: Any) -> None:
    """Queue `job` once the current transaction commits; a failure to queue is logged, never raised.

    So nothing about notifying can undo or fail the clinical write that asked for it.
    """

    def enqueue() -> None:
        job.enqueue(*args)

    transaction.on_commit(enqueue, robust=True)


def alert_url(alert_id: int) -> str:
    """The absolute address of the alert's acknowledge page, from the OPENIPT_BASE_URL setting."""
    base_url = getattr(settings, "OPENIPT_BASE_URL", DEFAULT_BASE_URL) or DEFAULT_BASE_URL
    return base_url.rstrip("/") + reverse("safety:acknowledge", args=[alert_id])


def _send(template: str, alert: RiskAlert, addresses: list[str], **context: object) -> None:
    """Render `safety/email/<template>_{subject,body}.txt` in the organisation's language and send."""
    context = {"url": alert_url(alert.pk), **context}
    with translation.override(alert.client.organisation.default_locale):
        subject = render_to_string(f"safety/email/{template}_subject.txt", context)
        body = render_to_string(f"safety/email/{template}_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, addresses)


@task()
def notify_alert_raised(alert_id: int) -> str:
    """Tell the client's lead clinician that a risk alert is open (same-day follow-up).

    Why same-day: docs/clinical/safety.md.

    Best effort and sent once: if it fails, the alert still escalates to the supervisors when nobody
    acknowledges it in time, and that escalation e-mail is retried until it is delivered.
    """
    alert = RiskAlert.objects.select_related("client__organisation", "client__clinician").get(pk=alert_id)
    clinician = alert.client.clinician
    if not alert.is_open:
        return "acknowledged"
    if not (clinician.is_active and clinician.email):
        logger.warning("Alert %s raised; its lead clinician (user %s) has no e-mail", alert.pk, clinician.pk)
        return "no-recipient"
    try:
        _send("alert_raised", alert, [clinician.email])
    except Exception as exc:
        logger.warning("Alert %s: e-mail to the lead clinician failed (%s)", alert.pk, type(exc).__name__)
        return f"failed: {type(exc).__name__}"
    logger.info("Alert %s: lead clinician (user %s) notified", alert.pk, clinician.pk)
    return "sent"


class NoRecipientsError(Exception):
    """Nobody the escalation names can receive e-mail (inactive, or no address on file)."""


@task()
def send_escalation_email(escalation_id: int) -> str:
    """E-mail one escalation to its recipients and write the outcome back to the escalation row."""
    escalation = (
        AlertEscalation.objects.select_related("alert__client__organisation").filter(pk=escalation_id).first()
    )
    if escalation is None:
        return "missing"
    if escalation.delivery == DeliveryStatus.SENT:
        return "already sent"  # a re-queued copy of a task that has since succeeded
    alert = escalation.alert
    users = list(User.objects.filter(pk__in=escalation.recipients, is_active=True).exclude(email=""))
    try:
        if not users:
            raise NoRecipientsError
        _send(
            "escalation",
            alert,
            sorted({user.email for user in users}),
            minutes=alert.client.organisation.alert_escalation_minutes,
            # Administrators are told when the team has no supervisor; they cannot open the alert.
            to_administrators=all(user.role == Role.ADMIN for user in users),
            alert_id=alert.pk,
        )
    except Exception as exc:
        logger.warning("Alert %s: escalation e-mail failed (%s)", alert.pk, type(exc).__name__)
        escalation.delivery = DeliveryStatus.FAILED
        escalation.error = type(exc).__name__[:200]
        escalation.save(update_fields=["delivery", "error"])
        return "failed"
    escalation.delivery = DeliveryStatus.SENT
    escalation.delivered_at = timezone.now()
    escalation.error = ""
    escalation.save(update_fields=["delivery", "delivered_at", "error"])
    logger.info("Alert %s: escalation e-mailed to %d recipient(s)", alert.pk, len(users))
    return "sent"

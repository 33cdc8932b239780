"""Raising and acknowledging risk alerts; crisis resources by locale."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from openipt.access import rules
from openipt.accounts.models import Organisation
from openipt.audit.actions import record
from openipt.clients.models import Client
from openipt.lib import phones
from openipt.lib.errors import refuse
from openipt.measures.models import Response
from openipt.measures.scoring import Score

from .models import AlertStatus, CrisisResource, RiskAlert, Severity
from .tasks import enqueue_after_commit, notify_alert_raised

# What each risk flag means on a clinician's screen. Unknown flags still raise a high alert.
FLAG_SUMMARIES = {
    "suicidal_ideation": gettext_noop("Thoughts of being better off dead or of self-harm"),
    "suicidal_thoughts_past_month": gettext_noop("Serious thoughts of ending their life in the past month"),
    "suicide_attempt_history": gettext_noop("Has attempted suicide at some time"),
    "suicide_item": gettext_noop("Suicide item rated above absent by the clinician (HAM-D item 3)"),
    "self_harm_thoughts": gettext_noop("Thoughts of harming themself (EPDS item 10)"),
    "suicide_risk_screen": gettext_noop("Positive suicide-risk screen (C-SSRS)"),
}


def _severity(score: Score, flag: str) -> str:
    """The severity the instrument's definition gives the flag (e.g. PHQ-9 item 9: 1 moderate,
    2–3 high); high when a definition gives none, because neither means safe."""
    return score.severity_for(flag) or Severity.HIGH


def raise_alerts(
    response: Response,
    score: Score,
    *,
    already_raised: Collection[str] = (),
    raised_at: datetime | None = None,
) -> list[RiskAlert]:
    """Create one open alert per risk flag of the score. Must run inside the response's transaction.

    `already_raised`: flags alerted on the earlier response this one completes (`Response.completes`),
    not raised twice. `raised_at` (default: when the response was completed) is for an alert found
    later, by re-checking stored answers under a corrected rule: it is raised when it is found.

    Once that transaction commits, an e-mail to the client's lead clinician is queued for each
    alert. Queueing happens after the commit and its errors are only logged (`robust=True`), so a
    broken task queue or mail server can never undo the response, its score or its alert.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("raise_alerts must run in the same transaction as the response")
    alerts = [
        RiskAlert.objects.create(
            client_id=response.client_id,
            response=response,
            flag=flag,
            severity=_severity(score, flag),
            summary=FLAG_SUMMARIES.get(flag, flag),
            raised_at=raised_at or response.completed_at,
        )
        for flag in score.risk
        if flag not in already_raised
    ]
    for alert in alerts:
        record(None, "alert.raise", obj=alert, client_id=response.client_id)
        enqueue_after_commit(notify_alert_raised, alert.pk)
    return alerts


def acknowledge_alert(
    actor: Any, alert: RiskAlert, *, action_taken: str, request: HttpRequest | None = None
) -> RiskAlert:
    """Close an alert, recording who acknowledged it, when, and what they did."""
    if not rules.can_acknowledge_alert(actor, alert.client_id):
        raise PermissionDenied
    action_taken = action_taken.strip()
    if len(action_taken) < 5:
        raise refuse(_("Describe the action you took (at least a few words)."), "action_taken")
    with transaction.atomic():
        alert = RiskAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.status != AlertStatus.OPEN:
            raise refuse(_("This alert was already acknowledged."))
        alert.status = AlertStatus.ACKNOWLEDGED
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = actor
        alert.action_taken = action_taken
        alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "action_taken"])
        record(actor, "alert.acknowledge", obj=alert, client_id=alert.client_id, request=request)
    return alert


@dataclass(frozen=True)
class CrisisLine:
    name: str
    phone: str = ""
    text: str = ""
    url: str = ""
    hours: str = ""
    description: str = ""
    is_emergency: bool = False

    @property
    def tel(self) -> str:
        """The number for a `tel:` link: no spaces ("tel:116123")."""
        return phones.tel(self.phone)

    @property
    def phone_display(self) -> str:
        return phones.display(self.phone)

    @property
    def text_display(self) -> str:
        return phones.display(self.text)


FALLBACK = CrisisLine(
    name=gettext_noop("Your local emergency number"),
    description=gettext_noop(
        "If someone is in immediate danger, call the local emergency number. No crisis line has been "
        "set up for this language and region yet: an administrator can add one under Settings."
    ),
    is_emergency=True,
)


def clinic_line(organisation: Organisation) -> CrisisLine | None:
    """The clinic's own number for clients in crisis, shown to clients before the national lines."""
    if not organisation.crisis_phone:
        return None
    return CrisisLine(
        name=organisation.name,
        phone=organisation.crisis_phone,
        description=gettext_noop("Your clinic. Call us if you need help with how you feel."),
    )


def crisis_help_for(client: Client) -> list[CrisisLine]:
    """What a client is shown for help now: their clinic's number first, then the crisis lines of
    their language and region (or the emergency fallback)."""
    own = clinic_line(client.organisation)
    lines = crisis_resources_for(client.organisation_id, client.locale)
    return [own, *lines] if own else lines


def crisis_resources_for(organisation_id: int, locale: str) -> list[CrisisLine]:
    """The configured lines for this locale, else for its language, else the emergency fallback."""
    rows = list(CrisisResource.objects.filter(organisation_id=organisation_id, locale=locale))
    if not rows and "-" in locale:
        language = locale.split("-")[0]
        rows = list(CrisisResource.objects.filter(organisation_id=organisation_id, locale=language))
    if not rows:
        return [FALLBACK]
    return [
        CrisisLine(
            name=r.name,
            phone=r.phone,
            text=r.text,
            url=r.url,
            hours=r.hours,
            description=r.description,
            is_emergency=r.is_emergency,
        )
        for r in rows
    ]

"""Emergency (break-glass) access: an administrator reads one client's record, read-only, for a
short time, with a reason, and the care team's supervisors are told.

Used when nobody in the care team can be reached and the record is needed now (for example to
find a client's crisis plan). Everything about it is recorded: the grant (who, which client, the
reason, when it opened, when it closed), an audit row when it opens and ends, and an audit row for
every page read under it (`breakglass.read:<route>`, written by the read-audit middleware).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openipt.accounts.models import User
from openipt.audit.actions import record
from openipt.clients.models import Client
from openipt.lib.errors import refuse, too_long
from openipt.safety.escalation import escalation_recipients

from . import rules
from .models import BreakGlassGrant

logger = logging.getLogger(__name__)

DURATIONS = (15, 30, 60)  # minutes an administrator may choose; never longer than an hour
MIN_REASON = 20
MAX_REASON = 1000


def open_grant(
    actor: Any,
    *,
    clinic_identifier: str,
    reason: str,
    minutes: int,
    request: HttpRequest | None = None,
) -> BreakGlassGrant:
    """Open emergency access for `actor` (an administrator) to the client with this identifier."""
    if not rules.can_administer(actor):
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise refuse(
            _("Say why you need the record now, in at least %(n)d characters.") % {"n": MIN_REASON},
            "reason",
        )
    if len(reason) > MAX_REASON:
        raise refuse(too_long(len(reason), MAX_REASON), "reason")
    if minutes not in DURATIONS:
        raise refuse(_("Choose 15, 30 or 60 minutes."), "minutes")
    identifier = clinic_identifier.strip()
    client = Client.objects.filter(
        organisation_id=actor.organisation_id, clinic_identifier=identifier
    ).first()
    if client is None:
        raise refuse(
            _("No client in your organisation has the identifier %(id)s; check it with the care team.")
            % {"id": identifier[:40]},
            "clinic_identifier",
        )
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=actor,
            client=client,
            reason=reason,
            opened_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
        record(actor, "breakglass.open", obj=grant, client_id=client.pk, request=request)
        transaction.on_commit(lambda: notify_supervisors(grant.pk), robust=True)
    logger.warning("Emergency access %s opened by user %s for client %s", grant.pk, actor.pk, client.pk)
    return grant


def end_grant(actor: Any, grant: BreakGlassGrant, *, request: HttpRequest | None = None) -> BreakGlassGrant:
    """End a grant before its time (its holder, or another administrator of the organisation)."""
    if not rules.can_administer(actor) or grant.client.organisation_id != actor.organisation_id:
        raise PermissionDenied
    with transaction.atomic():
        grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
        if not grant.in_force:
            raise refuse(_("This emergency access has already ended."))
        grant.ended_at = timezone.now()
        grant.ended_by = actor
        grant.save(update_fields=["ended_at", "ended_by"])
        record(actor, "breakglass.end", obj=grant, client_id=grant.client_id, request=request)
    return grant


def people_to_tell(grant: BreakGlassGrant) -> list[User]:
    """Whom an unacknowledged risk alert would reach (the care team's supervisors, else the
    organisation's administrators), never the opener themselves."""
    return [u for u in escalation_recipients(grant.client) if u.pk != grant.user_id]


def notify_supervisors(grant_id: int) -> int:
    """E-mail the care team's supervisors that emergency access was opened (no clinical content,
    no reason: they read it in OpenIPT). Returns how many were sent; failures are logged, never
    raised. If nobody could be told, an audit row `breakglass.unnotified` says so (the supervision
    page and the access log still show the access)."""
    grant = BreakGlassGrant.objects.select_related("client__organisation", "user").get(pk=grant_id)
    base_url = (getattr(settings, "OPENIPT_BASE_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    context = {"grant": grant, "url": base_url + reverse("reports:supervision")}
    sent = 0
    with translation.override(grant.client.organisation.default_locale):
        subject = " ".join(render_to_string("access/email/opened_subject.txt", context).split())
        body = render_to_string("access/email/opened_body.txt", context)
    for person in people_to_tell(grant):
        try:
            send_mail(subject, body, None, [person.email])
        except Exception as exc:
            logger.warning("Emergency access %s: e-mail failed (%s)", grant.pk, type(exc).__name__)
            continue
        sent += 1
    if sent == 0:
        logger.warning("Emergency access %s: nobody could be told by e-mail", grant.pk)
        record(None, "breakglass.unnotified", obj=grant, client_id=grant.client_id)
    return sent


def recent_for_teams(user: Any, days: int = 30) -> list[BreakGlassGrant]:
    """Emergency accesses to the user's teams' clients in the last `days` days (supervision view)."""
    since = timezone.now() - timedelta(days=days)
    return list(
        BreakGlassGrant.objects.filter(client__in=rules.team_clients(user), opened_at__gte=since)
        .select_related("user", "client", "ended_by")
        .order_by("-opened_at")
    )

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from openipt.clients.models import Client
from openipt.portal.models import InvitationKind, PortalAccount, PortalInvitation

register = template.Library()


@register.simple_tag
def portal_status(client: Client) -> dict[str, Any]:
    """For the clinician's client page, in one query: whether the client has a portal account and
    whether it is active, and their open invitation (kind and expiry), if any."""
    account = PortalAccount.objects.filter(client=OuterRef("pk"))
    invitation = PortalInvitation.objects.filter(
        client=OuterRef("pk"), used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at")
    row = (
        Client.objects.filter(pk=client.pk)
        .annotate(
            active=Subquery(account.values("user__is_active")[:1]),
            kind=Subquery(invitation.values("kind")[:1]),
            until=Subquery(invitation.values("expires_at")[:1]),
        )
        .values("active", "kind", "until")
        .get()
    )
    open_invitation = None
    if row["kind"]:
        open_invitation = {"kind": InvitationKind(row["kind"]).label, "expires_at": row["until"]}
    return {
        "account": row["active"] is not None,
        "active": bool(row["active"]),
        "open_invitation": open_invitation,
    }

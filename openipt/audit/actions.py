"""Writing audit records. Every action that changes clinical state calls `record` in its transaction."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from .models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    actor: Any,
    action: str,
    *,
    obj: models.Model | None = None,
    client_id: int | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one audit row. `action` is a dotted verb such as "note.sign"; no clinical values."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor if is_user else None,
        actor_label=actor.get_username() if is_user else "system",
        action=action,
        organisation_id=getattr(actor, "organisation_id", None) if is_user else None,
        client_id=client_id,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip_address=client_ip(request),
    )

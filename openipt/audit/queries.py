"""Reading the audit log: who accessed or changed one client's record."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import AuditEvent


def client_events(client_id: int) -> QuerySet[AuditEvent]:
    """Every row about the client, newest first (index audit_client_at)."""
    return AuditEvent.objects.filter(client_id=client_id).order_by("-at", "-id")

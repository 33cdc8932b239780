"""Reading the audit log: who accessed or changed one client's record."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import AuditEvent


def client_events(client_id: int) -> QuerySet[AuditEvent]:
    """Every row about the client, newest first (index audit_client_at)."""
    return AuditEvent.objects.filter(client_id=client_id).order_by("-at", "-id")


# Rows that record a read or a refusal rather than a change (see openipt.access.middleware).
READ_PREFIXES = ("read:", "breakglass.read:", "access.refused:", "audit.read", "history.read")


def change_events() -> QuerySet[AuditEvent]:
    """Every row that records a change (or an attempt that changed something), not a mere read."""
    rows = AuditEvent.objects.all()
    for prefix in READ_PREFIXES:
        rows = rows.exclude(action__startswith=prefix)
    return rows

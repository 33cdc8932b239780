from __future__ import annotations

from typing import Any

from django.http import Http404

from openipt.access.rules import note_read, visible_clients

from .models import RiskAlert


def get_alert_for_user(user: Any, pk: int | str) -> RiskAlert:
    try:
        found = RiskAlert.objects.select_related("client", "response").get(
            pk=int(pk), client__in=visible_clients(user)
        )
    except (RiskAlert.DoesNotExist, ValueError, TypeError):
        raise Http404("No such alert") from None
    note_read(found.client_id)
    return found

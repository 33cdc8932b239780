"""The access gate for everything clinical: who may see which client.

A clinician sees the clients of their care teams; a supervisor sees their teams' clients;
everyone is confined to their organisation. Administrators manage settings but do not read
clinical records here. Every view, command and API obtains clients through these functions.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from .models import Client


def visible_clients(user: Any) -> QuerySet[Client]:
    """Clients the user may see (an empty queryset for anyone without clinical access)."""
    if not getattr(user, "is_authenticated", False) or not user.has_clinical_access:
        return Client.objects.none()
    return Client.objects.filter(organisation_id=user.organisation_id, team__in=user.teams.all())


def get_client_for_user(user: Any, pk: int | str) -> Client:
    """The client with this id if the user may see it, otherwise 404 (never a partial page)."""
    try:
        return visible_clients(user).select_related("team", "clinician").get(pk=int(pk))
    except (Client.DoesNotExist, ValueError, TypeError):
        raise Http404("No such client") from None


def can_write(user: Any, client: Client) -> bool:
    """Clinicians of the care team write; supervisors read and acknowledge alerts."""
    return bool(user.is_clinician) and visible_clients(user).filter(pk=client.pk).exists()

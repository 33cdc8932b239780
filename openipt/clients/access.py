"""The access gate for everything clinical: who may see which client.

The rules themselves live in `openipt.access.rules` (one place for every object-level rule);
this module is the gate views, commands and the API go through to fetch a client. A client the
user may not see is a 404, never a partial page.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from openipt.access.rules import can_write, note_read, visible_clients

from .models import Client

__all__ = ["can_write", "get_client_for_user", "visible_clients"]


def get_client_for_user(user: Any, pk: int | str) -> Client:
    """The client with this id if the user may see it, otherwise 404 (never a partial page)."""
    try:
        client = visible_clients(user).select_related("team", "clinician").get(pk=int(pk))
    except (Client.DoesNotExist, ValueError, TypeError):
        raise Http404("No such client") from None
    note_read(client.pk)
    return client

"""The one way a portal page reaches a diary entry: through the signed-in client, so another
client's entry id is a 404 like an id that does not exist."""

from __future__ import annotations

from django.http import Http404

from openipt.clients.models import Client

from .models import DiaryEntry


def get_client_entry(client: Client, pk: int) -> DiaryEntry:
    """The diary entry with this id if it is this client's own, otherwise 404."""
    try:
        return DiaryEntry.objects.select_related("course").get(pk=pk, client=client)
    except DiaryEntry.DoesNotExist:
        raise Http404("No such diary entry") from None

"""Access gates for the people in a client's life and their life events: reached only through a
visible client, so anyone outside the care team gets a 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from openipt.access.rules import note_read, visible_clients

from .models import LifeEvent, Person


def get_person_for_user(user: Any, pk: int | str) -> Person:
    """The person with this id if the user may see their client, otherwise 404."""
    try:
        found = Person.objects.select_related("client", "client__team", "client__clinician").get(
            pk=int(pk), client__in=visible_clients(user)
        )
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("No such person") from None
    note_read(found.client_id)
    return found


def get_event_for_user(user: Any, pk: int | str) -> LifeEvent:
    """The life event with this id if the user may see its client, otherwise 404."""
    try:
        found = LifeEvent.objects.select_related("client", "client__team", "client__clinician").get(
            pk=int(pk), client__in=visible_clients(user)
        )
    except (LifeEvent.DoesNotExist, ValueError, TypeError):
        raise Http404("No such event") from None
    note_read(found.client_id)
    return found

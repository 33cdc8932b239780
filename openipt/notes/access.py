from __future__ import annotations

from typing import Any

from django.http import Http404

from openipt.access.rules import note_read, visible_clients

from .models import Note


def get_note_for_user(user: Any, pk: int | str) -> Note:
    try:
        found = Note.objects.select_related("session", "session__course", "session__course__client").get(
            pk=int(pk), session__course__client__in=visible_clients(user)
        )
    except (Note.DoesNotExist, ValueError, TypeError):
        raise Http404("No such note") from None
    note_read(found.session.course.client_id)
    return found

"""Access gates for courses and sessions: reached only through a visible client."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from openipt.access.rules import note_read, visible_clients

from .models import Course, Session


def get_course_for_user(user: Any, pk: int | str) -> Course:
    try:
        found = Course.objects.select_related("client", "client__team", "clinician").get(
            pk=int(pk), client__in=visible_clients(user)
        )
    except (Course.DoesNotExist, ValueError, TypeError):
        raise Http404("No such course") from None
    note_read(found.client_id)
    return found


def get_session_for_user(user: Any, pk: int | str) -> Session:
    try:
        found = Session.objects.select_related("course", "course__client", "course__client__team").get(
            pk=int(pk), course__client__in=visible_clients(user)
        )
    except (Session.DoesNotExist, ValueError, TypeError):
        raise Http404("No such session") from None
    note_read(found.course.client_id)
    return found


def sessions_for_user(user: Any) -> QuerySet[Session]:
    """Sessions of the clients this user may see (a list page notes the clients it shows)."""
    return Session.objects.filter(course__client__in=visible_clients(user))

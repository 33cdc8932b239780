"""Homework in the portal: the client reads what was set in their sessions and answers it.

The client's answer lives on the homework beside the clinician's review and never overwrites it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from openipt.audit.actions import record
from openipt.clients.models import Client
from openipt.courses.models import CourseStatus, Homework, HomeworkOutcome
from openipt.lib.errors import too_long

MAX_REFLECTION = 2000


def stamp(homework: Homework) -> str:
    """What the client's form was made from: a changed answer since then makes the form stale."""
    return homework.client_updated_at.isoformat() if homework.client_updated_at else ""


def homework_for_client(client: Client) -> QuerySet[Homework]:
    """The homework set in the client's active course, newest first."""
    return (
        Homework.objects.filter(course__client=client, course__status=CourseStatus.ACTIVE)
        .select_related("set_in")
        .order_by("-created_at", "-id")
    )


def is_done(homework: Homework) -> bool:
    """Done for the client's list: they marked it done, or it was reviewed in a session."""
    return homework.client_status == HomeworkOutcome.DONE or homework.reviewed_in_id is not None


def get_client_homework(client: Client, pk: int) -> Homework:
    """The homework if it belongs to one of this client's courses, otherwise 404."""
    try:
        return Homework.objects.select_related("course").get(pk=pk, course__client=client)
    except Homework.DoesNotExist:
        raise Http404("No such homework") from None


def answer_homework(
    actor: Any,
    homework: Homework,
    *,
    status: str,
    reflection: str,
    seen: str,
    request: HttpRequest | None = None,
) -> Homework:
    """Save the client's status and reflection; refuse an ended course or a stale form."""
    if status not in HomeworkOutcome.values:
        raise ValidationError(_("Choose how it went: done, partly done or not done."))
    if len(reflection) > MAX_REFLECTION:
        raise ValidationError({"reflection": too_long(len(reflection), MAX_REFLECTION)})
    with transaction.atomic():
        homework = Homework.objects.select_for_update().select_related("course").get(pk=homework.pk)
        if homework.course.status != CourseStatus.ACTIVE:
            raise ValidationError(
                _("This course of therapy has ended, so this homework can no longer change.")
            )
        if (homework.client_status, homework.client_reflection) == (status, reflection):
            return homework  # already so: also the second tap of a double-sent form
        if seen != stamp(homework):
            raise ValidationError(
                _("Your answer changed since you opened this page. Check it below, then save again.")
            )
        homework.client_status, homework.client_reflection = status, reflection
        homework.client_updated_at = timezone.now()
        homework.save(update_fields=["client_status", "client_reflection", "client_updated_at"])
        record(
            actor,
            "homework.client_update",
            obj=homework,
            client_id=homework.course.client_id,
            request=request,
        )
    return homework

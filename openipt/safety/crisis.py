"""Administrators configure crisis resources per locale for their organisation."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from openipt.audit.actions import record

from .models import CrisisResource

FIELDS = ["locale", "name", "phone", "text", "url", "hours", "description", "is_emergency", "position"]


def add_crisis_resource(actor: Any, *, request: HttpRequest | None = None, **fields: Any) -> CrisisResource:
    with transaction.atomic():
        resource = CrisisResource(
            organisation_id=actor.organisation_id, **{k: fields[k] for k in FIELDS if k in fields}
        )
        resource.full_clean()
        resource.save()
        record(actor, "crisis_resource.create", obj=resource, request=request)
    return resource


def remove_crisis_resource(
    actor: Any, resource: CrisisResource, *, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        record(actor, "crisis_resource.delete", obj=resource, request=request)
        resource.delete()

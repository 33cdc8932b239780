"""Creating and updating client records."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from openipt.accounts.models import Team
from openipt.audit.actions import record
from openipt.lib.errors import refuse

from .models import Client

EDITABLE = [
    "clinic_identifier",
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "email",
    "phone",
    "locale",
]


def _check(actor: Any, fields: dict[str, Any], team: Team, *, exclude_pk: int | None = None) -> None:
    if team.organisation_id != actor.organisation_id or not actor.teams.filter(pk=team.pk).exists():
        raise refuse(_("Choose one of your care teams."), "team")
    dob = fields.get("date_of_birth")
    if isinstance(dob, date) and dob > timezone.localdate():
        raise refuse(_("The date of birth cannot be in the future."), "date_of_birth")
    clash = Client.objects.filter(
        organisation_id=actor.organisation_id, clinic_identifier=fields["clinic_identifier"]
    )
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise refuse(_("Another client already has this clinic identifier."), "clinic_identifier")


def create_client(actor: Any, *, team: Team, request: HttpRequest | None = None, **fields: Any) -> Client:
    """Add a client to one of the actor's care teams, with the actor as lead clinician."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown client fields: {sorted(unknown)}")
    with transaction.atomic():
        _check(actor, fields, team)
        client = Client(organisation_id=actor.organisation_id, team=team, clinician=actor, **fields)
        client.full_clean()
        client.save()
        record(actor, "client.create", obj=client, client_id=client.pk, request=request)
    return client


def update_client(
    actor: Any, client: Client, *, team: Team, request: HttpRequest | None = None, **fields: Any
) -> Client:
    """Change a client's details (never their organisation)."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown client fields: {sorted(unknown)}")
    with transaction.atomic():
        _check(actor, fields, team, exclude_pk=client.pk)
        for name, value in fields.items():
            setattr(client, name, value)
        client.team = team
        client.full_clean()
        client.save(update_fields=[*fields, "team"])
        record(actor, "client.update", obj=client, client_id=client.pk, request=request)
    return client

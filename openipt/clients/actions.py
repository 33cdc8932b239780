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
from openipt.lib import phones
from openipt.lib.errors import ValidationError

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
    """Refuse with every problem at once (a form then shows them all), each on its field."""
    errors: dict[str, list[str]] = {}
    if team.organisation_id != actor.organisation_id or not actor.teams.filter(pk=team.pk).exists():
        errors["team"] = [_("Choose one of your care teams.")]
    dob = fields.get("date_of_birth")
    if isinstance(dob, date) and dob > timezone.localdate():
        errors["date_of_birth"] = [_("The date of birth cannot be in the future.")]
    if fields.get("phone"):
        try:
            fields["phone"] = phones.normalise(fields["phone"], actor.organisation.phone_region)
        except ValidationError as e:
            errors["phone"] = e.messages
    clash = Client.objects.filter(
        organisation_id=actor.organisation_id, clinic_identifier=fields["clinic_identifier"]
    )
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        errors["clinic_identifier"] = [_("Another client already has this clinic identifier.")]
    if errors:
        raise ValidationError(errors)


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

"""Safety plans: save a new version, record a print, and compare versions.

A plan is never edited in place: every save writes version n+1, so what a client was given on any
day can be read again. Sharing with the client is a property of a version (the clinician ticks it
when saving), not a later change to a stored row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from openipt.audit.actions import record
from openipt.clients.access import can_write
from openipt.clients.models import Client
from openipt.lib.errors import ValidationError, refuse, too_long

from .models import SafetyPlan

# The six steps of the plan, in the order they are worked through, then reasons for living.
STEPS = (
    "warning_signs",
    "internal_coping",
    "social_distraction",
    "people_to_ask",
    "professionals",
    "environment_safety",
)
FIELDS = (*STEPS, "reasons_for_living")
MAX_LENGTH = 5_000


def verbose_name(name: str) -> StrOrPromise:
    """The field's label as clinicians and clients read it, translated when shown."""
    return cast("models.Field[Any, Any]", SafetyPlan._meta.get_field(name)).verbose_name


def label(name: str) -> str:
    return str(verbose_name(name))


def _clean(fields: dict[str, Any]) -> dict[str, str]:
    """The text of each field, with browser line endings made plain and outer blank space removed."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown safety plan fields: {sorted(unknown)}")
    return {name: str(fields.get(name) or "").replace("\r\n", "\n").strip() for name in FIELDS}


def _validate(text: dict[str, str]) -> None:
    errors = {
        name: [too_long(len(value), MAX_LENGTH, str(label(name)))]
        for name, value in text.items()
        if len(value) > MAX_LENGTH
    }
    if errors:
        raise ValidationError(errors)
    if not any(text[name] for name in STEPS):
        raise refuse(_("Fill in at least one of the six steps before saving the plan."))


def latest_plan(client: Client) -> SafetyPlan | None:
    """The client's current plan (the highest version), or None when none was written yet."""
    return client.safety_plans.select_related("created_by").order_by("-version").first()


def save_safety_plan(
    actor: Any,
    client: Client,
    *,
    base_version: int | None,
    shared_with_client: bool = False,
    request: HttpRequest | None = None,
    **fields: Any,
) -> SafetyPlan:
    """Save the plan as a new version (n+1) and audit it; earlier versions stay as they were.

    `base_version` is the version the form was opened on (None: there was no plan yet). If someone
    saved a newer version in between, nothing is saved; the same happens when nothing changed.
    Only clinicians of the client's care team write plans.
    """
    if not can_write(actor, client):
        raise PermissionDenied
    text = _clean(fields)
    _validate(text)
    with transaction.atomic():
        # Serialise writers of this client's plan so two saves cannot both become version n+1.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        latest = latest_plan(client)
        current = latest.version if latest else None
        if base_version != current:
            raise _stale(current)
        if latest is not None and _same(latest, text, shared_with_client):
            raise refuse(_("Nothing changed since version %(n)d.") % {"n": latest.version})
        try:
            with transaction.atomic():
                plan = SafetyPlan.objects.create(
                    client=client,
                    version=(current or 0) + 1,
                    created_by=actor,
                    created_at=timezone.now(),
                    shared_with_client=shared_with_client,
                    **text,
                )
        except IntegrityError:
            # Another save took this version number first (a database without row locks).
            raise _stale((current or 0) + 1) from None
        record(actor, "safety_plan.save", obj=plan, client_id=client.pk, request=request)
    return plan


def _stale(current: int | None) -> ValidationError:
    if current is None:
        return refuse(_("This form does not match the stored plan, so nothing was saved. Reload the page."))
    return refuse(
        _("Someone saved version %(n)d of this plan after you opened it, so nothing was saved.")
        % {"n": current}
    )


def _same(plan: SafetyPlan, text: dict[str, str], shared: bool) -> bool:
    return plan.shared_with_client == shared and all(getattr(plan, name) == text[name] for name in FIELDS)


def record_plan_print(actor: Any, plan: SafetyPlan, *, request: HttpRequest | None = None) -> None:
    """Audit that a version was opened for printing (a copy may now exist on paper)."""
    record(actor, "safety_plan.print", obj=plan, client_id=plan.client_id, request=request)


@dataclass(frozen=True)
class Section:
    """One part of a plan as shown on a page: its label, its text, and whether it changed."""

    name: str
    label: str
    text: str
    changed: bool = False
    previous_text: str = ""


def sections(plan: SafetyPlan, previous: SafetyPlan | None = None) -> list[Section]:
    """The plan's steps and reasons for living, each compared with the previous version if given."""
    result = []
    for name in FIELDS:
        text = getattr(plan, name)
        before = getattr(previous, name) if previous is not None else text
        result.append(Section(name, label(name), text, changed=before != text, previous_text=before))
    return result


def sections_against(plan: SafetyPlan, typed: dict[str, Any]) -> list[Section]:
    """The plan's parts, each marked changed where it differs from text typed into a form."""
    text = _clean({name: typed.get(name, "") for name in FIELDS})
    return [
        Section(name, label(name), getattr(plan, name), changed=getattr(plan, name) != text[name])
        for name in FIELDS
    ]


def changes(plan: SafetyPlan, previous: SafetyPlan | None) -> list[str]:
    """Labels of what differs from the previous version (empty for the first version)."""
    if previous is None:
        return []
    changed = [s.label for s in sections(plan, previous) if s.changed]
    if plan.shared_with_client != previous.shared_with_client:
        changed.append(_("Shared with the client") if plan.shared_with_client else _("No longer shared"))
    return changed


@dataclass(frozen=True)
class HistoryRow:
    plan: SafetyPlan
    changes: list[str]


def history(client: Client) -> list[HistoryRow]:
    """Every version, newest first, with what changed from the one before (one query)."""
    plans = list(client.safety_plans.select_related("created_by").order_by("-version"))
    return [
        HistoryRow(plan, changes(plan, plans[i + 1] if i + 1 < len(plans) else None))
        for i, plan in enumerate(plans)
    ]

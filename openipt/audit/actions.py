"""Writing audit records. Every action that changes clinical state calls `record` in its transaction."""

from __future__ import annotations

import ipaddress
from typing import Any

from allauth.account.adapter import get_adapter
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from .chain import GENESIS, row_hash
from .models import AuditEvent, AuditHead


def client_ip(request: HttpRequest | None) -> str | None:
    """The user's address: REMOTE_ADDR, or behind a trusted proxy (OPENIPT_BEHIND_PROXY) the
    address the proxy saw, read the way the sign-in rate limits read it. Never anything but a
    valid IP address (a forged header must not break or pollute the audit row)."""
    if request is None:
        return None
    try:
        address = get_adapter(request).get_client_ip(request)
    except Exception:  # no address, or X-Forwarded-For not matching the proxy count
        address = request.META.get("REMOTE_ADDR")
    try:
        return str(ipaddress.ip_address(str(address).strip())) if address else None
    except ValueError:
        return None


def _locked_head() -> AuditHead:
    """The head row, locked until the end of the transaction (PostgreSQL: FOR UPDATE; SQLite's
    IMMEDIATE transactions already hold the write lock). Recreated from the newest row if missing
    (after `flush`, or a fresh database)."""
    locked = AuditHead.objects.select_for_update()
    head = next(iter(locked.filter(pk=1)), None)
    if head is None:
        newest = AuditEvent.objects.order_by("-id").values("id", "hash").first()
        seed = AuditHead(pk=1, last_id=newest["id"], hash=newest["hash"]) if newest else AuditHead(pk=1)
        AuditHead.objects.bulk_create([seed], ignore_conflicts=True)
        head = locked.get(pk=1)
    return head


def record(
    actor: Any,
    action: str,
    *,
    obj: models.Model | None = None,
    client_id: int | None = None,
    request: HttpRequest | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one audit row. `action` is a dotted verb such as "note.sign"; no clinical values.

    Without a user, `actor_label` says who acted in words that identify nobody ("unknown user"
    for a failed sign-in under a name that is no account); it defaults to "system".

    Runs in the caller's transaction (or its own): lock the head, take the next id, hash the row
    over the head's hash, insert. Two queries; the head moves by trigger.
    """
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        actor=actor if is_user else None,
        actor_label=actor.get_username() if is_user else (actor_label or "system"),
        action=action,
        organisation_id=getattr(actor, "organisation_id", None) if is_user else None,
        client_id=client_id,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip_address=client_ip(request),
    )
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        event.id = head.last_id + 1
        event.at = timezone.now()
        event.prev_hash = head.hash or GENESIS
        event.hash = row_hash(event)
        event.save(force_insert=True)
    return event


def record_reads(
    actor: Any, action: str, client_ids: list[int], *, request: HttpRequest | None = None
) -> None:
    """Append one row per client for a page that showed several clients' records (a list), in one
    locked step and one INSERT: the same chain as `record`, at a cost that does not grow with the
    number of rows.

    The rows differ only in id, client and the chain, so the shared columns are prepared for the
    database once rather than through a model instance per row (a supervisor's list of hundreds
    of clients spent more time building those than in the rest of the page); each row is hashed
    by `row_hash`, the one encoder of the chain's format."""
    if not client_ids or actor is None or not getattr(actor, "is_authenticated", False):
        return
    ip = client_ip(request)
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        last_id, prev_hash, now = head.last_id, head.hash or GENESIS, timezone.now()
        shared = AuditEvent(
            at=now,
            actor=actor,
            actor_label=actor.get_username(),
            action=action,
            organisation_id=getattr(actor, "organisation_id", None),
            ip_address=ip,
        )
        varying = ("id", "client_id", "prev_hash", "hash")
        fields = AuditEvent._meta.concrete_fields
        prepared = {
            f.attname: f.get_db_prep_save(getattr(shared, f.attname), connection)
            for f in fields
            if f.attname not in varying
        }
        rows = []
        for client_id in client_ids:
            last_id += 1
            shared.id, shared.client_id, shared.prev_hash = last_id, client_id, prev_hash
            shared.hash = row_hash(shared)
            values = {name: getattr(shared, name) for name in varying}
            rows.append([values[f.attname] if f.attname in varying else prepared[f.attname] for f in fields])
            prev_hash = shared.hash
        _insert_rows(rows)


def _insert_rows(rows: list[list[Any]]) -> None:
    """One statement for any number of rows. `bulk_create` splits its INSERT every 999 parameters
    on SQLite (83 audit rows), so a list page's cost would grow with the clients it shows.

    PostgreSQL: one INSERT … SELECT FROM unnest(array per column): a fixed statement with twelve
    parameters whatever the number of rows (a multi-row VALUES list is a new statement for every
    length, and psycopg spent longer parsing its thousands of placeholders than the page spent in
    the database). SQLite runs `executemany` in-process, which is as fast."""
    fields = AuditEvent._meta.concrete_fields
    quote = connection.ops.quote_name
    table, columns = quote(AuditEvent._meta.db_table), ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Text arrays as text, not varchar(n): a cast to varchar(n) cuts a long value short
            # silently (and the hash, over the whole value, would no longer match); into the
            # column, a value too long is refused as it would be from VALUES.
            arrays = ", ".join(f"%s::{_array_type(f)}[]" for f in fields)
            # Names and types from the model's metadata, quoted; every value a bound parameter.
            insert = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) ORDER BY 1"  # noqa: S608  # nosec B608
            cursor.execute(insert, [list(column) for column in zip(*rows, strict=True)])
        else:
            marks = ", ".join(["%s"] * len(fields))
            insert = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608  # nosec B608
            cursor.executemany(insert, rows)


def _array_type(field: models.Field[Any, Any]) -> str:
    db_type = field.db_type(connection) or "text"
    return "text" if db_type.startswith("varchar") else db_type

"""The audit hash chain: the exact bytes each row's hash covers.

Format "openipt-audit-v1". A row's `hash` is the lower-case hex SHA-256 of the UTF-8 bytes of the
JSON array

    ["openipt-audit-v1", id, at, actor_id, actor_label, action, organisation_id, client_id,
     object_type, object_id, ip_address, prev_hash]

written with `json.dumps(..., ensure_ascii=True, separators=(",", ":"))`: no spaces, every
non-ASCII character as a \\uXXXX escape, whole numbers (id, actor_id, organisation_id, client_id)
as JSON numbers, a missing value (actor_id, organisation_id, client_id, ip_address) as null,
text fields as JSON strings (empty string when blank). `at` is the time in UTC as
"YYYY-MM-DDTHH:MM:SS.ffffffZ" (always six fractional digits); `ip_address` is the address in
Python's `ipaddress` canonical form (IPv6 compressed, lower case). `prev_hash` is the `hash` of
the row before, or GENESIS (64 zeros) for the first row. Because the row id is covered, moving an
entry to another id, inserting one or deleting one breaks the chain at that point.

Changing any of this is a new format version, never an edit of this one.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from datetime import UTC, datetime
from typing import Any

FORMAT = "openipt-audit-v1"
GENESIS = "0" * 64


def canonical_ip(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return value


def canonical_bytes(
    *,
    id: int,
    at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    organisation_id: int | None,
    client_id: int | None,
    object_type: str,
    object_id: str,
    ip_address: str | None,
    prev_hash: str,
) -> bytes:
    fields: list[Any] = [
        FORMAT,
        id,
        at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        actor_id,
        actor_label,
        action,
        organisation_id,
        client_id,
        object_type,
        object_id,
        canonical_ip(ip_address),
        prev_hash,
    ]
    return json.dumps(fields, ensure_ascii=True, separators=(",", ":")).encode("utf-8")


def row_hash(row: Any) -> str:
    """The hash of an AuditEvent (or any object with the same attributes) over its stored prev_hash."""
    data = canonical_bytes(
        id=row.id,
        at=row.at,
        actor_id=row.actor_id,
        actor_label=row.actor_label,
        action=row.action,
        organisation_id=row.organisation_id,
        client_id=row.client_id,
        object_type=row.object_type,
        object_id=row.object_id,
        ip_address=row.ip_address,
        prev_hash=row.prev_hash,
    )
    return hashlib.sha256(data).hexdigest()

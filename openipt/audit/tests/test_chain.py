"""The hash chain: each row hashes its own fields and the hash of the row before it."""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime

import pytest
from django.test import RequestFactory

from openipt.accounts.models import User
from openipt.audit.actions import record, record_reads
from openipt.audit.chain import GENESIS, canonical_bytes, canonical_ip, row_hash
from openipt.audit.models import AuditEvent, AuditHead
from openipt.audit.verify import verify_chain
from openipt.clients.models import Client


def test_it_documents_the_exact_bytes_a_hash_covers() -> None:
    data = canonical_bytes(
        id=7,
        at=datetime(2026, 3, 2, 9, 30, 15, 120, tzinfo=UTC),
        actor_id=3,
        actor_label="zoë",
        action="note.sign",
        organisation_id=1,
        client_id=None,
        object_type="notes.note",
        object_id="12",
        ip_address="2001:0DB8:0000::1",
        prev_hash=GENESIS,
    )
    assert data == (
        b'["openipt-audit-v1",7,"2026-03-02T09:30:15.000120Z",3,"zo\\u00eb","note.sign",1,null,'
        b'"notes.note","12","2001:db8::1","' + GENESIS.encode() + b'"]'
    )


def test_canonical_ip_leaves_nothing_to_interpretation() -> None:
    assert canonical_ip(None) is None
    assert canonical_ip("") is None
    assert canonical_ip("203.0.113.7") == "203.0.113.7"
    assert canonical_ip("2001:DB8:0:0::7") == "2001:db8::7"


def test_it_links_rows_in_the_order_they_were_written(alice: User, client_a: Client) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="2001:db8::7")
    record(alice, "client.view", obj=client_a, client_id=client_a.pk, request=request)
    record(None, "alert.escalate", client_id=client_a.pk)

    rows = list(AuditEvent.objects.order_by("id"))
    assert len(rows) >= 3  # client.create from the fixture, then ours
    assert rows[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(rows):
        assert after.id == before.id + 1
        assert after.prev_hash == before.hash
        assert after.at >= before.at
    for event in rows:
        event.refresh_from_db()  # hashes agree with what the database stored, not just memory
        assert event.hash == row_hash(event)
        assert (
            event.hash
            == hashlib.sha256(
                canonical_bytes(
                    **{
                        name: getattr(event, name)
                        for name in (
                            "id",
                            "at",
                            "actor_id",
                            "actor_label",
                            "action",
                            "organisation_id",
                            "client_id",
                            "object_type",
                            "object_id",
                            "ip_address",
                            "prev_hash",
                        )
                    }
                )
            ).hexdigest()
        )
    head = AuditHead.objects.get(pk=1)
    assert (head.last_id, head.hash) == (rows[-1].id, rows[-1].hash)
    assert verify_chain().intact


def test_the_head_is_rebuilt_from_the_newest_row_when_missing(alice: User, client_a: Client) -> None:
    newest = AuditEvent.objects.order_by("-id").first()
    assert newest is not None
    AuditHead.objects.all().delete()  # the head is a lock and a pointer, not evidence

    event = record(alice, "client.view", client_id=client_a.pk)

    assert (event.id, event.prev_hash) == (newest.id + 1, newest.hash)
    assert verify_chain().intact


def test_record_takes_two_queries(alice: User, client_a: Client, django_assert_num_queries) -> None:
    # lock the head, insert (a trigger moves the head)
    with django_assert_num_queries(2):
        record(alice, "client.view", client_id=client_a.pk)


def test_an_audit_row_cannot_be_saved_around_record(alice: User) -> None:
    with pytest.raises(ValueError, match="record only"):
        AuditEvent(at=datetime(2026, 3, 2, tzinfo=UTC), actor_label="x", action="x").save()


@pytest.mark.parametrize("address", ["203.0.113.7", "2001:DB8:0:0::7", None])
def test_a_list_pages_rows_hash_exactly_as_single_rows_do(
    alice: User, client_a: Client, address: str | None
) -> None:
    """`record_reads` prepares its shared fields once and hashes each row with `row_hash`; the
    rows must still verify byte for byte, with a non-ASCII name, IPv6 and no address at all."""
    alice.username = "alíce-ø"
    alice.save(update_fields=["username"])
    request = RequestFactory().get("/")
    if address is None:
        request.META.pop("REMOTE_ADDR", None)
    else:
        request.META["REMOTE_ADDR"] = address
    before = AuditHead.objects.get(pk=1).last_id
    ids = [client_a.pk, None, 10**12, client_a.pk]

    record_reads(alice, "caseload.view", ids, request=request)  # type: ignore[arg-type]

    rows = list(AuditEvent.objects.filter(id__gt=before).order_by("id"))
    assert [r.client_id for r in rows] == ids
    assert {r.actor_label for r in rows} == {"alíce-ø"}
    for event in rows:
        assert event.hash == row_hash(event)
        assert event.ip_address == canonical_ip(address)
    assert verify_chain().intact


def test_a_list_of_more_than_a_thousand_clients_is_written_whole(alice: User, client_a: Client) -> None:
    before = AuditHead.objects.get(pk=1).last_id

    record_reads(alice, "team.view", [client_a.pk] * 2345)

    assert AuditEvent.objects.filter(id__gt=before).count() == 2345
    head = AuditHead.objects.get(pk=1)
    assert head.last_id == before + 2345
    assert verify_chain().intact


def test_a_list_pages_action_too_long_for_its_column_is_refused_or_kept_whole_never_cut(
    alice: User, client_a: Client
) -> None:
    """Cut short on the way in, the stored row would no longer match its hash. PostgreSQL refuses
    the value (as it would from VALUES); SQLite keeps it whole. Either way the chain verifies."""
    from django.db import DataError, connection, transaction

    action = "read:" + "x" * 100
    before = AuditHead.objects.get(pk=1).last_id
    try:
        with transaction.atomic():
            record_reads(alice, action, [client_a.pk])
    except DataError:
        assert connection.vendor == "postgresql"
        assert AuditHead.objects.get(pk=1).last_id == before
    else:
        assert connection.vendor == "sqlite"
        assert AuditEvent.objects.get(id=before + 1).action == action
    assert verify_chain().intact

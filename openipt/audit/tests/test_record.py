"""`record`: one append-only audit row per action, with identifiers and never clinical values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from openipt.accounts.models import User
from openipt.audit.actions import client_ip, record
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.courses.models import Course
from openipt.measures.actions import record_response

NOW = datetime(2026, 3, 2, 9, 30, 15, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_it_records_who_did_what_to_which_record_from_where(alice: User, client_a: Client) -> None:
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7")

    event = record(alice, "client.update", obj=client_a, client_id=client_a.pk, request=request)

    event.refresh_from_db()
    assert event.at == NOW
    assert (event.actor, event.actor_label, event.organisation_id) == (alice, "alice", alice.organisation_id)
    assert (event.action, event.client_id) == ("client.update", client_a.pk)
    assert (event.object_type, event.object_id) == ("clients.client", str(client_a.pk))
    assert event.ip_address == "203.0.113.7"
    assert str(event) == f"2026-03-02 09:30:15 alice client.update clients.client:{client_a.pk}"


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_it_records_the_system_when_no_one_is_signed_in(actor: object, client_a: Client) -> None:
    event = record(actor, "alert.raise", client_id=client_a.pk)
    assert (event.actor, event.actor_label, event.organisation_id) == (None, "system", None)
    assert (event.object_type, event.object_id, event.ip_address) == ("", "", None)


def test_client_ip_is_none_without_a_request_or_an_address() -> None:
    assert client_ip(None) is None
    request = RequestFactory().get("/")
    request.META.pop("REMOTE_ADDR", None)
    assert client_ip(request) is None


def test_client_ip_ignores_a_forwarded_for_header_a_browser_can_set() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(request) == "10.0.0.1"


def test_an_audit_row_cannot_be_changed(alice: User) -> None:
    event = record(alice, "note.sign")
    event.action = "note.create"
    with pytest.raises(ValueError, match="cannot be changed"):
        event.save()
    event.refresh_from_db()
    assert event.action == "note.sign"


def test_rows_come_back_in_the_order_they_were_written(alice: User) -> None:
    before = AuditEvent.objects.count()
    for action in ("b.second", "a.first", "c.third"):
        record(alice, action)
    assert [e.action for e in AuditEvent.objects.all()[before:]] == ["b.second", "a.first", "c.third"]


def test_the_rows_of_a_clinical_action_carry_no_clinical_values(
    alice: User, client_a: Client, course_a: Course
) -> None:
    record_response(
        alice,
        client_a,
        instrument="phq9",
        answers=[3, 3, 3, 3, 3, 3, 3, 2, 2],
        session=course_a.sessions.first(),
    )
    rows = list(AuditEvent.objects.values())
    assert {row["action"] for row in rows} >= {
        "client.create",
        "course.start",
        "response.record",
        "alert.raise",
    }
    text = " ".join(str(value) for row in rows for value in row.values())
    for clinical in ("Maya", "Okafor", "NS-1", "1988-04-12", "severe", "suicidal"):
        assert clinical not in text


def test_it_records_the_address_the_trusted_proxy_saw(alice, settings, rf) -> None:
    from openipt.audit.actions import client_ip

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "203.0.113.7"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"  # without a trusted proxy the header is ignored
    assert client_ip(rf.get("/", REMOTE_ADDR="not an address")) is None

"""Mutation tests: tamper with the table behind the triggers' back; verify names the row."""

from __future__ import annotations

from datetime import timedelta

import pytest

from openipt.accounts.models import User
from openipt.audit.actions import record
from openipt.audit.chain import row_hash
from openipt.audit.models import AuditEvent
from openipt.audit.verify import verify_chain

from .helpers import execute, insert_row, row, set_row, swap, triggers_dropped


@pytest.fixture
def ids(alice: User) -> list[int]:
    """Five rows, ids consecutive from the first."""
    return [record(alice, f"client.view{n}", client_id=1).id for n in range(5)]


def test_an_untouched_chain_is_intact(ids: list[int]) -> None:
    result = verify_chain()
    assert result.intact
    assert result.rows == 5
    assert result.summary().startswith("Audit chain intact: 5 rows")


def test_an_empty_log_is_intact(db: None) -> None:
    assert verify_chain().summary().startswith("Audit chain intact: 0 rows")


@pytest.mark.parametrize(
    "change",
    [
        {"action": "client.update"},
        {"actor_label": "mallory"},
        {"client_id": 2},
        {"object_id": "99"},
        {"ip_address": "198.51.100.1"},
    ],
)
def test_it_names_an_edited_row(ids: list[int], change: dict) -> None:
    with triggers_dropped():
        set_row(ids[2], change)

    problem = verify_chain().problem
    assert problem is not None
    assert (problem.row_id, problem.kind) == (ids[2], "edited")


def test_it_names_a_row_whose_time_was_moved(ids: list[int]) -> None:
    event = AuditEvent.objects.get(pk=ids[1])
    with triggers_dropped():
        AuditEvent.objects.filter(pk=ids[1]).update(at=event.at - timedelta(hours=1))

    problem = verify_chain().problem
    assert problem is not None and (problem.row_id, problem.kind) == (ids[1], "edited")


def test_it_names_the_next_row_when_an_edit_was_rehashed(ids: list[int]) -> None:
    with triggers_dropped():
        set_row(ids[2], {"action": "client.update"})
        edited = AuditEvent.objects.get(pk=ids[2])
        set_row(ids[2], {"hash": row_hash(edited)})

    problem = verify_chain().problem
    assert problem is not None
    assert (problem.row_id, problem.kind) == (ids[3], "reordered")
    assert f"row {ids[2]} was rewritten" in problem.message


def test_it_reports_a_deleted_row_as_a_gap(ids: list[int]) -> None:
    with triggers_dropped():
        execute("DELETE FROM audit_auditevent WHERE id = %s", [ids[2]])

    result = verify_chain()
    assert result.problem is not None
    assert (result.problem.row_id, result.problem.kind) == (ids[2], "deleted")
    assert result.summary() == (
        f"Audit chain broken at row {ids[2]} (deleted): row {ids[2]} is missing between rows "
        f"{ids[1]} and {ids[3]}: deleted."
    )


def test_it_reports_several_deleted_rows(ids: list[int]) -> None:
    with triggers_dropped():
        execute("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", [ids[1], ids[2]])

    problem = verify_chain().problem
    assert problem is not None and problem.kind == "deleted"
    assert f"row {ids[1]}–{ids[2]} is missing" in problem.message


def test_it_reports_the_first_row_deleted(ids: list[int]) -> None:
    with triggers_dropped():
        execute("DELETE FROM audit_auditevent WHERE id = %s", [ids[0]])

    problem = verify_chain().problem
    assert problem is not None and (problem.row_id, problem.kind) == (ids[1], "deleted")


def test_it_reports_the_last_row_deleted(ids: list[int]) -> None:
    with triggers_dropped():
        execute("DELETE FROM audit_auditevent WHERE id = %s", [ids[4]])

    problem = verify_chain().problem
    assert problem is not None and (problem.row_id, problem.kind) == (ids[4], "deleted")
    assert f"ends at row {ids[3]} but its head names row {ids[4]}" in problem.message


def test_it_reports_two_rows_that_changed_places(ids: list[int]) -> None:
    with triggers_dropped():
        swap(ids[1], ids[2])
    assert row(ids[1])["action"] == "client.view2"

    problem = verify_chain().problem
    assert problem is not None
    assert (problem.row_id, problem.kind) == (ids[1], "reordered")
    assert f"does not follow row {ids[0]}" in problem.message


def test_it_reports_a_row_inserted_at_the_end(ids: list[int]) -> None:
    last = row(ids[4])
    forged = {**last, "action": "client.view", "prev_hash": last["hash"], "hash": "f" * 64}
    insert_row(ids[4] + 1, forged)

    problem = verify_chain().problem
    assert problem is not None and (problem.row_id, problem.kind) == (ids[4] + 1, "edited")


def test_it_reports_a_row_inserted_into_a_gap(ids: list[int]) -> None:
    original = row(ids[2])
    with triggers_dropped():
        execute("DELETE FROM audit_auditevent WHERE id = %s", [ids[2]])
        forged = {**original, "action": "client.update"}
        insert_row(ids[2], forged)

    problem = verify_chain().problem
    assert problem is not None and (problem.row_id, problem.kind) == (ids[2], "edited")

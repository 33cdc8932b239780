"""Two writers at once never chain off the same row (PostgreSQL; SQLite serialises writers)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from openipt.audit.actions import record
from openipt.audit.models import AuditEvent
from openipt.audit.verify import verify_chain

PER_THREAD = 40


@pytest.mark.django_db(transaction=True)
def test_two_threads_appending_at_once_leave_one_valid_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite IMMEDIATE transactions already serialise writers; the race needs PostgreSQL")
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            start.wait()
            for n in range(PER_THREAD):
                with transaction.atomic():
                    record(None, f"{name}.{n}", client_id=1)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert AuditEvent.objects.count() == 2 * PER_THREAD
    result = verify_chain()
    assert result.intact, result.summary()
    assert result.rows == 2 * PER_THREAD

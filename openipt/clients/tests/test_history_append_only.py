"""Version history is only ever added to: the database refuses to change or delete a history row."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from openipt.clients.actions import update_client
from openipt.clients.models import Client
from openipt.lib.db.guards import HISTORY_TABLES, installed_triggers


def test_every_history_table_has_its_guards(db: None) -> None:
    present = installed_triggers(connection)
    for table in HISTORY_TABLES:
        assert {f"{table}_no_update", f"{table}_no_delete"} <= present, table


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE clients_historicalclient SET family_name = 'Forged' WHERE history_id = %s",
        "DELETE FROM clients_historicalclient WHERE history_id = %s",
    ],
)
def test_the_database_refuses_to_rewrite_history(alice, client_a: Client, sql: str) -> None:
    update_client(alice, client_a, **{**_fields(client_a), "preferred_name": "May"})
    row = Client.history.filter(id=client_a.pk).order_by("history_id").first()
    assert row is not None
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [row.history_id])
    kept = Client.history.get(history_id=row.history_id)
    assert kept.family_name == row.family_name


def _fields(client: Client) -> dict:
    return {
        "clinic_identifier": client.clinic_identifier,
        "given_name": client.given_name,
        "family_name": client.family_name,
        "preferred_name": client.preferred_name,
        "date_of_birth": client.date_of_birth,
        "email": client.email,
        "phone": client.phone,
        "locale": client.locale,
        "team": client.team,
    }

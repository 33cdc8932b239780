"""Version history is only ever added to: the database refuses to change or delete a history row."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from openipt.clients.actions import update_client
from openipt.clients.models import Client
from openipt.lib.db.guards import HISTORY_TABLES, LATER_HISTORY_TABLES, installed_triggers, missing_triggers


def test_every_history_table_has_its_guards(db: None) -> None:
    present = installed_triggers(connection)
    for table in HISTORY_TABLES + LATER_HISTORY_TABLES:
        assert {f"{table}_no_update", f"{table}_no_delete"} <= present, table
    assert missing_triggers(connection) == []


def test_every_version_history_table_in_openipt_is_guarded(db: None) -> None:
    """A new app's history tables must be listed in guards (and get their triggers): this fails first."""
    from django.apps import apps

    tables = {
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.db_table.split("_", 1)[-1].startswith("historical")
        and m._meta.app_label not in {"simple_history"}
    }
    assert tables, "no history tables found: the test would be vacuous"
    assert sorted(tables - set(HISTORY_TABLES + LATER_HISTORY_TABLES)) == []


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

"""The database refuses any change or deletion of the diary's version-history rows, with the same
BEFORE UPDATE / BEFORE DELETE triggers and message as the history tables listed in
openipt/lib/db/guards.py (HISTORY_TABLES): history is only ever added to.

The triggers are made here rather than by listing the tables in HISTORY_TABLES, because the
migration that installs those (access 0002) runs before this app's tables may exist."""

from django.db import migrations

from openipt.lib.db import guards

TABLES = ["diary_historicaldiaryentry", "diary_historicaldiaryentry_people"]
TRIGGERS = [
    guards.Trigger(f"{table}_no_{event.lower()}", table, event, guards.HISTORY)
    for table in TABLES
    for event in ("UPDATE", "DELETE")
]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = [guards._sqlite(t) for t in TRIGGERS]
    elif vendor == "postgresql":
        statements = [guards.POSTGRES_FUNCTION, *(guards._postgres(t) for t in TRIGGERS)]
    else:
        statements = []
    for sql in statements:
        schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for t in TRIGGERS:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t.name}", params=None)
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t.name} ON {t.table}", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("diary", "0001_add_diary_entries"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]

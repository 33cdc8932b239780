"""The database refuses any change or deletion of the diary's version-history rows, with the same
BEFORE UPDATE / BEFORE DELETE triggers and message as the history tables listed in
openipt/lib/db/guards.py (HISTORY_TABLES): history is only ever added to.

The triggers are made here (the tables are in guards.LATER_HISTORY_TABLES, not HISTORY_TABLES),
because the migration that installs those (access 0002) runs before this app's tables may exist."""

from django.db import migrations

from openipt.lib.db.guards import create_sql, drop_sql

# Listed in openipt/lib/db/guards.py LATER_HISTORY_TABLES, so backups and restores check them too.
TABLES = ["diary_historicaldiaryentry", "diary_historicaldiaryentry_people"]


def create_triggers(apps, schema_editor):
    for sql in create_sql(schema_editor.connection.vendor, TABLES):
        schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor):
    for sql in drop_sql(schema_editor.connection.vendor, TABLES):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("diary", "0001_add_diary_entries"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]

"""The database refuses any change or deletion of a version-history row
(openipt/lib/db/guards.py, HISTORY_TABLES): history is only ever added to."""

from django.db import migrations

from openipt.lib.db.guards import HISTORY_TABLES, create_sql, drop_sql


def create_triggers(apps, schema_editor):
    for sql in create_sql(schema_editor.connection.vendor, HISTORY_TABLES):
        schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor):
    for sql in drop_sql(schema_editor.connection.vendor, HISTORY_TABLES):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
        ("clients", "0002_add_version_history"),
        ("courses", "0003_add_version_history"),
        ("inventory", "0002_add_version_history"),
        ("notes", "0003_add_version_history"),
        ("safety", "0003_add_version_history"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]

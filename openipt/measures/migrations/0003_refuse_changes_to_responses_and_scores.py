"""The database refuses any change or deletion of a completed response or its score
(openipt/lib/db/guards.py)."""

from django.db import migrations

from openipt.lib.db.guards import create_sql, drop_sql

TABLES = ["measures_response", "measures_score"]


def create_triggers(apps, schema_editor):
    for sql in create_sql(schema_editor.connection.vendor, TABLES):
        schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor):
    for sql in drop_sql(schema_editor.connection.vendor, TABLES):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("measures", "0002_add_instrument_permission_and_curves"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]

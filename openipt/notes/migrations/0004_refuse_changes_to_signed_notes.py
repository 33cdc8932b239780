"""The database refuses changes to signed notes and to addenda (openipt/lib/db/guards.py)."""

from django.db import migrations

from openipt.lib.db.guards import create_sql, drop_sql

TABLES = ["notes_note", "notes_addendum"]


def create_triggers(apps, schema_editor):
    for sql in create_sql(schema_editor.connection.vendor, TABLES):
        schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor):
    for sql in drop_sql(schema_editor.connection.vendor, TABLES):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("notes", "0003_add_version_history"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]

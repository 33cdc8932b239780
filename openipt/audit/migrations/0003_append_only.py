"""Unique links (no two rows chain off the same row) and the append-only triggers (triggers.py)."""

from django.db import migrations, models

from openipt.audit.triggers import create_sql, drop_sql


def create_triggers(apps, schema_editor):
    for sql in create_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor):
    for sql in drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_hash_chain"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]

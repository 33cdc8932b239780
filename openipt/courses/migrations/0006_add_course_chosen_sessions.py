"""Courses remember the session chosen for a task the protocol holds once (IPT-A's parent session).

Adding a column with a default rebuilds the course history table on SQLite, which drops its
append-only triggers (openipt/lib/db/guards.py): they are made again."""

from django.db import migrations, models

from openipt.lib.db.guards import remaking_triggers

TABLES = ["courses_historicalcourse"]


remake_triggers = remaking_triggers(TABLES)


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0005_add_contract_shared_with_client'),
        # the history triggers this remakes are first made there; run after it, never before
        ("access", "0002_history_is_append_only"),
    ]

    operations = [
        # in reverse this runs last, after the column is removed (another rebuild)
        migrations.RunPython(migrations.RunPython.noop, remake_triggers),
        migrations.AddField(
            model_name='course',
            name='chosen_sessions',
            field=models.JSONField(blank=True, default=dict, verbose_name='sessions chosen for tasks held once'),
        ),
        migrations.AddField(
            model_name='historicalcourse',
            name='chosen_sessions',
            field=models.JSONField(blank=True, default=dict, verbose_name='sessions chosen for tasks held once'),
        ),
        migrations.RunPython(remake_triggers, migrations.RunPython.noop),
    ]

"""Whether the treatment contract is shared with the client (shown in their portal). Adding the
column rebuilds the history table on SQLite, which drops its append-only triggers
(openipt/lib/db/guards.py): they are made again."""

from django.db import migrations, models

from openipt.lib.db.guards import remaking_triggers

TABLES = ["courses_historicalcontract"]


remake_triggers = remaking_triggers(TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0004_add_homework_client_answer"),
        # the history triggers this remakes are first made there; run after it, never before
        ("access", "0002_history_is_append_only"),
    ]

    operations = [
        # in reverse this runs last, after the column is removed (another rebuild)
        migrations.RunPython(migrations.RunPython.noop, remake_triggers),
        migrations.AddField(
            model_name="contract",
            name="shared_with_client",
            field=models.BooleanField(default=False, verbose_name="shared with the client"),
        ),
        migrations.AddField(
            model_name="historicalcontract",
            name="shared_with_client",
            field=models.BooleanField(default=False, verbose_name="shared with the client"),
        ),
        migrations.RunPython(remake_triggers, migrations.RunPython.noop),
    ]

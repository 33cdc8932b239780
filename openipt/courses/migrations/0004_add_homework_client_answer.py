"""The client's own answer to homework, from the portal. Adding columns rebuilds the history table
on SQLite, which drops its append-only triggers (openipt/lib/db/guards.py): they are made again."""

from django.db import migrations, models

from openipt.lib.db.guards import remaking_triggers

TABLES = ["courses_historicalhomework"]


remake_triggers = remaking_triggers(TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0003_add_version_history"),
        # the history triggers this remakes are first made there; run after it, never before
        ("access", "0002_history_is_append_only"),
    ]

    operations = [
        # in reverse this runs last, after the columns are removed (another rebuild)
        migrations.RunPython(migrations.RunPython.noop, remake_triggers),
        migrations.AddField(
            model_name="historicalhomework",
            name="client_reflection",
            field=models.TextField(blank=True, verbose_name="your thoughts"),
        ),
        migrations.AddField(
            model_name="historicalhomework",
            name="client_status",
            field=models.CharField(
                blank=True,
                choices=[("done", "Done"), ("partly", "Partly done"), ("not_done", "Not done")],
                max_length=16,
                verbose_name="how it went for you",
            ),
        ),
        migrations.AddField(
            model_name="historicalhomework",
            name="client_updated_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="homework",
            name="client_reflection",
            field=models.TextField(blank=True, verbose_name="your thoughts"),
        ),
        migrations.AddField(
            model_name="homework",
            name="client_status",
            field=models.CharField(
                blank=True,
                choices=[("done", "Done"), ("partly", "Partly done"), ("not_done", "Not done")],
                max_length=16,
                verbose_name="how it went for you",
            ),
        ),
        migrations.AddField(
            model_name="homework",
            name="client_updated_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(remake_triggers, migrations.RunPython.noop),
    ]

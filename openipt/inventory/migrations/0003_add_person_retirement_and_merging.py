"""People can be retired from the inventory (added by mistake, or merged into another record).
Adding the columns rebuilds the history table on SQLite, which drops its append-only triggers
(openipt/lib/db/guards.py): they are made again."""

import django.db.models.deletion
import django.db.models.manager
from django.conf import settings
from django.db import migrations, models

from openipt.lib.db.guards import remaking_triggers

TABLES = ["inventory_historicalperson"]


remake_triggers = remaking_triggers(TABLES)


class Migration(migrations.Migration):

    dependencies = [
        ('inventory', '0002_add_version_history'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # the history triggers this remakes are first made there; run after it, never before
        ("access", "0002_history_is_append_only"),
    ]

    operations = [
        # in reverse this runs last, after the columns are removed (another rebuild)
        migrations.RunPython(migrations.RunPython.noop, remake_triggers),
        migrations.AlterModelOptions(
            name='person',
            options={'base_manager_name': 'everyone', 'default_manager_name': 'objects', 'ordering': ['ring', 'name', 'id']},
        ),
        migrations.AlterModelManagers(
            name='person',
            managers=[
                ('everyone', django.db.models.manager.Manager()),
                ('objects', django.db.models.manager.Manager()),
            ],
        ),
        migrations.AddField(
            model_name='historicalperson',
            name='merged_into',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='inventory.person', verbose_name='merged into'),
        ),
        migrations.AddField(
            model_name='historicalperson',
            name='retired_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='retired'),
        ),
        migrations.AddField(
            model_name='historicalperson',
            name='retired_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalperson',
            name='retired_reason',
            field=models.CharField(blank=True, max_length=200, verbose_name='why it was retired'),
        ),
        migrations.AddField(
            model_name='person',
            name='merged_into',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='merged', to='inventory.person', verbose_name='merged into'),
        ),
        migrations.AddField(
            model_name='person',
            name='retired_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='retired'),
        ),
        migrations.AddField(
            model_name='person',
            name='retired_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='person',
            name='retired_reason',
            field=models.CharField(blank=True, max_length=200, verbose_name='why it was retired'),
        ),
        migrations.RunPython(remake_triggers, migrations.RunPython.noop),
    ]

"""Sessions get a start time, a length and a video link. Existing sessions keep their date, start
at 09:00 (on the clock of the organisation's time zone) and last as long as their protocol's
sessions. Adding the columns rebuilds the history table on SQLite, which drops its append-only
triggers (openipt/lib/db/guards.py): they are made again."""

import datetime

from django.db import migrations, models

from openipt.lib.db.guards import remaking_triggers

TABLES = ["courses_historicalsession"]


remake_triggers = remaking_triggers(TABLES)


def length_from_protocol(apps, schema_editor):
    """Each existing session lasts as long as its course's protocol says (09:00 is the default)."""
    from openipt.protocols import get_protocols

    Session = apps.get_model("courses", "Session")
    for key, protocol in get_protocols().items():
        Session.objects.filter(course__protocol_key=key).update(duration_minutes=protocol.session_minutes)


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0006_add_course_chosen_sessions'),
        # the history triggers this remakes are first made there; run after it, never before
        ("access", "0002_history_is_append_only"),
    ]

    operations = [
        # in reverse this runs last, after the columns are removed (another rebuild)
        migrations.RunPython(migrations.RunPython.noop, remake_triggers),
        migrations.AddField(
            model_name='historicalsession',
            name='duration_minutes',
            field=models.PositiveSmallIntegerField(default=50, verbose_name='length (minutes)'),
        ),
        migrations.AddField(
            model_name='historicalsession',
            name='start_time',
            field=models.TimeField(default=datetime.time(9, 0), verbose_name='time'),
        ),
        migrations.AddField(
            model_name='historicalsession',
            name='video_url',
            field=models.URLField(blank=True, max_length=500, verbose_name='video link'),
        ),
        migrations.AddField(
            model_name='session',
            name='duration_minutes',
            field=models.PositiveSmallIntegerField(default=50, verbose_name='length (minutes)'),
        ),
        migrations.AddField(
            model_name='session',
            name='start_time',
            field=models.TimeField(default=datetime.time(9, 0), verbose_name='time'),
        ),
        migrations.AddField(
            model_name='session',
            name='video_url',
            field=models.URLField(blank=True, max_length=500, verbose_name='video link'),
        ),
        migrations.RunPython(length_from_protocol, migrations.RunPython.noop),
        migrations.RunPython(remake_triggers, migrations.RunPython.noop),
    ]


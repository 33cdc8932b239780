"""The hash chain: prev_hash and hash on every row, and the head singleton.

Rows written before this migration are chained in id order with the v1 format (chain.py).
"""

from django.db import migrations, models

from openipt.audit.chain import GENESIS, row_hash


def chain_existing_rows(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditHead = apps.get_model("audit", "AuditHead")
    db = schema_editor.connection.alias
    prev = GENESIS
    last_id = 0
    for event in AuditEvent.objects.using(db).order_by("id").iterator(chunk_size=2000):
        event.prev_hash = prev
        event.hash = row_hash(event)
        AuditEvent.objects.using(db).filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
        prev, last_id = event.hash, event.pk
    AuditHead.objects.using(db).create(id=1, last_id=last_id, hash=prev)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("last_id", models.BigIntegerField(default=0)),
                ("hash", models.CharField(default=GENESIS, max_length=64)),
            ],
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
    ]

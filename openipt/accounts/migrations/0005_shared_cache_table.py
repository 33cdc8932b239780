"""The shared cache table (settings.CACHES): created here so every install, test database and
restored backup has it without a separate `createcachetable` step."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_add_user_session")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False)]

"""The table of Django's database cache (``rustmail_cache``), made by ``migrate`` rather than by a
separate ``createcachetable``: the default cache when ``REDIS_URL`` is unset (rate limits and
cooldowns that survive a restart)."""

from django.db import migrations

TABLE = "rustmail_cache"


def create_cache_table(apps, schema_editor):
    from django.core.management.commands.createcachetable import Command

    command = Command()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]

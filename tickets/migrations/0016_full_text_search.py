"""Full-text search over messages and tickets, kept by the database's own triggers.

PostgreSQL: a trigger-maintained ``search_vector`` tsvector column with a GIN index on
``tickets_ticketmessage`` and ``tickets_ticket``, in the bot's language. SQLite: two FTS5 tables kept
by triggers. The statements live in ``tickets.search.schema`` (also used to repair the SQLite
triggers after a later migration rebuilds a table).
"""

from django.db import migrations

from tickets.search import schema


def install(apps, schema_editor):
    schema.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    schema.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0015_stored_attachments"),
    ]

    operations = [migrations.RunPython(install, uninstall)]

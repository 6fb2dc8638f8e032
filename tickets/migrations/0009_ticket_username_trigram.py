"""A trigram index for the panel's "user name contains" filter, on PostgreSQL only.

``user_name__icontains`` reads ``UPPER(user_name) LIKE UPPER('%...%')``, which no B-tree serves: with
pg_trgm's GIN index on the same expression, PostgreSQL finds the few matching tickets at once
instead of scanning the table. pg_trgm is a trusted extension (PostgreSQL 13+), so the database's
owner may create it; where that is refused the filter still works, by scanning. SQLite scans.
"""

import logging

from django.db import DatabaseError, migrations, transaction

log = logging.getLogger("tickets.migrations")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                "CREATE INDEX IF NOT EXISTS ticket_username_trgm "
                "ON tickets_ticket USING gin (UPPER(user_name::text) gin_trgm_ops)"
            )
    except DatabaseError as error:
        log.warning("No trigram index on ticket user names (the name filter scans instead): %s", error)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS ticket_username_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0008_redirect_url_from_request"),
    ]

    operations = [migrations.RunPython(create, drop)]

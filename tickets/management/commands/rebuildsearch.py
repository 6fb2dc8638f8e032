"""``manage.py rebuildsearch``: index every message and ticket again for full-text search."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connections, transaction

from tickets.search import schema


class Command(BaseCommand):
    help = (
        "Index every message and ticket again for full-text search: after a change of the bot's "
        "language on PostgreSQL (older messages keep the previous language's stemming until then)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--database", default="default", help="Database alias (default: default).")

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        with transaction.atomic(using=connection.alias):
            schema.ensure(connection)
            schema.rebuild(connection)
        self.stdout.write("Search index rebuilt.")

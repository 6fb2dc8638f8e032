"""After ``migrate``: put back the search triggers a later migration may have dropped."""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

from . import schema


def repair_search_index(*, using: str = "default", **kwargs: Any) -> None:
    """``post_migrate`` receiver of the tickets app: see :func:`tickets.search.schema.ensure`."""
    connection = connections[using]
    applied = MigrationRecorder(connection).applied_migrations()
    if ("tickets", "0016_full_text_search") in applied:
        schema.ensure(connection)

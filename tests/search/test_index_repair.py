"""On SQLite, Django rebuilds a table to alter it, which drops its triggers: after ``migrate`` the
search index's triggers come back and the index is refilled."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.signals import post_migrate
from django.utils import timezone

from tickets.models import Ticket, TicketMessage
from tickets.search import schema, search_tickets
from tickets.search.signals import repair_search_index

pytestmark = pytest.mark.django_db


def test_the_repair_runs_after_every_migrate():
    sync_receivers, _async = post_migrate._live_receivers(apps.get_app_config("tickets"))
    assert repair_search_index in sync_receivers


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps triggers when altering a table")
def test_lost_triggers_are_put_back_and_what_was_missed_is_indexed():
    ticket = Ticket.objects.create(user_id=1, user_name="Before")
    with connection.cursor() as cursor:
        for name in schema.SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    TicketMessage.objects.create(
        ticket=ticket,
        kind="user",
        author_id=1,
        author_name="x",
        content="missed words",
        created_at=timezone.now(),
    )
    assert search_tickets(text="missed").total == 0

    repair_search_index(using="default")

    assert search_tickets(text="missed").ticket_ids == [ticket.pk]
    assert search_tickets(text="before").ticket_ids == [ticket.pk]
    assert not schema.ensure(connection)  # nothing left to repair


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps triggers when altering a table")
@pytest.mark.parametrize("with_tickets", [False, True])
def test_only_a_database_with_tickets_warns_of_the_rebuild(caplog, with_tickets):
    """A new database (``make run``'s first start) sets its index up quietly; an existing one warns
    that it is being indexed again."""
    if with_tickets:
        Ticket.objects.create(user_id=4, user_name="Existing")
    with connection.cursor() as cursor:
        for name in schema.SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    with caplog.at_level("DEBUG", logger="tickets.search"):
        assert schema.ensure(connection)
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert bool(warnings) is with_tickets
    assert not schema.ensure(connection)


def test_the_index_can_be_rebuilt_from_what_is_stored():
    ticket = Ticket.objects.create(user_id=2, user_name="Rebuilt")
    TicketMessage.objects.create(
        ticket=ticket,
        kind="user",
        author_id=2,
        author_name="x",
        content="kept words",
        created_at=timezone.now(),
    )
    schema.rebuild(connection)
    assert search_tickets(text="kept").ticket_ids == [ticket.pk]


def test_rebuildsearch_indexes_again_in_the_bots_current_language():
    from django.core.management import call_command

    from tickets.models import BotConfig

    ticket = Ticket.objects.create(user_id=3, user_name="Lang")
    TicketMessage.objects.create(
        ticket=ticket,
        kind="user",
        author_id=3,
        author_name="x",
        content="remboursements",
        created_at=timezone.now(),
    )
    config = BotConfig.load()
    config.language_default_language = "fr"
    config.save()
    call_command("rebuildsearch", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert search_tickets(text="remboursement").ticket_ids == [ticket.pk]

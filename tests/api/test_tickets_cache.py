"""``GET /api/bot/tickets`` pages are cached until the next write: a write (through the ORM, a bulk
update or raw SQL, from any connection) makes the next page fresh; callers who may see different
categories never share a page; a cached page costs no ticket query."""

from __future__ import annotations

import os
import threading
import uuid

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from panel import ticketcache
from tickets.models import Ticket, TicketMessage

from .conftest import SECRET_CATEGORY, STAFF_ROLE, Permission
from .test_tickets import make_ticket

URL = "/api/bot/tickets"

pytestmark = pytest.mark.django_db(transaction=True)  # committed writes: the cache is on


@pytest.fixture(autouse=True)
def _fresh_pages(settings):
    """Redis as the shared cache (the cache is off on the database cache), a key prefix of its own."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/0"),
            "KEY_PREFIX": f"test-tickets-cache-{uuid.uuid4().hex}",
        }
    }
    ticketcache.clear()
    yield
    ticketcache.clear()


DATABASE_CACHE = {"default": {"BACKEND": "rustmail.cache.AtomicDatabaseCache", "LOCATION": "rustmail_cache"}}


def test_without_redis_the_stamp_costs_no_sql(settings) -> None:
    """On the database cache the stamp would cost a statement per write: on SQLite it is a file's
    modification time beside the database file instead; on PostgreSQL the cache is off."""
    settings.CACHES = DATABASE_CACHE
    sqlite = connection.vendor == "sqlite"
    assert ticketcache.enabled() == sqlite
    before = ticketcache.stamp() if sqlite else None
    with CaptureQueriesContext(connection) as captured:
        Ticket.objects.filter(pk=0).update(label="x")
    assert not any("rustmail_cache" in q["sql"] for q in captured)
    if sqlite:
        assert ticketcache.stamp() != before
        assert os.path.exists(f"{connection.settings_dict['NAME']}.pages")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the file stamp is SQLite's")
def test_on_sqlite_a_write_of_another_connection_makes_the_next_page_fresh(settings, login) -> None:
    settings.CACHES = DATABASE_CACHE
    staff = login(roles=(STAFF_ROLE,), grants=(Permission.VIEW_PANEL,))
    make_ticket(user_name="alice")
    assert names(staff) == ["alice"]
    assert ticket_queries(staff) == []  # kept

    def elsewhere() -> None:
        try:
            make_ticket(user_name="bob")
        finally:
            connections.close_all()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert names(staff) == ["alice", "bob"]


@pytest.fixture
def staff(login):
    """A staff member holding ViewPanel who may not view the secret category."""
    return login(roles=(STAFF_ROLE,), grants=(Permission.VIEW_PANEL,))


def names(client) -> list[str]:
    response = client.get(URL)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return sorted(thread["user_name"] for thread in response.json()["threads"])


def ticket_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return [q["sql"] for q in captured if "tickets_ticket" in q["sql"]]


def test_the_cache_is_on_for_this_configuration() -> None:
    assert ticketcache.enabled()


def test_a_cached_page_reads_no_ticket_and_equals_the_fresh_one(staff) -> None:
    make_ticket(messages=2, user_name="alice")
    fresh = staff.get(URL).json()
    assert ticket_queries(staff) == []
    assert staff.get(URL).json() == fresh


def test_every_kind_of_write_makes_the_next_page_fresh(staff) -> None:
    ticket = make_ticket(messages=1, user_name="alice")
    assert names(staff) == ["alice"]

    make_ticket(user_name="bob")  # save()
    assert names(staff) == ["alice", "bob"]

    Ticket.objects.filter(pk=ticket.pk).update(user_name="carol")  # QuerySet.update()
    assert names(staff) == ["bob", "carol"]

    with connection.cursor() as cursor:  # raw SQL, as the relay writes
        cursor.execute(
            f"UPDATE {Ticket._meta.db_table} SET user_name = %s WHERE user_name = %s", ["dave", "bob"]
        )
    assert names(staff) == ["carol", "dave"]

    TicketMessage.objects.create(
        ticket=ticket,
        kind=TicketMessage.Kind.USER,
        author_id=1,
        author_name="carol",
        content="hello",
        created_at=timezone.now(),
        message_number=1,
    )
    [thread] = [t for t in staff.get(URL).json()["threads"] if t["user_name"] == "carol"]
    assert "hello" in [m["content"] for m in thread["messages"]]

    Ticket.objects.filter(pk=ticket.pk).delete()  # cascades to the messages
    assert names(staff) == ["dave"]


def test_a_write_on_another_connection_makes_the_next_page_fresh(staff) -> None:
    make_ticket(user_name="alice")
    assert names(staff) == ["alice"]

    def elsewhere() -> None:  # a thread has its own connection, as another process would
        try:
            Ticket.objects.filter(user_name="alice").update(user_name="erin")
        finally:
            connections.close_all()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert names(staff) == ["erin"]


def test_a_page_waits_for_the_commit(staff) -> None:
    make_ticket(user_name="alice")
    assert names(staff) == ["alice"]
    before = ticketcache.stamp()
    with transaction.atomic():
        Ticket.objects.filter(user_name="alice").update(user_name="frank")
        assert ticketcache.stamp() == before  # not yet: nothing is committed
    assert ticketcache.stamp() != before
    assert names(staff) == ["frank"]


def test_a_caller_never_gets_a_cached_page_with_a_category_they_may_not_view(staff, super_admin) -> None:
    make_ticket(user_name="public")
    make_ticket(user_name="secret", category_id=SECRET_CATEGORY)

    assert names(super_admin) == ["public", "secret"]  # cached for an admin first
    assert names(staff) == ["public"]
    assert names(super_admin) == ["public", "secret"]
    assert names(staff) == ["public"]


def test_reads_do_not_replace_the_stamp(staff) -> None:
    make_ticket(user_name="alice")
    names(staff)
    before = ticketcache.stamp()
    names(staff)
    staff.get(URL, {"id": str(Ticket.objects.get().pk)})
    assert ticketcache.stamp() == before


def test_statements_that_change_tickets_are_recognised() -> None:
    assert ticketcache.writes_tickets('UPDATE "tickets_ticket" SET "label" = %s')
    assert ticketcache.writes_tickets("  insert into tickets_ticketmessage (id) values (1)")
    assert ticketcache.writes_tickets('DELETE FROM "tickets_attachment" WHERE id = 1')
    assert not ticketcache.writes_tickets('SELECT * FROM "tickets_ticket"')
    assert not ticketcache.writes_tickets('UPDATE "rustmail_cache" SET value = %s')

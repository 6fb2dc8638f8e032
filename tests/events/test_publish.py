"""``tickets.events.publish``: in the caller's transaction, typed names, trimming."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tickets.events import EventType, catch_up, events_after, latest_id, publish, trim
from tickets.models import LiveEvent, Ticket


def _seen_from_another_connection() -> list[str]:
    """The event types another connection (another process, in effect) can read now."""
    found: list[str] = []

    def read() -> None:
        try:
            found.extend(LiveEvent.objects.values_list("type", flat=True))
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return found


@pytest.mark.django_db(transaction=True)
def test_an_event_is_visible_to_other_processes_only_once_its_transaction_commits() -> None:
    with transaction.atomic():
        publish(EventType.BOT_STATUS, data={"status": "running"})
        assert _seen_from_another_connection() == []
    assert _seen_from_another_connection() == ["bot.status"]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_publishes_nothing() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(EventType.CONFIG_UPDATED, data={"sections": ["bot"]})
        raise RuntimeError("the change failed")
    with transaction.atomic():
        publish(EventType.TICKET_OPENED, ticket_id=uuid.uuid4(), category_id=5)
        try:
            with transaction.atomic():  # a savepoint rolled back inside a committed transaction
                publish(EventType.TICKET_CLOSED, ticket_id=uuid.uuid4(), category_id=5)
                raise ValueError
        except ValueError:
            pass
    assert _seen_from_another_connection() == ["ticket.opened"]


@pytest.mark.django_db
def test_a_ticket_gives_its_id_and_category() -> None:
    ticket = Ticket.objects.create(user_id=1, user_name="alice", category_id=777)
    publish(EventType.TICKET_UPDATED, ticket=ticket, data={"change": "taken", "at": timezone.now()})
    (event,) = events_after(0, limit=10)
    assert (event.type, event.ticket_id, event.category_id) == ("ticket.updated", str(ticket.pk), 777)
    assert event.data["change"] == "taken"
    assert isinstance(event.data["at"], str)  # datetimes are stored as ISO text
    frame = event.as_json()
    assert frame["category_id"] == "777"  # snowflakes travel as strings


@pytest.mark.django_db
def test_an_unknown_event_name_is_refused() -> None:
    with pytest.raises(ValueError):
        publish("ticket.exploded")
    assert not LiveEvent.objects.exists()


@pytest.mark.django_db
def test_trim_deletes_old_events_but_keeps_the_newest() -> None:
    old = timezone.now() - timedelta(hours=2)
    for _ in range(3):
        publish(EventType.BOT_STATUS)
    LiveEvent.objects.update(created_at=old)
    publish(EventType.BOT_STATUS)
    newest = latest_id()
    assert trim(older_than=timedelta(hours=1)) == 3
    assert list(LiveEvent.objects.values_list("id", flat=True)) == [newest]
    LiveEvent.objects.update(created_at=old)
    assert trim(older_than=timedelta(hours=1)) == 0  # the newest stays: it dates the stream


@pytest.mark.django_db
def test_catch_up_is_complete_only_when_nothing_in_between_was_trimmed(settings) -> None:
    ids = []
    for _ in range(5):
        publish(EventType.BOT_STATUS)
        ids.append(latest_id())
    assert [e.id for e in catch_up(ids[1]).events] == ids[2:]
    assert catch_up(ids[1]).complete
    LiveEvent.objects.filter(id__lte=ids[2]).delete()
    assert not catch_up(ids[1]).complete  # ids[2] is gone
    assert catch_up(ids[2]).complete
    settings.LIVE_EVENTS_CATCH_UP = 1
    assert not catch_up(ids[2]).complete  # two waiting, one allowed
    assert not catch_up(ids[-1] + 10).complete  # from beyond the stream: the database was replaced

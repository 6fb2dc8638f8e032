"""What must never happen, under real concurrency (threads, each with its own connection)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection, connections

from tickets import services
from tickets.models import Ticket, TicketMessage

from .conftest import USER

THREADS = 50


def _connect(within: float = 60.0) -> None:
    """This thread's database connection, waiting while the server has no slot free (the rest of
    the suite runs beside this test and holds connections too)."""
    deadline = time.monotonic() + within
    while True:
        try:
            connection.ensure_connection()
            return
        except OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _run_concurrently(target, count: int) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            try:
                _connect()  # before the start line: only the work itself runs at once
            except BaseException:
                barrier.abort()
                raise
            barrier.wait()
            target(index)
        except BaseException as error:  # collected and asserted on by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_fifty_first_messages_at_once_open_one_ticket_holding_all_of_them(scene):
    sent = [scene.discord.user_writes_dm(USER, f"message {i}") for i in range(THREADS)]

    def relay(index: int) -> None:
        services.user_message_relay(
            user_id=USER,
            user_name="alice",
            dm_message_id=sent[index].id,
            dm_channel_id=sent[index].channel_id,
            content=sent[index].content,
            port=scene.discord,
        )

    assert _run_concurrently(relay, THREADS) == []
    ticket = Ticket.objects.get(user_id=USER)
    assert TicketMessage.objects.filter(ticket=ticket, kind="user").count() == THREADS
    assert len(scene.discord.text_channels()) == 2  # the logs channel and the one ticket channel
    copies = [m for m in scene.discord.channel_messages(ticket.channel_id) if "message " in m.text]
    assert len(copies) == THREADS


@pytest.mark.django_db(transaction=True)
def test_fifty_replies_at_once_are_numbered_one_to_fifty(scene):
    scene.dm(USER, "hello")
    ticket = Ticket.objects.get(user_id=USER)
    staff = services.StaffIdentity(scene.staff, "Staffer")

    def reply(index: int) -> None:
        services.ticket_reply(
            ticket=Ticket.objects.get(pk=ticket.pk), staff=staff, content=f"reply {index}", port=scene.discord
        )

    assert _run_concurrently(reply, THREADS) == []
    numbers = sorted(
        TicketMessage.objects.filter(ticket=ticket, kind="staff").values_list("message_number", flat=True)
    )
    assert numbers == list(range(1, THREADS + 1))
    ticket.refresh_from_db()
    assert ticket.next_message_number == THREADS + 1


@pytest.mark.django_db(transaction=True)
def test_two_open_tickets_for_one_user_are_refused_by_the_database(scene):
    from django.db import IntegrityError, transaction

    Ticket.objects.create(user_id=USER, user_name="alice")
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.create(user_id=USER, user_name="alice")
    Ticket.objects.update(status=Ticket.Status.CLOSED)
    Ticket.objects.create(user_id=USER, user_name="alice")
    assert Ticket.objects.filter(user_id=USER).count() == 2
    assert connection.vendor in ("postgresql", "sqlite")

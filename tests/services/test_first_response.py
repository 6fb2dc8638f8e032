"""Each ticket's first staff response, stored for the statistics: set once, by the first staff
reply (anonymous or not), never by notes or the user's messages, never on a ticket staff opened."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tickets import services
from tickets.errors import DiscordFailure
from tickets.models import Ticket, TicketMessage
from tickets.services.first_response import refresh_first_responses

from .conftest import OTHER, USER


@pytest.fixture
def ticket(scene):
    scene.dm(USER, "help me")
    return Ticket.objects.get(user_id=USER)


def staff(user_id: int, name: str = "Staffer") -> services.StaffIdentity:
    return services.StaffIdentity(user_id, name, "Moderator")


def stored(ticket: Ticket) -> tuple:
    ticket.refresh_from_db()
    return ticket.first_response_at, ticket.first_response_by


def test_a_new_ticket_has_no_first_response(ticket):
    assert stored(ticket) == (None, None)


def test_the_first_staff_reply_sets_it_once(scene, ticket):
    first = services.ticket_reply(
        ticket=ticket, staff=staff(scene.staff), content="Hello", port=scene.discord
    )
    assert stored(ticket) == (first.created_at, scene.staff)
    scene.dm(USER, "thanks")
    services.ticket_reply(ticket=ticket, staff=staff(OTHER, "Second"), content="Me too", port=scene.discord)
    services.ticket_reply(ticket=ticket, staff=staff(scene.staff), content="Again", port=scene.discord)
    assert stored(ticket) == (first.created_at, scene.staff)
    assert TicketMessage.objects.filter(ticket=ticket, kind="staff").count() == 3


def test_an_anonymous_reply_is_a_response(scene, ticket):
    reply = services.ticket_reply(
        ticket=ticket, staff=staff(scene.staff), content="Secret", anonymous=True, port=scene.discord
    )
    assert stored(ticket) == (reply.created_at, scene.staff)


def test_notes_and_the_users_messages_are_not_responses(scene, ticket):
    services.note_add(ticket=ticket, author=staff(scene.staff), content="between us", inbox_message_id=555)
    scene.dm(USER, "anyone?")
    assert stored(ticket) == (None, None)
    reply = services.ticket_reply(ticket=ticket, staff=staff(scene.staff), content="Yes", port=scene.discord)
    assert stored(ticket) == (reply.created_at, scene.staff)


def test_a_reply_discord_refused_is_not_the_first_response(scene, ticket):
    scene.discord.closed_dms.add(USER)
    with pytest.raises(DiscordFailure):
        services.ticket_reply(ticket=ticket, staff=staff(scene.staff), content="hello?", port=scene.discord)
    assert stored(ticket) == (None, None)
    scene.discord.closed_dms.discard(USER)
    reply = services.ticket_reply(
        ticket=ticket, staff=staff(OTHER, "Other"), content="Hi", port=scene.discord
    )
    assert stored(ticket) == (reply.created_at, OTHER)


def test_a_ticket_opened_by_staff_has_none(scene):
    ticket = services.ticket_open_by_staff(user_id=USER, staff_id=scene.staff, port=scene.discord)
    services.ticket_reply(ticket=ticket, staff=staff(scene.staff), content="We need you", port=scene.discord)
    assert stored(ticket) == (None, None)


def test_refreshing_takes_the_earliest_staff_reply(scene, ticket):
    """What the migration does for the tickets that existed before: the earliest staff reply,
    whatever order the replies were stored in; notes ignored."""
    opened = ticket.created_at
    for kind, author, minutes in (
        ("staff", OTHER, 30),
        ("internal", scene.staff, 5),
        ("staff", scene.staff, 10),
    ):
        TicketMessage.objects.create(
            ticket=ticket,
            kind=kind,
            author_id=author,
            content="x",
            created_at=opened + timedelta(minutes=minutes),
        )
    assert refresh_first_responses(Ticket.objects.filter(pk=ticket.pk)) == 1
    assert stored(ticket) == (opened + timedelta(minutes=10), scene.staff)
    marked = TicketMessage.objects.filter(ticket=ticket, first_of_author=True)
    assert sorted(marked.values_list("author_id", "created_at")) == sorted(
        [(OTHER, opened + timedelta(minutes=30)), (scene.staff, opened + timedelta(minutes=10))]
    )


def firsts(ticket: Ticket) -> list[tuple[int, str]]:
    """(author, text) of the replies marked as their author's first in the ticket."""
    marked = TicketMessage.objects.filter(ticket=ticket, first_of_author=True).order_by("created_at", "id")
    return list(marked.values_list("author_id", "content"))


def test_each_staff_members_first_reply_is_marked_once(scene, ticket):
    services.note_add(ticket=ticket, author=staff(OTHER), content="note first", inbox_message_id=556)
    for who, text in ((scene.staff, "one"), (scene.staff, "two"), (OTHER, "three"), (scene.staff, "four")):
        services.ticket_reply(ticket=ticket, staff=staff(who), content=text, port=scene.discord)
    assert firsts(ticket) == [(scene.staff, "one"), (OTHER, "three")]


def test_a_refused_first_reply_hands_the_mark_to_the_next(scene, ticket):
    services.ticket_reply(ticket=ticket, staff=staff(OTHER, "Other"), content="first", port=scene.discord)
    scene.discord.closed_dms.add(USER)
    with pytest.raises(DiscordFailure):
        services.ticket_reply(ticket=ticket, staff=staff(scene.staff), content="refused", port=scene.discord)
    scene.discord.closed_dms.discard(USER)
    services.ticket_reply(ticket=ticket, staff=staff(scene.staff), content="sent", port=scene.discord)
    assert firsts(ticket) == [(OTHER, "first"), (scene.staff, "sent")]

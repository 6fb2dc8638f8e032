"""``!logs search <words>`` and ``/logs query:``: full-text search of every ticket from Discord, end
to end (the real bot against the emulator); deleted messages count for administrators only."""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone

from tickets.models import Ticket, TicketMessage

from .conftest import Modmail, bot_says, text_of
from .conftest import slash_said as slash

MESSAGE_IDS = itertools.count(790_000_000_000_000_001)
pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def past_conversation(modmail: Modmail, user_id: int, name: str, *lines: str) -> Ticket:
    """A closed ticket of the user with these messages."""

    def create() -> Ticket:
        ticket = Ticket.objects.create(
            user_id=user_id, user_name=name, status=Ticket.Status.CLOSED, closed_at=timezone.now()
        )
        for line in lines:
            TicketMessage.objects.create(
                ticket=ticket,
                kind=TicketMessage.Kind.USER,
                author_id=user_id,
                author_name=name,
                content=line,
                created_at=timezone.now(),
                dm_message_id=next(MESSAGE_IDS),
                inbox_message_id=next(MESSAGE_IDS),
            )
        return ticket

    return await modmail.db(create)


async def test_logs_search_finds_past_conversations_in_both_forms(modmail):
    alice, bob = modmail.demo.user_ids[0], modmail.demo.user_ids[1]
    channel = modmail.demo.general_channel_id
    refunded = await past_conversation(modmail, alice, "Alice", "Where is my refund? I paid by card")
    paypal = await past_conversation(modmail, bob, "Bob", "refund through paypal please")

    await modmail.staff_says(channel, "!logs search refund -paypal")
    typed = text_of(await bot_says(modmail, channel, "Tickets matching"))
    assert str(refunded.pk) in typed and str(paypal.pk) not in typed
    assert "**refund**" in typed and "1 of 1 ticket" in typed

    answer = await slash(modmail, "logs", channel, {"query": "paypal OR card"})
    assert answer["flags"] & 64
    assert str(refunded.pk) in text_of(answer) and str(paypal.pk) in text_of(answer)

    by_name = await slash(modmail, "logs", channel, {"query": "bob"})
    assert str(paypal.pk) in text_of(by_name) and str(refunded.pk) not in text_of(by_name)


async def test_logs_search_without_words_or_with_no_match_says_so(modmail):
    channel = modmail.demo.general_channel_id
    await modmail.staff_says(channel, "!logs search")
    await bot_says(modmail, channel, "Write what to search for")
    await modmail.staff_says(channel, '!logs search "nothing like this')
    await bot_says(modmail, channel, "No ticket matches")
    await modmail.staff_says(channel, "!logs someone-unknown")
    await bot_says(modmail, channel, "logs search <words>")


async def test_a_deleted_message_is_found_by_administrators_only(modmail):
    user = modmail.demo.user_ids[0]
    channel = modmail.demo.general_channel_id
    ticket = await past_conversation(modmail, user, "Alice", "my password is swordfish")
    await modmail.db(lambda: TicketMessage.objects.filter(ticket=ticket).update(deleted_at=timezone.now()))

    staff = await slash(modmail, "logs", channel, {"query": "swordfish"})
    assert "No ticket matches" in text_of(staff)
    admin = await slash(modmail, "logs", channel, {"query": "swordfish"}, user_id=modmail.demo.admin_id)
    assert str(ticket.pk) in text_of(admin)

"""A user's DMs reach their ticket channel, and staff replies reach the user."""

from __future__ import annotations

import pytest

from tickets.models import Ticket, TicketMessage

from .conftest import text_of

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_a_first_dm_opens_a_ticket_channel_in_the_inbox(modmail):
    user = modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user, "My order never arrived")
    channel = modmail.emu.channel(ticket.channel_id)
    assert int(channel["parent_id"]) == modmail.demo.inbox_category_id
    welcome = await modmail.emu.wait_for_dm(user, lambda m: "✅" not in text_of(m))
    assert text_of(welcome)
    stored = await modmail.db(
        lambda: list(TicketMessage.objects.filter(ticket=ticket).values_list("content", flat=True))
    )
    assert stored == ["My order never arrived"]


async def test_a_text_reply_reaches_the_user_and_is_numbered(modmail):
    user = modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    command = await modmail.staff_says(ticket.channel_id, "!reply We are on it")
    dm = await modmail.emu.wait_for_dm(user, lambda m: "We are on it" in text_of(m))
    assert dm
    copy = await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "#1" in text_of(m))
    assert "We are on it" in text_of(copy)
    await modmail.emu.wait_for(lambda: modmail.emu.message(command["id"]) is None or None)


async def test_a_slash_reply_answers_ephemerally(modmail):
    user = modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    answer = await modmail.slash("reply", ticket.channel_id, {"message": "Hello from slash"})
    assert answer["type"] in (4, 5)
    await modmail.emu.wait_for_dm(user, lambda m: "Hello from slash" in text_of(m))


async def test_other_staff_messages_are_internal_notes(modmail):
    user = modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    await modmail.staff_says(ticket.channel_id, "looks like a refund case")

    def notes():
        return list(
            TicketMessage.objects.filter(ticket=ticket, kind="internal").values_list("content", flat=True)
        )

    from .conftest import eventually

    assert await eventually(lambda: modmail.db(notes)) == ["looks like a refund case"]
    assert not [m for m in modmail.emu.dm_messages(user) if "refund" in text_of(m)]
    assert await modmail.db(lambda: Ticket.objects.get(pk=ticket.pk).is_open)


async def test_members_who_are_not_staff_cannot_use_commands(modmail):
    user = modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    outsider = modmail.demo.user_ids[1]
    answer = await modmail.slash(
        "reply", modmail.demo.general_channel_id, {"message": "hi"}, user_id=outsider
    )
    assert answer["data"]["flags"] & 64
    assert "staff" in text_of(answer["data"]).lower()
    assert not [m for m in modmail.emu.dm_messages(user) if m.get("content") == "hi"]
    assert await modmail.db(lambda: ticket.messages.filter(kind="staff").count()) == 0

"""The users' side, end to end: a full inbox overflows into a new category; nothing a user sends is
lost or relayed twice, and each user's DMs reach the channel in the order they were sent."""

from __future__ import annotations

import pytest

from tests.fakediscord.models import GUILD_TEXT
from tickets.models import Ticket

from .userside import bodies, bot_reactions, dispatch_again, user_copies, user_messages

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


# --- a full inbox -----------------------------------------------------------------------------
async def test_a_full_inbox_overflows_into_a_new_category_with_the_same_permissions(modmail):
    emu, demo = modmail.emu, modmail.demo
    for i in range(50):
        emu.create_channel(
            demo.guild_id, f"old-ticket-{i}", type=GUILD_TEXT, parent_id=demo.inbox_category_id
        )
    ticket = await modmail.open_ticket(demo.user_ids[0], "Is anyone there?")
    channel = emu.channel(ticket.channel_id)
    overflow = emu.channel(channel["parent_id"])
    assert overflow["name"] == "Inbox +1"
    inbox = emu.channel(demo.inbox_category_id)
    key = lambda o: o["id"]  # noqa: E731
    assert sorted(overflow["permission_overwrites"], key=key) == sorted(
        inbox["permission_overwrites"], key=key
    )
    assert ticket.category_id == int(overflow["id"])
    # The next ticket joins the overflow category rather than opening another one.
    second = await modmail.open_ticket(demo.user_ids[1], "Me too")
    assert emu.channel(second.channel_id)["parent_id"] == overflow["id"]
    assert [c["name"] for c in emu.channels(demo.guild_id) if c["type"] == 4].count("Inbox +1") == 1


async def test_users_arriving_together_at_a_full_inbox_share_one_overflow_category(modmail):
    emu, demo = modmail.emu, modmail.demo
    for i in range(50):
        emu.create_channel(
            demo.guild_id, f"old-ticket-{i}", type=GUILD_TEXT, parent_id=demo.inbox_category_id
        )
    for user in demo.user_ids:
        await emu.user_dm(user, "hello")
    tickets = [await modmail.ticket_of(user) for user in demo.user_ids]
    overflow = [c for c in emu.channels(demo.guild_id) if c["type"] == 4 and c["name"].startswith("Inbox +")]
    assert [c["name"] for c in overflow] == ["Inbox +1"]
    assert {emu.channel(t.channel_id)["parent_id"] for t in tickets} == {overflow[0]["id"]}


# --- exactly once and in order ----------------------------------------------------------------
async def test_a_replayed_dm_is_relayed_once(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user, "first")
    sent = await emu.user_dm(user, "only once")
    await dispatch_again(emu, sent["id"])
    after = await emu.user_dm(user, "after the replay")
    await emu.wait_for(lambda: bot_reactions(emu, after["id"]) == ["✅"])
    assert bodies(emu, ticket.channel_id) == ["first", "only once", "after the replay"]
    assert await user_messages(modmail, ticket) == ["first", "only once", "after the replay"]


async def test_thirty_dms_sent_back_to_back_arrive_in_order(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    texts = [f"message {i}" for i in range(30)]
    for text in texts:
        await emu.user_dm(user, text)
    ticket = await modmail.ticket_of(user)
    await emu.wait_for(lambda: len(user_copies(emu, ticket.channel_id)) == 30, timeout=20)
    assert bodies(emu, ticket.channel_id) == texts
    assert await user_messages(modmail, ticket) == texts


async def test_in_a_burst_the_newest_dm_gets_the_tick_for_those_before_it(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    sent = [await emu.user_dm(user, f"burst {i}") for i in range(12)]
    ticket = await modmail.ticket_of(user)
    await emu.wait_for(lambda: len(user_copies(emu, ticket.channel_id)) == 12, timeout=20)
    await emu.wait_for(lambda: bot_reactions(emu, sent[-1]["id"]) == ["✅"])
    ticked = [m for m in sent if bot_reactions(emu, m["id"]) == ["✅"]]
    # Every DM is relayed; the queue formed behind the first one, so fewer ticks than DMs.
    assert len(ticked) < len(sent)
    await modmail.bot.runner.drain(5)
    late = await emu.user_dm(user, "after the burst")
    await emu.wait_for(lambda: bot_reactions(emu, late["id"]) == ["✅"])


async def test_five_users_writing_at_once_each_get_their_messages_in_order(modmail):
    emu = modmail.emu
    users = list(modmail.demo.user_ids)
    users.append(emu.create_user("erin", global_name="Erin"))
    emu.add_member(modmail.demo.guild_id, users[-1])
    for i in range(8):
        for user in users:
            await emu.user_dm(user, f"{user} says {i}")
    for user in users:
        ticket = await modmail.ticket_of(user, timeout=20)
        await emu.wait_for(lambda t=ticket: len(user_copies(emu, t.channel_id)) == 8, timeout=20)
        assert bodies(emu, ticket.channel_id) == [f"{user} says {i}" for i in range(8)]
    assert await modmail.db(lambda: Ticket.objects.count()) == 5

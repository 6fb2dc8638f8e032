"""Members coming and going: the guild cache follows the guild, a user leaving reaches their ticket,
a channel created in the inbox opens a ticket, and dual mode (community guild + staff guild)."""

from __future__ import annotations

import pytest

from tests.fakediscord import permissions as P
from tests.fakediscord.models import Overwrite
from tickets.models import GuildChannel, GuildMember, GuildRole, GuildSnapshot, Ticket, TicketMessage

from .conftest import eventually, text_of

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

EPHEMERAL = 64


# --- helpers ---------------------------------------------------------------------------------
def emulator_view(emu, guild_id: int) -> dict:
    """The guild as Discord has it, in the cache's terms."""
    guild = emu.guild(guild_id)
    return {
        "guild": (int(guild["id"]), guild["name"], int(guild["owner_id"])),
        # Positions are left out: the emulator shifts the other roles when one is created without
        # telling the gateway, so no client can know them before the next GUILD_CREATE.
        "roles": {(int(r["id"]), r["name"], int(r["permissions"])) for r in emu.roles(guild_id)},
        "members": {
            (int(m["user"]["id"]), tuple(sorted(int(r) for r in m["roles"] if int(r) != guild_id)))
            for m in emu.members(guild_id)
        },
        "channels": {
            (int(c["id"]), c["name"], c["type"], int(c["parent_id"]) if c.get("parent_id") else None)
            for c in emu.channels(guild_id)
        },
    }


def cached_view(guild_id: int) -> dict:
    """The same, as the bot cached it."""
    guild = GuildSnapshot.objects.filter(guild_id=guild_id).first()
    return {
        "guild": (guild.guild_id, guild.name, guild.owner_id) if guild else None,
        "roles": set(
            GuildRole.objects.filter(guild_id=guild_id).values_list("role_id", "name", "permissions")
        ),
        "members": {
            (m.user_id, tuple(sorted(m.role_ids))) for m in GuildMember.objects.filter(guild_id=guild_id)
        },
        "channels": set(
            GuildChannel.objects.filter(guild_id=guild_id).values_list(
                "channel_id", "name", "type", "parent_id"
            )
        ),
    }


async def cache_matches(modmail, guild_id: int) -> None:
    """Wait until the cache of the guild is what the emulator holds (and say what differs if not)."""

    async def same() -> bool:
        return await modmail.db(lambda: cached_view(guild_id)) == emulator_view(modmail.emu, guild_id)

    try:
        await eventually(same)
    except AssertionError:
        assert await modmail.db(lambda: cached_view(guild_id)) == emulator_view(modmail.emu, guild_id)


def buttons(message: dict | None) -> list[dict]:
    return [c for row in (message or {}).get("components") or [] for c in row["components"]]


async def leave_notice(modmail, ticket: Ticket) -> dict:
    return await modmail.emu.wait_for_message(ticket.channel_id, lambda m: buttons(m))


async def ticket_state(modmail, ticket: Ticket) -> Ticket:
    return await modmail.db(lambda: Ticket.objects.get(pk=ticket.pk))


async def ephemeral_answer(modmail, click: dict) -> dict:
    """The bot's private answer to a click (its callback, or a follow-up after a deferral)."""
    return await modmail.emu.wait_for(
        lambda: next(
            (
                r
                for r in modmail.emu.interaction_responses(click["id"])
                if r["kind"] in ("callback", "followup") and r["type"] != 6
            ),
            None,
        )
    )


# --- the guild cache -------------------------------------------------------------------------
async def test_the_cache_matches_the_guild_once_connected(modmail):
    await cache_matches(modmail, modmail.demo.guild_id)
    owner = await modmail.db(lambda: GuildSnapshot.objects.get(guild_id=modmail.demo.guild_id).owner_id)
    assert owner == modmail.demo.owner_id


async def test_members_joining_changing_and_leaving_are_cached(modmail):
    emu, demo = modmail.emu, modmail.demo
    newcomer = emu.create_user("erin", global_name="Erin")
    await emu.member_join(demo.guild_id, newcomer)
    await cache_matches(modmail, demo.guild_id)
    emu.update_member(demo.guild_id, newcomer, roles=[demo.staff_role_id], nick="E")
    await cache_matches(modmail, demo.guild_id)
    cached = await modmail.db(lambda: GuildMember.objects.get(guild_id=demo.guild_id, user_id=newcomer))
    assert (cached.username, cached.global_name, cached.role_ids) == ("erin", "Erin", [demo.staff_role_id])
    await emu.member_leave(demo.guild_id, newcomer)
    await cache_matches(modmail, demo.guild_id)


async def test_roles_created_changed_and_deleted_are_cached(modmail):
    emu, demo = modmail.emu, modmail.demo
    role = emu.create_role(demo.guild_id, "Helpers", permissions=P.MANAGE_MESSAGES)
    emu.update_member(demo.guild_id, demo.user_ids[0], roles=[role])
    await cache_matches(modmail, demo.guild_id)
    emu.update_role(demo.guild_id, role, name="Helpers+", permissions=P.MANAGE_MESSAGES | P.KICK_MEMBERS)
    await cache_matches(modmail, demo.guild_id)
    emu.delete_role(demo.guild_id, role)
    await cache_matches(modmail, demo.guild_id)
    alice = await modmail.db(
        lambda: GuildMember.objects.get(guild_id=demo.guild_id, user_id=demo.user_ids[0])
    )
    assert alice.role_ids == []


async def test_channels_created_changed_and_deleted_are_cached(modmail):
    emu, demo = modmail.emu, modmail.demo
    channel = emu.create_channel(demo.guild_id, "announcements")
    await cache_matches(modmail, demo.guild_id)
    staff_only = [Overwrite(demo.guild_id, 0, deny=P.VIEW_CHANNEL).payload()]
    emu.edit_channel(channel, name="news", parent_id=demo.inbox_category_id, permission_overwrites=staff_only)
    await cache_matches(modmail, demo.guild_id)
    cached = await modmail.db(lambda: GuildChannel.objects.get(channel_id=channel))
    assert cached.overwrites == [
        {"id": str(demo.guild_id), "type": 0, "allow": "0", "deny": str(P.VIEW_CHANNEL)}
    ]
    emu.delete_channel(channel)
    await cache_matches(modmail, demo.guild_id)


async def test_members_who_left_while_the_bot_was_away_are_dropped_and_their_ticket_told(modmail):
    demo = modmail.demo
    user = demo.user_ids[0]
    ticket = await modmail.open_ticket(user)

    async def leave() -> None:
        await modmail.emu.member_leave(demo.guild_id, user)

    async with modmail.restarted(meanwhile=leave):
        await cache_matches(modmail, demo.guild_id)
        notice = await leave_notice(modmail, ticket)
        assert "left the server" in text_of(notice)
    assert (await ticket_state(modmail, ticket)).user_left


# --- a user leaving --------------------------------------------------------------------------
async def test_a_user_leaving_gets_a_keep_or_close_notice_and_keep_keeps_the_ticket(modmail):
    demo = modmail.demo
    user = demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    await modmail.emu.member_leave(demo.guild_id, user)
    notice = await leave_notice(modmail, ticket)
    assert [b["label"] for b in buttons(notice)] == ["Keep", "Close"]
    state = await eventually(
        lambda: modmail.db(
            lambda: Ticket.objects.filter(pk=ticket.pk, leave_notice_message_id=notice["id"]).first()
        )
    )
    assert state.user_left and state.is_open
    keep = buttons(notice)[0]
    click = await modmail.emu.click_button(notice["id"], keep["custom_id"], demo.staff_id)
    assert (await modmail.emu.wait_for_interaction_response(click["id"]))["type"] == 7
    updated = modmail.emu.message(notice["id"])
    assert not buttons(updated) and "kept the ticket open" in text_of(updated)
    assert f"<@{demo.staff_id}>" in text_of(updated)
    assert (await ticket_state(modmail, ticket)).is_open
    assert not await modmail.db(lambda: GuildMember.objects.filter(user_id=user).exists())


async def test_a_user_who_rejoins_can_be_answered_again(modmail):
    demo = modmail.demo
    user = demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    await modmail.emu.member_leave(demo.guild_id, user)
    await leave_notice(modmail, ticket)
    await eventually(lambda: modmail.db(lambda: Ticket.objects.filter(pk=ticket.pk, user_left=True).exists()))
    await modmail.emu.member_join(demo.guild_id, user)
    await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "back in the server" in text_of(m))
    assert not (await ticket_state(modmail, ticket)).user_left
    await modmail.staff_says(ticket.channel_id, "!reply Welcome back")
    await modmail.emu.wait_for_dm(user, lambda m: "Welcome back" in text_of(m))


async def test_close_on_the_notice_closes_the_ticket(modmail):
    demo = modmail.demo
    user = demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    await modmail.emu.member_leave(demo.guild_id, user)
    notice = await leave_notice(modmail, ticket)
    await modmail.emu.click_button(notice["id"], buttons(notice)[1]["custom_id"], demo.staff_id)
    await modmail.emu.wait_for(lambda: modmail.emu.channel(ticket.channel_id) is None)
    state = await ticket_state(modmail, ticket)
    assert not state.is_open and state.closed_by == str(demo.staff_id)
    assert not [
        m
        for m in modmail.emu.dm_messages(user)
        if m["author"]["id"] == str(modmail.emu.bot_id) and "closed" in text_of(m).lower()
    ]


async def test_only_staff_may_answer_the_notice(modmail):
    demo = modmail.demo
    user = demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    await modmail.emu.member_leave(demo.guild_id, user)
    notice = await leave_notice(modmail, ticket)
    outsider = demo.user_ids[1]
    click = await modmail.emu.click_button(notice["id"], buttons(notice)[1]["custom_id"], outsider)
    answer = await ephemeral_answer(modmail, click)
    assert answer["data"]["flags"] & EPHEMERAL and "staff" in text_of(answer["data"]).lower()
    assert (await ticket_state(modmail, ticket)).is_open
    assert buttons(modmail.emu.message(notice["id"]))


async def test_with_close_on_leave_the_ticket_closes_when_the_user_leaves(modmail):
    demo = modmail.demo
    await modmail.reload_config(thread_close_on_leave=True)
    user = demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    await modmail.emu.member_leave(demo.guild_id, user)
    await modmail.emu.wait_for(lambda: modmail.emu.channel(ticket.channel_id) is None)
    state = await ticket_state(modmail, ticket)
    assert not state.is_open and state.closed_by == "user_left_server"


# --- tickets opened by creating a channel ------------------------------------------------------
async def bot_says(modmail, channel_id: int, words: str) -> dict:
    bot = str(modmail.emu.bot_id)
    return await modmail.emu.wait_for_message(
        channel_id, lambda m: m["author"]["id"] == bot and words in text_of(m)
    )


async def test_a_channel_named_after_a_user_opens_their_ticket_there(modmail):
    demo = modmail.demo
    await modmail.reload_config(thread_create_ticket_by_create_channel=True)
    user = demo.user_ids[0]
    channel = modmail.emu.create_channel(demo.guild_id, str(user), parent_id=demo.inbox_category_id)
    recap = await bot_says(modmail, channel, "New ticket")
    assert f"<@{user}>" in text_of(recap)
    ticket = await modmail.ticket_of(user)
    assert (ticket.channel_id, ticket.origin, ticket.silent) == (channel, Ticket.Origin.CHANNEL, True)
    assert (
        len(
            [
                c
                for c in modmail.emu.channels(demo.guild_id)
                if c.get("parent_id") == str(demo.inbox_category_id)
            ]
        )
        == 1
    )
    await modmail.staff_says(channel, "!reply Hello from the staff")
    await modmail.emu.wait_for_dm(user, lambda m: "Hello from the staff" in text_of(m))


async def test_a_channel_with_another_name_asks_for_the_user_and_takes_the_answer(modmail):
    demo = modmail.demo
    await modmail.reload_config(thread_create_ticket_by_create_channel=True)
    user = demo.user_ids[1]
    channel = modmail.emu.create_channel(demo.guild_id, "new-ticket", parent_id=demo.inbox_category_id)
    await bot_says(modmail, channel, "Which user")
    await modmail.staff_says(channel, "no idea yet")
    await bot_says(modmail, channel, "not a Discord user ID")
    await modmail.staff_says(channel, str(modmail.emu.bot_id))
    await bot_says(modmail, channel, "bots")
    await modmail.staff_says(channel, f"It is <@{user}>")
    await bot_says(modmail, channel, "New ticket")
    ticket = await modmail.ticket_of(user)
    assert ticket.channel_id == channel
    await modmail.staff_says(channel, "looks like a refund")
    await eventually(
        lambda: modmail.db(lambda: TicketMessage.objects.filter(ticket=ticket, kind="internal").exists())
    )
    notes = await modmail.db(
        lambda: list(TicketMessage.objects.filter(ticket=ticket).values_list("content", flat=True))
    )
    assert notes == ["looks like a refund"]


async def test_a_user_with_a_ticket_is_refused_with_a_link_and_the_channel_keeps_waiting(modmail):
    demo = modmail.demo
    await modmail.reload_config(thread_create_ticket_by_create_channel=True)
    user, other = demo.user_ids[0], demo.user_ids[2]
    existing = await modmail.open_ticket(user)
    channel = modmail.emu.create_channel(demo.guild_id, str(user), parent_id=demo.inbox_category_id)
    refusal = await bot_says(modmail, channel, "already has an open ticket")
    assert f"<#{existing.channel_id}>" in text_of(refusal) and "Which user" in text_of(refusal)
    await modmail.staff_says(channel, str(other))
    await bot_says(modmail, channel, "New ticket")
    assert (await modmail.ticket_of(other)).channel_id == channel
    # The bot's own ticket channels are never asked about.
    assert not [m for m in modmail.emu.messages(existing.channel_id) if "Which user" in text_of(m)]


async def test_creating_a_channel_opens_nothing_when_the_option_is_off(modmail):
    demo = modmail.demo
    user = demo.user_ids[0]
    channel = modmail.emu.create_channel(demo.guild_id, str(user), parent_id=demo.inbox_category_id)
    await eventually(lambda: modmail.db(lambda: GuildChannel.objects.filter(channel_id=channel).exists()))
    await modmail.staff_says(channel, str(user))
    await modmail.bot.runner.drain(5)
    assert not await modmail.db(lambda: Ticket.objects.exists())
    assert all(m["author"]["id"] != str(modmail.emu.bot_id) for m in modmail.emu.messages(channel))


# --- dual mode -------------------------------------------------------------------------------
async def test_in_dual_mode_the_community_guild_drives_leaving_and_both_guilds_are_cached(modmail):
    emu, demo = modmail.emu, modmail.demo
    staff_guild = emu.create_guild("Staff HQ", owner_id=demo.owner_id)
    staff_role = emu.create_role(staff_guild, "Moderators")
    emu.add_member(staff_guild, demo.staff_id, roles=[staff_role])
    inbox = emu.create_category(
        staff_guild,
        "Inbox",
        overwrites=[
            Overwrite(staff_guild, 0, deny=P.VIEW_CHANNEL),
            Overwrite(staff_role, 0, allow=P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY),
        ],
    )
    await modmail.reload_config(
        mode_type="dual",
        mode_community_guild_id=demo.guild_id,
        mode_staff_guild_id=staff_guild,
        thread_inbox_category_id=inbox,
    )
    await cache_matches(modmail, staff_guild)
    await cache_matches(modmail, demo.guild_id)

    user = demo.user_ids[0]
    ticket = await modmail.open_ticket(user, "Hello from the community")
    assert int(emu.channel(ticket.channel_id)["guild_id"]) == staff_guild
    # The user is also in the staff guild: leaving it changes nothing but the cache.
    await emu.member_join(staff_guild, user)
    await emu.member_leave(staff_guild, user)
    await cache_matches(modmail, staff_guild)
    assert not (await ticket_state(modmail, ticket)).user_left
    # Leaving the community guild reaches the ticket in the staff guild.
    await emu.member_leave(demo.guild_id, user)
    notice = await leave_notice(modmail, ticket)
    await cache_matches(modmail, demo.guild_id)
    await emu.click_button(notice["id"], buttons(notice)[1]["custom_id"], demo.staff_id)
    await emu.wait_for(lambda: emu.channel(ticket.channel_id) is None)
    state = await ticket_state(modmail, ticket)
    assert state.user_left and not state.is_open and state.closed_by == str(demo.staff_id)

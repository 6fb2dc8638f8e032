"""Bans from the community guild, end to end: the real bot records them from the gateway (with who
and why from the audit log), catches up at start, shows them with ``baninfo`` / ``!bi`` /
``/baninfo``, and a ticket of a user banned before says so."""

from __future__ import annotations

import nextcord
import pytest

from tests.fakediscord import bans as B
from tests.fakediscord import permissions as P
from tickets.models import GuildMember, MemberBan

from .conftest import bot_says, eventually, text_of

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

EPHEMERAL = 64
WAIT = 20.0


async def ban_of(modmail, user_id: int, *, active: bool | None = True, check=None) -> MemberBan:
    """The user's latest recorded ban, once it exists (and passes ``check``)."""

    def find() -> MemberBan | None:
        bans = MemberBan.objects.filter(user_id=user_id)
        if active is not None:
            bans = bans.filter(unbanned_at__isnull=active)
        ban = bans.order_by("-recorded_at", "-pk").first()
        return ban if ban is not None and (check is None or check(ban)) else None

    return await eventually(lambda: modmail.db(find), WAIT)


async def member_cached(modmail, user_id: int, check) -> None:
    def seen() -> bool:
        row = GuildMember.objects.filter(guild_id=modmail.demo.guild_id, user_id=user_id).first()
        return row is not None and check(row)

    await eventually(lambda: modmail.db(seen), WAIT)


async def test_a_ban_keeps_the_member_roles_nickname_and_who_banned_why(modmail):
    emu, demo = modmail.emu, modmail.demo
    alice = demo.user_ids[0]
    vip = emu.create_role(demo.guild_id, "VIP")
    emu.update_member(demo.guild_id, alice, roles=[vip], nick="Ally")
    await member_cached(modmail, alice, lambda m: vip in m.role_ids)

    await B.member_ban(emu, demo.guild_id, alice, by=demo.admin_id, reason="Compromised: posting scam links")

    ban = await ban_of(modmail, alice)
    assert (ban.username, ban.global_name, ban.nickname) == ("alice", "Alice", "Ally")
    assert ban.role_ids == [vip] and not ban.roles_unknown
    assert ban.joined_at is not None and ban.banned_at is not None
    assert ban.banned_by == demo.admin_id
    assert ban.reason == "Compromised: posting scam links"
    assert emu.member(demo.guild_id, alice) is None  # the ban removed them

    # The text command, by ID.
    await modmail.staff_says(demo.logs_channel_id, f"!baninfo {alice}")
    shown = text_of(await bot_says(modmail, demo.logs_channel_id, "Banned user information"))
    for part in ("**@VIP**", "Ally", "Compromised: posting scam links", f"<@{demo.admin_id}>", f"`{alice}`"):
        assert part in shown, (part, shown)

    # The slash command, by display name (any case): an ephemeral answer with the same record.
    answer = await modmail.slash("baninfo", demo.logs_channel_id, {"query": "ALICE"})
    assert answer["data"]["flags"] & EPHEMERAL
    shown = text_of(answer["data"])
    assert "**@VIP**" in shown and "Compromised: posting scam links" in shown


async def test_bi_finds_by_mention_and_name_and_says_when_nothing_or_several_match(modmail):
    emu, demo = modmail.emu, modmail.demo
    twins = [emu.create_user(f"twin{i}", global_name="Twin") for i in (1, 2)]
    for twin in twins:  # never members: the bot knows nothing of their roles
        await B.member_ban(emu, demo.guild_id, twin, by=demo.admin_id, reason=f"alt {twin}")
    for twin in twins:
        await ban_of(modmail, twin)

    await modmail.staff_says(demo.logs_channel_id, "!bi twin")
    several = text_of(await bot_says(modmail, demo.logs_channel_id, "Several banned users match"))
    assert all(f"`{t}`" in several for t in twins)

    await modmail.staff_says(demo.logs_channel_id, f"!bi <@{twins[1]}>")
    one = await bot_says(modmail, demo.logs_channel_id, f"alt {twins[1]}")
    assert "Unknown (the user was not known as a member before the ban)" in text_of(one)

    await modmail.staff_says(demo.logs_channel_id, "!bi nobody-like-this")
    await bot_says(modmail, demo.logs_channel_id, "No banned user matches `nobody-like-this`")

    # Users only: a member who is not staff may not look bans up.
    await modmail.staff_says(demo.general_channel_id, "!bi twin", user_id=demo.user_ids[3])
    await bot_says(modmail, demo.general_channel_id, "Only staff can use this command")


async def test_an_unban_ends_the_ban_and_a_new_ticket_says_the_user_was_banned_before(modmail):
    emu, demo = modmail.emu, modmail.demo
    carol = demo.user_ids[2]
    await B.member_ban(emu, demo.guild_id, carol, by=demo.admin_id, reason="Heated argument")
    await ban_of(modmail, carol)

    await B.member_unban(emu, demo.guild_id, carol, by=demo.admin_id)
    lifted = await ban_of(modmail, carol, active=False)
    assert lifted.unbanned_by == demo.admin_id and lifted.reason == "Heated argument"

    await emu.member_join(demo.guild_id, carol)
    await member_cached(modmail, carol, lambda m: True)
    ticket = await modmail.open_ticket(carol, "I'm back, sorry about last time")
    header = text_of(await bot_says(modmail, ticket.channel_id, "New ticket"))
    assert "Banned from the server before" in header and "Heated argument" in header

    # Banned again: a second record, the first kept.
    await B.member_ban(emu, demo.guild_id, carol, by=demo.admin_id, reason="Again")
    again = await ban_of(modmail, carol, check=lambda b: b.reason == "Again")
    assert again.pk != lifted.pk
    await modmail.staff_says(demo.logs_channel_id, f"!baninfo {carol}")
    shown = text_of(await bot_says(modmail, demo.logs_channel_id, "2 bans recorded"))
    assert "Again" in shown


async def test_bans_made_and_lifted_while_the_bot_was_away_are_caught_up_at_start(modmail):
    emu, demo = modmail.emu, modmail.demo
    bob, dave = demo.user_ids[1], demo.user_ids[3]
    await B.member_ban(emu, demo.guild_id, bob, by=demo.admin_id, reason="Spam")
    await ban_of(modmail, bob)

    async def meanwhile() -> None:
        await B.member_unban(emu, demo.guild_id, bob, by=demo.admin_id)
        await B.member_ban(emu, demo.guild_id, dave, by=demo.owner_id, reason="Raid")

    async with modmail.restarted(meanwhile):
        dave_ban = await ban_of(modmail, dave)
        assert dave_ban.reason == "Raid"
        assert dave_ban.banned_by == demo.owner_id  # from the audit log
        assert dave_ban.banned_at is not None  # the audit entry's time
        bob_ban = await ban_of(modmail, bob, active=False)
        assert bob_ban.unbanned_at is not None


async def test_without_view_audit_log_the_ban_is_recorded_without_who_and_why(modmail):
    emu, demo = modmail.emu, modmail.demo
    alice = demo.user_ids[0]
    emu.set_bot_permissions(demo.guild_id, P.ALL & ~P.ADMINISTRATOR & ~P.VIEW_AUDIT_LOG)
    guild = modmail.bot.get_guild(demo.guild_id)
    await eventually(lambda: _async(not guild.me.guild_permissions.view_audit_log), WAIT)
    before = len(emu.calls)

    await B.member_ban(emu, demo.guild_id, alice, by=demo.admin_id, reason="Not readable")

    ban = await ban_of(modmail, alice)
    assert ban.banned_by is None and ban.reason == "" and not ban.roles_unknown
    # It did not even ask (Discord would refuse with 50013).
    assert not [c for c in emu.calls[before:] if c.route and c.route.endswith("/audit-logs")]


async def test_an_audit_entry_arriving_after_the_ban_completes_the_record(modmail):
    emu, demo = modmail.emu, modmail.demo
    bob = demo.user_ids[1]
    await B.member_ban(emu, demo.guild_id, bob, by=None, reason=None, audit=False)
    ban = await ban_of(modmail, bob)
    assert ban.banned_by is None

    await emu.add_audit_log_entry(demo.guild_id, 22, demo.admin_id, target_id=bob, reason="Late audit entry")
    ban = await ban_of(modmail, bob, check=lambda b: b.banned_by is not None)
    assert ban.banned_by == demo.admin_id and ban.reason == "Late audit entry"


async def test_a_ban_through_the_api_is_recorded_with_the_bot_as_author(modmail):
    emu, demo = modmail.emu, modmail.demo
    dave = demo.user_ids[3]
    guild = modmail.bot.get_guild(demo.guild_id)

    await guild.ban(nextcord.Object(id=dave), reason="Banned by a bot command")

    ban = await ban_of(modmail, dave)
    assert ban.banned_by == emu.bot_id and ban.reason == "Banned by a bot command"
    assert B.banned(emu, demo.guild_id) == {dave: "Banned by a bot command"}
    listed = [entry async for entry in guild.bans(limit=None)]
    assert [(e.user.id, e.reason) for e in listed] == [(dave, "Banned by a bot command")]
    await guild.unban(nextcord.Object(id=dave))
    await ban_of(modmail, dave, active=False)
    with pytest.raises(nextcord.NotFound):
        await guild.fetch_ban(nextcord.Object(id=dave))


async def _async(value):
    return value

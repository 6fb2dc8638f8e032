"""Guild channels, categories, permissions, members and roles through the real nextcord client."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import nextcord
import pytest

from tests.fakediscord import FakeDiscord, Overwrite
from tests.fakediscord import permissions as P
from tests.fakediscord.fixtures import nextcord_client
from tests.fakediscord.guilds import RenameLimit
from tests.fakediscord.models import GUILD_CATEGORY

pytestmark = pytest.mark.asyncio


@pytest.mark.e2e
async def test_create_ticket_channel_in_category_with_overwrites(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    created: list[int] = []
    async with nextcord_client(fake_discord) as client:
        client.add_listener(_record_channel(created), "on_guild_channel_create")
        guild = client.get_guild(demo.guild_id)
        inbox = guild.get_channel(demo.inbox_category_id)
        user = guild.get_member(demo.user_ids[0])
        overwrites = {
            guild.default_role: nextcord.PermissionOverwrite(view_channel=False),
            guild.get_role(demo.staff_role_id): nextcord.PermissionOverwrite(
                view_channel=True, send_messages=True
            ),
        }
        ticket = await guild.create_text_channel(
            "Ticket Alice", category=inbox, overwrites=overwrites, topic="t"
        )
        synced = await guild.create_text_channel("synced", category=inbox)
        await fake_discord.wait_for(lambda: len(created) == 2)
        assert ticket.name == "ticket-alice" and ticket.category_id == inbox.id
        assert not ticket.permissions_for(user).view_channel
        assert ticket.permissions_for(guild.get_member(demo.staff_id)).send_messages
        assert synced.permissions_synced
    stored = fake_discord.channel(ticket.id)
    assert stored["parent_id"] == str(demo.inbox_category_id) and stored["topic"] == "t"
    assert {o["id"] for o in stored["permission_overwrites"]} == {str(demo.guild_id), str(demo.staff_role_id)}
    assert [c["name"] for c in fake_discord.channels(demo.guild_id)][-2:] == ["ticket-alice", "synced"]


@pytest.mark.e2e
async def test_rename_move_overwrites_and_delete(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    archive = fake_discord.create_category(demo.guild_id, "Archive")
    deleted: list[int] = []
    async with nextcord_client(fake_discord) as client:
        client.add_listener(_record_channel(deleted), "on_guild_channel_delete")
        guild = client.get_guild(demo.guild_id)
        channel = await guild.create_text_channel(
            "ticket-1", category=guild.get_channel(demo.inbox_category_id)
        )
        channel = await channel.edit(
            name="closed-ticket-1", category=guild.get_channel(archive), topic="closed"
        )
        assert (channel.name, channel.category_id, channel.topic) == ("closed-ticket-1", archive, "closed")
        member = guild.get_member(demo.user_ids[0])
        await channel.set_permissions(member, view_channel=True, send_messages=False)
        stored = fake_discord.channel(channel.id)
        assert {
            "id": str(member.id),
            "type": 1,
            "allow": str(P.VIEW_CHANNEL),
            "deny": str(P.SEND_MESSAGES),
        } in stored["permission_overwrites"]
        await channel.set_permissions(member, overwrite=None)
        assert all(
            o["id"] != str(member.id) for o in fake_discord.channel(channel.id)["permission_overwrites"]
        )
        await channel.delete()
        await fake_discord.wait_for(lambda: deleted)
    assert deleted == [channel.id] and fake_discord.channel(channel.id) is None


async def test_text_channel_names_keep_emoji_and_unicode_but_lose_ascii_punctuation(
    fake_discord: FakeDiscord,
) -> None:
    channel_id = fake_discord.demo.general_channel_id
    url = f"{fake_discord.api_base}/channels/{channel_id}"
    headers = {"Authorization": f"Bot {fake_discord.bot_token}"}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.patch(url, json={"name": "🔴・Billing Alice!・snake_case-2h?"}) as resp,
    ):
        assert resp.status == 200
        assert (await resp.json())["name"] == "🔴・billing-alice・snake_case-2h"


async def test_third_rename_within_the_window_gets_a_429(fake_discord: FakeDiscord) -> None:
    channel_id = fake_discord.demo.general_channel_id
    url = f"{fake_discord.api_base}/channels/{channel_id}"
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {fake_discord.bot_token}"}) as session:
        for name in ("one", "two"):
            async with session.patch(url, json={"name": name}) as resp:
                assert resp.status == 200
        async with session.patch(url, json={"topic": "topic changes are not renames"}) as resp:
            assert resp.status == 200
        async with session.patch(url, json={"name": "three"}) as resp:
            body = await resp.json()
            assert resp.status == 429 and resp.headers["X-RateLimit-Scope"] == "shared"
            assert body["global"] is False and 590 < body["retry_after"] <= 600
            assert resp.headers["Via"]
    assert fake_discord.channel(channel_id)["name"] == "two"


@pytest.mark.e2e
async def test_nextcord_waits_out_the_rename_limit(fake_discord: FakeDiscord) -> None:
    fake_discord.rename_limit = RenameLimit(count=2, per=1.0)
    async with nextcord_client(fake_discord) as client:
        channel = client.get_channel(fake_discord.demo.general_channel_id)
        started = time.monotonic()
        for name in ("a", "b", "c"):
            channel = await channel.edit(name=name)
        assert time.monotonic() - started >= 0.5
    assert channel.name == "c"


@pytest.mark.e2e
async def test_category_and_guild_channel_limits(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    full = fake_discord.create_category(demo.guild_id, "Full")
    for i in range(50):
        fake_discord.create_channel(demo.guild_id, f"c{i}", parent_id=full)
    async with nextcord_client(fake_discord) as client:
        guild = client.get_guild(demo.guild_id)
        with pytest.raises(nextcord.HTTPException) as category_full:
            await guild.create_text_channel("one-more", category=guild.get_channel(full))
        assert category_full.value.code == 50035
        assert "Maximum number of channels in category reached (50)" in category_full.value.text
        while len(fake_discord.channels(demo.guild_id)) < 500:
            fake_discord.create_channel(demo.guild_id, "filler")
        with pytest.raises(nextcord.HTTPException) as guild_full:
            await guild.create_text_channel("too-many")
        assert guild_full.value.code == 30013


@pytest.mark.e2e
async def test_missing_permissions_give_50013(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    fake_discord.set_bot_permissions(demo.guild_id, P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY)
    secret = fake_discord.create_channel(
        demo.guild_id, "secret", overwrites=[Overwrite(demo.guild_id, 0, deny=P.VIEW_CHANNEL)]
    )
    async with nextcord_client(fake_discord) as client:
        guild = client.get_guild(demo.guild_id)
        assert not guild.me.guild_permissions.manage_channels
        with pytest.raises(nextcord.Forbidden) as forbidden:
            await guild.create_text_channel("nope")
        assert forbidden.value.code == 50013
        with pytest.raises(nextcord.Forbidden) as hidden:
            await guild.get_channel(secret).send("hi")
        assert hidden.value.code == 50001
        await guild.get_channel(demo.general_channel_id).send("still allowed")


@pytest.mark.e2e
async def test_members_fetch_page_and_roles(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    for i in range(1100):
        fake_discord.add_member(demo.guild_id, fake_discord.create_user(f"crowd{i}"))
    updates: list[list[int]] = []
    async with nextcord_client(fake_discord) as client:

        async def on_member_update(before: nextcord.Member, after: nextcord.Member) -> None:
            updates.append([r.id for r in after.roles])

        client.add_listener(on_member_update)
        guild = client.get_guild(demo.guild_id)
        fetched = [m async for m in guild.fetch_members(limit=None)]
        assert len(fetched) == len(fake_discord.members(demo.guild_id)) == 1108
        member = await guild.fetch_member(demo.user_ids[0])
        with pytest.raises(nextcord.NotFound) as unknown:
            await guild.fetch_member(fake_discord.create_user("outsider"))
        assert unknown.value.code == 10007
        helper = await guild.create_role(
            name="Helper", permissions=nextcord.Permissions(manage_messages=True)
        )
        await member.add_roles(helper)
        await fake_discord.wait_for(lambda: updates)
        assert helper.id in updates[-1]
        with pytest.raises(nextcord.Forbidden):
            await member.add_roles(guild.get_role(demo.bot_role_id))
        await member.edit(nick="Ally")
    stored = fake_discord.member(demo.guild_id, demo.user_ids[0])
    assert stored["nick"] == "Ally" and str(helper.id) in stored["roles"]


@pytest.mark.e2e
async def test_member_leave_is_seen_and_kick_works(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    left: list[int] = []
    async with nextcord_client(fake_discord) as client:

        async def on_raw_member_remove(payload: nextcord.RawMemberRemoveEvent) -> None:
            left.append(payload.user.id)

        client.add_listener(on_raw_member_remove)
        await fake_discord.member_leave(demo.guild_id, demo.user_ids[0])
        guild = client.get_guild(demo.guild_id)
        await guild.kick(nextcord.Object(demo.user_ids[1]))
        await fake_discord.wait_for(lambda: len(left) == 2)
        await asyncio.sleep(0)
    assert left == [demo.user_ids[0], demo.user_ids[1]]
    assert fake_discord.member(demo.guild_id, demo.user_ids[0]) is None


@pytest.mark.e2e
async def test_new_category_via_api(fake_discord: FakeDiscord) -> None:
    async with nextcord_client(fake_discord) as client:
        guild = client.get_guild(fake_discord.demo.guild_id)
        category = await guild.create_category("Inbox 2")
        assert isinstance(category, nextcord.CategoryChannel)
    assert fake_discord.channel(category.id)["type"] == GUILD_CATEGORY


def _record_channel(target: list[int]):  # type: ignore[no-untyped-def]
    async def listener(channel: nextcord.abc.GuildChannel) -> None:
        target.append(channel.id)

    return listener

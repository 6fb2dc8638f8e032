"""The emulator's guild audit log: REST changes recorded, the audit-logs route and the gateway event."""

from __future__ import annotations

from typing import Any

import aiohttp
import nextcord
import pytest

from tests.fakediscord import FakeDiscord
from tests.fakediscord import auditlog as A
from tests.fakediscord import permissions as P
from tests.fakediscord.fixtures import nextcord_client

pytestmark = pytest.mark.asyncio


async def test_rest_changes_are_recorded_with_the_reason_and_read_back_by_nextcord(
    fake_discord: FakeDiscord,
) -> None:
    emu = fake_discord
    demo = emu.demo
    async with nextcord_client(emu) as client:
        guild = client.get_guild(demo.guild_id)
        channel = await guild.create_text_channel("audit-me", reason="for the test")
        await channel.edit(name="audited", topic="a topic")
        role = guild.get_role(demo.staff_role_id)
        member = await guild.fetch_member(demo.user_ids[0])
        await member.add_roles(role, reason="promoted")
        await member.edit(nick="Ali")
        await guild.kick(nextcord.Object(demo.user_ids[1]), reason="spam")
        await channel.delete()
        entries = [e async for e in guild.audit_logs(limit=100, oldest_first=True)]

    kinds = [e.action for e in entries]
    assert kinds == [
        nextcord.AuditLogAction.channel_create,
        nextcord.AuditLogAction.channel_update,
        nextcord.AuditLogAction.member_role_update,
        nextcord.AuditLogAction.member_update,
        nextcord.AuditLogAction.kick,
        nextcord.AuditLogAction.channel_delete,
    ]
    assert all(e.user.id == emu.bot_id for e in entries)
    assert entries[0].reason == "for the test"
    assert entries[0].after.name == "audit-me"
    assert (entries[1].before.name, entries[1].after.name) == ("audit-me", "audited")
    assert [r.id for r in entries[2].after.roles] == [demo.staff_role_id]
    assert entries[2].reason == "promoted"
    assert (entries[3].before.nick, entries[3].after.nick) == (None, "Ali")
    assert entries[4].target.id == demo.user_ids[1] and entries[4].reason == "spam"
    assert entries[5].before.name == "audited"


async def test_the_gateway_event_reaches_sessions_with_the_moderation_intent(
    fake_discord: FakeDiscord,
) -> None:
    emu = fake_discord
    demo = emu.demo
    got: list[Any] = []
    async with nextcord_client(emu) as client:
        client.add_listener(collector(got), "on_guild_audit_log_entry_create")
        await emu.add_audit_log_entry(
            demo.guild_id,
            A.MEMBER_BAN_ADD,
            demo.staff_id,
            target_id=demo.user_ids[2],
            options={"delete_member_days": 1},
            reason="raid",
        )
        await emu.wait_for(lambda: got, timeout=20)
    entry = got[0]
    assert entry.action is nextcord.AuditLogAction.ban
    assert (entry.user.id, entry.reason) == (demo.staff_id, "raid")
    assert entry.guild.id == demo.guild_id
    event = [e for e in emu.events if e["t"] == "GUILD_AUDIT_LOG_ENTRY_CREATE"][-1]["d"]
    assert event["guild_id"] == str(demo.guild_id)
    assert event["options"] == {"delete_member_days": "1"}


def collector(got: list[Any]) -> Any:
    async def on_entry(entry: Any) -> None:
        got.append(entry)

    return on_entry


async def test_no_event_without_the_intent_and_403_without_view_audit_log(fake_discord: FakeDiscord) -> None:
    emu = fake_discord
    demo = emu.demo
    got: list[Any] = []
    intents = nextcord.Intents.all()
    intents.moderation = False
    async with nextcord_client(emu, intents=intents) as client:
        client.add_listener(collector(got), "on_guild_audit_log_entry_create")
        await emu.add_audit_log_entry(
            demo.guild_id, A.ROLE_CREATE, demo.admin_id, target_id=demo.staff_role_id
        )
        emu.set_bot_permissions(demo.guild_id, P.VIEW_CHANNEL | P.SEND_MESSAGES)
        with pytest.raises(nextcord.Forbidden):
            await client.get_guild(demo.guild_id).audit_logs(limit=5).__anext__()
    assert got == []


async def test_query_parameters_filter_and_page_like_discord(fake_discord: FakeDiscord) -> None:
    emu = fake_discord
    demo = emu.demo
    ids = []
    for i in range(5):
        who = demo.staff_id if i % 2 == 0 else demo.admin_id
        entry = await emu.add_audit_log_entry(demo.guild_id, A.MEMBER_KICK, who, target_id=demo.user_ids[0])
        ids.append(entry["id"])
    await emu.add_audit_log_entry(demo.guild_id, A.ROLE_UPDATE, demo.staff_id)
    url = f"{emu.api_base}/guilds/{demo.guild_id}/audit-logs"
    headers = {"Authorization": f"Bot {emu.bot_token}"}

    async def get(**query: Any) -> list[str]:
        params = {k: str(v) for k, v in query.items()}
        async with aiohttp.ClientSession() as session, session.get(url, params=params, headers=headers) as r:
            assert r.status == 200, await r.text()
            body = await r.json()
            return [e["id"] for e in body["audit_log_entries"]]

    assert await get(action_type=A.MEMBER_KICK) == ids[::-1]
    assert await get(action_type=A.MEMBER_KICK, user_id=demo.staff_id) == [ids[4], ids[2], ids[0]]
    assert await get(action_type=A.MEMBER_KICK, limit=2) == [ids[4], ids[3]]
    assert await get(action_type=A.MEMBER_KICK, before=ids[3], limit=2) == [ids[2], ids[1]]
    # after: the oldest entries after the ID, newest first (as message history does)
    assert await get(action_type=A.MEMBER_KICK, after=ids[0], limit=2) == [ids[2], ids[1]]
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, params={"limit": "101"}, headers=headers) as r,
    ):
        assert r.status == 400 and (await r.json())["code"] == 50035

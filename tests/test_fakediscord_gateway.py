"""The emulator's gateway, driven by the real nextcord client and by a raw websocket."""

from __future__ import annotations

import asyncio
import json
import zlib
from typing import Any

import aiohttp
import nextcord
import pytest

from tests.fakediscord import FakeDiscord
from tests.fakediscord.fixtures import nextcord_client

pytestmark = pytest.mark.asyncio


async def recv(ws: aiohttp.ClientWebSocketResponse, timeout: float = 5.0) -> dict[str, Any]:
    """The next JSON frame."""
    msg = await ws.receive(timeout=timeout)
    assert msg.type == aiohttp.WSMsgType.TEXT, msg
    return json.loads(msg.data)


async def identify(
    ws: aiohttp.ClientWebSocketResponse, emu: FakeDiscord, intents: int = 0, **extra: Any
) -> None:
    await ws.send_json(
        {"op": 2, "d": {"token": emu.bot_token, "intents": intents, "properties": {}, **extra}}
    )


async def recv_event(ws: aiohttp.ClientWebSocketResponse, name: str) -> dict[str, Any]:
    """Skip frames until the dispatch ``name``."""
    for _ in range(50):
        payload = await recv(ws)
        if payload["t"] == name:
            return payload
    raise AssertionError(f"no {name}")


@pytest.mark.e2e
async def test_nextcord_connects_and_sees_the_demo_guild(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    async with nextcord_client(fake_discord) as client:
        assert client.user.id == fake_discord.bot_id
        assert client.application_id == fake_discord.application_id
        guild = client.get_guild(demo.guild_id)
        assert guild is not None and guild.chunked
        assert guild.default_role.id == demo.guild_id
        assert guild.owner_id == demo.owner_id
        assert {r.name for r in guild.roles} >= {"@everyone", "Staff", "Admin", "Rustmail"}
        inbox = guild.get_channel(demo.inbox_category_id)
        assert isinstance(inbox, nextcord.CategoryChannel)
        assert guild.get_member(demo.staff_id).get_role(demo.staff_role_id) is not None
        assert guild.me.guild_permissions.administrator
        assert not inbox.permissions_for(guild.get_member(demo.user_ids[0])).view_channel
        assert inbox.permissions_for(guild.get_member(demo.staff_id)).view_channel
        assert len(guild.members) == len(fake_discord.members(demo.guild_id))
    assert fake_discord.gateway.identifies == 1


async def test_hello_heartbeat_ready_and_guild_create_frames(fake_discord: FakeDiscord) -> None:
    url = fake_discord.gateway_url + "?v=10&encoding=json"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        hello = await recv(ws)
        assert hello == {"op": 10, "d": hello["d"], "s": None, "t": None}
        assert hello["d"]["heartbeat_interval"] == 2000
        await ws.send_json({"op": 1, "d": None})
        assert await recv(ws) == {"op": 11, "d": None, "s": None, "t": None}
        await identify(ws, fake_discord, intents=(1 << 0) | (1 << 1))
        ready = await recv(ws)
        assert (ready["op"], ready["t"], ready["s"]) == (0, "READY", 1)
        for key in ("user", "guilds", "session_id", "resume_gateway_url", "application"):
            assert key in ready["d"]
        assert ready["d"]["application"] == {
            "id": str(fake_discord.application_id),
            "flags": ready["d"]["application"]["flags"],
        }
        guild = await recv(ws)
        assert (guild["t"], guild["s"]) == ("GUILD_CREATE", 2)
        assert guild["d"]["member_count"] == len(guild["d"]["members"])
        assert guild["d"]["unavailable"] is False


async def test_zlib_stream_compression(fake_discord: FakeDiscord) -> None:
    inflator = zlib.decompressobj()
    async with aiohttp.ClientSession() as session:
        url = fake_discord.gateway_url + "?v=10&encoding=json&compress=zlib-stream"
        async with session.ws_connect(url) as ws:
            msg = await ws.receive(timeout=5)
            assert msg.type == aiohttp.WSMsgType.BINARY and msg.data.endswith(b"\x00\x00\xff\xff")
            assert json.loads(inflator.decompress(msg.data))["op"] == 10


async def test_bad_token_is_closed_with_4004(fake_discord: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as session, session.ws_connect(fake_discord.gateway_url) as ws:
        await recv(ws)
        await ws.send_json({"op": 2, "d": {"token": "nope", "intents": 0, "properties": {}}})
        msg = await ws.receive(timeout=5)
        assert msg.type == aiohttp.WSMsgType.CLOSE and msg.data == 4004


async def test_identify_does_not_replay_and_bad_resume_is_invalid(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(fake_discord.gateway_url) as ws:
            await recv(ws)
            await identify(ws, fake_discord, intents=1 << 12)
            await recv_event(ws, "READY")
        await fake_discord.user_dm(demo.user_ids[0], "sent while nobody listens")
        async with session.ws_connect(fake_discord.gateway_url) as ws:
            await recv(ws)
            await identify(ws, fake_discord, intents=1 << 12)
            await recv_event(ws, "READY")
            await recv_event(ws, "GUILD_CREATE")
            with pytest.raises(TimeoutError):
                await ws.receive(timeout=0.3)
        async with session.ws_connect(fake_discord.gateway_url) as ws:
            await recv(ws)
            await ws.send_json(
                {"op": 6, "d": {"token": fake_discord.bot_token, "session_id": "gone", "seq": 3}}
            )
            assert await recv(ws) == {"op": 9, "d": False, "s": None, "t": None}


async def test_raw_resume_replays_in_order(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(fake_discord.gateway_url) as ws:
            await recv(ws)
            await identify(ws, fake_discord, intents=(1 << 12) | (1 << 15))
            ready = await recv_event(ws, "READY")
            last = (await recv_event(ws, "GUILD_CREATE"))["s"]
        for text in ("one", "two", "three"):
            await fake_discord.user_dm(demo.user_ids[1], text)
        async with session.ws_connect(ready["d"]["resume_gateway_url"]) as ws:
            await recv(ws)
            resume = {"token": fake_discord.bot_token, "session_id": ready["d"]["session_id"], "seq": last}
            await ws.send_json({"op": 6, "d": resume})
            frames = [await recv(ws) for _ in range(4)]
    assert [f["t"] for f in frames] == ["MESSAGE_CREATE"] * 3 + ["RESUMED"]
    assert [f["d"].get("content") for f in frames[:3]] == ["one", "two", "three"]
    assert [f["s"] for f in frames[:3]] == [last + 1, last + 2, last + 3]


@pytest.mark.e2e
async def test_resume_after_a_dropped_connection_loses_no_event(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    received: list[str] = []
    resumed = asyncio.Event()
    async with nextcord_client(fake_discord) as client:

        @client.event
        async def on_message(message: nextcord.Message) -> None:
            received.append(message.content)

        @client.event
        async def on_resumed() -> None:
            resumed.set()

        await fake_discord.user_dm(demo.user_ids[0], "before")
        fake_discord.faults.hold_gateway()
        assert fake_discord.faults.drop_gateway() == 1
        await fake_discord.wait_for(
            lambda: all(s.connection is None for s in fake_discord.gateway.sessions.values())
        )
        for text in ("while-down-1", "while-down-2"):
            await fake_discord.user_dm(demo.user_ids[0], text)
        await fake_discord.post_in_channel(demo.general_channel_id, demo.user_ids[1], "while-down-guild")
        fake_discord.faults.release_gateway()
        await asyncio.wait_for(resumed.wait(), 10)
        await fake_discord.wait_for(lambda: len(received) >= 4)
        await fake_discord.user_dm(demo.user_ids[0], "after")
        await fake_discord.wait_for(lambda: len(received) >= 5)
    assert received == ["before", "while-down-1", "while-down-2", "while-down-guild", "after"]
    assert fake_discord.gateway.identifies == 1
    assert fake_discord.gateway.resumes == 1


@pytest.mark.e2e
async def test_reconnect_opcode_and_invalid_session(fake_discord: FakeDiscord) -> None:
    class QuickClient(nextcord.Client):
        async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
            pass  # nextcord waits 5 s before a re-IDENTIFY; not needed against the emulator

    client = QuickClient(intents=nextcord.Intents.all(), guild_ready_timeout=0.1)
    async with nextcord_client(fake_discord, client):
        fake_discord.faults.reconnect_gateway()
        await fake_discord.wait_for(lambda: fake_discord.gateway.resumes == 1, timeout=10)
        fake_discord.faults.invalidate_session(resumable=False)
        await fake_discord.wait_for(lambda: fake_discord.gateway.identifies == 2, timeout=10)
        # Let the second READY's command sync finish before the client closes.
        await fake_discord.wait_for(lambda: len(fake_discord.calls_to("GET", r"/commands$")) >= 6)


@pytest.mark.e2e
async def test_presence_updates_are_recorded(fake_discord: FakeDiscord) -> None:
    async with nextcord_client(fake_discord) as client:
        await client.change_presence(activity=nextcord.Game("with tickets"), status=nextcord.Status.dnd)
        presence = await fake_discord.wait_for(lambda: fake_discord.presences and fake_discord.presences[-1])
    assert presence["status"] == "dnd"
    assert presence["activities"][0]["name"] == "with tickets"


@pytest.mark.e2e
async def test_message_content_needs_the_intent(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    seen: list[tuple[str, str]] = []
    intents = nextcord.Intents.default()
    intents.message_content = False
    async with nextcord_client(fake_discord, intents=intents) as client:

        @client.event
        async def on_message(message: nextcord.Message) -> None:
            seen.append((message.channel.__class__.__name__, message.content))

        await fake_discord.post_in_channel(demo.general_channel_id, demo.user_ids[0], "secret")
        await fake_discord.post_in_channel(
            demo.general_channel_id, demo.user_ids[0], f"<@{fake_discord.bot_id}> ping"
        )
        await fake_discord.user_dm(demo.user_ids[0], "dm text")
        await fake_discord.wait_for(lambda: len(seen) == 3)
    assert seen == [
        ("TextChannel", ""),
        ("TextChannel", f"<@{fake_discord.bot_id}> ping"),
        ("DMChannel", "dm text"),
    ]


@pytest.mark.e2e
async def test_disallowed_privileged_intent_fails_to_connect(fake_discord: FakeDiscord) -> None:
    fake_discord.privileged_intents.discard("message_content")
    with pytest.raises(nextcord.PrivilegedIntentsRequired):
        async with nextcord_client(fake_discord):
            pass


@pytest.mark.e2e
async def test_two_connections_each_receive_dispatches(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    first: list[str] = []
    second: list[str] = []
    async with nextcord_client(fake_discord) as a, nextcord_client(fake_discord) as b:

        async def on_first(message: nextcord.Message) -> None:
            first.append(message.content)

        async def on_second(message: nextcord.Message) -> None:
            second.append(message.content)

        a.add_listener(on_first, "on_message")
        b.add_listener(on_second, "on_message")
        await fake_discord.user_dm(demo.user_ids[2], "to both")
        await fake_discord.wait_for(lambda: first and second)
    assert first == second == ["to both"]


@pytest.mark.e2e
async def test_large_guild_is_chunked_over_the_gateway() -> None:
    emu = FakeDiscord(heartbeat_interval_ms=2000)
    guild_id = emu.create_guild("Big")
    for i in range(300):
        emu.add_member(guild_id, emu.create_user(f"user{i}"))
    await emu.start()
    try:
        async with nextcord_client(emu) as client:
            guild = client.get_guild(guild_id)
            assert guild.large and guild.chunked
            assert len(guild.members) == 302
    finally:
        await emu.stop()


@pytest.mark.e2e
async def test_typing_member_events_and_raw_events(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    events: list[str] = []
    async with nextcord_client(fake_discord) as client:

        @client.event
        async def on_raw_typing(payload: nextcord.RawTypingEvent) -> None:
            events.append(f"typing:{payload.user_id}")

        @client.event
        async def on_member_join(member: nextcord.Member) -> None:
            events.append(f"join:{member.id}")

        @client.event
        async def on_raw_member_remove(payload: nextcord.RawMemberRemoveEvent) -> None:
            events.append(f"leave:{payload.user.id}")

        newcomer = fake_discord.create_user("newcomer")
        await fake_discord.start_typing(demo.general_channel_id, demo.user_ids[0])
        await fake_discord.member_join(demo.guild_id, newcomer)
        await fake_discord.member_leave(demo.guild_id, demo.user_ids[3])
        await fake_discord.wait_for(lambda: len(events) == 3)
        assert client.get_guild(demo.guild_id).get_member(demo.user_ids[3]) is None
    assert events == [f"typing:{demo.user_ids[0]}", f"join:{newcomer}", f"leave:{demo.user_ids[3]}"]


async def test_events_are_filtered_by_intents(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    async with aiohttp.ClientSession() as session, session.ws_connect(fake_discord.gateway_url) as ws:
        await recv(ws)
        await identify(ws, fake_discord, intents=1 << 0)
        await recv_event(ws, "GUILD_CREATE")
        await fake_discord.member_join(demo.guild_id, fake_discord.create_user("quiet"))
        await fake_discord.user_dm(demo.user_ids[0], "not for GUILDS only")
        channel = fake_discord.create_channel(demo.guild_id, "visible")
        created = await recv(ws)
    assert (created["t"], created["d"]["id"]) == ("CHANNEL_CREATE", str(channel))


@pytest.mark.e2e
async def test_bot_typing_is_recorded_and_dispatched(fake_discord: FakeDiscord) -> None:
    async with nextcord_client(fake_discord) as client:
        await client.get_channel(fake_discord.demo.general_channel_id).trigger_typing()
    assert [c.status for c in fake_discord.calls_to("POST", r"/typing$")] == [204]
    assert fake_discord.events[-1]["t"] == "TYPING_START"
    assert fake_discord.events[-1]["d"]["user_id"] == str(fake_discord.bot_id)

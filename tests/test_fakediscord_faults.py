"""Fault injection, rate limits (real 429s), auth and the unimplemented-route safety net."""

from __future__ import annotations

import time

import aiohttp
import nextcord
import pytest

from tests.fakediscord import FakeDiscord
from tests.fakediscord.fixtures import assert_no_gaps, gap_snapshot, new_gaps, nextcord_client

pytestmark = pytest.mark.asyncio


def bot_session(emu: FakeDiscord) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(headers={"Authorization": f"Bot {emu.bot_token}"})


@pytest.mark.e2e
async def test_injected_failures_delays_and_refusals(fake_discord: FakeDiscord) -> None:
    channel_id = fake_discord.demo.general_channel_id
    async with nextcord_client(fake_discord) as client:
        channel = client.get_channel(channel_id)
        fake_discord.faults.fail_next("POST", r"^/channels/\d+/messages$", status=500)
        await channel.send("retried after a 500")
        statuses = [c.status for c in fake_discord.calls_to("POST", r"/messages$")]
        assert statuses == [500, 200]

        fake_discord.faults.fail_next("POST", r"/messages$", status=503)
        with pytest.raises(nextcord.DiscordServerError):
            await channel.send("lost")

        fake_discord.faults.fail_next(
            "POST", r"/messages$", status=403, code=50013, message="Missing Permissions"
        )
        with pytest.raises(nextcord.Forbidden) as forbidden:
            await channel.send("forbidden")
        assert forbidden.value.code == 50013

        fake_discord.faults.delay(r"/messages$", 0.3, method="POST", count=1)
        started = time.monotonic()
        await channel.send("slow")
        assert time.monotonic() - started >= 0.3

        fake_discord.faults.refuse("POST", r"/messages$")
        with pytest.raises(aiohttp.ClientError):
            await channel.send("refused")
        await channel.send("fine again")
    contents = [m["content"] for m in fake_discord.messages(channel_id)]
    assert contents == ["retried after a 500", "slow", "fine again"]


@pytest.mark.e2e
async def test_nextcord_obeys_a_429(fake_discord: FakeDiscord) -> None:
    async with nextcord_client(fake_discord) as client:
        channel = client.get_channel(fake_discord.demo.general_channel_id)
        fake_discord.faults.rate_limit_next("POST", r"/messages$", retry_after=0.4)
        started = time.monotonic()
        await channel.send("after the route limit")
        route_wait = time.monotonic() - started
        fake_discord.faults.rate_limit_next("GET", r"^/channels/\d+$", retry_after=0.4, is_global=True)
        started = time.monotonic()
        await client.fetch_channel(channel.id)
        global_wait = time.monotonic() - started
    assert route_wait >= 0.35 and global_wait >= 0.35
    assert [c.status for c in fake_discord.calls_to("POST", r"/messages$")] == [429, 200]
    assert [c.status for c in fake_discord.calls_to("GET", r"^/channels/\d+$")] == [429, 200]


async def test_rate_limit_mode_answers_real_429s(fake_discord: FakeDiscord) -> None:
    fake_discord.rate_limit_mode = True
    url = f"{fake_discord.api_base}/channels/{fake_discord.demo.general_channel_id}/messages"
    async with bot_session(fake_discord) as session:
        for i in range(5):
            async with session.post(url, json={"content": f"m{i}"}) as resp:
                assert resp.status == 200
                assert resp.headers["X-RateLimit-Limit"] == "5"
                assert resp.headers["X-RateLimit-Remaining"] == str(4 - i)
        async with session.post(url, json={"content": "too fast"}) as resp:
            body = await resp.json()
            assert resp.status == 429 and resp.headers["Content-Type"] == "application/json"
            assert body["message"] == "You are being rate limited." and body["global"] is False
            assert 0 < body["retry_after"] <= 5
            for header in (
                "Retry-After",
                "X-RateLimit-Reset",
                "X-RateLimit-Reset-After",
                "X-RateLimit-Bucket",
            ):
                assert header in resp.headers
            assert resp.headers["X-RateLimit-Scope"] == "user" and resp.headers["Via"] == "1.1 google"
        statuses = []
        for _ in range(60):
            async with session.get(f"{fake_discord.api_base}/users/@me") as resp:
                statuses.append(resp.status)
                if resp.status == 429:
                    assert resp.headers["X-RateLimit-Global"] == "true"
                    assert (await resp.json())["global"] is True
                    break
        assert statuses[-1] == 429 and len(statuses) <= 51


@pytest.mark.e2e
async def test_nextcord_paces_itself_by_the_bucket_headers(fake_discord: FakeDiscord) -> None:
    fake_discord.rate_limit_mode = True
    # With synced clocks nextcord waits for X-RateLimit-Reset itself, which checks its value.
    async with nextcord_client(fake_discord, assume_unsync_clock=False) as client:
        channel = client.get_channel(fake_discord.demo.general_channel_id)
        message = await channel.send("react to me")
        started = time.monotonic()
        for emoji in ("👍", "👎", "✅", "❌"):
            await message.add_reaction(emoji)
        elapsed = time.monotonic() - started
    assert all(c.status != 429 for c in fake_discord.calls)
    assert elapsed >= 0.5
    assert len(fake_discord.message(message.id)["reactions"]) == 4


async def test_normal_responses_carry_bucket_headers_and_auth_is_required(fake_discord: FakeDiscord) -> None:
    me = f"{fake_discord.api_base}/users/@me"
    async with bot_session(fake_discord) as session, session.get(me) as resp:
        assert resp.status == 200
        for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Bucket", "Via"):
            assert header in resp.headers
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"Authorization": "Bot wrong"}, {"Authorization": fake_discord.bot_token}):
            async with session.get(f"{fake_discord.api_base}/users/@me", headers=headers) as resp:
                assert resp.status == 401
                assert await resp.json() == {"code": 0, "message": "401: Unauthorized"}
        async with session.get(f"{fake_discord.api_base}/gateway") as resp:
            assert (await resp.json())["url"] == fake_discord.gateway_url


@pytest.mark.e2e
async def test_wrong_token_is_a_login_failure(fake_discord: FakeDiscord) -> None:
    fake_discord.bot_token, real = "not-the-token", fake_discord.bot_token
    client = nextcord.Client(intents=nextcord.Intents.default())
    fake_discord.bot_token = real
    from nextcord.http import Route

    old, Route.BASE = Route.BASE, fake_discord.api_base
    try:
        with pytest.raises(nextcord.LoginFailure):
            await client.login("not-the-token")
    finally:
        await client.close()
        Route.BASE = old


@pytest.mark.e2e
async def test_unimplemented_routes_are_marked_recorded_and_fail_the_test(fake_discord: FakeDiscord) -> None:
    async with nextcord_client(fake_discord) as client:
        guild = client.get_guild(fake_discord.demo.guild_id)
        with pytest.raises(nextcord.NotFound) as missing:
            await guild.invites()
    assert "unimplemented route" in str(missing.value.response.headers) or missing.value.code == 0
    [call] = fake_discord.unimplemented
    assert call.method == "GET" and call.path == f"/guilds/{fake_discord.demo.guild_id}/invites"
    assert call.response["fakediscord"] == "unimplemented route"
    with pytest.raises(pytest.fail.Exception, match="unimplemented Discord route called: GET /guilds/"):
        assert_no_gaps(fake_discord)
    fake_discord.unimplemented.clear()


async def test_gap_guard_sees_emulators_built_by_hand() -> None:
    before = gap_snapshot()
    async with FakeDiscord() as emu:
        session = bot_session(emu)
        async with session, session.get(f"{emu.api_base}/guilds/1/webhooks") as resp:
            assert resp.status == 404
    assert new_gaps(before) == ["unimplemented Discord route called: GET /guilds/1/webhooks"]
    assert new_gaps(before) == []


async def test_unimplemented_body_has_the_marker(fake_discord: FakeDiscord) -> None:
    url = f"{fake_discord.api_base}/guilds/1/templates"
    async with bot_session(fake_discord) as session, session.post(url, json={"name": "x"}) as resp:
        assert resp.status == 404
        marker = {"code": 0, "message": "404: Not Found", "fakediscord": "unimplemented route"}
        assert await resp.json() == marker
    assert fake_discord.unimplemented[0].json == {"name": "x"}
    fake_discord.unimplemented.clear()

"""OAuth2 for the panel, the /_emulator/ control API, the background-thread mode and ``__main__``."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import nextcord
import pytest
import requests

from tests.fakediscord import FakeDiscord, FakeDiscordThread
from tests.fakediscord.fixtures import nextcord_client

REPO = Path(__file__).resolve().parent.parent


async def authorize(
    session: aiohttp.ClientSession, emu: FakeDiscord, path: str, **extra: str
) -> dict[str, str]:
    params = {
        "client_id": str(emu.application_id),
        "redirect_uri": "http://panel.test/api/auth/callback?next=/",
        "response_type": "code",
        "scope": "identify guilds email",
        "state": "xyz",
        **extra,
    }
    async with session.get(emu.base_url + path, params=params, allow_redirects=False) as resp:
        assert resp.status == 302
        location = urlsplit(resp.headers["Location"])
    assert (location.netloc, location.path) == ("panel.test", "/api/auth/callback")
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["state"] == "xyz" and query["next"] == "/"
    return query


@pytest.mark.asyncio
async def test_oauth_login_flow(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    token_url = f"{fake_discord.api_base}/oauth2/token"
    form = {
        "client_id": str(fake_discord.application_id),
        "client_secret": fake_discord.client_secret,
        "grant_type": "authorization_code",
        "redirect_uri": "http://panel.test/api/auth/callback?next=/",
    }
    async with aiohttp.ClientSession() as session:
        code = (await authorize(session, fake_discord, "/api/v10/oauth2/authorize"))["code"]
        async with session.post(token_url, data={**form, "code": code}) as resp:
            tokens = await resp.json()
        assert tokens["token_type"] == "Bearer" and tokens["scope"] == "email guilds identify"
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        async with session.get(f"{fake_discord.api_base}/users/@me", headers=bearer) as resp:
            me = await resp.json()
        assert me["id"] == str(demo.admin_id) and me["email"] and me["verified"]
        async with session.get(f"{fake_discord.api_base}/users/@me/guilds", headers=bearer) as resp:
            [guild] = await resp.json()
        assert guild["id"] == str(demo.guild_id) and int(guild["permissions"]) & 8
        async with session.post(token_url, data={**form, "code": code}) as resp:
            assert resp.status == 400 and await resp.json() == {
                "error": "invalid_grant",
                "error_description": 'Invalid "code" in request.',
            }
        async with session.post(token_url, data={**form, "code": "unknown"}) as resp:
            assert (await resp.json())["error"] == "invalid_grant"
        async with session.post(
            token_url, data={**form, "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
        ) as resp:
            assert (await resp.json())["access_token"] != tokens["access_token"]

        fake_discord.oauth_login_as(demo.user_ids[0])
        verifier = "v" * 50
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        code = (
            await authorize(
                session,
                fake_discord,
                "/oauth2/authorize",
                code_challenge=challenge,
                code_challenge_method="S256",
            )
        )["code"]
        async with session.post(token_url, data={**form, "code": code, "client_secret": "wrong"}) as resp:
            assert resp.status == 401 and (await resp.json())["error"] == "invalid_client"
        async with session.post(
            f"{fake_discord.base_url}/api/oauth2/token",
            data={**form, "code": code, "code_verifier": verifier},
        ) as resp:
            token = (await resp.json())["access_token"]
        async with session.get(
            f"{fake_discord.base_url}/api/users/@me", headers={"Authorization": f"Bearer {token}"}
        ) as resp:
            assert (await resp.json())["username"] == "alice"


@pytest.mark.asyncio
@pytest.mark.e2e
async def test_control_api_drives_the_bot(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    control = f"{fake_discord.base_url}/_emulator"
    seen: list[str] = []
    left: list[int] = []
    client = nextcord.Client(intents=nextcord.Intents.all(), guild_ready_timeout=0.1)

    @client.slash_command(name="status", description="Show the status", guild_ids=[demo.guild_id])
    async def status(interaction: nextcord.Interaction, verbose: bool = False) -> None:
        await interaction.response.send_message(f"verbose={verbose}")

    async def on_message(message: nextcord.Message) -> None:
        seen.append(message.content)

    async def on_raw_member_remove(payload: nextcord.RawMemberRemoveEvent) -> None:
        left.append(payload.user.id)

    client.add_listener(on_message)
    client.add_listener(on_raw_member_remove)
    async with nextcord_client(fake_discord, client), aiohttp.ClientSession() as http:
        async with http.get(f"{control}/info") as resp:
            info = await resp.json()
        assert info["bot_token"] == fake_discord.bot_token and info["demo"]["guild_id"] == str(demo.guild_id)
        assert info["demo"]["user_ids"] == [str(u) for u in demo.user_ids]
        user = info["demo"]["user_ids"][0]
        async with http.post(f"{control}/dm", json={"user_id": user, "content": "help me"}) as resp:
            assert (await resp.json())["content"] == "help me"
        async with http.post(
            f"{control}/channels/{demo.logs_channel_id}/messages",
            json={"user_id": demo.staff_id, "content": "on it"},
        ) as resp:
            assert resp.status == 200
        async with http.post(
            f"{control}/channels/{demo.logs_channel_id}/messages",
            json={"user_id": user, "content": "not allowed here"},
        ) as resp:
            assert resp.status == 400
        await fake_discord.wait_for(lambda: len(seen) == 2)
        await client.get_user(int(user)).send("we got you")
        await fake_discord.wait_for(lambda: len(seen) == 3)
        async with http.get(f"{control}/users/{user}/dm") as resp:
            assert [m["content"] for m in await resp.json()] == ["help me", "we got you"]
        async with http.get(f"{control}/channels", params={"guild_id": str(demo.guild_id)}) as resp:
            assert {c["name"] for c in await resp.json()} >= {"Inbox", "modmail-logs", "general"}
        async with http.get(f"{control}/channels/{demo.logs_channel_id}/messages") as resp:
            assert [m["content"] for m in await resp.json()] == ["on it"]
        await fake_discord.wait_for(lambda: fake_discord.commands(demo.guild_id))
        body = {
            "name": "status",
            "user_id": demo.staff_id,
            "channel_id": demo.general_channel_id,
            "options": {"verbose": True},
        }
        async with http.post(f"{control}/interactions/command", json=body) as resp:
            interaction = await resp.json()
        await fake_discord.wait_for_interaction_response(interaction["id"])
        async with http.get(f"{control}/interactions/{interaction['id']}/responses") as resp:
            assert (await resp.json())[0]["data"]["content"] == "verbose=True"
        async with http.post(f"{control}/members/{demo.user_ids[1]}/leave", json={}) as resp:
            assert resp.status == 204
        await fake_discord.wait_for(lambda: left)
        async with http.post(f"{control}/faults/drop-gateway", json={}) as resp:
            assert (await resp.json())["dropped"] == 1
        await fake_discord.wait_for(lambda: fake_discord.gateway.resumes == 1)
        async with http.get(f"{control}/calls") as resp:
            assert any(c["path"].endswith("/messages") for c in await resp.json())
    assert seen == ["help me", "on it", "we got you", "verbose=True"]
    assert left == [demo.user_ids[1]]


def test_thread_mode_serves_synchronous_code(fake_discord_thread: FakeDiscordThread) -> None:
    emu = fake_discord_thread
    demo = emu.demo
    headers = {"Authorization": f"Bot {emu.bot_token}"}
    me = requests.get(f"{emu.api_base}/users/@me", headers=headers, timeout=5).json()
    assert me["id"] == str(emu.bot_id)
    sent = emu.user_dm(demo.user_ids[0], "sync hello")
    dm = requests.post(
        f"{emu.api_base}/users/@me/channels",
        json={"recipient_id": str(demo.user_ids[0])},
        headers=headers,
        timeout=5,
    ).json()
    assert dm["id"] == sent["channel_id"]
    reply = requests.post(
        f"{emu.api_base}/channels/{dm['id']}/messages",
        json={"content": "sync reply"},
        headers=headers,
        timeout=5,
    )
    assert reply.status_code == 200
    assert [m["content"] for m in emu.dm_messages(demo.user_ids[0])] == ["sync hello", "sync reply"]
    emu.faults.fail_next("POST", r"/messages$", status=502)
    failed = requests.post(
        f"{emu.api_base}/channels/{dm['id']}/messages", json={"content": "x"}, headers=headers, timeout=5
    )
    assert failed.status_code == 502
    emu.rate_limit_mode = True
    assert emu.emu.rate_limit_mode is True
    emu.close_dms(demo.user_ids[0])
    refused = requests.post(
        f"{emu.api_base}/channels/{dm['id']}/messages", json={"content": "x"}, headers=headers, timeout=5
    )
    assert refused.status_code == 403 and refused.json()["code"] == 50007
    assert [c.status for c in emu.calls_to("POST", r"/messages$")] == [200, 502, 403]


def test_standalone_main_prints_ids_and_serves() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakediscord", "--port", "0", "--json"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        info = json.loads(line)
        assert info["api_base"].startswith("http://127.0.0.1:")
        served = requests.get(f"{info['base_url']}/_emulator/info", timeout=5).json()
        assert served["bot_token"] == info["bot_token"]
        assert served["demo"]["inbox_category_id"] == info["demo"]["inbox_category_id"]
        assert len(served["demo"]["user_ids"]) == 4
    finally:
        proc.terminate()
        proc.wait(10)
    assert proc.returncode == 0


@pytest.mark.asyncio
async def test_emulator_as_async_context_manager() -> None:
    async with FakeDiscord() as emu:
        demo = emu.seed_demo()
        message = await emu.user_dm(demo.user_ids[0], "stored without any bot connected")
        assert emu.dm_messages(demo.user_ids[0])[0]["id"] == message["id"]
        await asyncio.sleep(0)


@pytest.mark.asyncio
async def test_control_api_covers_the_python_api(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    control = f"{fake_discord.base_url}/_emulator"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{control}/users", json={"username": "erin"}) as resp:
            erin = (await resp.json())["id"]
        assert fake_discord.member(demo.guild_id, erin) is not None
        attachment = {
            "filename": "a.txt",
            "content_base64": base64.b64encode(b"hi").decode(),
            "content_type": "text/plain",
        }
        async with http.post(
            f"{control}/dm", json={"user_id": erin, "content": "x", "attachments": [attachment]}
        ) as resp:
            sent = await resp.json()
        assert sent["attachments"][0]["size"] == 2
        async with http.patch(f"{control}/dm/{sent['id']}", json={"user_id": erin, "content": "y"}) as resp:
            assert (await resp.json())["content"] == "y"
        async with http.delete(f"{control}/dm/{sent['id']}", params={"user_id": erin}) as resp:
            assert resp.status == 204
        async with http.post(f"{control}/users/{erin}/close-dms", json={"closed": True}) as resp:
            assert resp.status == 204 and not fake_discord.state.users[int(erin)].dms_open
        async with http.post(f"{control}/members/{erin}/leave", json={}) as resp:
            assert resp.status == 204 and fake_discord.member(demo.guild_id, erin) is None
        async with http.post(
            f"{control}/members/{erin}/join", json={"roles": [str(demo.staff_role_id)]}
        ) as resp:
            assert (await resp.json())["roles"] == [str(demo.staff_role_id)]
        async with http.post(
            f"{control}/interactions/button", json={"message_id": "1", "custom_id": "x", "user_id": erin}
        ) as resp:
            assert resp.status == 400 and "no message" in (await resp.json())["error"]
        async with http.post(f"{control}/rate-limit-mode", json={"enabled": True}) as resp:
            assert (await resp.json()) == {"rate_limit_mode": True}
        fail = {"method": "GET", "path_regex": "^/gateway$", "status": 502}
        async with http.post(f"{control}/faults/fail-next", json=fail) as resp:
            assert resp.status == 204
        async with http.get(f"{fake_discord.api_base}/gateway") as resp:
            assert resp.status == 502
        async with (
            http.post(f"{control}/faults/clear", json={}) as resp,
            http.get(f"{control}/presences") as pres,
        ):
            assert resp.status == 204 and await pres.json() == []
        async with http.get(f"{control}/calls", params={"unimplemented": "1"}) as resp:
            assert await resp.json() == []


def test_thread_proxy_runs_async_actions_and_waits() -> None:
    with FakeDiscord(heartbeat_interval_ms=2000).start_in_thread() as emu:
        demo = emu.seed_demo()
        message = emu.post_in_channel(demo.general_channel_id, demo.staff_id, "from another thread")
        assert emu.wait_for_message(demo.general_channel_id)["id"] == message["id"]
        emu.faults.delay(r"^/gateway$", 0.01)
        assert emu.faults.rules[0].kind == "delay"
        with pytest.raises(PermissionError):
            emu.post_in_channel(demo.inbox_category_id, demo.user_ids[0], "not allowed")
    plain = FakeDiscord()
    proxy = plain.start_in_thread()
    assert requests.get(f"{proxy.api_base}/gateway", timeout=5).status_code == 200
    plain.stop_thread()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{proxy.api_base}/gateway", timeout=5)

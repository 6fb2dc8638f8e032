"""Messages and DMs through the real nextcord client: send, edit, delete, history, files, limits."""

from __future__ import annotations

import io

import aiohttp
import nextcord
import pytest
from nextcord.ext import commands

from tests.fakediscord import FakeDiscord
from tests.fakediscord.fixtures import nextcord_client

pytestmark = pytest.mark.asyncio


@pytest.mark.e2e
async def test_user_dm_with_attachment_reaches_the_bot_and_the_file_downloads(
    fake_discord: FakeDiscord,
) -> None:
    user = fake_discord.demo.user_ids[0]
    received: list[nextcord.Message] = []
    async with nextcord_client(fake_discord) as client:
        client.add_listener(_collector(received), "on_message")
        sent = await fake_discord.user_dm(
            user, "my screenshot", [("shot.png", b"\x89PNG-bytes", "image/png")]
        )
        await fake_discord.wait_for(lambda: received)
        message = received[0]
        assert isinstance(message.channel, nextcord.DMChannel)
        assert message.author.id == user and message.content == "my screenshot"
        attachment = message.attachments[0]
        assert (attachment.filename, attachment.size, attachment.content_type) == (
            "shot.png",
            10,
            "image/png",
        )
        assert str(attachment.id) == sent["attachments"][0]["id"]
        assert await attachment.read() == b"\x89PNG-bytes"
        assert "?ex=" in attachment.url


@pytest.mark.e2e
async def test_bot_dms_a_user_and_the_history_holds_both_sides(fake_discord: FakeDiscord) -> None:
    user = fake_discord.demo.user_ids[1]
    await fake_discord.user_dm(user, "hello?")
    async with nextcord_client(fake_discord) as client:
        target = await client.fetch_user(user)
        reply = await target.send("Hi Bob, staff will answer soon.")
        assert isinstance(reply.channel, nextcord.DMChannel)
    contents = [(m["author"]["id"], m["content"]) for m in fake_discord.dm_messages(user)]
    assert contents == [(str(user), "hello?"), (str(fake_discord.bot_id), "Hi Bob, staff will answer soon.")]
    assert (await fake_discord.wait_for_dm(user))["id"] == str(reply.id)


@pytest.mark.e2e
async def test_dms_are_refused_when_closed_or_without_a_common_guild(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    fake_discord.close_dms(demo.user_ids[0])
    stranger = fake_discord.create_user("stranger")
    async with nextcord_client(fake_discord) as client:
        for user_id in (demo.user_ids[0], stranger):
            user = await client.fetch_user(user_id)
            with pytest.raises(nextcord.Forbidden) as refused:
                await user.send("hello")
            assert refused.value.code == 50007
        with pytest.raises(nextcord.NotFound) as unknown:
            await client.fetch_user(123456789012345678)
        assert unknown.value.code == 10013


@pytest.mark.e2e
async def test_send_edit_delete_with_embeds_components_and_files(fake_discord: FakeDiscord) -> None:
    channel_id = fake_discord.demo.logs_channel_id
    raw: list[str] = []
    async with nextcord_client(fake_discord) as client:

        async def on_raw_message_edit(payload: nextcord.RawMessageUpdateEvent) -> None:
            raw.append(f"edit:{payload.data['content']}")

        async def on_raw_message_delete(payload: nextcord.RawMessageDeleteEvent) -> None:
            raw.append(f"delete:{payload.message_id}")

        client.add_listener(on_raw_message_edit)
        client.add_listener(on_raw_message_delete)
        channel = client.get_channel(channel_id)
        view = nextcord.ui.View()
        view.add_item(nextcord.ui.Button(label="Close", custom_id="close-ticket"))
        embed = nextcord.Embed(title="Ticket #1", description="opened")
        files = [nextcord.File(io.BytesIO(b"log line"), filename="log.txt")]
        message = await channel.send("ticket opened", embed=embed, view=view, files=files)
        stored = fake_discord.message(message.id)
        assert stored["embeds"][0]["title"] == "Ticket #1"
        assert stored["components"][0]["components"][0]["custom_id"] == "close-ticket"
        assert stored["attachments"][0]["filename"] == "log.txt"
        assert stored["attachments"][0]["content_type"].startswith("text/plain")
        edited = await message.edit(content="ticket closed", embed=None)
        assert edited.content == "ticket closed" and edited.edited_at is not None
        assert fake_discord.message(message.id)["embeds"] == []
        await message.delete()
        await fake_discord.wait_for(lambda: len(raw) == 2)
    assert raw == ["edit:ticket closed", f"delete:{message.id}"]
    assert fake_discord.message(message.id) is None


@pytest.mark.e2e
async def test_discord_limits_answer_with_discord_errors(fake_discord: FakeDiscord) -> None:
    async with nextcord_client(fake_discord) as client:
        channel = client.get_channel(fake_discord.demo.general_channel_id)
        with pytest.raises(nextcord.HTTPException) as too_long:
            await channel.send("x" * 2001)
        assert (too_long.value.status, too_long.value.code) == (400, 50035)
        assert "2000 or fewer" in too_long.value.text
        with pytest.raises(nextcord.HTTPException) as big_embed:
            await channel.send(embed=nextcord.Embed(description="d" * 4097))
        assert big_embed.value.code == 50035
        fields = nextcord.Embed(title="t")
        for i in range(6):
            fields.add_field(name=f"f{i}", value="v" * 1000)
        with pytest.raises(nextcord.HTTPException) as total:
            await channel.send(embed=fields)
        assert "6000" in total.value.text
        message = await channel.send("x" * 2000)
        assert len(message.content) == 2000
        with pytest.raises(nextcord.NotFound) as unknown:
            await channel.fetch_message(1)
        assert unknown.value.code == 10008


@pytest.mark.e2e
async def test_user_edits_and_deletes_their_dm(fake_discord: FakeDiscord) -> None:
    user = fake_discord.demo.user_ids[0]
    events: list[str] = []
    async with nextcord_client(fake_discord) as client:

        async def on_raw_message_edit(payload: nextcord.RawMessageUpdateEvent) -> None:
            events.append(f"edit:{payload.data['content']}")

        async def on_raw_message_delete(payload: nextcord.RawMessageDeleteEvent) -> None:
            events.append("delete")

        client.add_listener(on_raw_message_edit)
        client.add_listener(on_raw_message_delete)
        sent = await fake_discord.user_dm(user, "typo")
        await fake_discord.user_edit_dm(user, sent["id"], "fixed")
        await fake_discord.user_delete_dm(user, sent["id"])
        await fake_discord.wait_for(lambda: len(events) == 2)
    assert events == ["edit:fixed", "delete"]
    assert fake_discord.dm_messages(user) == []


@pytest.mark.e2e
async def test_history_pages_with_before_and_after(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    for i in range(230):
        await fake_discord.post_in_channel(demo.logs_channel_id, demo.staff_id, f"m{i}")
    all_ids = [int(m["id"]) for m in fake_discord.messages(demo.logs_channel_id)]
    async with nextcord_client(fake_discord) as client:
        channel = client.get_channel(demo.logs_channel_id)
        forward = [m.content async for m in channel.history(limit=None, after=nextcord.Object(0))]
        backward = [
            m.content async for m in channel.history(limit=None, before=nextcord.Object(all_ids[-1] + 1))
        ]
        middle = [m.id async for m in channel.history(limit=5, after=nextcord.Object(all_ids[99]))]
        around = [m.id async for m in channel.history(limit=5, around=nextcord.Object(all_ids[50]))]
    assert forward == [f"m{i}" for i in range(230)]
    assert backward == [f"m{i}" for i in reversed(range(230))]
    assert middle == all_ids[100:105]
    assert sorted(around) == all_ids[48:53]


@pytest.mark.e2e
async def test_messages_sent_while_the_bot_was_away_can_be_fetched(fake_discord: FakeDiscord) -> None:
    user = fake_discord.demo.user_ids[2]
    first = await fake_discord.user_dm(user, "first")
    async with nextcord_client(fake_discord) as client:
        channel = await (await client.fetch_user(user)).create_dm()
        assert channel.id == fake_discord.dm_channel_id(user)
    for text in ("while", "away"):
        await fake_discord.user_dm(user, text)
    async with nextcord_client(fake_discord) as client:
        channel = await (await client.fetch_user(user)).create_dm()
        missed = [m.content async for m in channel.history(after=nextcord.Object(int(first["id"])))]
    assert missed == ["while", "away"]


@pytest.mark.e2e
async def test_replies_reactions_and_pins(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    question = await fake_discord.post_in_channel(demo.general_channel_id, demo.user_ids[0], "question?")
    async with nextcord_client(fake_discord) as client:
        channel = client.get_channel(demo.general_channel_id)
        original = await channel.fetch_message(int(question["id"]))
        answer = await original.reply("answer")
        assert answer.reference is not None and answer.reference.message_id == original.id
        await original.add_reaction("👍")
        await original.add_reaction("✅")
        await original.remove_reaction("✅", client.user)
        await original.pin()
        pins = await channel.pins()
    stored = fake_discord.message(question["id"])
    assert [(r["emoji"]["name"], r["count"], r["me"]) for r in stored["reactions"]] == [("👍", 1, True)]
    assert stored["pinned"] and [p.id for p in pins] == [original.id]
    reply = fake_discord.message(answer.id)
    assert reply["type"] == 19 and reply["referenced_message"]["id"] == question["id"]
    assert str(demo.user_ids[0]) in [u["id"] for u in reply["mentions"]]


async def test_nonce_with_enforce_nonce_creates_one_message(fake_discord: FakeDiscord) -> None:
    channel_id = fake_discord.demo.general_channel_id
    url = f"{fake_discord.api_base}/channels/{channel_id}/messages"
    headers = {"Authorization": f"Bot {fake_discord.bot_token}"}
    body = {"content": "relay", "nonce": "relay-42", "enforce_nonce": True}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.post(url, json=body) as first, session.post(url, json=body) as second:
            assert first.status == second.status == 200
            assert (await first.json())["id"] == (await second.json())["id"]
        async with session.post(url, json={**body, "enforce_nonce": False}) as third:
            assert (await third.json())["id"] != (await first.json())["id"]
        async with session.get(url, params={"limit": "101"}) as too_many:
            assert too_many.status == 400 and (await too_many.json())["code"] == 50035
        async with session.post(url, json={}) as empty:
            assert (await empty.json())["code"] == 50006
    assert [m["content"] for m in fake_discord.messages(channel_id)] == ["relay", "relay"]


def _collector(target: list[nextcord.Message]):  # type: ignore[no-untyped-def]
    async def on_message(message: nextcord.Message) -> None:
        target.append(message)

    return on_message


@pytest.mark.e2e
async def test_prefix_command_of_a_commands_bot(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    bot = commands.Bot(command_prefix="!", intents=nextcord.Intents.all(), guild_ready_timeout=0.1)

    @bot.command(name="reply")
    async def reply(ctx: commands.Context, *, text: str) -> None:
        user = await bot.fetch_user(demo.user_ids[0])
        await user.send(f"Staff: {text}")
        await ctx.message.add_reaction("✅")

    async with nextcord_client(fake_discord, bot):
        posted = await fake_discord.post_in_channel(
            demo.logs_channel_id, demo.staff_id, "!reply we are on it"
        )
        answer = await fake_discord.wait_for_dm(demo.user_ids[0])
        await fake_discord.wait_for(lambda: fake_discord.message(posted["id"]).get("reactions"))
    assert answer["content"] == "Staff: we are on it"

"""Application commands and interactions (slash commands, buttons, selects, modals) with real nextcord."""

from __future__ import annotations

import asyncio
import io
from typing import Any
from unittest.mock import ANY

import aiohttp
import nextcord
import pytest

from tests.fakediscord import FakeDiscord
from tests.fakediscord.fixtures import nextcord_client

pytestmark = pytest.mark.asyncio


OPTIONAL_MEMBER = nextcord.SlashOption(required=False)


def make_bot(guild_id: int, log: list[Any]) -> nextcord.Client:
    """A client with a guild command group, a global command and a deferred command."""
    client = nextcord.Client(intents=nextcord.Intents.all(), guild_ready_timeout=0.1)

    @client.slash_command(name="reply", description="Answer the ticket", guild_ids=[guild_id])
    async def reply(
        interaction: nextcord.Interaction,
        text: str,
        target: nextcord.Member = OPTIONAL_MEMBER,
        anonymous: bool = False,
    ) -> None:
        log.append(("reply", text, target.id if target else None, anonymous))
        await interaction.response.send_message(f"sent: {text}")

    @client.slash_command(name="ping", description="Is the bot alive?")
    async def ping(interaction: nextcord.Interaction) -> None:
        await interaction.response.send_message("pong", ephemeral=True)

    @client.slash_command(name="close", description="Close the ticket", guild_ids=[guild_id])
    async def close(interaction: nextcord.Interaction, delay: int = 0) -> None:
        await interaction.response.defer()
        await asyncio.sleep(0.05)
        await interaction.followup.send(f"closing in {delay}")
        await interaction.followup.send("second follow-up", ephemeral=True)

    @client.slash_command(name="export", description="Export the log", guild_ids=[guild_id])
    async def export(interaction: nextcord.Interaction) -> None:
        await interaction.response.send_message("log", file=nextcord.File(io.BytesIO(b"line 1"), "log.txt"))
        await interaction.edit_original_message(content="log (edited)")

    return client


@pytest.mark.e2e
async def test_register_and_invoke_slash_commands(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    log: list[Any] = []
    async with nextcord_client(fake_discord, make_bot(demo.guild_id, log)):
        await fake_discord.wait_for(
            lambda: len(fake_discord.commands(demo.guild_id)) == 3 and fake_discord.commands()
        )
        assert [c["name"] for c in fake_discord.commands()] == ["ping"]
        interaction = await fake_discord.invoke_command(
            "reply", demo.staff_id, demo.general_channel_id, {"text": "hello", "target": demo.user_ids[0]}
        )
        response = await fake_discord.wait_for_interaction_response(interaction["id"])
        assert response["type"] == 4 and response["data"]["content"] == "sent: hello"
        message = fake_discord.message(response["message_id"])
        assert message["interaction"]["name"] == "reply" and message["webhook_id"] == str(
            fake_discord.application_id
        )
        assert fake_discord.messages(demo.general_channel_id)[-1]["content"] == "sent: hello"

        ping = await fake_discord.invoke_command("ping", demo.user_ids[1], demo.general_channel_id)
        pong = await fake_discord.wait_for_interaction_response(ping["id"])
        assert fake_discord.message(pong["message_id"])["flags"] & 64
        assert all(m["content"] != "pong" for m in fake_discord.messages(demo.general_channel_id))

        dm = (
            fake_discord.dm_channel_id(demo.user_ids[1])
            or (await fake_discord.user_dm(demo.user_ids[1], "hi"))["channel_id"]
        )
        await fake_discord.wait_for_interaction_response(
            (await fake_discord.invoke_command("ping", demo.user_ids[1], dm))["id"]
        )

        closing = await fake_discord.invoke_command(
            "close", demo.staff_id, demo.general_channel_id, {"delay": 5}
        )
        await fake_discord.wait_for(lambda: len(fake_discord.interaction_responses(closing["id"])) == 3)
        kinds = [(r["kind"], r["type"]) for r in fake_discord.interaction_responses(closing["id"])]
        assert kinds == [("callback", 5), ("followup", None), ("followup", None)]
        original = fake_discord.message(fake_discord.interaction_responses(closing["id"])[0]["message_id"])
        assert original["content"] == "closing in 5" and not original["flags"] & 128

        exported = await fake_discord.invoke_command("export", demo.staff_id, demo.general_channel_id)
        await fake_discord.wait_for(lambda: len(fake_discord.interaction_responses(exported["id"])) == 2)
        log_message = fake_discord.message(
            fake_discord.interaction_responses(exported["id"])[0]["message_id"]
        )
        assert log_message["content"] == "log (edited)"
        assert log_message["attachments"][0]["filename"] == "log.txt"
    assert log == [("reply", "hello", demo.user_ids[0], False)]


@pytest.mark.e2e
async def test_command_ids_survive_a_restart(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    async with nextcord_client(fake_discord, make_bot(demo.guild_id, [])):
        await fake_discord.wait_for(lambda: len(fake_discord.commands(demo.guild_id)) == 3)
    registered = len(fake_discord.calls_to("POST", r"/commands$"))
    assert registered == 4
    async with nextcord_client(fake_discord, make_bot(demo.guild_id, [])):
        await fake_discord.wait_for(lambda: len(fake_discord.calls_to("GET", r"/guilds/\d+/commands$")) >= 2)
        await asyncio.sleep(0.2)
    assert len(fake_discord.calls_to("POST", r"/commands$")) == registered
    assert fake_discord.calls_to("DELETE", r"/commands/") == []


class TicketView(nextcord.ui.View):
    """A button, a select and a modal-opening button, as a ticket's control message."""

    def __init__(self, log: list[Any]) -> None:
        super().__init__(timeout=None)
        self.log = log

    @nextcord.ui.button(label="Close", custom_id="ticket:close", style=nextcord.ButtonStyle.danger)
    async def close(self, button: nextcord.ui.Button, interaction: nextcord.Interaction) -> None:
        self.log.append(("close", interaction.user.id))
        await interaction.response.edit_message(content="Ticket closed", view=None)

    @nextcord.ui.select(
        custom_id="ticket:category",
        options=[
            nextcord.SelectOption(label="Billing", value="billing"),
            nextcord.SelectOption(label="Bug", value="bug"),
        ],
    )
    async def category(self, select: nextcord.ui.Select, interaction: nextcord.Interaction) -> None:
        self.log.append(("category", select.values))
        await interaction.response.send_message(f"category {select.values[0]}", ephemeral=True)

    @nextcord.ui.button(label="Feedback", custom_id="ticket:feedback")
    async def feedback(self, button: nextcord.ui.Button, interaction: nextcord.Interaction) -> None:
        await interaction.response.send_modal(FeedbackModal(self.log))


class FeedbackModal(nextcord.ui.Modal):
    """A modal with one text input."""

    def __init__(self, log: list[Any]) -> None:
        super().__init__(title="Feedback", custom_id="ticket:feedback-modal")
        self.log = log
        self.reason = nextcord.ui.TextInput(label="Reason", custom_id="reason")
        self.add_item(self.reason)

    async def callback(self, interaction: nextcord.Interaction) -> None:
        self.log.append(("modal", self.reason.value))
        await interaction.response.send_message("thanks")


@pytest.mark.e2e
async def test_buttons_selects_and_modals(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    log: list[Any] = []
    async with nextcord_client(fake_discord) as client:
        channel = client.get_channel(demo.general_channel_id)
        message = await channel.send("Ticket controls", view=TicketView(log))

        picked = await fake_discord.select(message.id, "ticket:category", ["bug"], demo.staff_id)
        answer = await fake_discord.wait_for_interaction_response(picked["id"])
        assert answer["data"]["content"] == "category bug" and answer["data"]["flags"] == 64

        opened = await fake_discord.click_button(message.id, "ticket:feedback", demo.staff_id)
        await fake_discord.wait_for_interaction_response(opened["id"])
        assert fake_discord.modals[-1]["custom_id"] == "ticket:feedback-modal"
        submitted = await fake_discord.submit_modal(
            demo.staff_id, "ticket:feedback-modal", {"reason": "great"}
        )
        await fake_discord.wait_for_interaction_response(submitted["id"])

        clicked = await fake_discord.click_button(message.id, "ticket:close", demo.staff_id)
        closed = await fake_discord.wait_for_interaction_response(clicked["id"])
        assert closed["type"] == 7
        stored = fake_discord.message(message.id)
        assert stored["content"] == "Ticket closed" and stored["components"] == []
        with pytest.raises(ValueError, match="no component"):
            await fake_discord.click_button(message.id, "ticket:close", demo.staff_id)
    assert log == [("category", ["bug"]), ("modal", "great"), ("close", demo.staff_id)]


async def test_callback_rules_and_with_response(fake_discord: FakeDiscord) -> None:
    demo = fake_discord.demo
    fake_discord.state.commands.clear()
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {fake_discord.bot_token}"}) as session:
        app = f"{fake_discord.api_base}/applications/{fake_discord.application_id}"
        url = f"{app}/guilds/{demo.guild_id}/commands"
        bad = {"name": "Bad Name", "description": "x"}
        async with session.put(url, json=[{"name": "one", "description": "first"}, bad]) as resp:
            assert resp.status == 400 and (await resp.json())["errors"]["1"]["name"]
        async with session.put(url, json=[{"name": "one", "description": "first"}]) as resp:
            [one] = await resp.json()
        async with session.put(
            url, json=[{"name": "one", "description": "changed"}, {"name": "two", "description": "2"}]
        ) as resp:
            assert [c["id"] for c in await resp.json()] == [one["id"], ANY]
        inter = await fake_discord.invoke_command("one", demo.staff_id, demo.general_channel_id)
        callback = f"{fake_discord.api_base}/interactions/{inter['id']}/{inter['token']}/callback"
        body = {"type": 4, "data": {"content": "done"}}
        async with session.post(callback, params={"with_response": "true"}, json=body) as resp:
            data = await resp.json()
            assert data["resource"]["message"]["content"] == "done"
        async with session.post(callback, json=body) as resp:
            assert (await resp.json())["code"] == 40060
        late = await fake_discord.invoke_command("two", demo.staff_id, demo.general_channel_id)
        fake_discord.interaction_ack_timeout = 0.0
        url = f"{fake_discord.api_base}/interactions/{late['id']}/{late['token']}/callback"
        async with session.post(url, json=body) as resp:
            assert resp.status == 404 and (await resp.json())["code"] == 10062

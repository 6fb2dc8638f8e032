"""A configured bot and the in-memory Discord, for service tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tickets.discord import set_port
from tickets.discord.fake import FakeDiscord
from tickets.models import BotConfig

GUILD = 800_000_000_000_000_001
STAFF = 810_000_000_000_000_001
USER = 820_000_000_000_000_001
OTHER = 820_000_000_000_000_002


@dataclass
class Scene:
    discord: FakeDiscord
    guild: int
    inbox: int
    staff: int
    user: int
    other: int
    logs: int

    def dm(self, user_id: int, content: str, **kwargs):
        """The user writes a DM (stored on the fake Discord) and the bot relays it."""
        from tickets.services import user_message_relay

        sent = self.discord.user_writes_dm(user_id, content)
        return user_message_relay(
            user_id=user_id,
            user_name=self.discord.users[user_id].username,
            dm_message_id=sent.id,
            dm_channel_id=sent.channel_id,
            content=content,
            port=self.discord,
            **kwargs,
        )


@pytest.fixture
def scene(db) -> Scene:
    discord = FakeDiscord()
    inbox = discord.add_category(GUILD, "Inbox")
    logs = discord.create_channel(guild_id=GUILD, name="logs")
    discord.add_member(GUILD, STAFF, "staffer")
    discord.add_member(GUILD, USER, "alice")
    discord.add_member(GUILD, OTHER, "bob")
    config = BotConfig.load()
    config.mode_guild_id = GUILD
    config.thread_inbox_category_id = inbox
    config.bot_logs_channel_id = logs
    config.bot_enable_rustmail_logs = True
    config.save()
    set_port(discord)
    yield Scene(discord, GUILD, inbox, STAFF, USER, OTHER, logs)
    set_port(None)

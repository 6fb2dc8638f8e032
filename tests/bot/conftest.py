"""End-to-end fixtures: the real bot (``ModmailBot`` on nextcord) against the local Discord emulator.

``modmail`` starts the emulator with its demo guild, configures the product for it (single mode,
the demo's inbox category and logs channel), points the services' Discord port at the emulator, and
connects the bot. Tests drive the emulator as users and staff would and read what they would see.
Every test here needs ``django_db(transaction=True)``: the bot writes from its own threads.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from django.db import connection

from botrunner.bot import ModmailBot
from botrunner.runtime import ServiceRunner
from tests.fakediscord.demo import DemoGuild
from tests.fakediscord.fixtures import nextcord_client
from tests.fakediscord.server import FakeDiscord
from tickets.discord import set_port
from tickets.discord.rest import RestDiscordPort
from tickets.models import BotConfig, Ticket

T = TypeVar("T")

# The emulator sends the demo guild right after READY; the bot's production wait for more guilds
# (0.5 s before on_ready) would only add half a second to every test.
READY_WAIT = 0.1

pytestmark = [pytest.mark.e2e]


def configure_for(emu: FakeDiscord, **overrides: Any) -> BotConfig:
    """The product's configuration for the emulator's demo guild (single mode)."""
    demo = emu.demo
    cfg = BotConfig.load()
    cfg.bot_token = emu.bot_token
    cfg.mode_type = "single"
    cfg.mode_guild_id = demo.guild_id
    cfg.thread_inbox_category_id = demo.inbox_category_id
    cfg.bot_logs_channel_id = demo.logs_channel_id
    for key, value in overrides.items():
        setattr(cfg, key, value)
    cfg.save()
    return cfg


@dataclass
class Modmail:
    """The running bot, the emulator, and shortcuts for what tests do most."""

    emu: FakeDiscord
    bot: ModmailBot
    demo: DemoGuild

    @staticmethod
    async def db(func: Callable[[], T]) -> T:
        """Run ORM code from the test's coroutine (its thread's connection is closed afterwards, so
        none is left open when the test database is dropped)."""

        def run() -> T:
            try:
                return func()
            finally:
                connection.close()

        return await sync_to_async(run, thread_sensitive=False)()

    async def reload_config(self, **changes: Any) -> BotConfig:
        """Change the configuration and hand it to the bot (as its one-second refresh would)."""

        def change() -> BotConfig:
            cfg = BotConfig.load()
            for key, value in changes.items():
                setattr(cfg, key, value)
            cfg.save()
            return cfg

        self.bot.cfg = await self.db(change)
        return self.bot.cfg

    async def ticket_of(self, user_id: int, timeout: float = 5.0) -> Ticket:
        """The user's open ticket once it has its channel."""

        def find() -> Ticket | None:
            return Ticket.objects.filter(
                user_id=user_id, status=Ticket.Status.OPEN, channel_id__isnull=False
            ).first()

        return await eventually(lambda: self.db(find), timeout)

    async def open_ticket(self, user_id: int, content: str = "Hello, I need help") -> Ticket:
        """A user DMs the bot and their ticket channel opens; returns the ticket."""
        sent = await self.emu.user_dm(user_id, content)
        ticket = await self.ticket_of(user_id)
        await self.emu.wait_for_message(
            ticket.channel_id, lambda m: sent["content"] in _text(m) if sent["content"] else True
        )
        return ticket

    async def staff_says(self, channel_id: int, content: str, user_id: int | None = None) -> dict[str, Any]:
        """Staff post in a channel (a text command or a note)."""
        return await self.emu.post_in_channel(channel_id, user_id or self.demo.staff_id, content)

    async def slash(
        self, name: str, channel_id: int, options: dict[str, Any] | None = None, user_id: int | None = None
    ) -> dict[str, Any]:
        """Staff run a slash command; returns the bot's first answer to it (the callback body)."""
        payload = await self.emu.invoke_command(
            name, user_id or self.demo.staff_id, channel_id, options, guild_id=self.demo.guild_id
        )
        return await self.emu.wait_for_interaction_response(payload["id"], timeout=8.0)

    @contextlib.asynccontextmanager
    async def restarted(
        self, meanwhile: Callable[[], Awaitable[Any]] | None = None
    ) -> AsyncIterator[ModmailBot]:
        """Close the bot, run ``meanwhile()`` while it is away, then connect a brand-new
        ``ModmailBot`` to the same emulator (nothing in memory survives); ``self.bot`` is the new
        one inside the block."""
        old = self.bot
        await old.close()
        if meanwhile is not None:
            await meanwhile()
        # As runbot does, the new bot reads the stored configuration: the old bot's refresh may
        # have put a copy read just before the test's last change into ``old.cfg``.
        cfg = await self.db(BotConfig.load)
        bot = ModmailBot(cfg=cfg, runner=old.runner, guild_ready_timeout=READY_WAIT)
        try:
            async with nextcord_client(self.emu, bot, ready_timeout=15.0):
                bot.dms_open.set()
                await commands_registered(self.emu, bot)
                self.bot = bot
                yield bot
                await bot.runner.drain(10)
        finally:
            self.bot = old


async def eventually(probe: Callable[[], Any], timeout: float = 5.0, interval: float = 0.02) -> Any:
    """Await ``probe()`` until it gives something truthy, and return that; fail after ``timeout``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not true within {timeout} s: {probe}")
        await asyncio.sleep(interval)


def _text(message: dict[str, Any]) -> str:
    """Everything a person reads in a message: its content and its embeds' text."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [
            (embed.get("author") or {}).get("name") or "",
            (embed.get("footer") or {}).get("text") or "",
        ]
        parts += [f"{f.get('name')} {f.get('value')}" for f in embed.get("fields") or []]
    return "\n".join(p for p in parts if p)


text_of = _text


async def bot_says(modmail: Modmail, channel_id: int, words: str) -> dict[str, Any]:
    """The bot's first message in the channel containing ``words``."""
    bot = str(modmail.emu.bot_id)
    return await modmail.emu.wait_for_message(
        channel_id, lambda m: m["author"]["id"] == bot and words.lower() in text_of(m).lower()
    )


async def slash_said(
    modmail: Modmail, name: str, channel_id: int, options: dict | None = None, user_id: int | None = None
) -> dict[str, Any]:
    """Run ``/name options``; the bot's first answer that says something (its data)."""
    payload = await modmail.emu.invoke_command(
        name, user_id or modmail.demo.staff_id, channel_id, options, guild_id=modmail.demo.guild_id
    )

    def said() -> dict[str, Any] | None:
        for response in modmail.emu.interaction_responses(payload["id"]):
            if text_of(response.get("data") or {}):
                return response["data"]
        return None

    return await modmail.emu.wait_for(said, timeout=8.0)


async def commands_registered(emu: FakeDiscord, bot: ModmailBot, timeout: float = 20.0) -> None:
    """Wait until every application command of the bot is registered for the demo guild.

    nextcord registers them one request at a time after GUILD_CREATE; on a loaded machine the
    last ones land well after on_ready, and a test invoking one of them too early would fail."""
    wanted = {c.name for c in bot.get_all_application_commands() if c.name}

    def all_there() -> bool | None:
        have = {c["name"] for c in emu.commands(emu.demo.guild_id)} | {c["name"] for c in emu.commands()}
        return wanted <= have or None

    await emu.wait_for(all_there, timeout=timeout)


@pytest_asyncio.fixture
async def modmail(fake_discord: FakeDiscord) -> AsyncIterator[Modmail]:
    """The bot connected to the emulator, configured for its demo guild, DMs open."""
    emu = fake_discord
    cfg = await Modmail.db(lambda: configure_for(emu))
    set_port(RestDiscordPort(base_url=emu.api_base, token=emu.bot_token, rate=1000))
    runner = ServiceRunner(threads=4)
    bot = ModmailBot(cfg=cfg, runner=runner, guild_ready_timeout=READY_WAIT)
    try:
        async with nextcord_client(emu, bot, ready_timeout=15.0):
            bot.dms_open.set()
            await commands_registered(emu, bot)
            yield Modmail(emu=emu, bot=bot, demo=emu.demo)
            await bot.runner.drain(10)
    finally:
        runner.shutdown()
        set_port(None)

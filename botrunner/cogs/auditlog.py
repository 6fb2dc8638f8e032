"""The guild's audit log forwarded to the logs channel, when ``bot.enable_discord_logs`` is on.

One task per bot runs :func:`tickets.services.auditlog.audit_log_forward` step by step: woken by
GUILD_AUDIT_LOG_ENTRY_CREATE, at start (to post what happened while the bot was away) and every
minute (should an event be missed). Being one task, steps never overlap; it waits
``MIN_INTERVAL`` between two posts, so entries arriving faster are posted together.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import nextcord
from nextcord.ext import commands

from botrunner.bot import ModmailBot
from tickets.discord import DiscordError
from tickets.services import auditlog

log = logging.getLogger("rustmail.bot")

# How often the configuration is looked at, and the audit log read without an event.
CHECK_EVERY = 2.0
POLL_EVERY = 60.0
RETRY_AFTER = 10.0


class AuditLog(commands.Cog):
    """Forwards audit log entries; no commands."""

    def __init__(self, bot: ModmailBot) -> None:
        self.bot = bot
        self.wake = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.retry_after = RETRY_AFTER

    def cog_unload(self) -> None:
        if self.task is not None:
            self.task.cancel()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._forward_forever())

    @commands.Cog.listener()
    async def on_guild_audit_log_entry_create(self, entry: nextcord.AuditLogEntry) -> None:
        if entry.guild.id in auditlog.audit_log_guilds(self.bot.cfg):
            self.wake.set()

    async def _forward_forever(self) -> None:
        loop = asyncio.get_running_loop()
        last_post = last_read = -POLL_EVERY
        forwarding: list[int] | None = None
        while not (self.bot.is_closed() or self.bot.closing):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), CHECK_EVERY)
            guilds = auditlog.audit_log_guilds(self.bot.cfg)
            try:
                if guilds != forwarding:
                    if not guilds:
                        await self.bot.call(auditlog.audit_log_pause)
                    for guild_id in guilds:
                        await self.bot.call(auditlog.audit_log_start, guild_id=guild_id)
                    forwarding, last_read = guilds, -POLL_EVERY
                if not guilds or (not self.wake.is_set() and loop.time() - last_read < POLL_EVERY):
                    continue
                self.wake.clear()
                last_read = loop.time()
                for guild_id in guilds:
                    more = True
                    while more and not (self.bot.is_closed() or self.bot.closing):
                        await asyncio.sleep(max(0.0, last_post + auditlog.MIN_INTERVAL - loop.time()))
                        async with self.bot.runner.tracked():  # a shutdown waits for the step
                            result = await self.bot.call(
                                auditlog.audit_log_forward,
                                guild_id=guild_id,
                                channel_id=self.bot.cfg.bot_logs_channel_id,
                            )
                        if result.messages:
                            last_post = loop.time()
                        more = result.more
            except asyncio.CancelledError:
                raise
            except DiscordError as error:
                # Typically View Audit Log missing in the guild, or the logs channel gone: nothing
                # is lost, the entries wait after the cursor.
                log.warning(
                    "Discord refused forwarding the audit log (%s); trying again in %s s",
                    error,
                    self.retry_after,
                )
                await asyncio.sleep(self.retry_after)
                self.wake.set()
            except Exception:
                log.exception("Forwarding the audit log failed; trying again in %s s", self.retry_after)
                await asyncio.sleep(self.retry_after)
                self.wake.set()


def setup(bot: ModmailBot) -> None:
    bot.add_cog(AuditLog(bot))

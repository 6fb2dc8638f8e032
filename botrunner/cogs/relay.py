"""Users' side: DMs become ticket messages, their edits and deletions are mirrored, typing is proxied.

A DM is never parsed as a command. Each user's events run in the order they arrived.
"""

from __future__ import annotations

import logging

import nextcord
from nextcord.ext import commands

from botrunner.bot import ModmailBot
from tickets import services
from tickets.discord import DiscordError
from tickets.errors import DomainError

log = logging.getLogger("rustmail.bot")


def incoming_attachments(message: nextcord.Message) -> list[services.IncomingAttachment]:
    """The files of a DM as the relay service takes them."""
    return [
        services.IncomingAttachment(
            filename=a.filename,
            size=a.size,
            content_type=a.content_type or "",
            url=a.url,
            discord_id=a.id,
        )
        for a in message.attachments
    ]


class Relay(commands.Cog):
    """DMs in, edits and deletions mirrored, typing proxied both ways."""

    def __init__(self, bot: ModmailBot) -> None:
        self.bot = bot

    async def on_dm(self, message: nextcord.Message) -> None:
        """Relay a DM into the user's ticket (called by the bot's router, never for guild messages).
        The service tells the user of any refusal; the ✅ on a relayed DM goes apart
        (``Confirmations``), after the copies, and in a burst only on the newest DM (it vouches for
        those before it), which halves the Discord requests exactly when the bot is busiest."""
        author = message.author
        key = ("user", author.id)
        async with self.bot.runner.ordered(key):
            await self.bot.dms_open.wait()
            try:
                result = await self.bot.runner.call(
                    services.user_message_relay,
                    user_id=author.id,
                    user_name=author.global_name or author.name,
                    dm_message_id=message.id,
                    dm_channel_id=message.channel.id,
                    content=message.content,
                    attachments=incoming_attachments(message),
                    created_at=message.created_at,
                    is_bot=author.bot,
                    confirm=False,
                )
            except (DomainError, DiscordError) as error:
                log.warning("DM %s from %s not relayed: %s", message.id, author.id, error)
            except Exception:  # whatever broke, the user must hear that their message did not go
                log.exception("Relaying DM %s from %s failed", message.id, author.id)
            else:
                if result.outcome in (services.Relay.RELAYED, services.Relay.OPENED):
                    more_coming = bool(self.bot.runner.queued(key))
                    self.bot.confirmations.due(
                        author.id, message.channel.id, message.id, more_coming=more_coming
                    )
                else:
                    self.bot.confirmations.release(author.id)
                return
            self.bot.confirmations.release(author.id)
            await self.bot.runner.call(
                services.user_message_failed,
                user_id=author.id,
                dm_channel_id=message.channel.id,
                dm_message_id=message.id,
            )

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: nextcord.RawMessageUpdateEvent) -> None:
        data = payload.data
        if data.get("guild_id") or "content" not in data or self.bot.closing:
            return
        author = data.get("author") or {}
        if author.get("bot") or not author.get("id"):
            return
        # In the user's turn: an edit made right after sending waits for the DM to be relayed.
        async with self.bot.runner.ordered(("user", int(author["id"]))):
            await _quietly(
                self.bot.runner.call(
                    services.user_message_edited, dm_message_id=payload.message_id, content=data["content"]
                )
            )

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: nextcord.RawMessageDeleteEvent) -> None:
        if payload.guild_id is not None or self.bot.closing:
            return
        cached = payload.cached_message
        if cached is not None and cached.author.bot:
            return
        # In the user's turn when the message is still cached (a deletion right after sending waits
        # for the DM to be relayed), as for edits.
        author = cached.author.id if cached is not None else None
        turn = self.bot.runner.ordered(("user", author)) if author else self.bot.runner.tracked()
        async with turn:
            await _quietly(
                self.bot.runner.call(services.user_message_deleted, dm_message_id=payload.message_id)
            )

    @commands.Cog.listener()
    async def on_raw_typing(self, payload: nextcord.RawTypingEvent) -> None:
        if self.bot.closing or payload.user_id == self.bot.user.id:
            return
        async with self.bot.runner.tracked():
            if payload.guild_id is None:
                await _quietly(self.bot.runner.call(services.user_typing, user_id=payload.user_id))
            else:
                await _quietly(self.bot.runner.call(services.staff_typing, channel_id=payload.channel_id))


async def _quietly(call) -> None:
    try:
        await call
    except (DomainError, DiscordError) as error:
        log.warning("User event not mirrored: %s", error)


def setup(bot: ModmailBot) -> None:
    bot.add_cog(Relay(bot))

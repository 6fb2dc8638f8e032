"""Members coming and going: the guild cache kept current, users leaving, and tickets opened by
creating a channel.

- The cache (``tickets.services.guildcache``) holds every guild the bot is in (in dual mode, the
  community guild and the staff guild): written whole when a guild becomes available (so changes
  missed while the bot was away are caught), then on each member, role and channel event. Events of
  one guild are written in the order they came. Nextcord keeps no members (``botrunner.memberstream``):
  they are written from the chunk payloads as they arrive, and member updates from their payloads.
- A user leaving the community guild hands their ticket to ``user_left``: closed when
  ``close_on_leave``, otherwise a Keep/Close notice that only staff may answer.
- With ``create_ticket_by_create_channel``, a channel staff create in the inbox category becomes a
  ticket: for the user whose ID is its name, or else for the ID staff send in it when asked.

Listeners use ``on_raw_member_remove``: nextcord fires ``on_member_remove`` only for cached members.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

import nextcord
from django.utils.translation import gettext as _
from nextcord.ext import commands

from botrunner.bot import ModmailBot, community_guild, staff_guild
from botrunner.invocation import show_in_place
from botrunner.memberstream import (
    UPDATE_EVENT,
    MemberStream,
    PayloadHooks,
    channel_data,
    member_data,
    member_from_payload,
    role_data,
)
from tickets import rendering, selectors, services, snowflake
from tickets.discord import DiscordError
from tickets.errors import DomainError
from tickets.services import guildcache
from tickets.services.guildcache import MemberData
from tickets.services.opening import ticket_open_on_channel

log = logging.getLogger("rustmail.bot")
T = TypeVar("T")

SNOWFLAKE = re.compile(r"(?<![0-9])[0-9]{17,20}(?![0-9])")
LEAVE_PREFIX = "leave:"
# Seconds a guild's snapshot waits for the next chunk of its members (Discord sends 1,000 a chunk);
# past it, the members written so far stay and none is deleted.
CHUNK_WAIT = 60.0


def is_snowflake(text: str | None) -> bool:
    return bool(text) and snowflake.is_snowflake(text.strip())


class Members(commands.Cog):
    """The guild cache, users leaving, and tickets opened by creating a channel."""

    def __init__(self, bot: ModmailBot) -> None:
        self.bot = bot
        # The members requests under way: by nonce (for the chunks), by guild (for the events).
        self._streams: dict[str, MemberStream] = {}
        self._syncing: dict[int, MemberStream] = {}
        self._hooks = PayloadHooks(bot, self._streams)
        self._hooks.install()

    def cog_unload(self) -> None:
        self._hooks.uninstall()

    async def _cache(self, guild_id: int, func: Callable[..., T], /, **kwargs: Any) -> T | None:
        """Write to the cache in the guild's event order; a failure is logged (the next time the
        guild becomes available rewrites it whole)."""
        async with self.bot.runner.ordered(("guild", guild_id)):
            try:
                return await self.bot.runner.call(func, guild_id=guild_id, **kwargs)
            except Exception:
                log.exception("Guild cache of %s not updated by %s", guild_id, func.__name__)
                return None

    # --- whole guilds ----------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_guild_available(self, guild: nextcord.Guild) -> None:
        await self._snapshot(guild)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: nextcord.Guild) -> None:
        await self._snapshot(guild)

    async def _snapshot(self, guild: nextcord.Guild) -> None:
        """Cache the guild whole: roles and channels, then its members chunk by chunk as Discord
        sends them (a hundred thousand in a large guild, never all in memory), then those gone."""
        previous = self._syncing.get(guild.id)
        if previous is not None:
            previous.queue.put_nowait(None)  # superseded: it stops without deleting anyone
        stream = self._syncing[guild.id] = MemberStream(guild.id, self.bot.nicknames)
        try:
            await self._cache(
                guild.id,
                guildcache.guild_sync_begin,
                name=guild.name,
                owner_id=guild.owner_id,
                icon=guild.icon.key if guild.icon else "",
                roles=[role_data(r) for r in guild.roles],
                channels=[channel_data(c) for c in guild.channels],
            )
            await self._hooks.request(stream)
            complete = await self._members_arrive(stream)
            if self._syncing.get(guild.id) is not stream:
                return
            result = await self._cache(
                guild.id, guildcache.guild_members_finish, present=stream.seen, complete=complete
            )
        finally:
            self._streams.pop(stream.nonce, None)
            if self._syncing.get(guild.id) is stream:
                del self._syncing[guild.id]
        log.info("Guild %s cached: %d members (complete: %s)", guild.id, len(stream.seen), complete)
        if result is not None and guild.id == community_guild(self.bot.cfg):
            for user_id in result.departed:  # left while the bot was away
                await self._user_left(user_id)

    async def _members_arrive(self, stream: MemberStream) -> bool:
        """Write each chunk as it comes; True once the last came, False if one is overdue."""
        while True:
            try:
                payloads = await asyncio.wait_for(stream.queue.get(), timeout=CHUNK_WAIT)
            except TimeoutError:
                log.warning("Guild %s: members stopped arriving; none deleted", stream.guild_id)
                return False
            if payloads is None:
                return True

            def guild_members_write(*, guild_id: int, payloads: list = payloads) -> int:
                # In the guild's ordered section (as member events are), in a worker thread.
                return guildcache.guild_members_write(guild_id=guild_id, members=stream.take(payloads))

            await self._cache(stream.guild_id, guild_members_write)

    @commands.Cog.listener()
    async def on_guild_update(self, _before: nextcord.Guild, after: nextcord.Guild) -> None:
        await self._cache(
            after.id,
            guildcache.guild_update,
            name=after.name,
            owner_id=after.owner_id,
            icon=after.icon.key if after.icon else "",
        )

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: nextcord.Guild) -> None:
        await self._cache(guild.id, guildcache.guild_forget)

    # --- members ---------------------------------------------------------------------------
    async def _member_changed(self, guild_id: int, member: MemberData) -> None:
        def member_upsert(*, guild_id: int) -> Any:
            # In the guild's ordered section: a guild being cached counts them as present.
            if (stream := self._syncing.get(guild_id)) is not None:
                stream.joined(member.user_id)
            return guildcache.member_upsert(guild_id=guild_id, member=member)

        await self._cache(guild_id, member_upsert)

    @commands.Cog.listener()
    async def on_member_join(self, member: nextcord.Member) -> None:
        self.bot.nicknames.note(member.guild.id, member.id, member.nick)
        await self._member_changed(member.guild.id, member_data(member))
        if member.guild.id == community_guild(self.bot.cfg) and not member.bot:
            async with self.bot.runner.ordered(("user", member.id)):
                try:
                    await self.bot.call(services.user_returned, user_id=member.id)
                except (DomainError, DiscordError) as error:
                    log.warning("User %s came back; their ticket was not updated: %s", member.id, error)

    @commands.Cog.listener(f"on_{UPDATE_EVENT}")
    async def on_member_payload(self, data: dict[str, Any]) -> None:
        """A member changed (roles, names, avatar): nextcord holds no members to compare, so every
        GUILD_MEMBER_UPDATE is written from its payload."""
        member = member_from_payload(data)
        self.bot.nicknames.note(int(data["guild_id"]), member.user_id, data.get("nick"))
        await self._member_changed(int(data["guild_id"]), member)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: nextcord.RawMemberRemoveEvent) -> None:
        user_id = payload.user.id
        self.bot.nicknames.note(payload.guild_id, user_id, None)

        def member_remove(*, guild_id: int) -> bool:
            # In the guild's ordered section: a guild being cached must not bring them back.
            if (stream := self._syncing.get(guild_id)) is not None:
                stream.left(user_id)
            return guildcache.member_remove(guild_id=guild_id, user_id=user_id)

        await self._cache(payload.guild_id, member_remove)
        if payload.guild_id == community_guild(self.bot.cfg) and not payload.user.bot:
            await self._user_left(payload.user.id)

    async def _user_left(self, user_id: int) -> None:
        async with self.bot.runner.ordered(("user", user_id)):
            try:
                await self.bot.call(services.user_left, user_id=user_id)
            except (DomainError, DiscordError) as error:
                log.warning("User %s left; their ticket was not updated: %s", user_id, error)

    # --- roles -----------------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_guild_role_create(self, role: nextcord.Role) -> None:
        await self._cache(role.guild.id, guildcache.role_upsert, role=role_data(role))

    @commands.Cog.listener()
    async def on_guild_role_update(self, _before: nextcord.Role, after: nextcord.Role) -> None:
        await self._cache(after.guild.id, guildcache.role_upsert, role=role_data(after))

    @commands.Cog.listener()
    async def on_guild_role_delete(self, role: nextcord.Role) -> None:
        await self._cache(role.guild.id, guildcache.role_remove, role_id=role.id)

    # --- channels --------------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_guild_channel_create(self, channel: nextcord.abc.GuildChannel) -> None:
        await self._cache(channel.guild.id, guildcache.channel_upsert, channel=channel_data(channel))
        if self._awaits_user(channel):
            await self._channel_created(channel)

    @commands.Cog.listener()
    async def on_guild_channel_update(
        self, _before: nextcord.abc.GuildChannel, after: nextcord.abc.GuildChannel
    ) -> None:
        await self._cache(after.guild.id, guildcache.channel_upsert, channel=channel_data(after))

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: nextcord.abc.GuildChannel) -> None:
        await self._cache(channel.guild.id, guildcache.channel_remove, channel_id=channel.id)

    # --- tickets opened by creating a channel ------------------------------------------------
    def _awaits_user(self, channel: Any) -> bool:
        """A channel staff made in the inbox category, where a ticket may be opened by creating it.
        The bot's own ticket channels carry their user's ID as topic and are left alone."""
        cfg = self.bot.cfg
        return bool(
            cfg.thread_create_ticket_by_create_channel
            and isinstance(channel, nextcord.TextChannel)
            and channel.guild.id == staff_guild(cfg)
            and cfg.thread_inbox_category_id
            and channel.category_id == cfg.thread_inbox_category_id
            and not is_snowflake(channel.topic)
        )

    async def _channel_created(self, channel: nextcord.TextChannel) -> None:
        """Named after a user's ID: that user's ticket; otherwise ask staff for the ID."""
        async with self.bot.runner.ordered(("channel", channel.id)):
            problem = None
            if is_snowflake(channel.name):
                user_id = int(channel.name.strip())
                try:
                    await self._open_on_channel(channel.id, user_id, staff_id=None)
                    return
                except (DomainError, DiscordError) as error:
                    with self.bot.language():
                        problem = _error_text(error)
            with self.bot.language():
                text = _("Which user is this ticket for? Send their Discord ID here.")
                await self._say(channel, f"{problem}\n{text}" if problem else text, error=bool(problem))

    @commands.Cog.listener()
    async def on_message(self, message: nextcord.Message) -> None:
        """Staff answering with a user's ID in a channel that awaits one. (The bot's router first
        offers the message to the notes, which skip it: the channel is no ticket yet.)"""
        if message.guild is None or message.author.bot or self.bot.closing:
            return
        if not self._awaits_user(message.channel):
            return
        if message.content.startswith(self.bot.cfg.command_prefix or "!"):
            return
        async with self.bot.runner.ordered(("channel", message.channel.id)):
            if await self.bot.runner.call(selectors.ticket_for_channel, message.channel.id) is not None:
                return
            if self.bot.command_refusal(message.author, message.guild):
                return
            found = SNOWFLAKE.search(message.content)
            try:
                if found is None:
                    with self.bot.language():
                        await self._say(
                            message.channel, _("That is not a Discord user ID (a number of 17 to 20 digits).")
                        )
                    return
                await self._open_on_channel(
                    message.channel.id, int(found.group()), staff_id=message.author.id
                )
            except (DomainError, DiscordError) as error:
                with self.bot.language():
                    await self._say(message.channel, _error_text(error), error=True)

    async def _open_on_channel(self, channel_id: int, user_id: int, *, staff_id: int | None) -> None:
        async with self.bot.runner.ordered(("user", user_id)):
            await self.bot.call(
                ticket_open_on_channel, channel_id=channel_id, user_id=user_id, staff_id=staff_id
            )

    async def _say(self, channel: nextcord.abc.Messageable, text: str, *, error: bool = False) -> None:
        cfg = self.bot.cfg
        color = 0xED4245 if error else int(cfg.thread_system_message_color or "faa81a", 16)
        try:
            await channel.send(embed=nextcord.Embed(description=text, color=color))
        except nextcord.HTTPException as failure:
            log.info("Could not post in %s: %s", getattr(channel, "id", "?"), failure)

    # --- the Keep/Close notice of a user who left ---------------------------------------------
    @commands.Cog.listener()
    async def on_interaction(self, interaction: nextcord.Interaction) -> None:
        """Staff answer the notice ``user_left`` posted: Keep removes the buttons, Close closes."""
        if interaction.type != nextcord.InteractionType.component or self.bot.closing:
            return
        custom_id = str((interaction.data or {}).get("custom_id", ""))
        if not custom_id.startswith(LEAVE_PREFIX):
            return
        action, _sep, ticket_id = custom_id.removeprefix(LEAVE_PREFIX).partition(":")
        async with self.bot.runner.tracked():
            refusal = self.bot.command_refusal(interaction.user, interaction.guild)
            if refusal:
                await _refuse(interaction, refusal)
                return
            if action == "keep":
                await self._keep(interaction, ticket_id)
            elif action == "close":
                await self._close(interaction, ticket_id)

    async def _ticket(self, interaction: nextcord.Interaction, ticket_id: str):
        """The open ticket of the notice's channel, or None once the staff member was told why not."""
        try:
            ticket = await self.bot.call(services.ticket_by_channel, channel_id=interaction.channel_id)
        except DomainError as error:
            await _refuse(interaction, error.message)
            return None
        if str(ticket.pk) != ticket_id:
            with self.bot.language():
                await _refuse(interaction, _("This notice belongs to a ticket that is closed."))
            return None
        return ticket

    async def _keep(self, interaction: nextcord.Interaction, ticket_id: str) -> None:
        if await self._ticket(interaction, ticket_id) is None:
            return
        cfg = self.bot.cfg
        with self.bot.language():
            text = _("The user left the server. %(staff)s kept the ticket open.") % {
                "staff": interaction.user.mention
            }
            message = rendering.system(cfg, text)
        await show_in_place(interaction, message)

    async def _close(self, interaction: nextcord.Interaction, ticket_id: str) -> None:
        await interaction.response.defer()
        ticket = await self._ticket(interaction, ticket_id)
        if ticket is None:
            return
        async with self.bot.runner.ordered(("channel", ticket.channel_id)):
            try:
                await self.bot.call(services.ticket_force_close, ticket=ticket, staff_id=interaction.user.id)
            except (DomainError, DiscordError) as error:
                with self.bot.language():
                    await _refuse(interaction, _error_text(error))


async def _refuse(interaction: nextcord.Interaction, text: str) -> None:
    """An ephemeral answer to a click (a follow-up once the click was acknowledged)."""
    embed = nextcord.Embed(description=text, color=0xED4245)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, ephemeral=True)
    except nextcord.HTTPException as error:
        log.info("Could not answer a click: %s", error)


def _error_text(error: DomainError | DiscordError) -> str:
    """What went wrong, for staff (call it in the bot's language)."""
    if isinstance(error, DomainError):
        return error.message
    return _("Discord refused: %(error)s") % {"error": error.message}


def setup(bot: ModmailBot) -> None:
    bot.add_cog(Members(bot))

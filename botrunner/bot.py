"""The nextcord client: gateway events in, service calls out.

``ModmailBot`` routes what the gateway delivers: a DM goes to the relay (never parsed as a command),
a guild message is a text command when it starts with the prefix and names a command, and any other
staff message in a ticket channel is kept as an internal note. Cogs in ``botrunner/cogs`` hold the
commands and listeners; each is thin over ``tickets.services``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import nextcord
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from nextcord.ext import commands

from tickets.models import BotConfig

from .commanddocs import localize_slash_commands
from .confirmations import Confirmations
from .memberstream import MEMBER_CACHE, Nicknames
from .runtime import ServiceRunner

log = logging.getLogger("rustmail.bot")

COGS = (
    "botrunner.cogs.relay",
    "botrunner.cogs.replies",
    "botrunner.cogs.closing",
    "botrunner.cogs.staffing",
    "botrunner.cogs.reminders",
    "botrunner.cogs.moderation",
    "botrunner.cogs.categories",
    "botrunner.cogs.info",
    "botrunner.cogs.help",
    "botrunner.cogs.members",
    "botrunner.cogs.auditlog",
    "botrunner.cogs.features",
    "botrunner.cogs.bans",
)


def bot_intents() -> nextcord.Intents:
    """Guilds, members, guild and DM messages with their content, typing, moderation (bans, audit log)."""
    intents = nextcord.Intents.none()
    intents.guilds = True
    intents.members = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = True
    intents.guild_typing = True
    intents.dm_typing = True
    intents.moderation = True  # bans, unbans and audit log entries
    return intents


def point_at_api(base: str) -> None:
    """Send nextcord's REST calls to ``base`` (DISCORD_API_BASE); nextcord has no other setting."""
    from nextcord.http import Route

    Route.BASE = base.rstrip("/")


def staff_guild(cfg: BotConfig) -> int | None:
    return cfg.mode_staff_guild_id if cfg.mode_type == "dual" else cfg.mode_guild_id


def community_guild(cfg: BotConfig) -> int | None:
    return cfg.mode_community_guild_id if cfg.mode_type == "dual" else cfg.mode_guild_id


class ModmailBot(commands.Bot):
    """The modmail bot. ``cfg`` is the configuration as last read (refreshed every second)."""

    def __init__(
        self,
        *,
        cfg: BotConfig,
        runner: ServiceRunner | None = None,
        cogs: tuple[str, ...] = COGS,
        **kwargs: Any,
    ) -> None:
        self.cfg = cfg
        guild = staff_guild(cfg)
        kwargs.setdefault("guild_ready_timeout", 0.5)
        # Nextcord keeps no members (a large guild's hundred thousand would weigh hundreds of MB):
        # the members cog writes them to the database guild cache from the chunks it asks for.
        kwargs.setdefault("member_cache_flags", MEMBER_CACHE)
        kwargs.setdefault("chunk_guilds_at_startup", False)
        super().__init__(
            command_prefix=lambda _bot, _message: self.cfg.command_prefix or "!",
            intents=bot_intents(),
            help_command=None,
            default_guild_ids=[guild] if guild else None,
            case_insensitive=True,
            allowed_mentions=nextcord.AllowedMentions(everyone=False, roles=False, users=True),
            **kwargs,
        )
        # An empty member cache also turns off nextcord's user cache, and with it the users a message
        # mentions (``get_user``: the ``nextcord.User`` converter of !block <@user> answers "not found"
        # for a mentioned member). Keep it: it holds the users the bot has seen act, not the guild's.
        self._connection.__dict__.pop("store_user", None)
        self._connection.__dict__.pop("deref_user", None)
        self.runner = runner or ServiceRunner(threads=settings.BOT_SERVICE_THREADS)
        # The ✅ on relayed DMs, sent when Discord's request budget is not needed by copies.
        self.confirmations = Confirmations(self.runner)
        # Members' nicknames (nextcord holds no members; the database cache keeps no nickname).
        self.nicknames = Nicknames()
        # Set on SIGTERM: new events are no longer taken, in-flight ones finish.
        self.closing = False
        # Live DMs wait for the startup recovery, so a user's messages are relayed in order.
        self.dms_open = asyncio.Event()
        # Set by the supervisor from the desired presence: only admins may use commands then.
        self.maintenance = False
        self.add_check(self._text_command_allowed)
        self.add_application_command_check(self._slash_command_allowed)
        for name in cogs:
            self.load_extension(name)
        # Discord shows each slash command's and option's description in the client's language.
        localize_slash_commands(self.get_all_application_commands())

    # --- the bot's language and its service calls -----------------------------------------
    def language(self) -> translation.override:
        """The language the bot writes in (``language.default_language``)."""
        return translation.override(self.cfg.language_default_language or "en")

    async def call[T](self, func: Callable[..., T], /, **kwargs: Any) -> T:
        """A service in the thread pool, in the bot's language."""
        language = self.cfg.language_default_language or "en"

        def run() -> T:
            with translation.override(language):
                return func(**kwargs)

        return await self.runner.call(run)

    # --- who may use commands --------------------------------------------------------------
    def command_refusal(self, author: Any, guild: nextcord.Guild | None) -> str | None:
        """Why ``author`` may not use a staff command here, or None. Staff are the members of the
        staff guild who can see the inbox category; admins (Administrator, panel super admins) can
        always; in maintenance mode only admins can."""

        with self.language():
            if guild is None or guild.id != staff_guild(self.cfg):
                return _("Staff commands work in the staff server only.")
            if self.is_admin(author):
                return None
            if self.maintenance:
                return _("The bot is in maintenance: only administrators can use commands.")
            inbox = guild.get_channel(self.cfg.thread_inbox_category_id or 0)
            if inbox is None or not inbox.permissions_for(author).view_channel:
                return _("Only staff can use this command.")
        return None

    def is_admin(self, author: Any) -> bool:
        """Administrator in the staff guild, or a panel super admin (by user or role)."""
        perms = getattr(author, "guild_permissions", None)
        if perms is not None and perms.administrator:
            return True
        users = {int(x) for x in (self.cfg.bot_panel_super_admin_users or [])}
        roles = {int(x) for x in (self.cfg.bot_panel_super_admin_roles or [])}
        return author.id in users or any(r.id in roles for r in getattr(author, "roles", []))

    async def _text_command_allowed(self, ctx: commands.Context) -> bool:
        refusal = self.command_refusal(ctx.author, ctx.guild)
        if refusal:
            raise commands.CheckFailure(refusal)
        return True

    async def _slash_command_allowed(self, interaction: nextcord.Interaction) -> bool:
        refusal = self.command_refusal(interaction.user, interaction.guild)
        if refusal:
            raise nextcord.ApplicationCheckFailure(refusal)
        return True

    # --- routing -------------------------------------------------------------------------
    async def on_message(self, message: nextcord.Message) -> None:
        if self.closing or message.author.id == self.user.id:
            return
        if message.guild is None:
            relay = self.get_cog("Relay")
            if relay is not None:
                await relay.on_dm(message)
            return
        if message.author.bot:
            return
        ctx = await self.get_context(message)
        if ctx.command is not None:
            await self.invoke(ctx)
            return
        notes = self.get_cog("Replies")
        if notes is not None:
            await notes.on_channel_message(message)

    async def on_command_error(self, ctx: commands.Context, error: Exception) -> None:
        """Bad arguments and unexpected failures of text commands, answered in the channel."""

        from .invocation import Failed

        original = getattr(error, "original", error)
        if isinstance(original, Failed):
            return
        with self.language():
            if isinstance(error, commands.UserInputError):
                usage = f"{ctx.prefix}{ctx.command.qualified_name} {ctx.command.signature}".strip()
                text = _("Bad arguments. Usage: %(usage)s") % {"usage": usage}
            elif isinstance(error, commands.CheckFailure):
                text = str(error) or _("You cannot use this command here.")
            else:
                log.exception("Command %s failed", ctx.command, exc_info=original)
                text = _("Something went wrong; the error was logged.")
        await ctx.send(embed=nextcord.Embed(description=text, color=0xED4245))

    async def on_application_command_error(self, interaction: nextcord.Interaction, error: Exception) -> None:

        from .invocation import Failed

        original = getattr(error, "original", error)
        if isinstance(original, Failed):
            return
        if isinstance(error, nextcord.ApplicationCheckFailure):
            text = str(error)
        else:
            log.exception("Slash command failed", exc_info=original)
            with self.language():
                text = _("Something went wrong; the error was logged.")
        embed = nextcord.Embed(description=text, color=0xED4245)
        if interaction.response.is_done():
            await interaction.followup.send(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, ephemeral=True)

    # --- lifecycle -----------------------------------------------------------------------
    async def on_ready(self) -> None:
        log.info("Connected as %s (%s) to %d guild(s)", self.user, self.user.id, len(self.guilds))

    async def shutdown(self, timeout: float = 30.0) -> None:
        """Stop taking events, let in-flight relays finish, then close the gateway session."""
        self.closing = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        if not await self.runner.drain(timeout):
            log.warning("Closing with %d event(s) still in flight", self.runner.inflight)
        if not await self.confirmations.flush(max(deadline - loop.time(), 1.0)):
            log.warning("Closing with %d ✅ not sent", len(self.confirmations.pending))
        self.confirmations.stop()
        await self.close()

    async def wait_closed(self) -> None:
        while not self.is_closed():
            await asyncio.sleep(0.05)

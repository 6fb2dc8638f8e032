"""One staff command, whether typed (``!close 2h``) or slashed (``/close time:2h``).

Each command is written once, as a coroutine taking an :class:`Invocation`; the slash and text
entry points of a cog only build the invocation and pass their arguments on. The invocation says
who acts and where, runs a service in the thread pool, and answers: ephemerally for slash
commands, in the channel for text commands. A domain error becomes a clear answer and nothing else.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import nextcord
from django.utils import translation
from django.utils.translation import gettext as _
from nextcord.ext import commands

from tickets.discord import DiscordError, OutgoingMessage
from tickets.errors import DomainError
from tickets.services import StaffIdentity

if TYPE_CHECKING:
    from .bot import ModmailBot

log = logging.getLogger("rustmail.bot")
T = TypeVar("T")

# A slash command must be answered within 3 s; past this, the answer is deferred.
DEFER_AFTER = 2.0


class Failed(Exception):
    """The command was refused and the staff member told why; stop the command here."""


class Invocation:
    """Who runs a command, where, and how to answer them."""

    def __init__(
        self,
        bot: ModmailBot,
        *,
        interaction: nextcord.Interaction | None = None,
        ctx: commands.Context | None = None,
    ) -> None:
        self.bot = bot
        self.interaction = interaction
        self.ctx = ctx
        source = interaction or ctx
        self.channel = source.channel
        self.guild = source.guild
        self.author = interaction.user if interaction else ctx.author
        self.message: nextcord.Message | None = ctx.message if ctx else None
        self._deferred = False

    @property
    def is_slash(self) -> bool:
        return self.interaction is not None

    @property
    def channel_id(self) -> int:
        return self.channel.id

    @property
    def staff(self) -> StaffIdentity:
        """The author as the services name staff: display name and top role."""
        roles = [r for r in getattr(self.author, "roles", []) if not r.is_default()]
        top = max(roles, key=lambda r: r.position).name if roles else ""
        return StaffIdentity(id=self.author.id, name=self.author.display_name, role=top)

    @property
    def is_admin(self) -> bool:
        """Administrator in the staff guild, or a panel super admin."""
        return self.bot.is_admin(self.author)

    def language(self) -> translation.override:
        return self.bot.language()

    async def run(self, func: Callable[..., T], /, **kwargs: Any) -> T:
        """Call a service in the thread pool. A refusal is answered and raises :class:`Failed`."""
        task = asyncio.ensure_future(self.bot.call(func, **kwargs))
        if self.is_slash and not self.interaction.response.is_done():
            done, _pending = await asyncio.wait({task}, timeout=DEFER_AFTER)
            if not done:
                await self.defer()
        try:
            return await task
        except DomainError as error:
            await self.fail(error.message)
        except DiscordError as error:
            log.warning("Discord refused a command in %s: %s", self.channel_id, error)
            await self.fail(_("Discord refused: %(error)s") % {"error": error.message})
        raise AssertionError("unreachable")

    async def defer(self) -> None:
        if self.is_slash and not self.interaction.response.is_done():
            await self.interaction.response.defer(ephemeral=True)
            self._deferred = True

    async def fail(self, text: str) -> None:
        """Tell the staff member what went wrong (ephemeral for slash commands) and stop."""
        await self.answer(text, error=True)
        raise Failed(text)

    async def answer(
        self,
        text: str = "",
        *,
        error: bool = False,
        ephemeral: bool = True,
        embed: nextcord.Embed | None = None,
        view: nextcord.ui.View | None = None,
    ) -> None:
        """Answer the staff member: a slash command's response, or a message in the channel."""
        cfg = self.bot.cfg
        if embed is None and text:
            color = 0xED4245 if error else int(cfg.thread_system_message_color or "faa81a", 16)
            embed = nextcord.Embed(description=text, color=color)
        kwargs: dict[str, Any] = {"embed": embed} if embed else {"content": text}
        if view is not None:
            kwargs["view"] = view
        try:
            if self.interaction is not None:
                if self.interaction.response.is_done():
                    await self.interaction.followup.send(ephemeral=ephemeral, **kwargs)
                else:
                    await self.interaction.response.send_message(ephemeral=ephemeral, **kwargs)
                return
            delete_after = None
            if error and cfg.error_handling_auto_delete_error_messages:
                delete_after = float(cfg.error_handling_error_message_ttl or 30)
            await self.channel.send(delete_after=delete_after, **kwargs)
        except nextcord.HTTPException as failure:
            log.warning("Could not answer a command in %s: %s", self.channel_id, failure)

    async def done(self, text: str) -> None:
        """Confirm a success: ephemerally for slash commands, in the channel for text commands."""
        await self.answer(text)

    async def acknowledge(self) -> None:
        """Close a slash command that has nothing to say (its effect is visible in the channel)."""
        if self.interaction is not None and not self.interaction.response.is_done():
            await self.interaction.response.send_message("✅", ephemeral=True)
        elif self.interaction is not None and self._deferred:
            await self.interaction.followup.send("✅", ephemeral=True)


async def show_in_place(interaction: nextcord.Interaction, message: OutgoingMessage) -> None:
    """Replace the message whose button was clicked with ``message``, without its buttons."""
    edit = (
        interaction.edit_original_message
        if interaction.response.is_done()
        else interaction.response.edit_message
    )
    try:
        await edit(
            content=message.content or None,
            embeds=[nextcord.Embed.from_dict(e) for e in message.embeds],
            view=None,
        )
    except nextcord.HTTPException as error:
        log.info("Could not update the message of a clicked button: %s", error)

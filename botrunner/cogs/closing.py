"""Closing tickets: now, silently, later (and cancelling that), and forcing orphaned ones shut.

Each command is written once (``_close``, ``_force_close``) over an :class:`Invocation`; the slash
and text entry points below only collect their arguments. A scheduled close is carried out by the
worker; a new message from the user cancels it (the relay service does).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import nextcord
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from nextcord.ext import commands

from botrunner.bot import ModmailBot
from botrunner.commanddocs import Arg, Doc, Example
from botrunner.invocation import Invocation
from tickets import services

if TYPE_CHECKING:
    from tickets.services.closing import CloseScheduled

SILENT_FLAGS = {"-s", "--silent"}
CANCEL_FLAGS = {"-c", "--cancel", "cancel"}

CLOSE = Doc(
    summary=gettext_noop("Close the ticket now, or later, silently or not; or cancel a scheduled close"),
    usage="[duration] [-s|--silent] [-c|--cancel]",
    args=(
        Arg(
            "duration",
            gettext_noop("Close after this long: 30m, 2h, 1d, 1d12h or a number of seconds (none: now)"),
            slash=("time", "time_before_close"),
        ),
        Arg("-s, --silent", gettext_noop("Do not send the close message to the user"), slash=("silent",)),
        Arg("-c, --cancel", gettext_noop("Cancel the scheduled close (cancel works too)"), slash=("cancel",)),
    ),
    examples=(
        Example("close", gettext_noop("closes now and sends the close message")),
        Example("close 2h", gettext_noop("closes in 2 hours, unless the user writes first")),
        Example("close -s 1d12h", gettext_noop("closes in a day and a half without telling the user")),
        Example("close -c", gettext_noop("cancels the scheduled close")),
        Example("/close time:2h silent:True", gettext_noop("the same as !close 2h -s")),
    ),
)
FORCE_CLOSE = Doc(
    summary=gettext_noop("Close a ticket whose user left the server (no message is sent)"),
    examples=(Example("force_close", gettext_noop("closes this orphaned ticket")),),
)


def _stamp(moment: datetime) -> str:
    """A Discord timestamp: each reader sees it in their own time zone."""
    seconds = int(moment.timestamp())
    return f"<t:{seconds}:f> (<t:{seconds}:R>)"


class Closing(commands.Cog):
    """close · force_close."""

    def __init__(self, bot: ModmailBot) -> None:
        self.bot = bot

    # --- the commands, once ----------------------------------------------------------------
    async def _close(self, inv: Invocation, *, duration: str, silent: bool, cancel: bool) -> None:
        async with self.bot.runner.ordered(("channel", inv.channel_id)):
            ticket = await inv.run(services.ticket_by_channel, channel_id=inv.channel_id)
            if cancel:
                await inv.run(services.close_cancel, ticket=ticket)
                with inv.language():
                    await inv.answer(_("The scheduled close was cancelled."), ephemeral=False)
                return
            if duration:
                scheduled = await inv.run(
                    services.close_schedule,
                    ticket=ticket,
                    delay=duration,
                    staff_id=inv.author.id,
                    silent=silent,
                )
                await self._announce(inv, scheduled)
                return
            # The channel goes with the ticket: a slash command is answered before, not after.
            await inv.defer()
            await inv.run(services.ticket_close, ticket=ticket, closed_by=str(inv.author.id), silent=silent)

    async def _announce(self, inv: Invocation, scheduled: CloseScheduled) -> None:
        """Tell the channel when the ticket will close, and whether that replaced an earlier plan."""
        when = _stamp(scheduled.closure.due_at)
        with inv.language():
            if scheduled.closure.silent:
                text = _("This ticket will close silently on %(when)s.") % {"when": when}
            else:
                text = _("This ticket will close on %(when)s.") % {"when": when}
            text += "\n" + _("A message from the user cancels it; so does %(command)s.") % {
                "command": f"`{self.bot.cfg.command_prefix or '!'}close -c`"
            }
            if scheduled.replaced is not None:
                text += "\n⚠️ " + _("This replaces the close that was scheduled for %(when)s.") % {
                    "when": _stamp(scheduled.replaced.due_at)
                }
        await inv.answer(text, ephemeral=False)

    async def _force_close(self, inv: Invocation) -> None:
        async with self.bot.runner.ordered(("channel", inv.channel_id)):
            await inv.defer()
            await inv.run(services.channel_force_close, channel_id=inv.channel_id, staff_id=inv.author.id)

    # --- slash entry points --------------------------------------------------------------
    @nextcord.slash_command(name="close", description=CLOSE.summary)
    async def close_slash(
        self,
        interaction: nextcord.Interaction,
        time: str = nextcord.SlashOption(description=CLOSE.option("time"), required=False, default=""),
        silent: bool = nextcord.SlashOption(
            description=CLOSE.option("silent"), required=False, default=False
        ),
        cancel: bool = nextcord.SlashOption(
            description=CLOSE.option("cancel"), required=False, default=False
        ),
        time_before_close: str = nextcord.SlashOption(
            description=CLOSE.option("time_before_close"), required=False, default=""
        ),
    ) -> None:
        """``time`` (Rustmail's guide) and ``time_before_close`` (Rustmail's bot) are one option."""
        inv = Invocation(self.bot, interaction=interaction)
        durations = {d.strip() for d in (time, time_before_close) if d.strip()}
        if len(durations) > 1:
            with inv.language():
                await inv.fail(_("Give one duration: time or time_before_close."))
        await self._close(inv, duration=durations.pop() if durations else "", silent=silent, cancel=cancel)

    @nextcord.slash_command(name="force_close", description=FORCE_CLOSE.summary)
    async def force_close_slash(self, interaction: nextcord.Interaction) -> None:
        await self._force_close(Invocation(self.bot, interaction=interaction))

    # --- text entry points ---------------------------------------------------------------
    @commands.command(name="close", aliases=["c"], **CLOSE.text())
    async def close_text(self, ctx: commands.Context, *args: str) -> None:
        inv = Invocation(self.bot, ctx=ctx)
        silent = cancel = False
        durations: list[str] = []
        for arg in args:
            flag = arg.lower()
            if flag in SILENT_FLAGS:
                silent = True
            elif flag in CANCEL_FLAGS:
                cancel = True
            else:
                durations.append(arg)
        if len(durations) > 1:
            with inv.language():
                await inv.fail(
                    _("One duration at most. Usage: %(usage)s")
                    % {"usage": f"{ctx.prefix}close [30m|2h|1d12h] [-s] [-c]"}
                )
        await self._close(inv, duration=durations[0] if durations else "", silent=silent, cancel=cancel)

    @commands.command(name="force_close", aliases=["fc"], **FORCE_CLOSE.text())
    async def force_close_text(self, ctx: commands.Context) -> None:
        await self._force_close(Invocation(self.bot, ctx=ctx))


def setup(bot: ModmailBot) -> None:
    bot.add_cog(Closing(bot))

"""Information and operation: id, logs, recover, status, help, ping.

Each command is written once (``_id``, ``_logs``...) over an :class:`Invocation`; the slash and text
entry points below only collect their arguments. The Previous/Next buttons of ``logs`` carry their
whole state in their custom ID (``rustmail:logs:<user>:<page>``) and are answered by a listener, so
they keep working after a restart.
"""

from __future__ import annotations

import logging
import math

import nextcord
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from nextcord.ext import commands

from botrunner.bot import ModmailBot
from botrunner.invocation import Invocation
from tickets import selectors, services, snowflake
from tickets.models import SystemState, Ticket
from tickets.services.botcontrol import PRESENCES, bot_set_presence

log = logging.getLogger("rustmail.bot")

ID_HELP = gettext_noop("Show the ticket user's Discord ID")
LOGS_HELP = gettext_noop("List the closed tickets of the ticket's user (or of a given user)")
RECOVER_HELP = gettext_noop("Relay the DMs users sent while the bot was away")
STATUS_HELP = gettext_noop("Set the bot's status: online, idle, dnd, invisible or maintenance (admins)")
HELP_HELP = gettext_noop("List the commands, or explain one")
PING_HELP = gettext_noop("Show the gateway latency")

LOGS_PREFIX = "rustmail:logs:"
PER_PAGE = 10
EMBED_LIMIT = 4096


def logs_custom_id(user_id: int, page: int) -> str:
    return f"{LOGS_PREFIX}{user_id}:{page}"


def parse_logs_custom_id(custom_id: str) -> tuple[int, int] | None:
    """``(user_id, page)`` from a logs button's custom ID, or None when it is not one."""
    if not custom_id.startswith(LOGS_PREFIX):
        return None
    user, _sep, page = custom_id.removeprefix(LOGS_PREFIX).partition(":")
    digits = page.removeprefix("-")
    if not snowflake.is_snowflake(user) or not (digits.isascii() and digits.isdigit()):
        return None
    return int(user), int(page)


def closed_by_text(ticket: Ticket) -> str:
    """Who closed a ticket, for people."""
    who = ticket.closed_by or ""
    if who.isdigit():
        return f"<@{who}>"
    return {
        "user_left_server": _("the user leaving"),
        "scheduled": _("a scheduled close"),
        "api": _("the API"),
    }.get(who, who or "?")


class Info(commands.Cog):
    """id · logs · recover · status · help · ping."""

    def __init__(self, bot: ModmailBot) -> None:
        self.bot = bot

    # --- the commands, once ----------------------------------------------------------------
    async def _id(self, inv: Invocation) -> None:
        ticket = await inv.run(services.ticket_by_channel, channel_id=inv.channel_id)
        with inv.language():
            await inv.done(
                _("Discord ID of %(mention)s: `%(id)s`")
                % {"mention": f"<@{ticket.user_id}>", "id": ticket.user_id}
            )

    async def _logs(self, inv: Invocation, user: nextcord.abc.User | None) -> None:
        if user is not None:
            user_id = user.id
        else:
            ticket = await self.bot.runner.call(selectors.ticket_for_channel, inv.channel_id)
            if ticket is None:
                with inv.language():
                    await inv.fail(_("Name a user, or use this command in a ticket channel."))
            user_id = ticket.user_id
        embed, view = await self._logs_page(user_id, 0)
        await inv.answer(embed=embed, view=view)

    async def _logs_page(self, user_id: int, page: int) -> tuple[nextcord.Embed, nextcord.ui.View | None]:
        """One page of a user's closed tickets, with Previous/Next buttons when there are several."""
        page = max(page, 0)
        rows, total = await self.bot.runner.call(
            selectors.closed_tickets_page, user_id, page=page, per_page=PER_PAGE
        )
        pages = max(math.ceil(total / PER_PAGE), 1)
        if page >= pages and total:  # tickets were deleted since: show the last page
            page = pages - 1
            rows, total = await self.bot.runner.call(
                selectors.closed_tickets_page, user_id, page=page, per_page=PER_PAGE
            )
        with self.bot.language():
            lines = [
                _("**%(closed)s** · %(messages)s · closed by %(who)s · `%(ticket)s`")
                % {
                    "closed": f"<t:{int(t.closed_at.timestamp())}:f>" if t.closed_at else "?",
                    "messages": ngettext("%(n)s message", "%(n)s messages", t.message_count)
                    % {"n": t.message_count},
                    "who": closed_by_text(t),
                    "ticket": t.pk,
                }
                for t in rows
            ]
            embed = nextcord.Embed(
                title=_("Closed tickets of %(name)s") % {"name": rows[0].user_name if rows else user_id},
                description="\n".join(lines) or _("<@%(id)s> has no closed tickets.") % {"id": user_id},
                color=self._color(),
            )
            embed.set_footer(
                text=ngettext(
                    "Page %(page)s/%(pages)s · %(total)s ticket · user %(id)s",
                    "Page %(page)s/%(pages)s · %(total)s tickets · user %(id)s",
                    total,
                )
                % {"page": page + 1, "pages": pages, "total": total, "id": user_id}
            )
            if pages == 1:
                return embed, None
            view = nextcord.ui.View(timeout=None, prevent_update=False)
            view.add_item(
                nextcord.ui.Button(
                    label=_("Previous"), custom_id=logs_custom_id(user_id, page - 1), disabled=page == 0
                )
            )
            view.add_item(
                nextcord.ui.Button(
                    label=_("Next"), custom_id=logs_custom_id(user_id, page + 1), disabled=page + 1 >= pages
                )
            )
        return embed, view

    async def _recover(self, inv: Invocation) -> None:
        async with self.bot.runner.tracked():
            count = await inv.run(services.recover)
        with inv.language():
            await inv.done(
                ngettext("%(n)s message recovered.", "%(n)s messages recovered.", count) % {"n": count}
            )

    async def _status(self, inv: Invocation, mode: str) -> None:
        mode = mode.strip().lower()
        with inv.language():
            if not inv.is_admin:
                await inv.fail(_("Only administrators can change the bot's status."))
            if mode not in PRESENCES:
                await inv.fail(
                    _("Unknown status %(mode)s: use one of %(modes)s.")
                    % {"mode": mode, "modes": ", ".join(PRESENCES)}
                )
        await inv.run(bot_set_presence, presence=mode)
        # The supervisor applies the presence within a second; refusing commands must not wait.
        self.bot.maintenance = mode == SystemState.Presence.MAINTENANCE
        with inv.language():
            text = _("Status set to %(mode)s.") % {"mode": mode}
            if self.bot.maintenance:
                text += "\n" + _(
                    "Users' DMs get the maintenance reply and only administrators can use commands."
                )
            await inv.done(text)

    async def _help(self, inv: Invocation, name: str) -> None:
        prefix = self.bot.cfg.command_prefix or "!"
        descriptions = self._slash_descriptions()
        with inv.language():
            if name:
                command = self.bot.get_command(name.strip().removeprefix(prefix).lower())
                if command is None or command.hidden:
                    await inv.fail(_("There is no command named %(name)s.") % {"name": name})
                await inv.answer(embed=self._command_help(command, prefix, descriptions))
                return
            lines = [
                self._help_line(command, prefix, descriptions)
                for command in sorted(self.bot.commands, key=lambda c: c.name)
                if not command.hidden
            ]
            footer = _("%(prefix)shelp <command> explains one; every command also exists as /command.") % {
                "prefix": prefix
            }
            for index, part in enumerate(_split(lines, EMBED_LIMIT)):
                embed = nextcord.Embed(description=part, color=self._color())
                if index == 0:
                    embed.title = _("Commands")
                embed.set_footer(text=footer)
                await inv.answer(embed=embed)

    def _help_line(self, command: commands.Command, prefix: str, descriptions: dict[str, str]) -> str:
        usage = f"{prefix}{command.qualified_name} {command.signature}".strip()
        line = f"`{usage}`"
        if command.aliases:
            line += " (" + ", ".join(f"{prefix}{a}" for a in command.aliases) + ")"
        description = self._description(command, descriptions)
        return f"{line} — {description}" if description else line

    def _command_help(
        self, command: commands.Command, prefix: str, descriptions: dict[str, str]
    ) -> nextcord.Embed:
        embed = nextcord.Embed(
            title=f"{prefix}{command.qualified_name}",
            description=self._description(command, descriptions) or None,
            color=self._color(),
        )
        usage = f"{prefix}{command.qualified_name} {command.signature}".strip()
        embed.add_field(name=_("Usage"), value=f"`{usage}`")
        if command.aliases:
            embed.add_field(name=_("Aliases"), value=", ".join(f"`{prefix}{a}`" for a in command.aliases))
        if isinstance(command, commands.Group):
            subcommands = sorted(command.commands, key=lambda c: c.name)
            value = "\n".join(self._help_line(sub, prefix, descriptions) for sub in subcommands)
            embed.add_field(name=_("Subcommands"), value=value[:1024], inline=False)
        return embed

    def _description(self, command: commands.Command, descriptions: dict[str, str]) -> str:
        """The command's description in the bot's language (its slash twin's when it has none)."""
        text = command.description or descriptions.get(command.qualified_name) or command.short_doc
        return _(text) if text else ""

    def _slash_descriptions(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for command in self.bot.get_all_application_commands():
            description = getattr(command, "description", None)
            if description:
                found.setdefault(command.name, description)
            for sub in getattr(command, "children", {}).values():
                if getattr(sub, "description", None):
                    found.setdefault(f"{command.name} {sub.name}", sub.description)
        return found

    async def _ping(self, inv: Invocation) -> None:
        latency = self.bot.latency
        with inv.language():
            if math.isfinite(latency):
                text = _("Pong! Gateway latency: %(ms)s ms.") % {"ms": round(latency * 1000)}
            else:
                text = _("Pong! Gateway latency: not measured yet.")
            await inv.done(text)

    def _color(self) -> int:
        return int(self.bot.cfg.thread_system_message_color or "faa81a", 16)

    # --- the logs buttons, from any session ------------------------------------------------
    @commands.Cog.listener()
    async def on_interaction(self, interaction: nextcord.Interaction) -> None:
        """Previous/Next of a logs message: the custom ID says whose tickets and which page."""
        if interaction.type != nextcord.InteractionType.component or self.bot.closing:
            return
        target = parse_logs_custom_id((interaction.data or {}).get("custom_id", ""))
        if target is None:
            return
        try:
            refusal = self.bot.command_refusal(interaction.user, interaction.guild)
            if refusal:
                embed = nextcord.Embed(description=refusal, color=0xED4245)
                await interaction.response.send_message(embed=embed, ephemeral=True)
                return
            async with self.bot.runner.tracked():
                embed, view = await self._logs_page(*target)
            await interaction.response.edit_message(embed=embed, view=view)
        except nextcord.HTTPException as error:
            log.warning("Could not turn a logs page: %s", error)

    # --- slash entry points --------------------------------------------------------------
    @nextcord.slash_command(name="id", description=ID_HELP)
    async def id_slash(self, interaction: nextcord.Interaction) -> None:
        await self._id(Invocation(self.bot, interaction=interaction))

    @nextcord.slash_command(name="logs", description=LOGS_HELP)
    async def logs_slash(
        self,
        interaction: nextcord.Interaction,
        user: nextcord.User = nextcord.SlashOption(
            description="Whose tickets (default: the ticket's user)", required=False, default=None
        ),
    ) -> None:
        await self._logs(Invocation(self.bot, interaction=interaction), user)

    @nextcord.slash_command(name="recover", description=RECOVER_HELP)
    async def recover_slash(self, interaction: nextcord.Interaction) -> None:
        await self._recover(Invocation(self.bot, interaction=interaction))

    @nextcord.slash_command(name="status", description=STATUS_HELP)
    async def status_slash(
        self,
        interaction: nextcord.Interaction,
        mode: str = nextcord.SlashOption(
            description="The status to show", choices={p.capitalize(): p for p in PRESENCES}
        ),
    ) -> None:
        await self._status(Invocation(self.bot, interaction=interaction), mode)

    @nextcord.slash_command(name="help", description=HELP_HELP)
    async def help_slash(
        self,
        interaction: nextcord.Interaction,
        command: str = nextcord.SlashOption(description="A command to explain", required=False, default=""),
    ) -> None:
        await self._help(Invocation(self.bot, interaction=interaction), command)

    @nextcord.slash_command(name="ping", description=PING_HELP)
    async def ping_slash(self, interaction: nextcord.Interaction) -> None:
        await self._ping(Invocation(self.bot, interaction=interaction))

    # --- text entry points ---------------------------------------------------------------
    @commands.command(name="id", description=ID_HELP)
    async def id_text(self, ctx: commands.Context) -> None:
        await self._id(Invocation(self.bot, ctx=ctx))

    @commands.command(name="logs", description=LOGS_HELP)
    async def logs_text(self, ctx: commands.Context, user: nextcord.User | None = None) -> None:
        await self._logs(Invocation(self.bot, ctx=ctx), user)

    @commands.command(name="recover", description=RECOVER_HELP)
    async def recover_text(self, ctx: commands.Context) -> None:
        await self._recover(Invocation(self.bot, ctx=ctx))

    @commands.command(name="status", usage="<online|idle|dnd|invisible|maintenance>", description=STATUS_HELP)
    async def status_text(self, ctx: commands.Context, mode: str) -> None:
        await self._status(Invocation(self.bot, ctx=ctx), mode)

    @commands.command(name="help", description=HELP_HELP)
    async def help_text(self, ctx: commands.Context, *, command: str = "") -> None:
        await self._help(Invocation(self.bot, ctx=ctx), command)

    @commands.command(name="ping", description=PING_HELP)
    async def ping_text(self, ctx: commands.Context) -> None:
        await self._ping(Invocation(self.bot, ctx=ctx))


def _split(lines: list[str], limit: int) -> list[str]:
    """Join lines into as few texts of at most ``limit`` characters as possible."""
    parts: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > limit:
            parts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    return [*parts, current] if current else parts


def setup(bot: ModmailBot) -> None:
    bot.add_cog(Info(bot))

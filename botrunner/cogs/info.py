"""Information and operation: id, logs, recover, status, ping.

Each command is written once (``_id``, ``_logs``...) over an :class:`Invocation`; the slash and text
entry points below only collect their arguments. The Previous/Next buttons of ``logs`` carry their
whole state in their custom ID (``rustmail:logs:<user>:<page>``) and are answered by a listener, so
they keep working after a restart.
"""

from __future__ import annotations

import logging
import math

import nextcord
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from nextcord.ext import commands

from botrunner.bot import ModmailBot
from botrunner.commanddocs import Arg, Doc, Example
from botrunner.invocation import Invocation
from botrunner.logsearch import logs_search, logs_search_embed
from tickets import selectors, services, snowflake
from tickets.links import panel_ticket_url
from tickets.models import BotConfig, SystemState, Ticket
from tickets.services.botcontrol import PRESENCES, bot_set_presence

# /status's choices: English names (Discord shows the French ones from the catalogue) → presence.
with translation.override("en"):
    PRESENCE_CHOICES = {str(label): value for value, label in SystemState.Presence.choices}

log = logging.getLogger("rustmail.bot")

ID = Doc(
    summary=gettext_noop("Show the ticket user's Discord ID"),
    examples=(Example("id", gettext_noop("shows the ID, ready to copy")),),
)
LOGS = Doc(
    summary=gettext_noop("List a user's closed tickets, or search the messages of every ticket"),
    usage="[user] | search <words>",
    args=(
        Arg(
            "user",
            gettext_noop("Whose tickets: a mention or an ID (default: this ticket's user)"),
            slash=("user", "id"),
        ),
        Arg(
            "search <words>",
            gettext_noop('Search all tickets: words, "phrases", -excluded, OR; names and IDs too'),
            slash=("query",),
        ),
    ),
    examples=(
        Example("logs", gettext_noop("the closed tickets of this ticket's user")),
        Example("logs 123456789012345678", gettext_noop("the closed tickets of that user")),
        Example("logs search refund -paypal", gettext_noop("tickets about a refund, not by PayPal")),
        Example('/logs query:"credit card"', gettext_noop("the tickets with that phrase")),
    ),
)
RECOVER = Doc(
    summary=gettext_noop("Relay the DMs users sent while the bot was away (also done at startup)"),
    examples=(Example("recover", gettext_noop("relays missed DMs and says how many")),),
)
STATUS = Doc(
    summary=gettext_noop("Set the bot's status: online, idle, dnd, invisible or maintenance"),
    usage="<online|idle|dnd|invisible|maintenance>",
    args=(
        Arg(
            "mode",
            gettext_noop("online, idle, dnd, invisible; maintenance: DMs get a maintenance reply"),
        ),
    ),
    examples=(
        Example("status idle", gettext_noop("shows the bot as idle")),
        Example("status maintenance", gettext_noop("only administrators can use commands until lifted")),
    ),
    permission=gettext_noop("Staff; only administrators can set maintenance"),
)
PING = Doc(
    summary=gettext_noop("Show the gateway latency"),
    examples=(Example("ping", gettext_noop("answers Pong with the latency")),),
)

LOGS_PREFIX = "rustmail:logs:"
PER_PAGE = 10


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


def ticket_link(ticket: Ticket, url: str | None) -> str:
    """The ticket's ID as a link to its panel page, or the bare ID when no public URL is set."""
    return f"[`{ticket.pk}`]({url})" if url else f"`{ticket.pk}`"


def closed_page(
    user_id: int, *, page: int, cfg: BotConfig
) -> tuple[list[Ticket], int, dict[object, str | None]]:
    """A page of the user's closed tickets, their count, and each one's panel URL (resolving URLs
    loads the URL configuration once: in the thread pool, never on the gateway loop)."""
    rows, total = selectors.closed_tickets_page(user_id, page=page, per_page=PER_PAGE)
    return rows, total, {t.pk: panel_ticket_url(cfg, t.pk) for t in rows}


class Info(commands.Cog):
    """id · logs · recover · status · ping."""

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

    async def _logs(self, inv: Invocation, user: nextcord.abc.User | None, query: str | None = None) -> None:
        if query is not None:
            await self._logs_search(inv, query)
            return
        if user is not None:
            user_id = user.id
        else:
            ticket = await inv.run(selectors.ticket_for_channel, channel_id=inv.channel_id)
            if ticket is None:
                with inv.language():
                    await inv.fail(_("Name a user, or use this command in a ticket channel."))
            user_id = ticket.user_id
        embed, view = await self._logs_page(user_id, 0, inv)
        await inv.answer(embed=embed, view=view)

    async def _logs_search(self, inv: Invocation, query: str) -> None:
        """The tickets matching ``query``; deleted messages count for administrators only."""
        query = query.strip()
        if not query:
            with inv.language():
                await inv.fail(_("Write what to search for: `logs search <words>`."))
        found = await inv.run(logs_search, text=query, include_deleted=inv.is_admin, cfg=self.bot.cfg)
        with self.bot.language():
            embed = logs_search_embed(found, text=query, color=self._color())
        await inv.answer(embed=embed)

    async def _logs_page(
        self, user_id: int, page: int, inv: Invocation | None = None
    ) -> tuple[nextcord.Embed, nextcord.ui.View | None]:
        """One page of a user's closed tickets, with Previous/Next buttons when there are several.
        Through ``inv``, a slow database defers the slash command rather than letting it expire."""

        async def fetch(number: int) -> tuple[list[Ticket], int, dict[object, str | None]]:
            if inv is not None:
                return await inv.run(closed_page, user_id=user_id, page=number, cfg=self.bot.cfg)
            return await self.bot.runner.call(closed_page, user_id, page=number, cfg=self.bot.cfg)

        page = max(page, 0)
        rows, total, urls = await fetch(page)
        pages = max(math.ceil(total / PER_PAGE), 1)
        if page >= pages and total:  # tickets were deleted since: show the last page
            page = pages - 1
            rows, total, urls = await fetch(page)
        with self.bot.language():
            lines = [
                _("**%(closed)s** · %(messages)s · closed by %(who)s · %(ticket)s")
                % {
                    "closed": f"<t:{int(t.closed_at.timestamp())}:f>" if t.closed_at else "?",
                    "messages": ngettext("%(n)s message", "%(n)s messages", t.message_count)
                    % {"n": t.message_count},
                    "who": closed_by_text(t),
                    "ticket": ticket_link(t, urls.get(t.pk)),
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
            if mode not in PRESENCES:
                await inv.fail(
                    _("Unknown status %(mode)s: use one of %(modes)s.")
                    % {"mode": mode, "modes": ", ".join(PRESENCES)}
                )
            # As Rustmail: any staff member may change the status; only maintenance is for admins.
            if mode == SystemState.Presence.MAINTENANCE and not inv.is_admin:
                await inv.fail(_("Only administrators can enable maintenance mode."))
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
    @nextcord.slash_command(name="id", description=ID.summary)
    async def id_slash(self, interaction: nextcord.Interaction) -> None:
        await self._id(Invocation(self.bot, interaction=interaction))

    @nextcord.slash_command(name="logs", description=LOGS.summary)
    async def logs_slash(
        self,
        interaction: nextcord.Interaction,
        user: nextcord.User = nextcord.SlashOption(
            description=LOGS.option("user"), required=False, default=None
        ),
        id: nextcord.User = nextcord.SlashOption(description=LOGS.option("id"), required=False, default=None),
        query: str = nextcord.SlashOption(
            description=LOGS.option("query"), required=False, default=None, max_length=200
        ),
    ) -> None:
        """``user``, or ``id`` as Rustmail names it; ``query`` searches every ticket instead."""
        await self._logs(Invocation(self.bot, interaction=interaction), user or id, query)

    @nextcord.slash_command(name="recover", description=RECOVER.summary)
    async def recover_slash(self, interaction: nextcord.Interaction) -> None:
        await self._recover(Invocation(self.bot, interaction=interaction))

    @nextcord.slash_command(name="status", description=STATUS.summary)
    async def status_slash(
        self,
        interaction: nextcord.Interaction,
        mode: str = nextcord.SlashOption(description=STATUS.option("mode"), choices=PRESENCE_CHOICES),
    ) -> None:
        await self._status(Invocation(self.bot, interaction=interaction), mode)

    @nextcord.slash_command(name="ping", description=PING.summary)
    async def ping_slash(self, interaction: nextcord.Interaction) -> None:
        await self._ping(Invocation(self.bot, interaction=interaction))

    # --- text entry points ---------------------------------------------------------------
    @commands.command(name="id", **ID.text())
    async def id_text(self, ctx: commands.Context) -> None:
        await self._id(Invocation(self.bot, ctx=ctx))

    @commands.command(name="logs", **LOGS.text())
    async def logs_text(self, ctx: commands.Context, *, args: str = "") -> None:
        """``logs [user]`` or ``logs search <words>``."""
        inv = Invocation(self.bot, ctx=ctx)
        first, _sep, rest = args.strip().partition(" ")
        if first.lower() == "search":
            await self._logs(inv, None, rest)
            return
        user = None
        if first:
            try:
                user = await commands.UserConverter().convert(ctx, args.strip())
            except commands.BadArgument:
                with inv.language():
                    await inv.fail(
                        _("Unknown user %(user)s. To search the tickets, write `logs search <words>`.")
                        % {"user": nextcord.utils.escape_markdown(args.strip()[:100])}
                    )
        await self._logs(inv, user)

    @commands.command(name="recover", **RECOVER.text())
    async def recover_text(self, ctx: commands.Context) -> None:
        await self._recover(Invocation(self.bot, ctx=ctx))

    @commands.command(name="status", **STATUS.text())
    async def status_text(self, ctx: commands.Context, mode: str) -> None:
        await self._status(Invocation(self.bot, ctx=ctx), mode)

    @commands.command(name="ping", **PING.text())
    async def ping_text(self, ctx: commands.Context) -> None:
        await self._ping(Invocation(self.bot, ctx=ctx))


def setup(bot: ModmailBot) -> None:
    bot.add_cog(Info(bot))

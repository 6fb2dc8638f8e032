"""Reminders (a ping in the ticket at a time), alerts (a ping on the user's next message), and each
member's opt-out from the reminders addressed to one of their roles.

Each command is written once (``_add``, ``_remove``...) over an :class:`Invocation`; the slash and
text entry points below only collect their arguments. Posting due reminders is the worker's job.
"""

from __future__ import annotations

import re

import nextcord
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from nextcord.ext import commands

from botrunner.bot import ModmailBot
from botrunner.invocation import Invocation
from tickets import services, snowflake

ADD_HELP = gettext_noop("Ping yourself (and roles) in this ticket at HH:MM or after a duration")
REMOVE_HELP = gettext_noop("Cancel a pending reminder by its ID")
ALERT_HELP = gettext_noop("Get pinged on the user's next message (cancel: stop waiting)")
OPTOUT_HELP = gettext_noop("Stop or resume your pings from reminders addressed to a role")

ROLE_MENTION = re.compile(r"<@&([0-9]{17,20})>")


def roles_and_text(guild: nextcord.Guild, text: str) -> tuple[list[int], str]:
    """Split ``[roles...] content``: leading role mentions or role IDs are the roles to ping (a
    role mentioned later in the text is pinged too); the rest is the reminder's text."""
    roles: list[int] = []
    words = text.split(maxsplit=1)
    while words:
        token = words[0]
        mention = ROLE_MENTION.fullmatch(token)
        if mention:
            roles.append(int(mention.group(1)))
        elif snowflake.is_snowflake(token) and guild.get_role(int(token)) is not None:
            roles.append(int(token))
        else:
            break
        text = words[1] if len(words) > 1 else ""
        words = text.split(maxsplit=1)
    roles += [int(r) for r in ROLE_MENTION.findall(text)]
    return list(dict.fromkeys(roles)), text


class Reminders(commands.Cog):
    """add_reminder · remove_reminder · alert · reminder_optout."""

    def __init__(self, bot: ModmailBot) -> None:
        self.bot = bot

    # --- the commands, once ----------------------------------------------------------------
    async def _add(self, inv: Invocation, when: str, content: str, role_ids: list[int]) -> None:
        unknown = [r for r in role_ids if inv.guild.get_role(r) is None]
        if unknown:
            with inv.language():
                await inv.fail(_("Unknown role: %(id)s") % {"id": unknown[0]})
        ticket = await inv.run(services.ticket_by_channel, channel_id=inv.channel_id)
        reminder = await inv.run(
            services.reminder_add,
            ticket=ticket,
            staff_id=inv.author.id,
            when=when,
            content=content,
            role_ids=role_ids,
        )
        stamp = int(reminder.due_at.timestamp())
        with inv.language():
            text = _("Reminder #%(id)s set for <t:%(ts)s:F> (<t:%(ts)s:R>): %(content)s") % {
                "id": reminder.pk,
                "ts": stamp,
                "content": reminder.content,
            }
            if reminder.role_ids:
                roles = " ".join(f"<@&{r}>" for r in reminder.role_ids)
                text += "\n" + _("Also pings: %(roles)s") % {"roles": roles}
            await inv.done(text)

    async def _remove(self, inv: Invocation, reminder_id: int) -> None:
        reminder = await inv.run(services.reminder_remove, reminder_id=reminder_id, staff_id=inv.author.id)
        with inv.language():
            await inv.done(_("Reminder #%(id)s cancelled.") % {"id": reminder.pk})

    async def _alert(self, inv: Invocation, *, cancel: bool) -> None:
        ticket = await inv.run(services.ticket_by_channel, channel_id=inv.channel_id)
        if cancel:
            await inv.run(services.alert_cancel, ticket=ticket, staff_id=inv.author.id)
            with inv.language():
                await inv.done(_("Alert cancelled."))
            return
        await inv.run(services.alert_set, ticket=ticket, staff_id=inv.author.id)
        with inv.language():
            await inv.done(_("You will be pinged on the user's next message."))

    async def _optout(self, inv: Invocation, role: nextcord.Role) -> None:
        opted_out = await inv.run(services.reminder_optout_toggle, role_id=role.id, user_id=inv.author.id)
        with inv.language():
            if opted_out:
                text = _("Reminders for %(role)s will no longer ping you.")
            else:
                text = _("Reminders for %(role)s will ping you again.")
            await inv.done(text % {"role": role.mention})

    # --- slash entry points --------------------------------------------------------------
    @nextcord.slash_command(name="add_reminder", description=ADD_HELP)
    async def add_reminder_slash(
        self,
        interaction: nextcord.Interaction,
        time: str = nextcord.SlashOption(description="HH:MM (bot's time zone) or a duration: 30m, 2h, 1d12h"),
        content: str = nextcord.SlashOption(description="What to remind of"),
        role: nextcord.Role = nextcord.SlashOption(
            description="A role to ping too", required=False, default=None
        ),
    ) -> None:
        await self._add(
            Invocation(self.bot, interaction=interaction), time, content, [role.id] if role else []
        )

    @nextcord.slash_command(name="remove_reminder", description=REMOVE_HELP)
    async def remove_reminder_slash(
        self,
        interaction: nextcord.Interaction,
        reminder_id: int = nextcord.SlashOption(description="The reminder's ID", min_value=1),
    ) -> None:
        await self._remove(Invocation(self.bot, interaction=interaction), reminder_id)

    @nextcord.slash_command(name="alert", description=ALERT_HELP)
    async def alert_slash(
        self,
        interaction: nextcord.Interaction,
        cancel: bool = nextcord.SlashOption(
            description="Cancel your pending alert", required=False, default=False
        ),
    ) -> None:
        await self._alert(Invocation(self.bot, interaction=interaction), cancel=cancel)

    @nextcord.slash_command(name="reminder_optout", description=OPTOUT_HELP)
    async def reminder_optout_slash(
        self,
        interaction: nextcord.Interaction,
        role: nextcord.Role = nextcord.SlashOption(description="The role whose reminders you stop or resume"),
    ) -> None:
        await self._optout(Invocation(self.bot, interaction=interaction), role)

    # --- text entry points ---------------------------------------------------------------
    @commands.command(
        name="add_reminder",
        aliases=["remind"],
        usage="<HH:MM|duration> [roles...] <content>",
        description=ADD_HELP,
    )
    async def add_reminder_text(self, ctx: commands.Context, when: str, *, content: str) -> None:
        role_ids, text = roles_and_text(ctx.guild, content)
        await self._add(Invocation(self.bot, ctx=ctx), when, text, role_ids)

    @commands.command(name="remove_reminder", aliases=["unremind"], description=REMOVE_HELP)
    async def remove_reminder_text(self, ctx: commands.Context, reminder_id: int) -> None:
        await self._remove(Invocation(self.bot, ctx=ctx), reminder_id)

    @commands.command(name="alert", usage="[cancel]", description=ALERT_HELP)
    async def alert_text(self, ctx: commands.Context, action: str = "") -> None:
        if action and action.lower() != "cancel":
            raise commands.BadArgument(action)
        await self._alert(Invocation(self.bot, ctx=ctx), cancel=bool(action))

    @commands.command(name="reminder_optout", description=OPTOUT_HELP)
    async def reminder_optout_text(self, ctx: commands.Context, role: nextcord.Role) -> None:
        await self._optout(Invocation(self.bot, ctx=ctx), role)


def setup(bot: ModmailBot) -> None:
    bot.add_cog(Reminders(bot))

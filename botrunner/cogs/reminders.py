"""Reminders (a ping in the ticket at a time), alerts (a ping on the user's next message), and each
member's subscription to the reminders addressed to one of their roles (``remind subscribe|unsubscribe
<role>``, ``/reminder_subscription``, and the ``reminder_optout`` toggle, over the same opt-outs).

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
from botrunner.commanddocs import Arg, Doc, Example
from botrunner.invocation import Invocation
from tickets import services, snowflake

WHEN_HELP = gettext_noop("HH:MM in the bot's time zone (tomorrow if past) or a duration: 30m, 2h, 1d12h")
ADD_REMINDER = Doc(
    summary=gettext_noop("Ping yourself (and roles) in this ticket at HH:MM or after a duration"),
    usage="<HH:MM|duration> [roles...] <content>",
    args=(
        Arg("HH:MM|duration", WHEN_HELP, slash=("time",)),
        Arg(
            "roles...",
            gettext_noop("Roles to ping too: mentions or IDs, before the text, commas allowed"),
            slash=("role", "roles"),
        ),
        Arg("content", gettext_noop("What to remind of")),
    ),
    examples=(
        Example("add_reminder 2h Check if user responded", gettext_noop("pings you here in 2 hours")),
        Example("rem 14:30 @Billing Refund due", gettext_noop("pings you and Billing at 14:30")),
        Example("/remind time:1d content:Follow up roles:@dev,@mod", gettext_noop("Rustmail's slash form")),
        Example(
            "remind unsubscribe @Billing",
            gettext_noop("reminders for Billing stop pinging you (see reminder_subscription)"),
        ),
    ),
)
REMOVE_REMINDER = Doc(
    summary=gettext_noop("Cancel a pending reminder by its ID"),
    usage="<id>",
    args=(Arg("id", gettext_noop("The reminder's ID, given when it was set"), slash=("reminder_id", "id")),),
    examples=(Example("remove_reminder 5", gettext_noop("cancels reminder #5")),),
)
ALERT = Doc(
    summary=gettext_noop("Get pinged on the user's next message in this ticket, once"),
    usage="[cancel]",
    args=(Arg("cancel", gettext_noop("Stop waiting: cancel your pending alert (c works too)")),),
    examples=(
        Example("alert", gettext_noop("pings you when the user writes next")),
        Example("alert cancel", gettext_noop("cancels your alert")),
    ),
)
REMINDER_OPTOUT = Doc(
    summary=gettext_noop("Stop or resume your pings from reminders addressed to a role"),
    usage="<role>",
    args=(Arg("role", gettext_noop("The role whose reminders stop (or start again) pinging you")),),
    examples=(Example("reminder_optout @Billing", gettext_noop("toggles your pings for Billing")),),
)
REMINDER_SUBSCRIPTION = Doc(
    summary=gettext_noop("Subscribe or unsubscribe from the reminders addressed to one of your roles"),
    usage="<subscribe|unsubscribe> <role>",
    args=(
        Arg(
            "subscribe|unsubscribe",
            gettext_noop(
                "subscribe: be pinged again; unsubscribe: no longer be pinged (sub, unsub work too)"
            ),
            slash=("action",),
        ),
        Arg("role", gettext_noop("One of your roles: a mention, an ID or its name")),
    ),
    examples=(
        Example("remind unsubscribe @Billing", gettext_noop("reminders for Billing stop pinging you")),
        Example("rem subscribe Billing", gettext_noop("they ping you again")),
        Example("/reminder_subscription action:unsubscribe role:@Billing", gettext_noop("the slash form")),
    ),
)
CANCEL_WORDS = {"cancel", "c"}
SUBSCRIBE_WORDS = {"subscribe": True, "sub": True, "unsubscribe": False, "unsub": False}

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


def find_role(guild: nextcord.Guild, text: str) -> nextcord.Role | None:
    """A role by mention, ID or name (any case)."""
    text = text.strip()
    mention = ROLE_MENTION.fullmatch(text)
    if mention or snowflake.is_snowflake(text):
        return guild.get_role(int(mention.group(1) if mention else text))
    wanted = text.lstrip("@").casefold()
    return next((r for r in guild.roles if r.name.casefold() == wanted and not r.is_default()), None)


class Reminders(commands.Cog):
    """add_reminder · remove_reminder · alert · reminder_subscription · reminder_optout."""

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

    async def _subscription(self, inv: Invocation, subscribe: bool, role_text: str) -> None:
        role = find_role(inv.guild, role_text) if role_text.strip() else None
        with inv.language():
            if not role_text.strip():
                await inv.fail(_("Name a role: a mention, an ID or its name."))
            if role is None:
                await inv.fail(
                    _("There is no role %(role)s on this server.") % {"role": role_text.strip()[:100]}
                )
        await self._subscribe(inv, subscribe, role)

    async def _subscribe(self, inv: Invocation, subscribe: bool, role: nextcord.Role) -> None:
        await inv.run(
            services.reminder_subscription_set,
            role_id=role.id,
            user_id=inv.author.id,
            member_role_ids=[r.id for r in getattr(inv.author, "roles", [])],
            subscribe=subscribe,
        )
        with inv.language():
            if subscribe:
                text = _("You are now subscribed to reminders for %(role)s.")
            else:
                text = _("You are now unsubscribed from reminders for %(role)s.")
            await inv.done(text % {"role": role.mention})

    async def _optout(self, inv: Invocation, role: nextcord.Role) -> None:
        opted_out = await inv.run(services.reminder_optout_toggle, role_id=role.id, user_id=inv.author.id)
        with inv.language():
            if opted_out:
                text = _("Reminders for %(role)s will no longer ping you.")
            else:
                text = _("Reminders for %(role)s will ping you again.")
            await inv.done(text % {"role": role.mention})

    # --- slash entry points --------------------------------------------------------------
    @nextcord.slash_command(name="add_reminder", description=ADD_REMINDER.summary)
    async def add_reminder_slash(
        self,
        interaction: nextcord.Interaction,
        time: str = nextcord.SlashOption(description=ADD_REMINDER.option("time")),
        content: str = nextcord.SlashOption(description=ADD_REMINDER.option("content")),
        role: nextcord.Role = nextcord.SlashOption(
            description=ADD_REMINDER.option("role"), required=False, default=None
        ),
    ) -> None:
        await self._add(
            Invocation(self.bot, interaction=interaction), time, content, [role.id] if role else []
        )

    @nextcord.slash_command(name="remind", description=ADD_REMINDER.summary)
    async def remind_slash(
        self,
        interaction: nextcord.Interaction,
        time: str = nextcord.SlashOption(description=ADD_REMINDER.option("time")),
        content: str = nextcord.SlashOption(description=ADD_REMINDER.option("content")),
        roles: str = nextcord.SlashOption(
            description=ADD_REMINDER.option("roles"), required=False, default=""
        ),
    ) -> None:
        """Rustmail's name for /add_reminder; its ``roles`` is text (``@dev,@mod`` or IDs)."""
        role_ids, rest = roles_and_text(interaction.guild, roles.replace(",", " "))
        inv = Invocation(self.bot, interaction=interaction)
        if rest.strip():
            with inv.language():
                await inv.fail(_("Unknown role: %(id)s") % {"id": rest.split()[0]})
        await self._add(inv, time, content, role_ids)

    @nextcord.slash_command(name="remove_reminder", description=REMOVE_REMINDER.summary)
    async def remove_reminder_slash(
        self,
        interaction: nextcord.Interaction,
        reminder_id: int = nextcord.SlashOption(
            description=REMOVE_REMINDER.option("reminder_id"), min_value=1
        ),
    ) -> None:
        await self._remove(Invocation(self.bot, interaction=interaction), reminder_id)

    @nextcord.slash_command(name="unremind", description=REMOVE_REMINDER.summary)
    async def unremind_slash(
        self,
        interaction: nextcord.Interaction,
        id: int = nextcord.SlashOption(description=REMOVE_REMINDER.option("id"), min_value=1),
    ) -> None:
        """Rustmail's name for /remove_reminder."""
        await self._remove(Invocation(self.bot, interaction=interaction), id)

    @nextcord.slash_command(name="alert", description=ALERT.summary)
    async def alert_slash(
        self,
        interaction: nextcord.Interaction,
        cancel: bool = nextcord.SlashOption(
            description=ALERT.option("cancel"), required=False, default=False
        ),
    ) -> None:
        await self._alert(Invocation(self.bot, interaction=interaction), cancel=cancel)

    @nextcord.slash_command(name="reminder_subscription", description=REMINDER_SUBSCRIPTION.summary)
    async def reminder_subscription_slash(
        self,
        interaction: nextcord.Interaction,
        action: str = nextcord.SlashOption(
            description=REMINDER_SUBSCRIPTION.option("action"), choices=["subscribe", "unsubscribe"]
        ),
        role: nextcord.Role = nextcord.SlashOption(description=REMINDER_SUBSCRIPTION.option("role")),
    ) -> None:
        inv = Invocation(self.bot, interaction=interaction)
        await self._subscribe(inv, action == "subscribe", role)

    @nextcord.slash_command(name="reminder_optout", description=REMINDER_OPTOUT.summary)
    async def reminder_optout_slash(
        self,
        interaction: nextcord.Interaction,
        role: nextcord.Role = nextcord.SlashOption(description=REMINDER_OPTOUT.option("role")),
    ) -> None:
        await self._optout(Invocation(self.bot, interaction=interaction), role)

    # --- text entry points ---------------------------------------------------------------
    @commands.command(name="add_reminder", aliases=["remind", "rem"], **ADD_REMINDER.text())
    async def add_reminder_text(self, ctx: commands.Context, when: str, *, content: str = "") -> None:
        if when.lower() in SUBSCRIBE_WORDS:  # remind subscribe|unsubscribe <role>, as in Rustmail
            await self._subscription(Invocation(self.bot, ctx=ctx), SUBSCRIBE_WORDS[when.lower()], content)
            return
        if not content.strip():
            raise commands.BadArgument("content")
        role_ids, text = roles_and_text(ctx.guild, content)
        await self._add(Invocation(self.bot, ctx=ctx), when, text, role_ids)

    @commands.command(name="reminder_subscription", **REMINDER_SUBSCRIPTION.text())
    async def reminder_subscription_text(self, ctx: commands.Context, action: str, *, role: str = "") -> None:
        if action.lower() not in SUBSCRIBE_WORDS:
            raise commands.BadArgument(action)
        await self._subscription(Invocation(self.bot, ctx=ctx), SUBSCRIBE_WORDS[action.lower()], role)

    @commands.command(name="remove_reminder", aliases=["unremind", "urem"], **REMOVE_REMINDER.text())
    async def remove_reminder_text(self, ctx: commands.Context, reminder_id: int) -> None:
        await self._remove(Invocation(self.bot, ctx=ctx), reminder_id)

    @commands.command(name="alert", **ALERT.text())
    async def alert_text(self, ctx: commands.Context, action: str = "") -> None:
        if action and action.lower() not in CANCEL_WORDS:
            raise commands.BadArgument(action)
        await self._alert(Invocation(self.bot, ctx=ctx), cancel=bool(action))

    @commands.command(name="reminder_optout", **REMINDER_OPTOUT.text())
    async def reminder_optout_text(self, ctx: commands.Context, role: nextcord.Role) -> None:
        await self._optout(Invocation(self.bot, ctx=ctx), role)


def setup(bot: ModmailBot) -> None:
    bot.add_cog(Reminders(bot))

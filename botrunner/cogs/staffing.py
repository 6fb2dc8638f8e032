"""Who handles a ticket and where it lives: take, release, rename, add_staff, remove_staff,
move_thread, and new_thread (staff open a ticket with a user).

Each command is written once (``_take``, ``_move``...) over an :class:`Invocation`; the slash and
text entry points below only collect their arguments. The channel name shows the ticket's status;
the services rename it within Discord's limit of two renames per ten minutes and skip a rename over
it (a later refresh catches up), so these commands never wait for Discord's rate limit.
"""

from __future__ import annotations

import nextcord
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from nextcord.ext import commands

from botrunner.bot import ModmailBot
from botrunner.commanddocs import Arg, Doc, Example
from botrunner.invocation import Invocation
from tickets import services
from tickets.models import Ticket

Target = nextcord.Member | nextcord.User | nextcord.Role

TAKE = Doc(
    summary=gettext_noop("Handle this ticket yourself: your name goes into the channel name"),
    examples=(Example("take", gettext_noop("marks you as the staff member handling the ticket")),),
)
RELEASE = Doc(
    summary=gettext_noop("Stop handling this ticket (undoes take)"),
    examples=(Example("release", gettext_noop("nobody handles the ticket any more")),),
)
RENAME = Doc(
    summary=gettext_noop("Set the label shown in the channel name, or clear it"),
    usage="[label]",
    args=(Arg("label", gettext_noop("The label, 40 characters at most (none: clear the label)")),),
    examples=(
        Example("rename billing", gettext_noop("the channel name shows billing")),
        Example("rename", gettext_noop("clears the label")),
    ),
)
TARGET_HELP = gettext_noop("A member, or a role (all its members, 50 at most), by mention or ID")
ADD_STAFF = Doc(
    summary=gettext_noop("Let a member, or every member of a role, see this ticket"),
    usage="<member|role>",
    args=(Arg("member|role", TARGET_HELP, slash=("user", "target")),),
    examples=(
        Example("add_staff @Sam", gettext_noop("Sam can now see this ticket")),
        Example("am @Billing", gettext_noop("every member of Billing can see it")),
        Example("/addmod target:@Sam", gettext_noop("Rustmail's slash name works too")),
    ),
)
REMOVE_STAFF = Doc(
    summary=gettext_noop("Take back the access add_staff gave a member or a role's members"),
    usage="<member|role>",
    args=(Arg("member|role", TARGET_HELP, slash=("user", "target")),),
    examples=(
        Example("remove_staff @Sam", gettext_noop("Sam no longer sees this ticket")),
        Example("dm @Billing", gettext_noop("takes back what was given to Billing's members")),
    ),
)
MOVE = Doc(
    summary=gettext_noop("Move this ticket to another Discord category, with its permissions"),
    usage="<category>",
    args=(Arg("category", gettext_noop("The category's name: exact, part of it, or the closest name")),),
    examples=(
        Example("move_thread Escalated", gettext_noop("moves the ticket to the Escalated category")),
        Example("mv esc", gettext_noop("the same, by part of the name")),
    ),
)
NEW_THREAD = Doc(
    summary=gettext_noop("Open a ticket with a user; they see nothing until the first reply"),
    usage="<user>",
    args=(Arg("user", gettext_noop("The user: a mention or a Discord ID"), slash=("user", "user_id")),),
    examples=(
        Example("new_thread 123456789012345678", gettext_noop("opens a ticket with that user")),
        Example("/new_thread user:@Alice", gettext_noop("the same with the slash form")),
    ),
)


class Staffing(commands.Cog):
    """take · release · rename · add_staff · remove_staff · move_thread · new_thread."""

    def __init__(self, bot: ModmailBot) -> None:
        self.bot = bot

    # --- the commands, once ----------------------------------------------------------------
    async def _take(self, inv: Invocation) -> None:
        async with self.bot.runner.ordered(("channel", inv.channel_id)):
            ticket = await inv.run(services.ticket_by_channel, channel_id=inv.channel_id)
            ticket = await inv.run(services.ticket_take, ticket=ticket, staff_id=inv.author.id)
        with inv.language():
            text = _("%(staff)s now handles this ticket.") % {"staff": inv.author.mention}
        await self._status_changed(inv, ticket, text)

    async def _release(self, inv: Invocation) -> None:
        async with self.bot.runner.ordered(("channel", inv.channel_id)):
            ticket = await inv.run(services.ticket_by_channel, channel_id=inv.channel_id)
            ticket = await inv.run(services.ticket_release, ticket=ticket, by=inv.author.id)
        with inv.language():
            text = _("Nobody handles this ticket any more.")
        await self._status_changed(inv, ticket, text)

    async def _rename(self, inv: Invocation, label: str) -> None:
        async with self.bot.runner.ordered(("channel", inv.channel_id)):
            ticket = await inv.run(services.ticket_by_channel, channel_id=inv.channel_id)
            ticket = await inv.run(services.ticket_label, ticket=ticket, label=label, by=inv.author.id)
        with inv.language():
            if ticket.label:
                text = _("Label set to %(label)s.") % {"label": f"**{ticket.label}**"}
            else:
                text = _("Label cleared.")
        await self._status_changed(inv, ticket, text)

    async def _status_changed(self, inv: Invocation, ticket: Ticket, text: str) -> None:
        """Announce a change of the ticket's status, saying so when its channel name must wait."""
        if await inv.run(services.channel_name_behind, ticket=ticket):
            with inv.language():
                text += "\n" + _(
                    "The channel name follows within 10 minutes (Discord allows 2 renames per 10 minutes)."
                )
        await inv.answer(text, ephemeral=False)

    async def _add_staff(self, inv: Invocation, target: Target) -> None:
        is_role = isinstance(target, nextcord.Role)
        async with self.bot.runner.ordered(("channel", inv.channel_id)):
            ticket = await inv.run(services.ticket_by_channel, channel_id=inv.channel_id)
            members = await inv.run(services.staff_add, ticket=ticket, target_id=target.id, is_role=is_role)
        with inv.language():
            if is_role:
                text = _("%(count)s member(s) of %(role)s can now see this ticket.") % {
                    "count": len(members),
                    "role": target.mention,
                }
            else:
                text = _("%(member)s can now see this ticket.") % {"member": target.mention}
        await inv.answer(text, ephemeral=False)

    async def _remove_staff(self, inv: Invocation, target: Target) -> None:
        is_role = isinstance(target, nextcord.Role)
        async with self.bot.runner.ordered(("channel", inv.channel_id)):
            ticket = await inv.run(services.ticket_by_channel, channel_id=inv.channel_id)
            members = await inv.run(
                services.staff_remove, ticket=ticket, target_id=target.id, is_role=is_role
            )
        with inv.language():
            if is_role:
                text = _("The access given to %(count)s member(s) of %(role)s was taken back.") % {
                    "count": len(members),
                    "role": target.mention,
                }
            else:
                text = _("The access given to %(member)s was taken back.") % {"member": target.mention}
        await inv.answer(text, ephemeral=False)

    async def _move(self, inv: Invocation, category: str) -> None:
        async with self.bot.runner.ordered(("channel", inv.channel_id)):
            ticket = await inv.run(services.ticket_by_channel, channel_id=inv.channel_id)
            target = await inv.run(services.ticket_move, ticket=ticket, category=category, by=inv.author.id)
        with inv.language():
            text = _("Moved to %(category)s; the channel now has its permissions.") % {
                "category": f"**{target.name}**"
            }
        await inv.answer(text, ephemeral=False)

    async def _new_thread(self, inv: Invocation, user_id: int) -> None:
        async with self.bot.runner.ordered(("user", user_id)):
            ticket = await inv.run(services.ticket_open_by_staff, user_id=user_id, staff_id=inv.author.id)
        with inv.language():
            text = _("Ticket opened with %(user)s: %(channel)s. They see nothing until the first reply.") % {
                "user": f"<@{user_id}>",
                "channel": f"<#{ticket.channel_id}>",
            }
        await inv.answer(text, ephemeral=False)

    # --- slash entry points --------------------------------------------------------------
    @nextcord.slash_command(name="take", description=TAKE.summary)
    async def take_slash(self, interaction: nextcord.Interaction) -> None:
        await self._take(Invocation(self.bot, interaction=interaction))

    @nextcord.slash_command(name="release", description=RELEASE.summary)
    async def release_slash(self, interaction: nextcord.Interaction) -> None:
        await self._release(Invocation(self.bot, interaction=interaction))

    @nextcord.slash_command(name="rename", description=RENAME.summary)
    async def rename_slash(
        self,
        interaction: nextcord.Interaction,
        label: str = nextcord.SlashOption(
            description=RENAME.option("label"), required=False, default="", max_length=40
        ),
    ) -> None:
        await self._rename(Invocation(self.bot, interaction=interaction), label)

    @nextcord.slash_command(name="add_staff", description=ADD_STAFF.summary)
    async def add_staff_slash(
        self,
        interaction: nextcord.Interaction,
        user: nextcord.Mentionable = nextcord.SlashOption(description=ADD_STAFF.option("user")),
    ) -> None:
        await self._add_staff(Invocation(self.bot, interaction=interaction), user)

    @nextcord.slash_command(name="addmod", description=ADD_STAFF.summary)
    async def addmod_slash(
        self,
        interaction: nextcord.Interaction,
        target: nextcord.Mentionable = nextcord.SlashOption(description=ADD_STAFF.option("target")),
    ) -> None:
        """Rustmail's name for /add_staff."""
        await self._add_staff(Invocation(self.bot, interaction=interaction), target)

    @nextcord.slash_command(name="remove_staff", description=REMOVE_STAFF.summary)
    async def remove_staff_slash(
        self,
        interaction: nextcord.Interaction,
        user: nextcord.Mentionable = nextcord.SlashOption(description=REMOVE_STAFF.option("user")),
    ) -> None:
        await self._remove_staff(Invocation(self.bot, interaction=interaction), user)

    @nextcord.slash_command(name="delmod", description=REMOVE_STAFF.summary)
    async def delmod_slash(
        self,
        interaction: nextcord.Interaction,
        target: nextcord.Mentionable = nextcord.SlashOption(description=REMOVE_STAFF.option("target")),
    ) -> None:
        """Rustmail's name for /remove_staff."""
        await self._remove_staff(Invocation(self.bot, interaction=interaction), target)

    @nextcord.slash_command(name="move_thread", description=MOVE.summary)
    async def move_thread_slash(
        self,
        interaction: nextcord.Interaction,
        category: str = nextcord.SlashOption(description=MOVE.option("category")),
    ) -> None:
        await self._move(Invocation(self.bot, interaction=interaction), category)

    @nextcord.slash_command(name="move", description=MOVE.summary)
    async def move_slash(
        self,
        interaction: nextcord.Interaction,
        category: str = nextcord.SlashOption(description=MOVE.option("category")),
    ) -> None:
        """Rustmail's name for /move_thread."""
        await self._move(Invocation(self.bot, interaction=interaction), category)

    @nextcord.slash_command(name="new_thread", description=NEW_THREAD.summary)
    async def new_thread_slash(
        self,
        interaction: nextcord.Interaction,
        user: nextcord.User = nextcord.SlashOption(
            description=NEW_THREAD.option("user"), required=False, default=None
        ),
        user_id: nextcord.User = nextcord.SlashOption(
            description=NEW_THREAD.option("user_id"), required=False, default=None
        ),
    ) -> None:
        """``user`` (Rustmail's guide) and ``user_id`` (Rustmail's bot) are one option."""
        inv = Invocation(self.bot, interaction=interaction)
        chosen = {u.id for u in (user, user_id) if u is not None}
        if len(chosen) != 1:
            with inv.language():
                await inv.fail(_("Name the user once: user or user_id."))
        await self._new_thread(inv, chosen.pop())

    # --- user menus (right-click a member → Apps), as Rustmail registers them ----------------
    @nextcord.user_command(name="new_thread")
    async def new_thread_menu(self, interaction: nextcord.Interaction, user: nextcord.User) -> None:
        await self._new_thread(Invocation(self.bot, interaction=interaction), user.id)

    @nextcord.user_command(name="delmod")
    async def delmod_menu(self, interaction: nextcord.Interaction, member: nextcord.Member) -> None:
        await self._remove_staff(Invocation(self.bot, interaction=interaction), member)

    # --- text entry points ---------------------------------------------------------------
    @commands.command(name="take", **TAKE.text())
    async def take_text(self, ctx: commands.Context) -> None:
        await self._take(Invocation(self.bot, ctx=ctx))

    @commands.command(name="release", **RELEASE.text())
    async def release_text(self, ctx: commands.Context) -> None:
        await self._release(Invocation(self.bot, ctx=ctx))

    @commands.command(name="rename", aliases=["rn"], **RENAME.text())
    async def rename_text(self, ctx: commands.Context, *, label: str = "") -> None:
        await self._rename(Invocation(self.bot, ctx=ctx), label)

    @commands.command(name="add_staff", aliases=["addmod", "am"], **ADD_STAFF.text())
    async def add_staff_text(self, ctx: commands.Context, target: nextcord.Role | nextcord.Member) -> None:
        await self._add_staff(Invocation(self.bot, ctx=ctx), target)

    @commands.command(name="remove_staff", aliases=["delmod", "dm"], **REMOVE_STAFF.text())
    async def remove_staff_text(self, ctx: commands.Context, target: nextcord.Role | nextcord.Member) -> None:
        await self._remove_staff(Invocation(self.bot, ctx=ctx), target)

    @commands.command(name="move_thread", aliases=["move", "mv"], **MOVE.text())
    async def move_thread_text(self, ctx: commands.Context, *, category: str) -> None:
        await self._move(Invocation(self.bot, ctx=ctx), category)

    @commands.command(name="new_thread", aliases=["nt"], **NEW_THREAD.text())
    async def new_thread_text(self, ctx: commands.Context, user: str) -> None:
        """The user need not be known to the bot's cache."""
        inv = Invocation(self.bot, ctx=ctx)
        with inv.language():
            message = _("%(value)s is not a user ID or mention.") % {"value": user}
        user_id = await inv.run(services.parse_snowflake, value=user, message=message)
        await self._new_thread(inv, user_id)


def setup(bot: ModmailBot) -> None:
    bot.add_cog(Staffing(bot))

"""Ticket categories: the ``category`` command and the prompt's buttons.

``category`` manages what the prompt offers: create, list, rename, move, delete, enable, disable,
on, off, timeout, and roles add/remove/list. Each subcommand is written once over an
:class:`Invocation`; the slash (``/category create ...``) and text (``!category create ...``) entry
points below only collect arguments.

With the prompt on, a user's first DM gets buttons (sent by the relay's service); a click lands in
:meth:`Categories.on_interaction`. A button's custom_id names the selection and the choice, so a
prompt sent before a restart is answered like any other: nothing about it lives in memory.
"""

from __future__ import annotations

import logging

import nextcord
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext, pgettext
from nextcord.ext import commands

from botrunner.bot import ModmailBot
from botrunner.commanddocs import Arg, Doc, Example
from botrunner.invocation import Invocation, show_in_place
from tickets import rendering, services, snowflake
from tickets.discord import DiscordError
from tickets.errors import Conflict, DomainError, UserBlocked
from tickets.services import categories as category_services

log = logging.getLogger("rustmail.bot")

USAGE = (
    "category create <discord_category_id> <name> | <description> | <emoji>",
    "category list",
    "category rename <name> | <new name>",
    "category move <name> <position>",
    "category delete <name>",
    "category enable <name>",
    "category disable <name>",
    "category on",
    "category off",
    "category timeout <seconds>",
    "category roles add <name> <role>",
    "category roles remove <name> <role>",
    "category roles list <name>",
    "category roles clear <name>",
)

NAME_HELP = gettext_noop("The category's name (as on its button)")
CATEGORY = Doc(
    summary=gettext_noop("Manage the ticket categories users choose from before their ticket opens"),
    usage="<create|list|rename|move|delete|enable|disable|on|off|timeout|roles> ...",
    examples=(
        Example(
            "category create 123456789012345678 Billing | Payments and refunds | 💳",
            gettext_noop("adds Billing"),
        ),
        Example("category on", gettext_noop("users choose a category before their ticket opens")),
    ),
)
CATEGORY_CREATE = Doc(
    summary=gettext_noop("Add a category to the prompt: its tickets open in a Discord category"),
    usage="<discord_category_id> <name> | <description> | <emoji>",
    args=(
        Arg(
            "discord_category_id",
            gettext_noop("The Discord category its tickets open in (ID, or the category itself)"),
            slash=("discord_category", "discord_category_id"),
        ),
        Arg("name", gettext_noop("Name on the button, 80 characters at most")),
        Arg("description", gettext_noop("One line about it (optional)")),
        Arg("emoji", gettext_noop("Emoji on the button (optional)")),
    ),
    examples=(
        Example("category create 123456789012345678 Billing | Payments | 💳", gettext_noop("adds Billing")),
        Example("/category create name:Billing discord_category:#Billing", gettext_noop("the slash form")),
    ),
)
CATEGORY_LIST = Doc(
    summary=gettext_noop("Show the categories and the prompt's settings"),
    examples=(Example("category list", gettext_noop("every category, in prompt order")),),
)
CATEGORY_RENAME = Doc(
    summary=gettext_noop("Rename a category"),
    usage="<name> | <new name>",
    args=(
        Arg("name", NAME_HELP, slash=("name", "old_name")),
        Arg("new name", gettext_noop("Its new name, 80 characters at most"), slash=("new_name",)),
    ),
    examples=(Example("category rename Billing | Payments", gettext_noop("renames Billing to Payments")),),
)
CATEGORY_MOVE = Doc(
    summary=gettext_noop("Change a category's place on the prompt"),
    usage="<name> <position>",
    args=(Arg("name", NAME_HELP), Arg("position", gettext_noop("Its place, 1 first"))),
    examples=(Example("category move Billing 1", gettext_noop("puts Billing first")),),
)
CATEGORY_DELETE = Doc(
    summary=gettext_noop("Delete a category (open tickets stay where they are)"),
    usage="<name>",
    args=(Arg("name", NAME_HELP),),
    examples=(Example("category delete Billing", gettext_noop("removes Billing from the prompt")),),
)
CATEGORY_ENABLE = Doc(
    summary=gettext_noop("Offer a category on the prompt again"),
    usage="<name>",
    args=(Arg("name", NAME_HELP),),
    examples=(Example("category enable Billing", gettext_noop("shows Billing's button again")),),
)
CATEGORY_DISABLE = Doc(
    summary=gettext_noop("Stop offering a category on the prompt, without deleting it"),
    usage="<name>",
    args=(Arg("name", NAME_HELP),),
    examples=(Example("category disable Billing", gettext_noop("hides Billing's button")),),
)
CATEGORY_ON = Doc(
    summary=gettext_noop("Ask users to choose a category before their ticket opens"),
    examples=(Example("category on", gettext_noop("turns the prompt on")),),
)
CATEGORY_OFF = Doc(
    summary=gettext_noop("Open tickets in the inbox without asking"),
    examples=(Example("category off", gettext_noop("turns the prompt off")),),
)
CATEGORY_TIMEOUT = Doc(
    summary=gettext_noop("How long users have to choose before the ticket opens in the inbox"),
    usage="<seconds>",
    args=(Arg("seconds", gettext_noop("Seconds, 30 at least (default 300)")),),
    examples=(Example("category timeout 120", gettext_noop("users have 2 minutes to choose")),),
)
CATEGORY_ROLES = Doc(
    summary=gettext_noop("Roles pinged when a ticket opens in a category: add, remove, list, clear"),
    usage="<add|remove|list|clear> ...",
    examples=(Example("category roles add Billing @Accounts", gettext_noop("pings Accounts for Billing")),),
)
ROLE_HELP = gettext_noop("The role: a mention, an ID or its name")
CATEGORY_ROLES_ADD = Doc(
    summary=gettext_noop("Ping a role when a ticket opens in the category"),
    usage="<name> <role>",
    args=(Arg("name", NAME_HELP), Arg("role", ROLE_HELP)),
    examples=(Example("category roles add Billing @Accounts", gettext_noop("pings Accounts for Billing")),),
)
CATEGORY_ROLES_REMOVE = Doc(
    summary=gettext_noop("Stop pinging a role for the category"),
    usage="<name> <role>",
    args=(Arg("name", NAME_HELP), Arg("role", ROLE_HELP)),
    examples=(Example("category roles remove Billing @Accounts", gettext_noop("stops pinging Accounts")),),
)
CATEGORY_ROLES_LIST = Doc(
    summary=gettext_noop("The roles pinged for the category"),
    usage="<name>",
    args=(Arg("name", NAME_HELP),),
    examples=(Example("category roles list Billing", gettext_noop("lists Billing's roles")),),
)
CATEGORY_ROLES_CLEAR = Doc(
    summary=gettext_noop("Stop pinging every role for the category"),
    usage="<name>",
    args=(Arg("name", NAME_HELP),),
    examples=(
        Example("category roles clear Billing", gettext_noop("no role is pinged for Billing any more")),
    ),
)
LIST_PAGE = 4000


def category_channel(guild: nextcord.Guild, text: str) -> nextcord.CategoryChannel | None:
    """A Discord category of ``guild`` by ID, ``<#mention>`` or name."""
    raw = text.strip().removeprefix("<#").removesuffix(">")
    if snowflake.is_snowflake(raw):
        channel = guild.get_channel(snowflake.parse_snowflake(raw))
    else:
        channel = nextcord.utils.find(lambda c: c.name.lower() == raw.lower(), guild.categories)
    return channel if isinstance(channel, nextcord.CategoryChannel) else None


def split_last(text: str) -> tuple[str, str]:
    """``"Billing | Support team"`` or ``"Billing Support"``: the name, then the last argument."""
    if "|" in text:
        name, _sep, last = text.rpartition("|")
    else:
        name, _sep, last = text.strip().rpartition(" ")
    return name.strip(), last.strip()


class Categories(commands.Cog):
    """category (and its subcommands), and the prompt's buttons."""

    def __init__(self, bot: ModmailBot) -> None:
        self.bot = bot

    # --- the commands, once ----------------------------------------------------------------
    async def _create(
        self,
        inv: Invocation,
        channel: nextcord.abc.GuildChannel | None,
        name: str,
        description: str = "",
        emoji: str = "",
    ) -> None:
        with inv.language():
            if not isinstance(channel, nextcord.CategoryChannel) or channel.guild.id != inv.guild.id:
                await inv.fail(_("That is not a category of this server."))
        category = await inv.run(
            services.category_create,
            discord_category_id=channel.id,
            name=name,
            description=description,
            emoji=emoji,
        )
        with inv.language():
            await inv.done(
                _("Category **%(name)s** created: its tickets open in %(channel)s.")
                % {"name": category.name, "channel": channel.mention}
            )

    async def _list(self, inv: Invocation) -> None:
        overview = await inv.run(category_services.category_list)
        with inv.language():
            state = (
                pgettext("category prompt", "on")
                if overview.prompt_enabled
                else pgettext("category prompt", "off")
            )
            lines = [
                _("Prompt: **%(state)s** · timeout %(seconds)s s · %(count)s of %(max)s enabled")
                % {
                    "state": state,
                    "seconds": overview.timeout,
                    "count": overview.enabled_count,
                    "max": category_services.MAX_ENABLED,
                },
                "",
            ]
            if not overview.categories:
                lines.append(_("No category yet. Create one with: %(usage)s") % {"usage": self._usage(0)})
            for index, category in enumerate(overview.categories, start=1):
                emoji = f"{category.emoji} " if category.emoji else ""
                parts = [f"{index}. {emoji}**{category.name}**", f"<#{category.discord_category_id}>"]
                if not category.enabled:
                    parts.append(_("disabled"))
                roles = overview.roles.get(category.pk)
                if roles:
                    parts.append(" ".join(f"<@&{r}>" for r in roles))
                lines.append(" · ".join(parts))
                if category.description:
                    lines.append(f"    {category.description}")
            for page in rendering.chunks("\n".join(lines), LIST_PAGE):
                await inv.answer(embed=self._embed(page, title=_("Ticket categories")))

    async def _rename(self, inv: Invocation, name: str, new_name: str) -> None:
        category = await inv.run(services.category_rename, name=name, new_name=new_name)
        with inv.language():
            await inv.done(_("Category renamed to **%(name)s**.") % {"name": category.name})

    async def _move(self, inv: Invocation, name: str, position: int) -> None:
        category = await inv.run(services.category_move, name=name, position=position)
        with inv.language():
            await inv.done(
                _("**%(name)s** is now at position %(position)s.")
                % {"name": category.name, "position": position}
            )

    async def _delete(self, inv: Invocation, name: str) -> None:
        category = await inv.run(services.category_get, name=name)
        await inv.run(services.category_delete, name=category.name)
        with inv.language():
            await inv.done(_("Category **%(name)s** deleted.") % {"name": category.name})

    async def _set_enabled(self, inv: Invocation, name: str, enabled: bool) -> None:
        category = await inv.run(services.category_set_enabled, name=name, enabled=enabled)
        with inv.language():
            text = (
                _("**%(name)s** is offered on the prompt.")
                if enabled
                else _("**%(name)s** is no longer offered.")
            )
            await inv.done(text % {"name": category.name})

    async def _prompt(self, inv: Invocation, enabled: bool) -> None:
        await inv.run(services.prompt_set_enabled, enabled=enabled)
        overview = await inv.run(category_services.category_list)
        with inv.language():
            if not enabled:
                await inv.done(_("The category prompt is off: tickets open in the inbox."))
            elif not overview.enabled_count:
                await inv.done(
                    _(
                        "The category prompt is on, but no category is enabled: "
                        "tickets still open in the inbox."
                    )
                )
            else:
                await inv.done(
                    _("The category prompt is on: users choose a category before their ticket opens.")
                )

    async def _timeout(self, inv: Invocation, seconds: int) -> None:
        settings = await inv.run(services.prompt_set_timeout, seconds=seconds)
        with inv.language():
            await inv.done(
                _("Users now have %(seconds)s seconds to choose; then their ticket opens in the inbox.")
                % {"seconds": settings.selection_timeout}
            )

    async def _role_add(self, inv: Invocation, name: str, role: nextcord.Role | None) -> None:
        role = await self._role(inv, role)
        category = await inv.run(services.category_get, name=name)
        await inv.run(services.category_role_add, name=category.name, role_id=role.id)
        with inv.language():
            await inv.done(
                _("%(role)s is pinged when a ticket opens in **%(name)s**.")
                % {"role": role.mention, "name": category.name}
            )

    async def _role_remove(self, inv: Invocation, name: str, role: nextcord.Role | None) -> None:
        role = await self._role(inv, role)
        category = await inv.run(services.category_get, name=name)
        await inv.run(services.category_role_remove, name=category.name, role_id=role.id)
        with inv.language():
            await inv.done(
                _("%(role)s is no longer pinged for **%(name)s**.")
                % {"role": role.mention, "name": category.name}
            )

    async def _role_list(self, inv: Invocation, name: str) -> None:
        category, roles = await inv.run(category_services.category_role_list, name=name)
        with inv.language():
            if not roles:
                await inv.done(_("No role is pinged for **%(name)s**.") % {"name": category.name})
                return
            await inv.done(
                _("Pinged for **%(name)s**: %(roles)s")
                % {"name": category.name, "roles": " ".join(f"<@&{r}>" for r in roles)}
            )

    async def _role_clear(self, inv: Invocation, name: str) -> None:
        category, removed = await inv.run(category_services.category_role_clear, name=name)
        with inv.language():
            await inv.done(
                ngettext(
                    "%(n)s role is no longer pinged for **%(name)s**.",
                    "%(n)s roles are no longer pinged for **%(name)s**.",
                    removed,
                )
                % {"n": removed, "name": category.name}
            )

    async def _role(self, inv: Invocation, role: nextcord.Role | None) -> nextcord.Role:
        with inv.language():
            if role is None or role.guild.id != inv.guild.id:
                await inv.fail(_("That is not a role of this server."))
            if role.is_default():
                await inv.fail(_("@everyone cannot be pinged for a category."))
        return role

    async def _unknown(self, inv: Invocation, given: str) -> None:
        with inv.language():
            lines = [self._usage(i) for i in range(len(USAGE))]
            head = _("Unknown subcommand %(name)s.") % {"name": given.split()[0]} if given.strip() else ""
            await inv.answer("\n".join(filter(None, [head, _("Usage:"), *lines])), error=bool(head))

    def _usage(self, index: int) -> str:
        return f"`{self.bot.cfg.command_prefix or '!'}{USAGE[index]}`"

    def _embed(self, text: str, *, title: str | None = None) -> nextcord.Embed:
        color = int(self.bot.cfg.thread_system_message_color or "faa81a", 16)
        return nextcord.Embed(title=title, description=text, color=color)

    # --- the prompt's buttons --------------------------------------------------------------
    @commands.Cog.listener()
    async def on_interaction(self, interaction: nextcord.Interaction) -> None:
        """A user clicked a category on their prompt: open the ticket there and forward the queue."""
        if interaction.type != nextcord.InteractionType.component or self.bot.closing:
            return
        custom_id = str((interaction.data or {}).get("custom_id", ""))
        choice = category_services.prompt_choice(custom_id)
        if choice is None:
            return
        selection_id, category_id = choice
        user_id = interaction.user.id
        async with self.bot.runner.tracked():
            await interaction.response.defer()
            try:
                # In turn with the user's DMs, so one sent meanwhile joins the ticket, not a new prompt.
                async with self.bot.runner.ordered(("user", user_id)):
                    await self.bot.call(
                        services.selection_choose,
                        selection_id=selection_id,
                        category_id=category_id,
                        user_id=user_id,
                    )
            except DomainError as error:
                await self._refuse_choice(interaction, error)
                return
            except DiscordError as error:
                # The choice is recorded; the worker finishes forwarding the queue.
                log.warning("Prompt %s: forwarding deferred: %s", selection_id, error)
            await self._show_choice(interaction, _button_label(interaction, custom_id))

    async def _show_choice(self, interaction: nextcord.Interaction, label: str) -> None:
        cfg = self.bot.cfg
        with self.bot.language():
            text = _("You chose: %(choice)s. Your messages were sent to the staff, who will answer here.") % {
                "choice": f"**{label}**"
            }
            message = rendering.system(cfg, text)
        await show_in_place(interaction, message)

    async def _refuse_choice(self, interaction: nextcord.Interaction, error: DomainError) -> None:
        try:
            await interaction.followup.send(
                embed=nextcord.Embed(description=error.message, color=0xED4245), ephemeral=True
            )
            if isinstance(error, Conflict | UserBlocked):  # the prompt is over: its buttons go
                await interaction.edit_original_message(view=None)
        except nextcord.HTTPException as failure:
            log.info("Could not answer a prompt click: %s", failure)

    # --- slash entry points --------------------------------------------------------------
    @nextcord.slash_command(name="category", description=CATEGORY.summary)
    async def category_slash(self, interaction: nextcord.Interaction) -> None:
        """Parent of the /category subcommands (never called by itself)."""

    @category_slash.subcommand(name="create", description=CATEGORY_CREATE.summary)
    async def create_slash(
        self,
        interaction: nextcord.Interaction,
        name: str = nextcord.SlashOption(description=CATEGORY_CREATE.option("name"), max_length=80),
        discord_category: nextcord.CategoryChannel = nextcord.SlashOption(
            description=CATEGORY_CREATE.option("discord_category"), required=False, default=None
        ),
        discord_category_id: str = nextcord.SlashOption(
            description=CATEGORY_CREATE.option("discord_category_id"), required=False, default=""
        ),
        description: str = nextcord.SlashOption(
            description=CATEGORY_CREATE.option("description"), required=False, default="", max_length=200
        ),
        emoji: str = nextcord.SlashOption(
            description=CATEGORY_CREATE.option("emoji"), required=False, default=""
        ),
    ) -> None:
        """``discord_category`` (picked) or ``discord_category_id`` (typed, as in Rustmail)."""
        inv = Invocation(self.bot, interaction=interaction)
        channel = discord_category
        if channel is None and discord_category_id.strip() and interaction.guild is not None:
            channel = category_channel(interaction.guild, discord_category_id)
        if channel is None and not discord_category_id.strip():
            with inv.language():
                await inv.fail(_("Name the Discord category: discord_category or discord_category_id."))
        await self._create(inv, channel, name, description, emoji)

    @category_slash.subcommand(name="list", description=CATEGORY_LIST.summary)
    async def list_slash(self, interaction: nextcord.Interaction) -> None:
        await self._list(Invocation(self.bot, interaction=interaction))

    @category_slash.subcommand(name="rename", description=CATEGORY_RENAME.summary)
    async def rename_slash(
        self,
        interaction: nextcord.Interaction,
        new_name: str = nextcord.SlashOption(description=CATEGORY_RENAME.option("new_name"), max_length=80),
        name: str = nextcord.SlashOption(
            description=CATEGORY_RENAME.option("name"), required=False, default=""
        ),
        old_name: str = nextcord.SlashOption(
            description=CATEGORY_RENAME.option("old_name"), required=False, default=""
        ),
    ) -> None:
        """``name`` or ``old_name`` (Rustmail's)."""
        inv = Invocation(self.bot, interaction=interaction)
        names = {n.strip() for n in (name, old_name) if n.strip()}
        if len(names) != 1:
            with inv.language():
                await inv.fail(_("Name the category once: name or old_name."))
        await self._rename(inv, names.pop(), new_name)

    @category_slash.subcommand(name="move", description=CATEGORY_MOVE.summary)
    async def move_slash(
        self,
        interaction: nextcord.Interaction,
        name: str = nextcord.SlashOption(description=CATEGORY_MOVE.option("name")),
        position: int = nextcord.SlashOption(description=CATEGORY_MOVE.option("position"), min_value=1),
    ) -> None:
        await self._move(Invocation(self.bot, interaction=interaction), name, position)

    @category_slash.subcommand(name="delete", description=CATEGORY_DELETE.summary)
    async def delete_slash(
        self,
        interaction: nextcord.Interaction,
        name: str = nextcord.SlashOption(description=CATEGORY_DELETE.option("name")),
    ) -> None:
        await self._delete(Invocation(self.bot, interaction=interaction), name)

    @category_slash.subcommand(name="enable", description=CATEGORY_ENABLE.summary)
    async def enable_slash(
        self,
        interaction: nextcord.Interaction,
        name: str = nextcord.SlashOption(description=CATEGORY_ENABLE.option("name")),
    ) -> None:
        await self._set_enabled(Invocation(self.bot, interaction=interaction), name, True)

    @category_slash.subcommand(name="disable", description=CATEGORY_DISABLE.summary)
    async def disable_slash(
        self,
        interaction: nextcord.Interaction,
        name: str = nextcord.SlashOption(description=CATEGORY_DISABLE.option("name")),
    ) -> None:
        await self._set_enabled(Invocation(self.bot, interaction=interaction), name, False)

    @category_slash.subcommand(name="on", description=CATEGORY_ON.summary)
    async def on_slash(self, interaction: nextcord.Interaction) -> None:
        await self._prompt(Invocation(self.bot, interaction=interaction), True)

    @category_slash.subcommand(name="off", description=CATEGORY_OFF.summary)
    async def off_slash(self, interaction: nextcord.Interaction) -> None:
        await self._prompt(Invocation(self.bot, interaction=interaction), False)

    @category_slash.subcommand(name="timeout", description=CATEGORY_TIMEOUT.summary)
    async def timeout_slash(
        self,
        interaction: nextcord.Interaction,
        seconds: int = nextcord.SlashOption(
            description=CATEGORY_TIMEOUT.option("seconds"), min_value=30, max_value=86400
        ),
    ) -> None:
        await self._timeout(Invocation(self.bot, interaction=interaction), seconds)

    @category_slash.subcommand(name="roles", description=CATEGORY_ROLES.summary)
    async def roles_slash(self, interaction: nextcord.Interaction) -> None:
        """Parent of the /category roles subcommands (never called by itself)."""

    @roles_slash.subcommand(name="add", description=CATEGORY_ROLES_ADD.summary)
    async def roles_add_slash(
        self,
        interaction: nextcord.Interaction,
        name: str = nextcord.SlashOption(description=CATEGORY_ROLES_ADD.option("name")),
        role: nextcord.Role = nextcord.SlashOption(description=CATEGORY_ROLES_ADD.option("role")),
    ) -> None:
        await self._role_add(Invocation(self.bot, interaction=interaction), name, role)

    @roles_slash.subcommand(name="remove", description=CATEGORY_ROLES_REMOVE.summary)
    async def roles_remove_slash(
        self,
        interaction: nextcord.Interaction,
        name: str = nextcord.SlashOption(description=CATEGORY_ROLES_REMOVE.option("name")),
        role: nextcord.Role = nextcord.SlashOption(description=CATEGORY_ROLES_REMOVE.option("role")),
    ) -> None:
        await self._role_remove(Invocation(self.bot, interaction=interaction), name, role)

    @roles_slash.subcommand(name="list", description=CATEGORY_ROLES_LIST.summary)
    async def roles_list_slash(
        self,
        interaction: nextcord.Interaction,
        name: str = nextcord.SlashOption(description=CATEGORY_ROLES_LIST.option("name")),
    ) -> None:
        await self._role_list(Invocation(self.bot, interaction=interaction), name)

    @roles_slash.subcommand(name="clear", description=CATEGORY_ROLES_CLEAR.summary)
    async def roles_clear_slash(
        self,
        interaction: nextcord.Interaction,
        name: str = nextcord.SlashOption(description=CATEGORY_ROLES_CLEAR.option("name")),
    ) -> None:
        await self._role_clear(Invocation(self.bot, interaction=interaction), name)

    # --- text entry points ---------------------------------------------------------------
    @commands.group(name="category", invoke_without_command=True, case_insensitive=True, **CATEGORY.text())
    async def category_text(self, ctx: commands.Context, *, rest: str = "") -> None:
        await self._unknown(Invocation(self.bot, ctx=ctx), rest)

    @category_text.command(name="create", **CATEGORY_CREATE.text())
    async def create_text(self, ctx: commands.Context, discord_category: str, *, spec: str) -> None:
        name, description, emoji = [*(part.strip() for part in spec.split("|", 2)), "", ""][:3]
        channel = category_channel(ctx.guild, discord_category) if ctx.guild else None
        await self._create(Invocation(self.bot, ctx=ctx), channel, name, description, emoji)

    @category_text.command(name="list", **CATEGORY_LIST.text())
    async def list_text(self, ctx: commands.Context) -> None:
        await self._list(Invocation(self.bot, ctx=ctx))

    @category_text.command(name="rename", **CATEGORY_RENAME.text())
    async def rename_text(self, ctx: commands.Context, *, spec: str) -> None:
        name, new_name = split_last(spec)
        if not name or not new_name:
            raise commands.BadArgument(spec)
        await self._rename(Invocation(self.bot, ctx=ctx), name, new_name)

    @category_text.command(name="move", **CATEGORY_MOVE.text())
    async def move_text(self, ctx: commands.Context, *, spec: str) -> None:
        name, position = split_last(spec)
        if not name or not (position.isascii() and position.isdigit()):
            raise commands.BadArgument(spec)
        await self._move(Invocation(self.bot, ctx=ctx), name, int(position))

    @category_text.command(name="delete", aliases=["remove"], **CATEGORY_DELETE.text())
    async def delete_text(self, ctx: commands.Context, *, name: str) -> None:
        await self._delete(Invocation(self.bot, ctx=ctx), name)

    @category_text.command(name="enable", **CATEGORY_ENABLE.text())
    async def enable_text(self, ctx: commands.Context, *, name: str) -> None:
        await self._set_enabled(Invocation(self.bot, ctx=ctx), name, True)

    @category_text.command(name="disable", **CATEGORY_DISABLE.text())
    async def disable_text(self, ctx: commands.Context, *, name: str) -> None:
        await self._set_enabled(Invocation(self.bot, ctx=ctx), name, False)

    @category_text.command(name="on", **CATEGORY_ON.text())
    async def on_text(self, ctx: commands.Context) -> None:
        await self._prompt(Invocation(self.bot, ctx=ctx), True)

    @category_text.command(name="off", **CATEGORY_OFF.text())
    async def off_text(self, ctx: commands.Context) -> None:
        await self._prompt(Invocation(self.bot, ctx=ctx), False)

    @category_text.command(name="timeout", **CATEGORY_TIMEOUT.text())
    async def timeout_text(self, ctx: commands.Context, seconds: int) -> None:
        await self._timeout(Invocation(self.bot, ctx=ctx), seconds)

    @category_text.group(
        name="roles", invoke_without_command=True, case_insensitive=True, **CATEGORY_ROLES.text()
    )
    async def roles_text(self, ctx: commands.Context, *, rest: str = "") -> None:
        await self._unknown(Invocation(self.bot, ctx=ctx), rest)

    @roles_text.command(name="add", **CATEGORY_ROLES_ADD.text())
    async def roles_add_text(self, ctx: commands.Context, *, spec: str) -> None:
        name, role = await self._text_role(ctx, spec)
        await self._role_add(Invocation(self.bot, ctx=ctx), name, role)

    @roles_text.command(name="remove", **CATEGORY_ROLES_REMOVE.text())
    async def roles_remove_text(self, ctx: commands.Context, *, spec: str) -> None:
        name, role = await self._text_role(ctx, spec)
        await self._role_remove(Invocation(self.bot, ctx=ctx), name, role)

    @roles_text.command(name="list", **CATEGORY_ROLES_LIST.text())
    async def roles_list_text(self, ctx: commands.Context, *, name: str) -> None:
        await self._role_list(Invocation(self.bot, ctx=ctx), name)

    @roles_text.command(name="clear", **CATEGORY_ROLES_CLEAR.text())
    async def roles_clear_text(self, ctx: commands.Context, *, name: str) -> None:
        await self._role_clear(Invocation(self.bot, ctx=ctx), name)

    @staticmethod
    async def _text_role(ctx: commands.Context, spec: str) -> tuple[str, nextcord.Role | None]:
        """``<name> <role>``, or ``<name> | <role>`` for a role name with spaces; the role by mention,
        ID or name (None when there is no such role)."""
        name, raw = split_last(spec)
        if not name or not raw:
            raise commands.BadArgument(spec)
        try:
            return name, await commands.RoleConverter().convert(ctx, raw)
        except commands.BadArgument:
            return name, None


def _button_label(interaction: nextcord.Interaction, custom_id: str) -> str:
    """The label of the clicked button, read from the message it was on."""
    for row in (interaction.message.components if interaction.message else []) or []:
        for child in getattr(row, "children", []):
            if getattr(child, "custom_id", None) == custom_id:
                return child.label or ""
    return ""


def setup(bot: ModmailBot) -> None:
    bot.add_cog(Categories(bot))

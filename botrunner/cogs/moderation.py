"""Blocking users, and snippets: saved answers staff send with ``snippet use`` or ``{{key}}``.

Each command is written once (``_block``, ``_snippet_create``...) over an :class:`Invocation`; the
slash and text entry points below only collect their arguments.
"""

from __future__ import annotations

import logging
import re

import nextcord
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from nextcord.ext import commands

from botrunner.bot import ModmailBot
from botrunner.commanddocs import Arg, Doc, Example
from botrunner.invocation import Invocation
from tickets import selectors, services

log = logging.getLogger("rustmail.bot")

USER_HELP = gettext_noop("The user: a mention or a Discord ID")
BLOCK = Doc(
    summary=gettext_noop("Block a user: their DMs open nothing (optionally for a duration)"),
    usage="<user> [duration] [reason]",
    args=(
        Arg("user", USER_HELP),
        Arg("duration", gettext_noop("How long: 30m, 2h, 1d, 1d12h (none: until unblocked)")),
        Arg("reason", gettext_noop("Why (kept for staff, never sent to the user)")),
    ),
    examples=(
        Example("block @Spammer", gettext_noop("blocks until unblock")),
        Example("block 123456789012345678 1d spam", gettext_noop("blocks for a day, with a reason")),
    ),
)
UNBLOCK = Doc(
    summary=gettext_noop("Lift a user's block"),
    usage="<user>",
    args=(Arg("user", USER_HELP),),
    examples=(Example("unblock @Alice", gettext_noop("Alice's DMs open tickets again")),),
)
KEY_HELP = gettext_noop("The snippet's key: letters, digits, _ and -")
SNIPPET = Doc(
    summary=gettext_noop("Saved answers: create, list, show, edit, delete, use; {{key}} in a reply"),
    usage="<create|list|show|edit|delete|use> ...",
    examples=(
        Example("snippet create refund Your refund is on its way.", gettext_noop("saves a snippet")),
        Example("reply Hello! {{refund}}", gettext_noop("inserts it in a reply")),
    ),
)
SNIPPET_CREATE = Doc(
    summary=gettext_noop("Save a snippet"),
    usage="<key> <content>",
    args=(Arg("key", KEY_HELP), Arg("content", gettext_noop("Its text (4000 characters at most)"))),
    examples=(Example("snippet create refund Your refund is on its way.", gettext_noop("saves refund")),),
)
SNIPPET_LIST = Doc(
    summary=gettext_noop("List the snippets"),
    examples=(Example("snippet list", gettext_noop("every key with the start of its text")),),
)
SNIPPET_SHOW = Doc(
    summary=gettext_noop("Show a snippet's text"),
    usage="<key>",
    args=(Arg("key", KEY_HELP),),
    examples=(Example("snippet show refund", gettext_noop("shows the whole text of refund")),),
)
SNIPPET_EDIT = Doc(
    summary=gettext_noop("Change a snippet's text"),
    usage="<key> <content>",
    args=(Arg("key", KEY_HELP), Arg("content", gettext_noop("Its new text (4000 characters at most)"))),
    examples=(Example("snippet edit refund Refunds take 5 days.", gettext_noop("replaces the text")),),
)
SNIPPET_DELETE = Doc(
    summary=gettext_noop("Delete a snippet"),
    usage="<key>",
    args=(Arg("key", KEY_HELP),),
    examples=(Example("snippet delete refund", gettext_noop("deletes refund")),),
)
SNIPPET_USE = Doc(
    summary=gettext_noop("Send a snippet to the ticket's user as your reply"),
    usage="<key>",
    args=(Arg("key", KEY_HELP),),
    examples=(Example("snippet use refund", gettext_noop("sends refund as reply #N")),),
)

DURATION = re.compile(r"^(\d+|(\d+[dhms])+)$", re.IGNORECASE)
LIST_PREVIEW = 60
LIST_LIMIT = 3800


def duration_and_reason(text: str) -> tuple[str | None, str]:
    """``[duration] [reason]``: a first word shaped like a duration (``1d``, ``2h30m``, seconds) is one."""
    words = text.split(maxsplit=1)
    if words and DURATION.match(words[0]):
        return words[0], words[1] if len(words) > 1 else ""
    return None, text.strip()


class Moderation(commands.Cog):
    """block · unblock · snippet (create, list, show, edit, delete, use)."""

    def __init__(self, bot: ModmailBot) -> None:
        self.bot = bot

    # --- the commands, once ----------------------------------------------------------------
    async def _block(
        self, inv: Invocation, user: nextcord.abc.User, duration: str | None, reason: str
    ) -> None:
        if user.bot:
            with inv.language():
                await inv.fail(_("Bots cannot be blocked: they never open tickets."))
        block = await inv.run(
            services.user_block,
            user_id=user.id,
            staff_id=inv.author.id,
            reason=reason,
            duration=duration,
            user_name=getattr(user, "global_name", None) or user.name,
        )
        with inv.language():
            if block.expires_at:
                text = _("%(user)s is blocked until <t:%(ts)s:f>.") % {
                    "user": user.mention,
                    "ts": int(block.expires_at.timestamp()),
                }
            else:
                text = _("%(user)s is blocked.") % {"user": user.mention}
            if block.reason:
                text += "\n" + _("Reason: %(reason)s") % {"reason": block.reason}
            await inv.done(text)

    async def _unblock(self, inv: Invocation, user: nextcord.abc.User) -> None:
        await inv.run(services.user_unblock, user_id=user.id)
        with inv.language():
            await inv.done(_("%(user)s is no longer blocked.") % {"user": user.mention})

    async def _snippet_create(self, inv: Invocation, key: str, content: str) -> None:
        snippet = await inv.run(services.snippet_create, key=key, content=content, staff_id=inv.author.id)
        with inv.language():
            await inv.done(
                _("Snippet %(key)s saved: use it with `{{%(key)s}}` in a reply.") % {"key": snippet.key}
            )

    async def _snippet_list(self, inv: Invocation) -> None:
        snippets = await inv.run(lambda: list(selectors.snippet_list()))
        with inv.language():
            if not snippets:
                await inv.done(_("There are no snippets yet."))
                return
            lines: list[str] = []
            for index, snippet in enumerate(snippets):
                preview = " ".join(snippet.content.split())
                if len(preview) > LIST_PREVIEW:
                    preview = preview[: LIST_PREVIEW - 1] + "…"
                line = f"`{snippet.key}` {preview}"
                if sum(len(x) + 1 for x in lines) + len(line) > LIST_LIMIT:
                    lines.append(_("…and %(n)s more.") % {"n": len(snippets) - index})
                    break
                lines.append(line)
            embed = nextcord.Embed(
                title=_("Snippets (%(n)s)") % {"n": len(snippets)},
                description="\n".join(lines),
                color=self._color(),
            )
            await inv.answer(embed=embed)

    async def _snippet_show(self, inv: Invocation, key: str) -> None:
        snippet = await inv.run(services.snippet_get, key=key)
        with inv.language():
            embed = nextcord.Embed(
                title=_("Snippet %(key)s") % {"key": snippet.key},
                description=snippet.content,
                color=self._color(),
            )
            embed.add_field(name=_("Created by"), value=f"<@{snippet.created_by}>")
            embed.add_field(name=_("Last changed"), value=f"<t:{int(snippet.updated_at.timestamp())}:f>")
            await inv.answer(embed=embed)

    async def _snippet_edit(self, inv: Invocation, key: str, content: str) -> None:
        snippet = await inv.run(services.snippet_edit, key=key, content=content)
        with inv.language():
            await inv.done(_("Snippet %(key)s updated.") % {"key": snippet.key})

    async def _snippet_delete(self, inv: Invocation, key: str) -> None:
        await inv.run(services.snippet_delete, key=key)
        with inv.language():
            await inv.done(_("Snippet %(key)s deleted.") % {"key": key})

    async def _snippet_use(self, inv: Invocation, key: str) -> None:
        """Send the snippet as the staff member's reply, numbered like any reply."""
        async with self.bot.runner.ordered(("channel", inv.channel_id)):
            ticket = await inv.run(services.ticket_by_channel, channel_id=inv.channel_id)
            snippet = await inv.run(services.snippet_get, key=key)
            message = await inv.run(
                services.ticket_reply, ticket=ticket, staff=inv.staff, content=snippet.content
            )
        if inv.message is not None:  # as with a reply: the command goes once its copy is in the channel
            try:
                await inv.message.delete()
            except nextcord.HTTPException as error:
                log.info("Could not delete the command message: %s", error)
        if inv.is_slash:
            with inv.language():
                await inv.done(_("Reply #%(n)s sent.") % {"n": message.message_number})

    def _color(self) -> int:
        return int(self.bot.cfg.thread_system_message_color or "faa81a", 16)

    # --- slash entry points --------------------------------------------------------------
    @nextcord.slash_command(name="block", description=BLOCK.summary)
    async def block_slash(
        self,
        interaction: nextcord.Interaction,
        user: nextcord.User = nextcord.SlashOption(description=BLOCK.option("user")),
        duration: str = nextcord.SlashOption(
            description=BLOCK.option("duration"), required=False, default=""
        ),
        reason: str = nextcord.SlashOption(description=BLOCK.option("reason"), required=False, default=""),
    ) -> None:
        await self._block(Invocation(self.bot, interaction=interaction), user, duration or None, reason)

    @nextcord.slash_command(name="unblock", description=UNBLOCK.summary)
    async def unblock_slash(
        self,
        interaction: nextcord.Interaction,
        user: nextcord.User = nextcord.SlashOption(description=UNBLOCK.option("user")),
    ) -> None:
        await self._unblock(Invocation(self.bot, interaction=interaction), user)

    @nextcord.slash_command(name="snippet", description=SNIPPET.summary)
    async def snippet_slash(self, interaction: nextcord.Interaction) -> None:
        """Parent of the snippet subcommands (Discord never invokes it alone)."""

    @snippet_slash.subcommand(name="create", description=SNIPPET_CREATE.summary)
    async def snippet_create_slash(
        self,
        interaction: nextcord.Interaction,
        key: str = nextcord.SlashOption(description=SNIPPET_CREATE.option("key")),
        content: str = nextcord.SlashOption(description=SNIPPET_CREATE.option("content")),
    ) -> None:
        await self._snippet_create(Invocation(self.bot, interaction=interaction), key, content)

    @snippet_slash.subcommand(name="list", description=SNIPPET_LIST.summary)
    async def snippet_list_slash(self, interaction: nextcord.Interaction) -> None:
        await self._snippet_list(Invocation(self.bot, interaction=interaction))

    @snippet_slash.subcommand(name="show", description=SNIPPET_SHOW.summary)
    async def snippet_show_slash(
        self,
        interaction: nextcord.Interaction,
        key: str = nextcord.SlashOption(description=SNIPPET_SHOW.option("key")),
    ) -> None:
        await self._snippet_show(Invocation(self.bot, interaction=interaction), key)

    @snippet_slash.subcommand(name="edit", description=SNIPPET_EDIT.summary)
    async def snippet_edit_slash(
        self,
        interaction: nextcord.Interaction,
        key: str = nextcord.SlashOption(description=SNIPPET_EDIT.option("key")),
        content: str = nextcord.SlashOption(description=SNIPPET_EDIT.option("content")),
    ) -> None:
        await self._snippet_edit(Invocation(self.bot, interaction=interaction), key, content)

    @snippet_slash.subcommand(name="delete", description=SNIPPET_DELETE.summary)
    async def snippet_delete_slash(
        self,
        interaction: nextcord.Interaction,
        key: str = nextcord.SlashOption(description=SNIPPET_DELETE.option("key")),
    ) -> None:
        await self._snippet_delete(Invocation(self.bot, interaction=interaction), key)

    @snippet_slash.subcommand(name="use", description=SNIPPET_USE.summary)
    async def snippet_use_slash(
        self,
        interaction: nextcord.Interaction,
        key: str = nextcord.SlashOption(description=SNIPPET_USE.option("key")),
    ) -> None:
        await self._snippet_use(Invocation(self.bot, interaction=interaction), key)

    # --- text entry points ---------------------------------------------------------------
    @commands.command(name="block", **BLOCK.text())
    async def block_text(self, ctx: commands.Context, user: nextcord.User, *, rest: str = "") -> None:
        duration, reason = duration_and_reason(rest)
        await self._block(Invocation(self.bot, ctx=ctx), user, duration, reason)

    @commands.command(name="unblock", **UNBLOCK.text())
    async def unblock_text(self, ctx: commands.Context, user: nextcord.User) -> None:
        await self._unblock(Invocation(self.bot, ctx=ctx), user)

    @commands.group(
        name="snippet",
        aliases=["s"],
        invoke_without_command=True,
        case_insensitive=True,
        **SNIPPET.text(),
    )
    async def snippet_text(self, ctx: commands.Context) -> None:
        """Without a subcommand: say which ones there are."""
        inv = Invocation(self.bot, ctx=ctx)
        names = ", ".join(sorted(c.name for c in self.snippet_text.commands))
        with inv.language():
            await inv.answer(
                _("Usage: %(prefix)ssnippet <%(names)s> ...") % {"prefix": ctx.prefix, "names": names},
                error=True,
            )

    @snippet_text.command(name="create", **SNIPPET_CREATE.text())
    async def snippet_create_text(self, ctx: commands.Context, key: str, *, content: str) -> None:
        await self._snippet_create(Invocation(self.bot, ctx=ctx), key, content)

    @snippet_text.command(name="list", **SNIPPET_LIST.text())
    async def snippet_list_text(self, ctx: commands.Context) -> None:
        await self._snippet_list(Invocation(self.bot, ctx=ctx))

    @snippet_text.command(name="show", **SNIPPET_SHOW.text())
    async def snippet_show_text(self, ctx: commands.Context, key: str) -> None:
        await self._snippet_show(Invocation(self.bot, ctx=ctx), key)

    @snippet_text.command(name="edit", **SNIPPET_EDIT.text())
    async def snippet_edit_text(self, ctx: commands.Context, key: str, *, content: str) -> None:
        await self._snippet_edit(Invocation(self.bot, ctx=ctx), key, content)

    @snippet_text.command(name="delete", **SNIPPET_DELETE.text())
    async def snippet_delete_text(self, ctx: commands.Context, key: str) -> None:
        await self._snippet_delete(Invocation(self.bot, ctx=ctx), key)

    @snippet_text.command(name="use", **SNIPPET_USE.text())
    async def snippet_use_text(self, ctx: commands.Context, key: str) -> None:
        await self._snippet_use(Invocation(self.bot, ctx=ctx), key)


def setup(bot: ModmailBot) -> None:
    bot.add_cog(Moderation(bot))

"""Staff replies (reply, anonreply), their edits and deletions, and internal notes.

Each command is written once (``_reply``, ``_edit``...) over an :class:`Invocation`; the slash and
text entry points below only collect their arguments.
"""

from __future__ import annotations

import logging

import nextcord
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from nextcord.ext import commands

from botrunner.bot import ModmailBot
from botrunner.commanddocs import Arg, Doc, Example
from botrunner.invocation import Invocation
from botrunner.unknown_commands import answer_unknown_command, command_attempt
from tickets import selectors, services
from tickets.discord import DiscordError
from tickets.errors import DomainError

log = logging.getLogger("rustmail.bot")


def _files(attachments: list[nextcord.Attachment]) -> list[services.IncomingAttachment]:
    """The files of a reply as the service takes them (downloaded and stored there)."""
    return [
        services.IncomingAttachment(
            filename=a.filename, size=a.size, content_type=a.content_type or "", url=a.url, discord_id=a.id
        )
        for a in attachments
    ]


MESSAGE_HELP = gettext_noop("What to send; {{key}} inserts a snippet; files attached to the command go too")
REPLY = Doc(
    summary=gettext_noop("Reply to the ticket's user, with your name and top role (numbered #N)"),
    usage="<message>",
    args=(
        Arg("message", MESSAGE_HELP, slash=("message", "content")),
        Arg("snippet", gettext_noop("A snippet to send (its key), after the message if any"), text=False),
        Arg("attachment", gettext_noop("A file to send"), text=False),
        Arg("anonymous", gettext_noop("Hide your name from the user (as anonreply does)"), text=False),
    ),
    examples=(
        Example(
            "reply Hello, how can I help you today?", gettext_noop("sends the reply, signed with your name")
        ),
        Example("r Thanks! {{refund}}", gettext_noop("sends the text and the snippet refund")),
        Example("/reply message:Hello anonymous:True", gettext_noop("replies without your name")),
    ),
)
ANONREPLY = Doc(
    summary=gettext_noop("Reply to the ticket's user without your name: they see the server's staff"),
    usage="<message>",
    args=(Arg("message", MESSAGE_HELP),),
    examples=(
        Example("anonreply This is from the staff team.", gettext_noop("sends the reply anonymously")),
        Example("/reply message:Hello anonymous:True", gettext_noop("the slash form of an anonymous reply")),
    ),
)
NUMBER_HELP = gettext_noop("The reply's number, shown as Message #N under it")
EDIT = Doc(
    summary=gettext_noop("Change the text of a reply, in the user's DMs and in this channel"),
    usage="<number> <content>",
    args=(
        Arg("number", NUMBER_HELP, slash=("message_id",)),
        Arg("content", gettext_noop("The reply's new text"), slash=("new_content", "message")),
    ),
    examples=(
        Example("edit 42 Updated message text", gettext_noop("rewrites reply #42")),
        Example("/edit message_id:42 new_content:Updated text", gettext_noop("the same with the slash form")),
    ),
)
DELETE = Doc(
    summary=gettext_noop("Delete a reply from the user's DMs and this channel (the record keeps it)"),
    usage="<number>",
    args=(Arg("number", NUMBER_HELP, slash=("message_id",)),),
    examples=(Example("delete 42", gettext_noop("deletes reply #42")),),
)


class Replies(commands.Cog):
    """reply · anonreply · edit · delete, and internal notes."""

    def __init__(self, bot: ModmailBot) -> None:
        self.bot = bot

    # --- the commands, once ----------------------------------------------------------------
    async def _reply(
        self,
        inv: Invocation,
        content: str,
        *,
        anonymous: bool,
        attachments: list[services.IncomingAttachment] | None = None,
    ) -> None:
        """Send the next numbered reply to the ticket's user, with or without the sender's name."""
        async with self.bot.runner.ordered(("channel", inv.channel_id)):
            ticket = await inv.run(services.ticket_by_channel, channel_id=inv.channel_id)
            message = await inv.run(
                services.ticket_reply,
                ticket=ticket,
                staff=inv.staff,
                content=content,
                anonymous=anonymous,
                attachments=attachments or [],
            )
            # A file attached to the command stays in the channel with its message (the bot's copy
            # of the reply announces only what could not reach the user).
            if not attachments:
                await _drop_command_message(inv)
            cfg = self.bot.cfg
            if cfg.notifications_show_success and cfg.notifications_show_success_on_reply:
                with inv.language():
                    await inv.done(_("Reply #%(n)s sent.") % {"n": message.message_number})
            else:
                await inv.acknowledge()

    async def _edit(self, inv: Invocation, number: int, content: str) -> None:
        """Change the text of reply #number in the user's DM, in the channel and in the record."""
        async with self.bot.runner.ordered(("channel", inv.channel_id)):
            ticket = await inv.run(services.ticket_by_channel, channel_id=inv.channel_id)
            outcome = await inv.run(
                services.reply_edit,
                ticket=ticket,
                number=number,
                content=content,
                editor=inv.staff,
                override=inv.is_admin,
            )
            await _drop_command_message(inv)
            await self._report(inv, outcome, deleted=False)

    async def _delete(self, inv: Invocation, number: int) -> None:
        """Remove reply #number from the user's DM and the channel; the record keeps it as deleted."""
        async with self.bot.runner.ordered(("channel", inv.channel_id)):
            ticket = await inv.run(services.ticket_by_channel, channel_id=inv.channel_id)
            outcome = await inv.run(
                services.reply_delete, ticket=ticket, number=number, staff=inv.staff, override=inv.is_admin
            )
            await _drop_command_message(inv)
            await self._report(inv, outcome, deleted=True)

    async def _report(self, inv: Invocation, outcome: services.CopiesOutcome, *, deleted: bool) -> None:
        """Say how an edit or deletion went, as far as the notification settings ask."""
        cfg = self.bot.cfg
        number = outcome.message.message_number
        with inv.language():
            if not (outcome.dm_ok or outcome.inbox_ok):
                if cfg.notifications_show_failure_on_edit:
                    await inv.answer(
                        _("Message #%(n)s: Discord refused both copies; only the record changed.")
                        % {"n": number},
                        error=True,
                    )
                    return
            elif not (outcome.dm_ok and outcome.inbox_ok):
                if cfg.notifications_show_partial_success_on_edit:
                    missing = _("the user's copy") if not outcome.dm_ok else _("the channel's copy")
                    await inv.answer(
                        _("Message #%(n)s: done, except %(missing)s, which Discord refused.")
                        % {"n": number, "missing": missing}
                    )
                    return
            elif cfg.notifications_show_success:
                if deleted and cfg.notifications_show_success_on_delete:
                    await inv.done(_("Message #%(n)s deleted.") % {"n": number})
                    return
                if not deleted and cfg.notifications_show_success_on_edit:
                    await inv.done(_("Message #%(n)s edited.") % {"n": number})
                    return
        await inv.acknowledge()

    # --- internal notes ------------------------------------------------------------------
    async def on_channel_message(self, message: nextcord.Message) -> None:
        """A staff message in a ticket channel that is not a command: kept as an internal note,
        unless it reads as a mistyped command (see ``botrunner.unknown_commands``)."""
        async with self.bot.runner.ordered(("channel", message.channel.id)):
            ticket = await self.bot.runner.call(selectors.ticket_for_channel, message.channel.id)
            if ticket is None:
                return
            attempt = command_attempt(message.content, self.bot.cfg.command_prefix or "!")
            if attempt is not None:
                await answer_unknown_command(self.bot, message, attempt)
                return
            author = message.author
            try:
                await self.bot.runner.call(
                    services.note_add,
                    ticket=ticket,
                    author=services.StaffIdentity(id=author.id, name=author.display_name),
                    content=message.content,
                    inbox_message_id=message.id,
                )
            except (DomainError, DiscordError) as error:
                log.warning("Note %s not stored: %s", message.id, error)

    # --- slash entry points --------------------------------------------------------------
    @nextcord.slash_command(name="reply", description=REPLY.summary)
    async def reply_slash(
        self,
        interaction: nextcord.Interaction,
        message: str = nextcord.SlashOption(description=REPLY.option("message"), required=False, default=""),
        snippet: str = nextcord.SlashOption(description=REPLY.option("snippet"), required=False, default=""),
        attachment: nextcord.Attachment = nextcord.SlashOption(
            description=REPLY.option("attachment"), required=False, default=None
        ),
        anonymous: bool = nextcord.SlashOption(
            description=REPLY.option("anonymous"), required=False, default=False
        ),
        content: str = nextcord.SlashOption(description=REPLY.option("content"), required=False, default=""),
    ) -> None:
        """``message`` (Rustmail's bot) and ``content`` (Rustmail's guide) are one option."""
        content = "\n".join(part for part in (message, content) if part)
        if snippet:
            content = f"{content}\n{{{{{snippet}}}}}" if content else f"{{{{{snippet}}}}}"
        files = _files([attachment]) if attachment else []
        await self._reply(
            Invocation(self.bot, interaction=interaction), content, anonymous=anonymous, attachments=files
        )

    @nextcord.slash_command(name="edit", description=EDIT.summary)
    async def edit_slash(
        self,
        interaction: nextcord.Interaction,
        message_id: int = nextcord.SlashOption(description=EDIT.option("message_id"), min_value=1),
        new_content: str = nextcord.SlashOption(
            description=EDIT.option("new_content"), required=False, default=""
        ),
        message: str = nextcord.SlashOption(description=EDIT.option("message"), required=False, default=""),
    ) -> None:
        """``new_content`` (Rustmail's guide) and ``message`` (Rustmail's bot) are one option."""
        inv = Invocation(self.bot, interaction=interaction)
        texts = {t for t in (new_content, message) if t.strip()}
        if len(texts) != 1:
            with inv.language():
                await inv.fail(_("Give the new text once: new_content or message."))
        await self._edit(inv, message_id, texts.pop())

    @nextcord.slash_command(name="delete", description=DELETE.summary)
    async def delete_slash(
        self,
        interaction: nextcord.Interaction,
        message_id: int = nextcord.SlashOption(description=DELETE.option("message_id"), min_value=1),
    ) -> None:
        await self._delete(Invocation(self.bot, interaction=interaction), message_id)

    @nextcord.message_command(name="delete")
    async def delete_message_menu(self, interaction: nextcord.Interaction, message: nextcord.Message) -> None:
        """Rustmail's message menu: Apps → delete on a reply's copy in the ticket channel."""
        inv = Invocation(self.bot, interaction=interaction)
        number = await inv.run(
            selectors.reply_number_of_message, channel_id=inv.channel_id, message_id=message.id
        )
        if number is None:
            with inv.language():
                await inv.fail(_("That message is not a staff reply of this ticket."))
        await self._delete(inv, number)

    # --- text entry points ---------------------------------------------------------------
    @commands.command(name="reply", aliases=["r"], **REPLY.text())
    async def reply_text(self, ctx: commands.Context, *, content: str = "") -> None:
        files = _files(ctx.message.attachments)
        await self._reply(Invocation(self.bot, ctx=ctx), content, anonymous=False, attachments=files)

    @commands.command(name="anonreply", aliases=["ar"], **ANONREPLY.text())
    async def anonreply_text(self, ctx: commands.Context, *, content: str = "") -> None:
        files = _files(ctx.message.attachments)
        await self._reply(Invocation(self.bot, ctx=ctx), content, anonymous=True, attachments=files)

    @commands.command(name="edit", aliases=["e"], **EDIT.text())
    async def edit_text(self, ctx: commands.Context, number: int, *, content: str) -> None:
        await self._edit(Invocation(self.bot, ctx=ctx), number, content)

    @commands.command(name="delete", **DELETE.text())
    async def delete_text(self, ctx: commands.Context, number: int) -> None:
        await self._delete(Invocation(self.bot, ctx=ctx), number)


async def _drop_command_message(inv: Invocation) -> None:
    """A text command's message goes once it has done its work (its effect is in the channel)."""
    if inv.message is None:
        return
    try:
        await inv.message.delete()
    except nextcord.HTTPException as error:
        log.info("Could not delete the command message: %s", error)


def setup(bot: ModmailBot) -> None:
    bot.add_cog(Replies(bot))

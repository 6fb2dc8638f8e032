"""Staff replies (numbered), their edits and deletions, internal notes, and users' own edits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tickets import rendering
from tickets.discord import DiscordError, DiscordPort
from tickets.discord.port import CANNOT_DM
from tickets.errors import DiscordFailure, InvalidInput, MessageNotFound, NotFound, TicketClosed, UserLeft
from tickets.models import Attachment, MessageEdit, Snippet, Ticket, TicketMessage

from ._common import bot_language, config, log, now, port_or_default

SNIPPET_PATTERN = re.compile(r"\{\{([A-Za-z0-9_-]+)\}\}")


@dataclass(frozen=True)
class StaffIdentity:
    """Who acts: their Discord ID, display name and top role's name."""

    id: int
    name: str
    role: str = ""


def expand_snippets(text: str) -> str:
    """Replace each ``{{key}}`` with its snippet; an unknown key is an error, not silent text."""
    keys = set(SNIPPET_PATTERN.findall(text))
    if not keys:
        return text
    found = dict(Snippet.objects.filter(key__in=keys).values_list("key", "content"))
    missing = sorted(keys - found.keys())
    if missing:
        raise InvalidInput(_("Unknown snippet: %(keys)s") % {"keys": ", ".join(missing)})
    return SNIPPET_PATTERN.sub(lambda m: found[m.group(1)], text)


def _open_ticket(ticket: Ticket) -> Ticket:
    ticket.refresh_from_db()
    if not ticket.is_open:
        raise TicketClosed()
    return ticket


def ticket_reply(
    *,
    ticket: Ticket,
    staff: StaffIdentity,
    content: str,
    anonymous: bool = False,
    attachments: list[str] | None = None,
    port: DiscordPort | None = None,
) -> TicketMessage:
    """Send a staff reply to the user and log it in the channel, numbered from the ticket's counter.

    The number is taken under a row lock, so concurrent replies get consecutive numbers. If Discord
    refuses the DM (closed DMs), nothing is kept: the record goes and the number is handed back."""
    port = port_or_default(port)
    cfg = config()
    attachments = attachments or []
    ticket = _open_ticket(ticket)
    if ticket.user_left:
        raise UserLeft()
    content = expand_snippets(content.strip())
    if not content and not attachments:
        raise InvalidInput(_("A reply needs text or an attachment."))
    if len(content) > rendering.MESSAGE_LIMIT:
        raise InvalidInput(
            _("A reply is limited to 2000 characters (this one has %(n)s).") % {"n": len(content)}
        )
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if not locked.is_open:
            raise TicketClosed()
        number = locked.next_message_number
        stamp = now()
        Ticket.objects.filter(pk=locked.pk).update(
            next_message_number=number + 1,
            silent=False,
            last_message_by=Ticket.LastMessageBy.STAFF,
            last_message_at=stamp,
        )
        message = TicketMessage.objects.create(
            ticket=locked,
            kind=TicketMessage.Kind.STAFF,
            author_id=staff.id,
            author_name=staff.name[:100],
            author_role=staff.role[:100],
            is_anonymous=anonymous,
            message_number=number,
            content=content,
            created_at=stamp,
        )
        Attachment.objects.bulk_create(
            Attachment(message=message, filename=url.rsplit("/", 1)[-1][:255] or "file", size=0, url=url)
            for url in attachments
        )
    with bot_language(cfg):
        user_copy = rendering.staff_reply(
            cfg=cfg,
            staff_name=staff.name,
            staff_role=staff.role,
            content=content,
            number=number,
            anonymous=anonymous,
            for_user=True,
            attachments=attachments,
            nonce=f"r{message.pk}",
        )
        try:
            dm_channel = port.open_dm(ticket.user_id)
            dm = port.send(dm_channel, user_copy)
        except DiscordError as error:
            _undo_reply(message, number)
            if error.code == CANNOT_DM:
                raise DiscordFailure(
                    _("The user does not accept DMs from the bot: the reply was not sent."), code=error.code
                ) from error
            raise DiscordFailure(
                _("Discord refused the reply: %(e)s") % {"e": error.message}, code=error.code
            ) from error
        inbox_copy = rendering.staff_reply(
            cfg=cfg,
            staff_name=staff.name,
            staff_role=staff.role,
            content=content,
            number=number,
            anonymous=anonymous,
            for_user=False,
            attachments=attachments,
            nonce=f"c{message.pk}",
        )
        inbox = port.send(ticket.channel_id, inbox_copy) if ticket.channel_id else None
    TicketMessage.objects.filter(pk=message.pk).update(
        dm_message_id=dm.id, dm_channel_id=dm_channel, inbox_message_id=inbox.id if inbox else None
    )
    message.refresh_from_db()
    return message


def _undo_reply(message: TicketMessage, number: int) -> None:
    with transaction.atomic():
        message.delete()
        # Hand the number back unless a later reply already took the next one.
        Ticket.objects.filter(pk=message.ticket_id, next_message_number=number + 1).update(
            next_message_number=number
        )


def _numbered(ticket: Ticket, number: int) -> TicketMessage:
    message = TicketMessage.objects.filter(
        ticket=ticket, message_number=number, kind=TicketMessage.Kind.STAFF, deleted_at__isnull=True
    ).first()
    if message is None:
        raise MessageNotFound()
    return message


@dataclass(frozen=True)
class CopiesOutcome:
    """Which copies an edit or deletion reached."""

    message: TicketMessage
    dm_ok: bool
    inbox_ok: bool


def reply_edit(
    *, ticket: Ticket, number: int, content: str, editor: StaffIdentity, port: DiscordPort | None = None
) -> CopiesOutcome:
    """Edit staff reply ``#number`` in both copies and in the record; log before/after if configured.
    An anonymous reply stays anonymous: the user's copy is re-rendered without the sender."""
    port = port_or_default(port)
    cfg = config()
    ticket = _open_ticket(ticket)
    content = expand_snippets(content.strip())
    if not content:
        raise InvalidInput(_("The new text is empty."))
    if len(content) > rendering.MESSAGE_LIMIT:
        raise InvalidInput(
            _("A reply is limited to 2000 characters (this one has %(n)s).") % {"n": len(content)}
        )
    with transaction.atomic():
        message = _numbered(ticket, number)
        before = message.content
        MessageEdit.objects.create(message=message, before=before, after=content, edited_by=editor.id)
        message.content = content
        message.edited_at = now()
        message.save(update_fields=["content", "edited_at"])
    with bot_language(cfg):
        common = dict(
            cfg=cfg,
            staff_name=message.author_name,
            staff_role=message.author_role,
            content=content,
            number=number,
            anonymous=message.is_anonymous,
        )
        dm_ok = _try(
            lambda: port.edit(
                message.dm_channel_id, message.dm_message_id, rendering.staff_reply(**common, for_user=True)
            ),
            message.dm_message_id and message.dm_channel_id,
        )
        inbox_ok = _try(
            lambda: port.edit(
                ticket.channel_id, message.inbox_message_id, rendering.staff_reply(**common, for_user=False)
            ),
            message.inbox_message_id and ticket.channel_id,
        )
        if cfg.logs_show_log_on_edit and ticket.channel_id:
            text = _("%(staff)s edited message #%(n)s.\n**Before:** %(before)s\n**After:** %(after)s") % {
                "staff": editor.name,
                "n": number,
                "before": before[:900],
                "after": content[:900],
            }
            _try(lambda: port.send(ticket.channel_id, rendering.system(cfg, text)), True)
    return CopiesOutcome(message, dm_ok, inbox_ok)


def reply_delete(
    *, ticket: Ticket, number: int, staff: StaffIdentity, port: DiscordPort | None = None
) -> CopiesOutcome:
    """Delete staff reply ``#number``: both copies go, the record is marked deleted (kept for history)."""
    port = port_or_default(port)
    cfg = config()
    ticket = _open_ticket(ticket)
    with transaction.atomic():
        message = _numbered(ticket, number)
        message.deleted_at = now()
        message.save(update_fields=["deleted_at"])
    dm_ok = _try(
        lambda: port.delete(message.dm_channel_id, message.dm_message_id),
        message.dm_message_id and message.dm_channel_id,
    )
    inbox_ok = _try(
        lambda: port.delete(ticket.channel_id, message.inbox_message_id),
        message.inbox_message_id and ticket.channel_id,
    )
    if cfg.logs_show_log_on_delete and ticket.channel_id:
        with bot_language(cfg):
            text = _("%(staff)s deleted message #%(n)s: %(content)s") % {
                "staff": staff.name,
                "n": number,
                "content": message.content[:1500],
            }
            _try(lambda: port.send(ticket.channel_id, rendering.system(cfg, text)), True)
    return CopiesOutcome(message, dm_ok, inbox_ok)


def _try(action, applicable) -> bool:
    if not applicable:
        return False
    try:
        action()
    except DiscordError as error:
        log.info("Discord refused: %s", error)
        return False
    return True


def note_add(
    *, ticket: Ticket, author: StaffIdentity, content: str, inbox_message_id: int
) -> TicketMessage | None:
    """Store a staff message typed in the channel as an internal note (never relayed). Replays are no-ops."""
    try:
        with transaction.atomic():
            return TicketMessage.objects.create(
                ticket=ticket,
                kind=TicketMessage.Kind.INTERNAL,
                author_id=author.id,
                author_name=author.name[:100],
                author_role=author.role[:100],
                is_internal=True,
                inbox_message_id=inbox_message_id,
                content=content,
                created_at=now(),
            )
    except IntegrityError:
        return None


def user_message_edited(
    *, dm_message_id: int, content: str, port: DiscordPort | None = None
) -> TicketMessage | None:
    """The user edited a DM: update the record and the channel copy, and log it if configured.
    Returns None for a DM that is not part of a ticket."""
    port = port_or_default(port)
    cfg = config()
    message = (
        TicketMessage.objects.filter(dm_message_id=dm_message_id, kind=TicketMessage.Kind.USER)
        .select_related("ticket")
        .first()
    )
    if message is None or message.content == content:
        return None
    before = message.content
    with transaction.atomic():
        MessageEdit.objects.create(message=message, before=before, after=content, edited_by=message.author_id)
        message.content = content
        message.edited_at = now()
        message.save(update_fields=["content", "edited_at"])
    ticket = message.ticket
    if ticket.is_open and ticket.channel_id:
        with bot_language(cfg):
            if message.inbox_message_id:
                parts = rendering.user_message_to_inbox(
                    cfg=cfg,
                    author=message.author_name,
                    author_id=message.author_id,
                    content=content,
                    attachments=[],
                    nonce=None,
                )
                _try(lambda: port.edit(ticket.channel_id, message.inbox_message_id, parts[0]), True)
            if cfg.logs_show_log_on_edit:
                text = _("The user edited a message.\n**Before:** %(before)s\n**After:** %(after)s") % {
                    "before": before[:900],
                    "after": content[:900],
                }
                _try(lambda: port.send(ticket.channel_id, rendering.system(cfg, text)), True)
    return message


def user_message_deleted(*, dm_message_id: int, port: DiscordPort | None = None) -> TicketMessage | None:
    """The user deleted a DM: mark the record deleted and log it in the channel if configured."""
    port = port_or_default(port)
    cfg = config()
    message = (
        TicketMessage.objects.filter(
            dm_message_id=dm_message_id, kind=TicketMessage.Kind.USER, deleted_at__isnull=True
        )
        .select_related("ticket")
        .first()
    )
    if message is None:
        return None
    message.deleted_at = now()
    message.save(update_fields=["deleted_at"])
    ticket = message.ticket
    if ticket.is_open and ticket.channel_id and cfg.logs_show_log_on_delete:
        with bot_language(cfg):
            text = _("The user deleted a message: %(content)s") % {"content": message.content[:1500]}
            _try(lambda: port.send(ticket.channel_id, rendering.system(cfg, text)), True)
    return message


def ticket_by_channel(*, channel_id: int) -> Ticket:
    """The open ticket of a channel, or an error staff understand."""
    ticket = Ticket.objects.filter(channel_id=channel_id, status=Ticket.Status.OPEN).first()
    if ticket is None:
        raise NotFound(_("This channel is not an open ticket."))
    return ticket

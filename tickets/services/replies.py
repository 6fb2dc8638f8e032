"""Staff replies (numbered), their edits and deletions, internal notes, and users' own edits."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tickets import events, rendering
from tickets.discord import DiscordError, DiscordPort, OutgoingMessage
from tickets.discord.port import CANNOT_DM, DEFAULT_UPLOAD_LIMIT
from tickets.errors import (
    DiscordFailure,
    InvalidInput,
    MessageNotFound,
    NotFound,
    PermissionDenied,
    TicketClosed,
    UserLeft,
)
from tickets.models import Attachment, BotConfig, MessageEdit, Snippet, Ticket, TicketMessage

from ._common import bot_language, config, log, now, port_or_default
from .attachments import not_uploaded_notes, relay_files, reply_notes_reserve
from .first_response import forget_first_response, record_first_response
from .opening import IncomingAttachment

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
    attachments: list[IncomingAttachment | str] | None = None,
    port: DiscordPort | None = None,
) -> TicketMessage:
    """Send a staff reply to the user and log it in the channel, numbered from the ticket's counter.

    The number is taken under a row lock, so concurrent replies get consecutive numbers. If Discord
    refuses the DM (closed DMs), nothing is kept: the record goes and the number is handed back.
    ``attachments`` (the staff message's files, or their URLs) are stored and uploaded in the
    user's copy; one that cannot go is announced in both copies."""
    port = port_or_default(port)
    cfg = config()
    attachments = [_incoming(a) for a in attachments or []]
    ticket = _open_ticket(ticket)
    if ticket.user_left:
        raise UserLeft()
    content = expand_snippets(content.strip())
    if not content and not attachments:
        raise InvalidInput(_("A reply needs text or an attachment."))
    _check_length(
        cfg,
        content,
        staff_name=staff.name,
        staff_role=staff.role,
        anonymous=anonymous,
        attachments=reply_notes_reserve(attachments),
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
        record_first_response(message)
        files = [
            Attachment(
                message=message,
                discord_id=a.discord_id,
                filename=a.filename[:255],
                size=a.size,
                content_type=a.content_type[:255],
                url=a.url,
            )
            for a in attachments
        ]
        if files:
            Attachment.objects.bulk_create(files)
    with bot_language(cfg):
        common = {
            "cfg": cfg,
            "staff_name": staff.name,
            "staff_role": staff.role,
            "content": content,
            "number": number,
            "anonymous": anonymous,
        }
        try:
            dm_channel = port.open_dm(ticket.user_id)
            relayed = relay_files(files, port=port, channel_id=dm_channel)
            common["attachments"] = relayed.notes
            user_copy = rendering.staff_reply(**common, for_user=True, nonce=f"r{message.pk}")
            user_copy.files = relayed.files
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
        inbox_copy = rendering.staff_reply(**common, for_user=False, nonce=f"c{message.pk}")
        inbox = port.send(ticket.channel_id, inbox_copy) if ticket.channel_id else None
    TicketMessage.objects.filter(pk=message.pk).update(
        dm_message_id=dm.id, dm_channel_id=dm_channel, inbox_message_id=inbox.id if inbox else None
    )
    events.publish(
        events.EventType.MESSAGE_CREATED, ticket=ticket, data={"message_id": message.pk, "kind": "staff"}
    )
    message.refresh_from_db()
    return message


def _upload_limit(port: DiscordPort, channel_id: int) -> int:
    """The channel's upload limit, Discord's default when it cannot be read now."""
    try:
        return port.upload_limit(channel_id)
    except DiscordError:
        return DEFAULT_UPLOAD_LIMIT


def _incoming(attachment: IncomingAttachment | str) -> IncomingAttachment:
    """A file of a reply as the bot saw it, or only its URL (name and type read from the URL; the
    size is learnt when it is downloaded)."""
    if isinstance(attachment, IncomingAttachment):
        return attachment
    name = urlsplit(attachment).path.rsplit("/", 1)[-1] or "file"
    return IncomingAttachment(
        filename=name, size=0, content_type=mimetypes.guess_type(name)[0] or "", url=attachment
    )


def _check_length(
    cfg: BotConfig, content: str, *, staff_name: str, staff_role: str, anonymous: bool, attachments: list[str]
) -> None:
    """Refuse a reply whose copies would not fit in a Discord message (rather than cut it)."""
    limit = rendering.reply_limit(
        cfg, staff_name=staff_name, staff_role=staff_role, anonymous=anonymous, attachments=attachments
    )
    if len(content) <= limit:
        return
    if limit == rendering.MESSAGE_LIMIT:
        raise InvalidInput(
            _("A reply is limited to 2000 characters (this one has %(n)s).") % {"n": len(content)}
        )
    raise InvalidInput(
        _("With plain-text messages, this reply is limited to %(limit)s characters (it has %(n)s).")
        % {"limit": limit, "n": len(content)}
    )


def _undo_reply(message: TicketMessage, number: int) -> None:
    with transaction.atomic():
        message.delete()
        forget_first_response(message)
        # Hand the number back unless a later reply already took the next one.
        Ticket.objects.filter(pk=message.ticket_id, next_message_number=number + 1).update(
            next_message_number=number
        )


def _numbered(ticket: Ticket, number: int, *, staff: StaffIdentity, override: bool) -> TicketMessage:
    """Reply ``#number`` of the ticket, locked, if ``staff`` may change it: their own, or anyone's
    with ``override`` (administrators)."""
    message = (
        TicketMessage.objects.select_for_update()
        .filter(ticket=ticket, message_number=number, kind=TicketMessage.Kind.STAFF, deleted_at__isnull=True)
        .first()
    )
    if message is None:
        raise MessageNotFound()
    if message.author_id != staff.id and not override:
        raise PermissionDenied(
            _("You can only change your own replies (#%(n)s is not yours).") % {"n": number}
        )
    return message


@dataclass(frozen=True)
class CopiesOutcome:
    """Which copies an edit or deletion reached."""

    message: TicketMessage
    dm_ok: bool
    inbox_ok: bool


def reply_edit(
    *,
    ticket: Ticket,
    number: int,
    content: str,
    editor: StaffIdentity,
    override: bool = False,
    port: DiscordPort | None = None,
) -> CopiesOutcome:
    """Edit staff reply ``#number`` in both copies and in the record; log before/after if configured.
    Staff edit their own replies; ``override`` (administrators) allows anyone's. An anonymous reply
    stays anonymous: the user's copy is re-rendered without the sender."""
    port = port_or_default(port)
    cfg = config()
    ticket = _open_ticket(ticket)
    content = expand_snippets(content.strip())
    if not content:
        raise InvalidInput(_("The new text is empty."))
    with transaction.atomic():
        message = _numbered(ticket, number, staff=editor, override=override)
        # Staff files went to the user's DM: Discord's default upload limit decided their notes.
        links = not_uploaded_notes(list(message.attachments.all()), upload_limit=DEFAULT_UPLOAD_LIMIT)
        _check_length(
            cfg,
            content,
            staff_name=message.author_name,
            staff_role=message.author_role,
            anonymous=message.is_anonymous,
            attachments=links,
        )
        before = message.content
        MessageEdit.objects.create(message=message, before=before, after=content, edited_by=editor.id)
        message.content = content
        message.edited_at = now()
        message.save(update_fields=["content", "edited_at"])
        events.publish(
            events.EventType.MESSAGE_UPDATED,
            ticket=ticket,
            data={"message_id": message.pk, "change": "edited"},
        )
    with bot_language(cfg):
        common = dict(
            cfg=cfg,
            staff_name=message.author_name,
            staff_role=message.author_role,
            content=content,
            number=number,
            anonymous=message.is_anonymous,
            attachments=links,
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
    *,
    ticket: Ticket,
    number: int,
    staff: StaffIdentity,
    override: bool = False,
    port: DiscordPort | None = None,
) -> CopiesOutcome:
    """Delete staff reply ``#number``: both copies go, the record is marked deleted (kept for history).
    Staff delete their own replies; ``override`` (administrators) allows anyone's."""
    port = port_or_default(port)
    cfg = config()
    ticket = _open_ticket(ticket)
    with transaction.atomic():
        message = _numbered(ticket, number, staff=staff, override=override)
        message.deleted_at = now()
        message.save(update_fields=["deleted_at"])
        events.publish(
            events.EventType.MESSAGE_UPDATED,
            ticket=ticket,
            data={"message_id": message.pk, "change": "deleted"},
        )
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
            note = TicketMessage.objects.create(
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
            events.publish(
                events.EventType.MESSAGE_CREATED,
                ticket=ticket,
                data={"message_id": note.pk, "kind": "internal"},
            )
            return note
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
        events.publish(
            events.EventType.MESSAGE_UPDATED,
            ticket=message.ticket,
            data={"message_id": message.pk, "change": "edited"},
        )
    ticket = message.ticket
    if ticket.is_open and ticket.channel_id:
        with bot_language(cfg):
            if message.inbox_message_id:
                _edit_user_copy(cfg, port, ticket, message, before)
            if cfg.logs_show_log_on_edit:
                text = _("The user edited a message.\n**Before:** %(before)s\n**After:** %(after)s") % {
                    "before": before[:900],
                    "after": content[:900],
                }
                _try(lambda: port.send(ticket.channel_id, rendering.system(cfg, text)), True)
    return message


def _edit_user_copy(
    cfg: BotConfig, port: DiscordPort, ticket: Ticket, message: TicketMessage, before: str
) -> None:
    """Re-render a user message's channel copy with its new text, part by part: a text that needs
    more parts than before gets the new ones posted at the end, one that needs fewer loses the extra."""
    files = list(message.attachments.all())
    links = not_uploaded_notes(files, upload_limit=_upload_limit(port, ticket.channel_id)) if files else []

    def render(text: str) -> list[OutgoingMessage]:
        return rendering.user_message_to_inbox(
            cfg=cfg,
            author=message.author_name,
            author_id=message.author_id,
            content=text,
            attachments=links,
            nonce=None,
        )

    old, new = render(before), render(message.content)
    channel_id, first_id = ticket.channel_id, message.inbox_message_id
    _try(lambda: port.edit(channel_id, first_id, new[0]), True)
    if len(old) == 1 and len(new) == 1:
        return
    # Only the first part's ID is kept: the others are the bot's messages that follow it with the
    # old parts' exact text (plain text; split embeds are beyond what a user can send).
    later = []
    if len(old) > 1:
        try:
            history = port.history(channel_id, after=first_id, limit=100)
        except DiscordError as error:
            log.info("Could not read the parts of message %s: %s", message.pk, error)
            history = []
        wanted = [part.content for part in old[1:]]
        for remote in history:
            if remote.author_bot and wanted and remote.content == wanted[0]:
                later.append(remote.id)
                wanted.pop(0)
    for index, part in enumerate(new[1:]):
        if index < len(later):
            _try(lambda m=later[index], p=part: port.edit(channel_id, m, p), True)
        else:
            _try(lambda p=part: port.send(channel_id, p), True)
    for extra in later[len(new) - 1 :]:
        _try(lambda m=extra: port.delete(channel_id, m), True)


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
    events.publish(
        events.EventType.MESSAGE_UPDATED,
        ticket=message.ticket,
        data={"message_id": message.pk, "change": "deleted"},
    )
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

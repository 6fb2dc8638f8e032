"""The plain-text transcript: a log a person can read, one message after another."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from tickets.models import Ticket, TicketMessage

from .source import Entry, attachment_link, message_count, stamp, ticket_messages

INDENT = "    "


def header_lines(ticket: Ticket, *, count: int) -> list[str]:
    """Who the ticket is with, when it opened and closed, and how many messages it holds."""
    lines = [
        _("Ticket %(id)s with %(name)s (%(user)s)")
        % {"id": ticket.pk, "name": ticket.user_name, "user": ticket.user_id},
        _("Opened: %(at)s") % {"at": stamp(ticket.created_at)},
    ]
    if ticket.closed_at:
        lines.append(
            _("Closed: %(at)s by %(by)s") % {"at": stamp(ticket.closed_at), "by": ticket.closed_by or "?"}
        )
    if ticket.category_name:
        lines.append(_("Category: %(name)s") % {"name": ticket.category_name})
    lines.append(_("Messages: %(count)s") % {"count": count})
    return lines


def author_line(message: TicketMessage) -> str:
    """``Name (Role) #3 [internal note]``: who wrote it, with the flags that matter."""
    who = message.author_name
    if message.author_role:
        who += f" ({message.author_role})"
    if message.message_number:
        who += f" #{message.message_number}"
    flags = []
    if message.kind == TicketMessage.Kind.INTERNAL or message.is_internal:
        flags.append(_("internal note"))
    elif message.kind == TicketMessage.Kind.SYSTEM:
        flags.append(_("system"))
    if message.is_anonymous:
        flags.append(_("anonymous"))
    if message.recovered:
        flags.append(_("recovered"))
    if message.edited_at:
        flags.append(_("edited %(at)s") % {"at": stamp(message.edited_at)})
    if message.deleted_at:
        flags.append(_("deleted %(at)s") % {"at": stamp(message.deleted_at)})
    return who + "".join(f" [{flag}]" for flag in flags)


def message_text(entry: Entry, *, base_url: str | None = None) -> str:
    """One message: its time and author, then its text indented, its files, and earlier versions."""
    message = entry.message
    lines = [f"[{stamp(message.created_at)}] {author_line(message)}"]
    lines += [INDENT + line for line in (message.content or "").splitlines()]
    for attachment in entry.attachments:
        lines.append(
            INDENT
            + _("File: %(name)s (%(size)s bytes) %(url)s")
            % {
                "name": attachment.filename,
                "size": attachment.size,
                "url": attachment_link(attachment, base_url),
            }
        )
    for edit in entry.edits:
        lines.append(INDENT + _("Before the edit of %(at)s:") % {"at": stamp(edit.edited_at)})
        lines += [INDENT * 2 + line for line in edit.before.splitlines()]
    return "\n".join(lines) + "\n\n"


def render_text(ticket: Ticket, *, base_url: str | None = None) -> Iterator[str]:
    """The transcript as plain text, in pieces (one per message); files point to their stored
    copies (absolute with ``base_url``)."""
    yield "\n".join(header_lines(ticket, count=message_count(ticket))) + "\n\n"
    for entry in ticket_messages(ticket):
        yield message_text(entry, base_url=base_url)

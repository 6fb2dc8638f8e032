"""What a transcript is made of, read a chunk at a time: the ticket, its authors' avatars, and its
messages with their edits and attachments (read per chunk, so memory stays bounded however long
the ticket)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tickets.models import Attachment, GuildMember, MessageEdit, Ticket, TicketMessage
from tickets.services import attachments

# Messages read per database round trip (and per prefetch of their edits and attachments).
CHUNK_SIZE = 500


@dataclass(frozen=True, slots=True)
class Entry:
    """A message of the transcript with its files and its edits (oldest first)."""

    message: TicketMessage
    attachments: list[Attachment]
    edits: list[MessageEdit]


def _by_message(rows: Iterable[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.message_id].append(row)
    return grouped


def ticket_messages(ticket: Ticket, *, chunk_size: int = CHUNK_SIZE) -> Iterator[Entry]:
    """Every message of the ticket, oldest first, ``chunk_size`` rows in memory at a time; each
    chunk's files and edits come in one query each (``prefetch_related`` costs more than the
    transcript itself: it builds a queryset per message)."""
    rows = TicketMessage.objects.filter(ticket_id=ticket.pk).order_by("created_at", "id")
    chunk: list[TicketMessage] = []
    for message in rows.iterator(chunk_size=chunk_size):
        chunk.append(message)
        if len(chunk) == chunk_size:
            yield from _with_details(chunk)
            chunk = []
    yield from _with_details(chunk)


def _with_details(chunk: list[TicketMessage]) -> Iterator[Entry]:
    if not chunk:
        return
    # The chunk's time range, rather than hundreds of IDs in an IN list (slow to build): a row of a
    # neighbouring message sent in the same instant is read too, and left out by its message ID.
    span = {
        "message__ticket_id": chunk[0].ticket_id,
        "message__created_at__gte": chunk[0].created_at,
        "message__created_at__lte": chunk[-1].created_at,
    }
    files = _by_message(Attachment.objects.filter(**span).order_by("id"))
    edits = _by_message(MessageEdit.objects.filter(**span).order_by("edited_at", "id"))
    for message in chunk:
        yield Entry(message, files.get(message.pk, []), edits.get(message.pk, []))


def message_count(ticket: Ticket) -> int:
    """How many messages the transcript holds."""
    return TicketMessage.objects.filter(ticket_id=ticket.pk).count()


def author_avatars(ticket: Ticket) -> dict[int, str]:
    """Avatar hash of each author of the ticket the guild cache knows (one query over distinct IDs)."""
    authors = (
        TicketMessage.objects.filter(ticket_id=ticket.pk)
        .order_by()
        .values_list("author_id", flat=True)
        .distinct()
    )
    ids = {int(a) for a in authors} | {int(ticket.user_id)}
    rows = GuildMember.objects.filter(user_id__in=ids).exclude(avatar="").values_list("user_id", "avatar")
    return {int(user_id): avatar for user_id, avatar in rows}


def stored_copy_url(attachment: Attachment, base_url: str | None) -> str | None:
    """The absolute URL of the file's stored copy on this site (it asks for a panel session or an
    API key holding ReadTickets), or None: not stored, or no public address to make it absolute."""
    path = attachments.attachment_url(attachment)
    if path is None or not base_url:
        return None
    return base_url.rstrip("/") + path


def attachment_link(attachment: Attachment, base_url: str | None) -> str:
    """Where a transcript points for a file: its stored copy, else the URL Discord gave (which
    expires about a day after the message)."""
    return stored_copy_url(attachment, base_url) or attachment.url


def iso(moment: datetime | None) -> str | None:
    """A timestamp as ISO 8601 in UTC, or None."""
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def stamp(moment: datetime | None) -> str:
    """A timestamp for people: ``2026-12-02 14:03 UTC``."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

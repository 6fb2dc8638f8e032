"""The JSON transcript: ``{"ticket": {...}, "messages": [...]}``, written one message at a time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tickets.models import Ticket

from .source import Entry, iso, message_count, stored_copy_url, ticket_messages


def _id(value: int | None) -> str | None:
    """Snowflakes are strings in JSON, as Discord sends them (64-bit integers lose digits in JS)."""
    return str(value) if value is not None else None


def ticket_json(ticket: Ticket, *, count: int) -> dict[str, Any]:
    """The ticket's fields in the transcript."""
    return {
        "id": str(ticket.pk),
        "user_id": _id(ticket.user_id),
        "user_name": ticket.user_name,
        "status": "open" if ticket.is_open else "closed",
        "origin": ticket.origin,
        "created_at": iso(ticket.created_at),
        "closed_at": iso(ticket.closed_at),
        "closed_by": ticket.closed_by,
        "category_id": _id(ticket.category_id),
        "category_name": ticket.category_name,
        "taken_by": _id(ticket.taken_by),
        "label": ticket.label,
        "channel_id": _id(ticket.channel_id),
        "message_count": count,
    }


def message_json(entry: Entry, *, base_url: str | None = None) -> dict[str, Any]:
    """One message with its author, number, flags, edits, deletion and attachments: ``url`` is the
    stored copy (None when the file is not kept), ``discord_url`` where Discord served it."""
    message = entry.message
    return {
        "id": message.pk,
        "kind": message.kind,
        "number": message.message_number,
        "author": {
            "id": _id(message.author_id),
            "name": message.author_name,
            "role": message.author_role,
        },
        "anonymous": message.is_anonymous,
        "internal": message.is_internal,
        "recovered": message.recovered,
        "content": message.content,
        "created_at": iso(message.created_at),
        "edited_at": iso(message.edited_at),
        "deleted_at": iso(message.deleted_at),
        "dm_message_id": _id(message.dm_message_id),
        "inbox_message_id": _id(message.inbox_message_id),
        "edits": [
            {
                "before": edit.before,
                "after": edit.after,
                "edited_by": _id(edit.edited_by),
                "edited_at": iso(edit.edited_at),
            }
            for edit in entry.edits
        ],
        "attachments": [
            {
                "id": _id(attachment.discord_id),
                "filename": attachment.filename,
                "size": attachment.size,
                "content_type": attachment.content_type,
                "url": stored_copy_url(attachment, base_url),
                "discord_url": attachment.url,
            }
            for attachment in entry.attachments
        ],
    }


def render_json(ticket: Ticket, *, base_url: str | None = None) -> Iterator[str]:
    """The transcript as JSON text, in pieces (one per message); ``base_url`` makes the stored
    copies' URLs absolute."""
    head = json.dumps({"ticket": ticket_json(ticket, count=message_count(ticket))}, ensure_ascii=False)
    yield head[:-1] + ', "messages": ['
    separator = ""
    for entry in ticket_messages(ticket):
        yield separator + json.dumps(message_json(entry, base_url=base_url), ensure_ascii=False)
        separator = ", "
    yield "]}\n"

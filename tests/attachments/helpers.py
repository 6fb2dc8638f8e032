"""Stored attachments made directly (no Discord), for tests of the pages and endpoints serving them."""

from __future__ import annotations

import hashlib
import io
import itertools

from django.core.files.base import ContentFile
from django.utils import timezone

from tickets.models import Attachment, Ticket, TicketMessage
from tickets.services.attachments.storage import content_name, save_once

_users = itertools.count(910_000_000_000_100_000)


def png(width: int = 800, height: int = 600, colour: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    """A real PNG image."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def stored_attachment(
    *,
    data: bytes,
    filename: str = "shot.png",
    content_type: str = "image/png",
    ticket: Ticket | None = None,
    category_id: int | None = None,
    user_id: int | None = None,
) -> Attachment:
    """A user's message in a ticket (made when not given) with this file stored."""
    if ticket is None:
        ticket = Ticket.objects.create(
            user_id=user_id or next(_users),
            user_name="customer",
            guild_id=1,
            category_id=category_id,
            channel_id=None,
        )
    message = TicketMessage.objects.create(
        ticket=ticket,
        kind=TicketMessage.Kind.USER,
        author_id=ticket.user_id,
        author_name="customer",
        content="a file",
        created_at=timezone.now(),
    )
    sha256 = hashlib.sha256(data).hexdigest()
    save_once(content_name(sha256), ContentFile(data))
    return Attachment.objects.create(
        message=message,
        filename=filename,
        size=len(data),
        content_type=content_type,
        url="https://cdn.discordapp.com/attachments/1/2/" + filename,
        state=Attachment.State.STORED,
        sha256=sha256,
        stored_name=content_name(sha256),
    )

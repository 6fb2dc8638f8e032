"""Tickets to write transcripts of: a small one with every kind of message, a hostile one, and a
long one (bulk inserted); the REST API's staff guild, users and keys come from tests/api."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile

from tests.api.conftest import (  # noqa: F401  (fixtures)
    INBOX,
    _api_environment,
    guild,
    key_client,
    login,
    next_id,
)
from tickets.models import Attachment, MessageEdit, Ticket, TicketMessage
from tickets.services.attachments.storage import content_name, save_once

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
USER = 930_000_000_000_000_001
STAFF = 930_000_000_000_000_002

SCRIPT = '<script>alert("x")</script>'
JS_LINK = "[click me](javascript:alert(1)) javascript:alert(2)"
IMG = '"><img src=x onerror=alert(3)>'
LONG_LINE = "A" * 4000
EMOJI = "Thanks 👍🏽 🇫🇷 👨‍👩‍👧"
RTL = "مرحبا، أحتاج إلى مساعدة \u202eevil"
HOSTILE = [SCRIPT, JS_LINK, IMG, LONG_LINE, EMOJI, RTL]


def png(width: int = 640, height: int = 480) -> bytes:
    """A real PNG image (the stored copy's thumbnail is made from it)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def make_ticket(**fields) -> Ticket:
    defaults = {"user_id": USER, "user_name": "Alice", "channel_id": next_id(), "category_id": INBOX}
    ticket = Ticket.objects.create(**{**defaults, **fields})
    Ticket.objects.filter(pk=ticket.pk).update(created_at=T0)
    ticket.refresh_from_db()
    return ticket


def add_message(ticket: Ticket, minute: int, content: str, **fields) -> TicketMessage:
    defaults = {
        "kind": TicketMessage.Kind.USER,
        "author_id": ticket.user_id,
        "author_name": ticket.user_name,
        "created_at": T0 + timedelta(minutes=minute),
    }
    return TicketMessage.objects.create(ticket=ticket, content=content, **{**defaults, **fields})


@pytest.fixture
def rich_ticket(db) -> Ticket:
    """A closed ticket with a user message and its files, a numbered staff reply edited once, an
    anonymous reply, an internal note, a deleted message and a system line."""
    ticket = make_ticket(category_name="Support", label="billing")
    first = add_message(ticket, 0, "Hello, my **invoice** is wrong: https://example.com/i?a=1&b=2")
    image = png()
    sha256 = hashlib.sha256(image).hexdigest()
    save_once(content_name(sha256), ContentFile(image))
    stored = Attachment.objects.create(
        message=first,
        discord_id=next_id(),
        filename="invoice.png",
        size=len(image),
        content_type="image/png",
        url="https://cdn.example.com/invoice.png",
        state=Attachment.State.STORED,
        sha256=sha256,
        stored_name=content_name(sha256),
    )
    ticket.stored_image = stored
    Attachment.objects.create(
        message=first,
        filename="notes.pdf",
        size=10_000,
        content_type="application/pdf",
        url="https://files.example.com/notes.pdf",
    )
    reply = add_message(
        ticket,
        1,
        "We fixed it.",
        kind=TicketMessage.Kind.STAFF,
        author_id=STAFF,
        author_name="Bob",
        author_role="Support",
        message_number=1,
        edited_at=T0 + timedelta(minutes=2),
    )
    MessageEdit.objects.create(message=reply, before="We are on it.", after="We fixed it.", edited_by=STAFF)
    add_message(
        ticket,
        3,
        "Anything else?",
        kind=TicketMessage.Kind.STAFF,
        author_id=STAFF,
        author_name="Bob",
        message_number=2,
        is_anonymous=True,
    )
    add_message(
        ticket,
        4,
        "Refund approved",
        kind=TicketMessage.Kind.INTERNAL,
        author_id=STAFF,
        author_name="Bob",
        is_internal=True,
    )
    add_message(ticket, 5, "oops wrong chat", deleted_at=T0 + timedelta(minutes=6))
    add_message(
        ticket,
        7,
        "Ticket moved to Billing",
        kind=TicketMessage.Kind.SYSTEM,
        author_id=0,
        author_name="System",
    )
    Ticket.objects.filter(pk=ticket.pk).update(
        status=Ticket.Status.CLOSED, closed_at=T0 + timedelta(minutes=8), closed_by=str(STAFF)
    )
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def hostile_ticket(db) -> Ticket:
    """A ticket whose user name, messages and file name try to break out of the page."""
    ticket = make_ticket(user_name='<b onmouseover="x()">Mallory</b>')
    for minute, content in enumerate(HOSTILE):
        add_message(ticket, minute, content)
    message = add_message(
        ticket,
        10,
        SCRIPT,
        kind=TicketMessage.Kind.STAFF,
        author_id=STAFF,
        author_name="<script>staff()</script>",
        author_role='"><svg onload=x()>',
        message_number=1,
    )
    Attachment.objects.create(
        message=message,
        filename="<img src=x onerror=alert(4)>.png",
        size=1,
        content_type="image/png",
        url="javascript:alert(5)",
    )
    return ticket


def long_ticket(count: int) -> Ticket:
    """A ticket with ``count`` messages (user and staff turns, every tenth edited), bulk inserted."""
    ticket = make_ticket()
    rows = []
    for n in range(count):
        staff = n % 2 == 1
        rows.append(
            TicketMessage(
                ticket=ticket,
                kind=TicketMessage.Kind.STAFF if staff else TicketMessage.Kind.USER,
                author_id=STAFF if staff else USER,
                author_name="Bob" if staff else "Alice",
                message_number=(n // 2 + 1) if staff else None,
                content=f"Message {n}: " + "lorem ipsum dolor sit amet " * 4,
                created_at=T0 + timedelta(seconds=n),
                edited_at=T0 + timedelta(seconds=n, milliseconds=500) if n % 10 == 0 else None,
            )
        )
    TicketMessage.objects.bulk_create(rows, batch_size=2000)
    return ticket

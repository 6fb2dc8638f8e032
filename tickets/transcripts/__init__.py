"""Transcripts of a ticket: JSON, one self-contained HTML page, or plain text.

Every format is produced as an iterator of text pieces over the messages read a chunk at a time
(``source.CHUNK_SIZE``), so a ticket of any length is written in bounded memory: the API streams
it, the close log uploads the HTML page when it fits the log channel's upload limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tickets.models import Ticket

from .htmlformat import render_html
from .jsonformat import render_json
from .textformat import render_text

# Text gathered before a piece is handed on (fewer, larger writes to the client).
PIECE_SIZE = 64 * 1024


@dataclass(frozen=True)
class TranscriptFormat:
    """A transcript format: its name in ``?format=``, its content type and file extension."""

    name: str
    content_type: str
    extension: str
    render: Callable[..., Iterator[str]]


FORMATS = {
    "json": TranscriptFormat("json", "application/json", "json", render_json),
    "html": TranscriptFormat("html", "text/html; charset=utf-8", "html", render_html),
    "txt": TranscriptFormat("txt", "text/plain; charset=utf-8", "txt", render_text),
}


def transcript_filename(ticket: Ticket, fmt: str) -> str:
    """``transcript-<ticket id>.<ext>``."""
    return f"transcript-{ticket.pk}.{FORMATS[fmt].extension}"


def transcript_chunks(
    ticket: Ticket, fmt: str, *, base_url: str | None = None, piece_size: int = PIECE_SIZE
) -> Iterator[bytes]:
    """The transcript of ``ticket`` in ``fmt`` (a key of ``FORMATS``) as UTF-8 pieces of about
    ``piece_size`` bytes; only one chunk of messages is in memory at a time. ``base_url`` (the
    site's public address) makes the links to stored files absolute; without it files point to
    the URLs Discord gave."""
    buffer: list[bytes] = []
    size = 0
    for text in FORMATS[fmt].render(ticket, base_url=base_url):
        data = text.encode("utf-8", "replace")
        buffer.append(data)
        size += len(data)
        if size >= piece_size:
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)


def transcript_bytes(
    ticket: Ticket, fmt: str, *, base_url: str | None = None, limit: int | None = None
) -> bytes | None:
    """The whole transcript in memory, or None as soon as it grows past ``limit`` bytes."""
    parts: list[bytes] = []
    size = 0
    for piece in transcript_chunks(ticket, fmt, base_url=base_url):
        size += len(piece)
        if limit is not None and size > limit:
            return None
        parts.append(piece)
    return b"".join(parts)


__all__ = [
    "FORMATS",
    "TranscriptFormat",
    "transcript_bytes",
    "transcript_chunks",
    "transcript_filename",
]

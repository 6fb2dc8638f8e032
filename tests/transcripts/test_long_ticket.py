"""A ticket of 10,000 messages: streamed a chunk at a time, in bounded memory and a bounded number
of queries (bench/transcript.py measures its time)."""

from __future__ import annotations

import json
import math
import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets.models import TicketMessage
from tickets.transcripts import source, transcript_chunks

from .conftest import long_ticket

COUNT = 10_000


@pytest.fixture
def ticket(db):
    return long_ticket(COUNT)


def _peak(action) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_every_message_is_written_once_in_order_a_chunk_at_a_time(ticket) -> None:
    with CaptureQueriesContext(connection) as queries:
        pieces = list(transcript_chunks(ticket, "json"))
    body = json.loads(b"".join(pieces))

    assert body["ticket"]["message_count"] == COUNT
    assert [m["content"].split(":")[0] for m in body["messages"]] == [f"Message {n}" for n in range(COUNT)]
    assert body["messages"][1]["number"] == 1 and body["messages"][COUNT - 1]["number"] == COUNT // 2
    chunks = math.ceil(COUNT / source.CHUNK_SIZE)
    # The header, then per chunk its files and its edits; the rows come through one cursor.
    assert len(queries) <= 2 * chunks + 4
    assert len(pieces) > 10  # handed on as it is written, not as one block at the end


def test_memory_stays_far_below_holding_every_row(ticket) -> None:
    written = []
    streaming = _peak(lambda: written.append(sum(len(p) for p in transcript_chunks(ticket, "html"))))
    holding = _peak(lambda: list(TicketMessage.objects.filter(ticket=ticket)))

    assert written[0] > 2_000_000  # the page itself is megabytes long...
    assert streaming < holding / 4  # ...yet writing it holds less than a quarter of the rows at once

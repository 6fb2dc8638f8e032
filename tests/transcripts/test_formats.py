"""The three formats of a transcript, on a ticket with every kind of message."""

from __future__ import annotations

import json

import pytest

from tickets.transcripts import FORMATS, transcript_bytes, transcript_chunks, transcript_filename

from .conftest import STAFF, USER

BASE = "https://panel.example.com"


def _text(ticket, fmt: str) -> str:
    return transcript_bytes(ticket, fmt, base_url=BASE).decode()


def test_json_holds_the_ticket_and_every_message_with_its_details(rich_ticket) -> None:
    body = json.loads(_text(rich_ticket, "json"))

    ticket = body["ticket"]
    assert ticket["id"] == str(rich_ticket.pk)
    assert (ticket["user_id"], ticket["user_name"], ticket["status"]) == (str(USER), "Alice", "closed")
    assert (ticket["closed_by"], ticket["category_name"], ticket["message_count"]) == (
        str(STAFF),
        "Support",
        6,
    )
    messages = body["messages"]
    assert [m["kind"] for m in messages] == ["user", "staff", "staff", "internal", "user", "system"]
    first, reply, anonymous, note, deleted, _system = messages
    assert first["author"] == {"id": str(USER), "name": "Alice", "role": ""}
    stored = rich_ticket.stored_image
    assert [(a["filename"], a["size"], a["url"], a["discord_url"]) for a in first["attachments"]] == [
        (
            "invoice.png",
            stored.size,
            f"{BASE}/api/attachments/{stored.pk}",
            "https://cdn.example.com/invoice.png",
        ),
        ("notes.pdf", 10_000, None, "https://files.example.com/notes.pdf"),  # not stored
    ]
    assert (reply["number"], reply["author"]["role"], reply["edited_at"]) == (
        1,
        "Support",
        "2026-03-01T09:02:00+00:00",
    )
    assert [(e["before"], e["after"], e["edited_by"]) for e in reply["edits"]] == [
        ("We are on it.", "We fixed it.", str(STAFF))
    ]
    assert (anonymous["number"], anonymous["anonymous"]) == (2, True)
    assert note["internal"] is True
    assert deleted["deleted_at"] == "2026-03-01T09:06:00+00:00"


def test_text_is_a_log_a_person_can_read(rich_ticket) -> None:
    text = _text(rich_ticket, "txt")

    assert text.startswith(f"Ticket {rich_ticket.pk} with Alice ({USER})\nOpened: 2026-03-01 09:00:00 UTC\n")
    assert "[2026-03-01 09:00:00 UTC] Alice\n    Hello, my **invoice** is wrong" in text
    stored = rich_ticket.stored_image
    assert f"    File: invoice.png ({stored.size} bytes) {BASE}/api/attachments/{stored.pk}" in text
    assert "    File: notes.pdf (10000 bytes) https://files.example.com/notes.pdf" in text
    assert (
        "[2026-03-01 09:01:00 UTC] Bob (Support) #1 [edited 2026-03-01 09:02:00 UTC]\n    We fixed it."
        in text
    )
    assert "        We are on it." in text
    assert "Bob #2 [anonymous]" in text
    assert "Bob [internal note]" in text
    assert "Alice [deleted 2026-03-01 09:06:00 UTC]" in text


def test_html_reads_like_the_conversation(rich_ticket) -> None:
    page = _text(rich_ticket, "html")

    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert page.count('<article class="msg') == 6
    assert "<strong>invoice</strong>" in page
    assert '<a href="https://example.com/i?a=1&amp;b=2" rel="noopener noreferrer nofollow">' in page
    stored = rich_ticket.stored_image
    # The stored image's thumbnail is inside the page (it shows offline), linked to the stored copy.
    assert (
        f'<a class="file" href="{BASE}/api/attachments/{stored.pk}"><img src="data:image/png;base64,' in page
    )
    assert '<a href="https://files.example.com/notes.pdf">notes.pdf</a>' in page
    assert '<span class="role">Support</span>' in page and "#1" in page
    assert "<details><summary>Earlier versions</summary>" in page and "We are on it." in page
    assert 'class="msg internal"' in page and 'class="msg user deleted"' in page
    assert "<script" not in page  # no script of its own either: the file opens anywhere


def test_every_format_has_its_content_type_and_file_name(rich_ticket) -> None:
    assert {name: f.content_type.split(";")[0] for name, f in FORMATS.items()} == {
        "json": "application/json",
        "html": "text/html",
        "txt": "text/plain",
    }
    assert transcript_filename(rich_ticket, "txt") == f"transcript-{rich_ticket.pk}.txt"


def test_pieces_are_gathered_to_the_size_asked(rich_ticket) -> None:
    pieces = list(transcript_chunks(rich_ticket, "html", piece_size=1024))

    assert len(pieces) > 1
    assert all(len(p) >= 1024 for p in pieces[:-1])
    assert b"".join(pieces) == transcript_bytes(rich_ticket, "html")


def test_without_an_address_files_point_to_discord_and_thumbnails_stop_at_the_budget(rich_ticket) -> None:
    from tickets.transcripts import htmlformat

    page = transcript_bytes(rich_ticket, "html").decode()
    assert 'href="https://cdn.example.com/invoice.png"><img src="data:image/png;base64,' in page

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(htmlformat, "INLINE_BUDGET", 10)
        page = transcript_bytes(rich_ticket, "html").decode()
    assert "data:image" not in page
    assert '<img src="https://cdn.example.com/invoice.png" alt="invoice.png"' in page


def test_a_transcript_over_the_limit_is_not_built(rich_ticket) -> None:
    assert transcript_bytes(rich_ticket, "html", limit=100) is None
    assert transcript_bytes(rich_ticket, "html", limit=1_000_000) is not None


def test_an_empty_ticket_has_a_transcript_in_every_format(db) -> None:
    from .conftest import make_ticket

    ticket = make_ticket()
    assert json.loads(_text(ticket, "json"))["messages"] == []
    assert "Messages: 0" in _text(ticket, "txt")
    assert "<main>" in _text(ticket, "html")

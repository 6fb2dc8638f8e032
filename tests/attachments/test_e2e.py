"""Files end to end: the real bot against the Discord emulator, whose attachment URLs expire and
whose CDN can fail. Nothing of a file depends on Discord's URL once it is relayed."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from apikeys.services import apikey_create
from tests.bot.conftest import text_of
from tickets.models import Attachment, TicketMessage
from tickets.services.attachments import attachment_url, fetching, thumbnail_url

from .helpers import png

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.e2e]

PNG = png(640, 480)
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40


@pytest.fixture(autouse=True)
def _short_waits(monkeypatch):
    monkeypatch.setattr(fetching, "RETRY_DELAYS", (0.05, 0.05))


def _reader() -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=apikey_create(name="reader", permissions=["ReadTickets"]).secret)
    return client


def _uploads_to(emu, channel_id: int):
    return [c.uploads for c in emu.calls_to("POST", rf"^/channels/{channel_id}/messages$") if c.uploads]


async def test_a_dm_with_a_png_and_a_pdf_arrives_as_two_files_that_outlive_discords_urls(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    await emu.user_dm(
        user, "see both", attachments=[("shot.png", PNG, "image/png"), ("notes.pdf", PDF, "application/pdf")]
    )
    ticket = await modmail.ticket_of(user)
    copy = await emu.wait_for_message(ticket.channel_id, lambda m: "see both" in text_of(m))
    assert [a["filename"] for a in copy["attachments"]] == ["shot.png", "notes.pdf"]
    (uploads,) = _uploads_to(emu, ticket.channel_id)
    assert [(u.filename, u.data) for u in uploads] == [("shot.png", PNG), ("notes.pdf", PDF)]
    # Downloaded once each, stored once each, under their SHA-256.
    assert sorted(emu.attachment_downloads) == ["notes.pdf", "shot.png"]
    stored = await modmail.db(lambda: list(Attachment.objects.order_by("filename")))
    assert [(a.filename, a.state, a.sha256) for a in stored] == [
        ("notes.pdf", "stored", hashlib.sha256(PDF).hexdigest()),
        ("shot.png", "stored", hashlib.sha256(PNG).hexdigest()),
    ]

    assert emu.expire_attachments() >= 2  # a day later, Discord's URLs answer 404

    def read_back() -> dict[str, bytes]:
        client = _reader()
        got = {}
        for attachment in Attachment.objects.all():
            response = client.get(attachment_url(attachment))
            assert response.status_code == 200, response.content[:200]
            got[attachment.filename] = b"".join(response.streaming_content)
        shot = Attachment.objects.get(filename="shot.png")
        thumb = client.get(thumbnail_url(shot))
        assert thumb.status_code == 200 and thumb["Content-Type"] == "image/png"
        # The transcript links the stored copies, which still answer.
        transcript = client.get(f"/api/bot/tickets/{shot.message.ticket_id}/transcript?format=json")
        assert transcript.status_code == 200
        body = json.loads(b"".join(transcript.streaming_content))
        files = [a for m in body["messages"] for a in m["attachments"]]
        assert len(files) == 2
        for listed in files:
            path = urlsplit(listed["url"]).path
            response = client.get(path)
            assert b"".join(response.streaming_content) == got[listed["filename"]]
        return got

    assert await modmail.db(read_back) == {"shot.png": PNG, "notes.pdf": PDF}


async def test_a_staff_reply_with_a_file_reaches_the_user_as_a_file(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    await emu.post_in_channel(
        ticket.channel_id,
        modmail.demo.staff_id,
        "!reply the signed form",
        [("form.pdf", PDF, "application/pdf")],
    )
    dm = await emu.wait_for_dm(user, lambda m: "the signed form" in text_of(m))
    assert [(a["filename"], a["size"]) for a in dm["attachments"]] == [("form.pdf", len(PDF))]
    dm_channel = emu.state.dm_channels[user]
    (uploads,) = _uploads_to(emu, dm_channel)
    assert [u.data for u in uploads] == [PDF]
    assert "cdn" not in text_of(dm) and "/attachments/" not in text_of(dm)
    reply = await modmail.db(lambda: TicketMessage.objects.get(kind="staff").attachments.get())
    assert reply.state == Attachment.State.STORED


async def test_a_30_mib_file_is_announced_and_the_text_relayed(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    huge = b"\0" * (30 * 1024 * 1024)
    await emu.user_dm(user, "a long video", attachments=[("video.mp4", huge, "video/mp4")])
    ticket = await modmail.ticket_of(user)
    copy = await emu.wait_for_message(ticket.channel_id, lambda m: "a long video" in text_of(m))
    assert "video.mp4" in text_of(copy) and "30.0" in text_of(copy) and "too large" in text_of(copy)
    assert copy["attachments"] == [] and _uploads_to(emu, ticket.channel_id) == []
    assert "video.mp4" not in emu.attachment_downloads  # Discord said its size: never fetched
    state = await modmail.db(lambda: Attachment.objects.get().state)
    assert state == Attachment.State.TOO_LARGE
    assert len([c for c in emu.calls_to("POST", r"/messages$") if "a long video" in str(c.json)]) == 1


async def test_a_file_whose_download_fails_three_times_is_announced_and_the_dm_relayed(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    emu.faults.fail_attachments(count=3, status=503, filename_regex="crash.log")
    await emu.user_dm(user, "the app crashed", attachments=[("crash.log", b"Traceback...", "text/plain")])
    ticket = await modmail.ticket_of(user)
    copy = await emu.wait_for_message(ticket.channel_id, lambda m: "the app crashed" in text_of(m))
    assert "crash.log" in text_of(copy) and "could not be downloaded" in text_of(copy)
    assert emu.attachment_downloads.count("crash.log") == 3
    await modmail.bot.runner.drain(5)  # the copy's ID is recorded once Discord has answered
    relayed = await modmail.db(lambda: TicketMessage.objects.get(kind="user").inbox_message_id)
    assert relayed == int(copy["id"])


async def test_a_copy_with_files_is_relayed_once_when_discord_fails_and_the_request_is_retried(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    emu.faults.fail_next("POST", rf"^/channels/{ticket.channel_id}/messages$", status=502)
    await emu.user_dm(user, "again with a file", attachments=[("shot.png", PNG, "image/png")])
    await emu.wait_for_message(ticket.channel_id, lambda m: "again with a file" in text_of(m))
    await modmail.bot.runner.drain(5)
    copies = [m for m in emu.messages(ticket.channel_id) if "again with a file" in text_of(m)]
    assert len(copies) == 1 and [a["filename"] for a in copies[0]["attachments"]] == ["shot.png"]

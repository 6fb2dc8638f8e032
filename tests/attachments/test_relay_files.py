"""Files of DMs and staff replies against the in-memory Discord: stored once, uploaded with the
message, announced when they cannot go, and never a reason to lose or repeat the message."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import storages

from tests.services.conftest import USER
from tickets import services
from tickets.models import Attachment, Ticket, TicketMessage
from tickets.services import IncomingAttachment, Relay
from tickets.services.attachments import fetching
from tickets.services.replies import StaffIdentity

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.4\n" + b"x" * 3000


@pytest.fixture(autouse=True)
def _no_waits(monkeypatch):
    monkeypatch.setattr(fetching, "RETRY_DELAYS", (0.0, 0.0))


def _file(scene, name: str, data: bytes, content_type: str, *, size: int | None = None) -> IncomingAttachment:
    url = f"https://cdn.discordapp.com/attachments/1/{len(scene.discord.cdn) + 1}/{name}"
    scene.discord.cdn[url] = data
    return IncomingAttachment(
        filename=name, size=len(data) if size is None else size, content_type=content_type, url=url
    )


def _copy(scene):
    ticket = Ticket.objects.get()
    return [m for m in scene.discord.channel_messages(ticket.channel_id) if (m.nonce or "").startswith("u")][
        -1
    ]


def test_a_dm_with_a_png_and_a_pdf_arrives_as_two_uploaded_files(scene):
    files = [_file(scene, "shot.png", PNG, "image/png"), _file(scene, "notes.pdf", PDF, "application/pdf")]
    assert scene.dm(USER, "see attached", attachments=files).outcome == Relay.OPENED
    copy = _copy(scene)
    assert "see attached" in copy.text
    assert [(f.name, f.data, f.content_type) for f in copy.files] == [
        ("shot.png", PNG, "image/png"),
        ("notes.pdf", PDF, "application/pdf"),
    ]
    stored = list(Attachment.objects.order_by("pk"))
    assert [a.state for a in stored] == ["stored", "stored"]
    assert stored[0].sha256 == hashlib.sha256(PNG).hexdigest()
    with storages["attachments"].open(stored[1].stored_name) as handle:
        assert handle.read() == PDF


def test_identical_files_are_stored_once(scene):
    scene.dm(USER, "one", attachments=[_file(scene, "a.png", PNG, "image/png")])
    scene.dm(USER, "two", attachments=[_file(scene, "same-bytes.png", PNG, "image/png")])
    names = set(Attachment.objects.values_list("stored_name", flat=True))
    assert len(names) == 1 and Attachment.objects.count() == 2
    folder = storages["attachments"]
    assert folder.exists(names.pop())


def test_a_dm_without_files_asks_discord_nothing_more(scene):
    scene.dm(USER, "plain text")
    assert not [c for c in scene.discord.calls if c[0] in ("download", "upload_limit")]


def test_a_file_over_the_cap_is_announced_not_downloaded_and_the_text_relayed(scene, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    big = _file(scene, "video.mp4", b"v" * 5000, "video/mp4")
    assert scene.dm(USER, "the video", attachments=[big]).outcome == Relay.OPENED
    copy = _copy(scene)
    assert "the video" in copy.text and "video.mp4" in copy.text and "too large" in copy.text
    assert not copy.files
    assert not [c for c in scene.discord.calls if c[0] == "download"]
    assert Attachment.objects.get().state == Attachment.State.TOO_LARGE


def test_a_file_that_lies_about_its_size_is_stopped_at_the_cap(scene, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    liar = _file(scene, "small.bin", b"z" * 5000, "application/octet-stream", size=10)
    scene.dm(USER, "tiny, I promise", attachments=[liar])
    assert Attachment.objects.get().state == Attachment.State.TOO_LARGE
    assert not _copy(scene).files


def test_a_stored_file_over_discords_upload_limit_is_kept_and_announced(scene):
    scene.discord.premium_tiers.clear()
    big = _file(scene, "scan.tiff", b"t" * (10 * 1024 * 1024 + 1), "image/tiff")
    scene.dm(USER, "the scan", attachments=[big])
    copy = _copy(scene)
    assert not copy.files and "scan.tiff" in copy.text and "upload limit" in copy.text
    assert Attachment.objects.get().state == Attachment.State.STORED


def test_a_download_failing_three_times_is_announced_and_the_dm_relayed(scene):
    flaky = _file(scene, "log.txt", b"lines", "text/plain")
    scene.discord.cdn_failures[flaky.url] = 3
    assert scene.dm(USER, "my log", attachments=[flaky]).outcome == Relay.OPENED
    copy = _copy(scene)
    assert "my log" in copy.text and "log.txt" in copy.text and "could not be downloaded" in copy.text
    assert [c for c in scene.discord.calls if c[0] == "download"] == [("download", (flaky.url,))] * 3
    assert Attachment.objects.get().state == Attachment.State.FAILED
    assert TicketMessage.objects.get().inbox_message_id == copy.id


def test_a_download_failing_twice_succeeds_on_the_third_attempt(scene):
    flaky = _file(scene, "log.txt", b"lines", "text/plain")
    scene.discord.cdn_failures[flaky.url] = 2
    scene.dm(USER, "my log", attachments=[flaky])
    assert [f.data for f in _copy(scene).files] == [b"lines"]


def test_an_expired_url_is_not_retried(scene):
    gone = IncomingAttachment(
        filename="old.png", size=10, content_type="image/png", url="https://cdn.example/gone.png"
    )
    scene.dm(USER, "old picture", attachments=[gone])
    assert len([c for c in scene.discord.calls if c[0] == "download"]) == 1
    assert Attachment.objects.get().state == Attachment.State.FAILED


def test_a_staff_reply_with_a_file_reaches_the_user_as_a_file(scene):
    scene.dm(USER, "hello")
    ticket = Ticket.objects.get()
    form = _file(scene, "form.pdf", PDF, "application/pdf")
    services.ticket_reply(
        ticket=ticket, staff=StaffIdentity(scene.staff, "staffer"), content="here", attachments=[form]
    )
    dm = scene.discord.dms(USER)[-1]
    assert "here" in dm.text and [(f.name, f.data) for f in dm.files] == [("form.pdf", PDF)]
    reply = TicketMessage.objects.get(kind=TicketMessage.Kind.STAFF)
    assert reply.attachments.get().state == Attachment.State.STORED


def test_a_reply_given_only_a_url_learns_the_file_when_downloading(scene):
    scene.dm(USER, "hello")
    form = _file(scene, "form.pdf", PDF, "application/pdf")
    services.ticket_reply(
        ticket=Ticket.objects.get(),
        staff=StaffIdentity(scene.staff, "staffer"),
        content="",
        attachments=[form.url],
    )
    stored = Attachment.objects.get(message__kind=TicketMessage.Kind.STAFF)
    assert (stored.filename, stored.size, stored.content_type) == ("form.pdf", len(PDF), "application/pdf")


def test_when_discord_does_not_say_its_upload_limit_the_default_applies(scene, monkeypatch):
    from tickets.discord import DiscordError

    def refuse(channel_id):
        raise DiscordError(503, 0, "unavailable")

    monkeypatch.setattr(scene.discord, "upload_limit", refuse)
    small = _file(scene, "a.png", PNG, "image/png")
    big = _file(scene, "b.bin", b"b" * (10 * 1024 * 1024 + 1), "application/octet-stream")
    assert scene.dm(USER, "two files", attachments=[small, big]).outcome == Relay.OPENED
    copy = _copy(scene)
    assert [f.name for f in copy.files] == ["a.png"] and "b.bin" in copy.text

"""Files through the Discord port: multipart uploads by the REST adapter and the in-memory fake, the
upload limit by boost tier, and the emulator's attachment URLs (expiry, download faults)."""

from __future__ import annotations

import pytest
import requests

from tickets.discord.fake import FakeDiscord
from tickets.discord.port import AttachmentTooLarge, DiscordError, OutgoingFile, OutgoingMessage
from tickets.discord.rest import RestDiscordPort

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def port(fake_discord_thread) -> RestDiscordPort:
    return RestDiscordPort(base_url=fake_discord_thread.api_base, token=fake_discord_thread.bot_token)


def test_files_go_in_the_same_message_as_the_text(port, fake_discord_thread):
    channel = fake_discord_thread.demo.general_channel_id
    message = OutgoingMessage(
        content="see the files",
        files=[
            OutgoingFile("shot.png", PNG, "image/png", "a screenshot"),
            OutgoingFile("notes.pdf", b"%PDF-1.4 hello", "application/pdf"),
        ],
    )
    sent = port.send(channel, message)
    stored = fake_discord_thread.message(sent.id)
    assert stored["content"] == "see the files"
    assert [a["filename"] for a in stored["attachments"]] == ["shot.png", "notes.pdf"]
    assert stored["attachments"][0]["description"] == "a screenshot"
    call = fake_discord_thread.calls_to("POST", r"/messages$")[-1]
    assert [(u.filename, u.content_type, u.data) for u in call.uploads] == [
        ("shot.png", "image/png", PNG),
        ("notes.pdf", "application/pdf", b"%PDF-1.4 hello"),
    ]
    got = requests.get(stored["attachments"][0]["url"], timeout=5)
    assert got.status_code == 200 and got.content == PNG


def test_a_resent_upload_with_its_nonce_is_one_message(port, fake_discord_thread):
    channel = fake_discord_thread.demo.general_channel_id
    message = OutgoingMessage(
        content="once", nonce="file-1", files=[OutgoingFile("a.txt", b"a", "text/plain")]
    )
    fake_discord_thread.faults.refuse("POST", r"/messages$")  # the first attempt's answer is lost
    first = port.send(channel, message)
    again = port.send(channel, message)
    assert first.id == again.id
    assert [m["content"] for m in fake_discord_thread.messages(channel)].count("once") == 1


def test_a_file_over_the_upload_limit_is_refused_and_boosts_raise_it(port, fake_discord_thread):
    demo = fake_discord_thread.demo
    channel = demo.general_channel_id
    assert port.upload_limit(channel) == 10 * 1024 * 1024
    big = OutgoingMessage(files=[OutgoingFile("big.bin", b"x" * (10 * 1024 * 1024 + 1))])
    with pytest.raises(DiscordError) as caught:
        port.send(channel, big)
    assert caught.value.status == 413
    fake_discord_thread.call(
        lambda: setattr(fake_discord_thread.emu.state.guild(demo.guild_id), "premium_tier", 2)
    )
    fresh = RestDiscordPort(base_url=fake_discord_thread.api_base, token=fake_discord_thread.bot_token)
    assert fresh.upload_limit(channel) == 50 * 1024 * 1024
    assert fresh.send(channel, big).id
    dm = port.open_dm(demo.user_ids[0])
    assert fresh.upload_limit(dm) == 10 * 1024 * 1024


def test_attachment_urls_expire_when_told_and_downloads_can_fail(fake_discord_thread):
    emu = fake_discord_thread
    user = emu.demo.user_ids[0]
    message = emu.user_dm(user, "look", attachments=[("shot.png", PNG, "image/png")])
    url = message["attachments"][0]["url"]
    emu.faults.fail_attachments(count=2, status=503)
    assert [requests.get(url, timeout=5).status_code for _ in range(3)] == [503, 503, 200]
    assert emu.expire_attachments() >= 1
    gone = requests.get(url, timeout=5)
    assert gone.status_code == 404 and "no longer available" in gone.text
    assert emu.attachment_downloads.count("shot.png") == 4


def test_a_user_may_send_files_larger_than_a_bot(fake_discord_thread):
    emu = fake_discord_thread
    message = emu.user_dm(
        emu.demo.user_ids[0], "", attachments=[("big.bin", b"x" * (30 * 1024 * 1024), None)]
    )
    assert message["attachments"][0]["size"] == 30 * 1024 * 1024


def test_the_in_memory_fake_keeps_files_and_applies_the_limit():
    fake = FakeDiscord()
    guild = fake.add_guild()
    channel = fake.add_text_channel(guild, "t")
    sent = fake.send(channel, OutgoingMessage(content="x", files=[OutgoingFile("a.png", PNG, "image/png")]))
    assert fake.messages[sent.id].files[0].data == PNG
    with pytest.raises(DiscordError):
        fake.send(channel, OutgoingMessage(files=[OutgoingFile("b", b"x" * (10 * 1024 * 1024 + 1))]))
    fake.premium_tiers[guild] = 3
    assert fake.upload_limit(channel) == 100 * 1024 * 1024


class _Sink:
    def __init__(self) -> None:
        self.size = 0

    def write(self, piece: bytes) -> int:
        self.size += len(piece)
        return len(piece)


def test_a_download_streams_and_stops_at_the_cap(port, fake_discord_thread):
    emu = fake_discord_thread
    data = bytes(range(256)) * 4096  # 1 MiB
    url = emu.user_dm(emu.demo.user_ids[0], "", attachments=[("blob.bin", data, None)])["attachments"][0][
        "url"
    ]
    sink = _Sink()
    assert port.download(url, sink, max_bytes=len(data)) == len(data) and sink.size == len(data)
    capped = _Sink()
    with pytest.raises(AttachmentTooLarge):
        port.download(url, capped, max_bytes=100_000)
    assert capped.size <= 100_000
    emu.expire_attachments()
    with pytest.raises(DiscordError) as caught:
        port.download(url, _Sink(), max_bytes=len(data))
    assert caught.value.status == 404


def test_a_download_without_a_declared_size_is_stopped_while_streaming(port, monkeypatch):
    class Response:
        status_code = 200
        headers: dict[str, str] = {}

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def iter_content(self, size):
            while True:  # an endless body: only the cap ends it
                yield b"x" * size

    monkeypatch.setattr(port.session, "get", lambda *a, **k: Response())
    sink = _Sink()
    with pytest.raises(AttachmentTooLarge):
        port.download("https://cdn.example/endless", sink, max_bytes=1_000_000)
    assert sink.size <= 1_000_000

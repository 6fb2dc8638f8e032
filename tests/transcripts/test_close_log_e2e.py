"""End to end: the real bot closes a ticket and uploads its HTML transcript to the log channel of
the Discord emulator, in the close message itself (multipart), with the panel link."""

from __future__ import annotations

import pytest

from tests.bot.conftest import modmail, text_of  # noqa: F401  (fixture)

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_the_close_log_uploads_the_transcript(modmail) -> None:  # noqa: F811
    logs = modmail.demo.logs_channel_id
    await modmail.reload_config(bot_enable_rustmail_logs=True, bot_ip="https://panel.example.com")
    user = modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user, "Where is my <b>parcel</b>? 📦")

    await modmail.staff_says(ticket.channel_id, "!close")

    log = await modmail.emu.wait_for_message(logs, lambda m: str(user) in text_of(m))
    assert f"(https://panel.example.com/panel/tickets/{ticket.pk})" in text_of(log)
    [call] = [c for c in modmail.emu.calls_to("POST", rf"^/channels/{logs}/messages$") if c.uploads]
    [upload] = call.uploads
    assert upload.filename == f"transcript-{ticket.pk}.html"
    page = upload.data.decode()
    assert "<!DOCTYPE html>" in page
    assert "Where is my &lt;b&gt;parcel&lt;/b&gt;? 📦" in page

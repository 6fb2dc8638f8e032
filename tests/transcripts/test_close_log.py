"""The log channel's close message carries the HTML transcript and a link to the panel."""

from __future__ import annotations

import pytest

from tests.services.conftest import USER, scene  # noqa: F401  (fixture)
from tickets import services
from tickets.models import BotConfig, Ticket


@pytest.fixture
def ticket(scene):  # noqa: F811
    scene.dm(USER, "My order <script>alert(1)</script> never came 📦")
    config = BotConfig.load()
    config.bot_ip = "https://panel.example.com"
    config.save()
    return Ticket.objects.get(user_id=USER)


def _close_log(scene):  # noqa: F811
    [message] = [m for m in scene.discord.channel_messages(scene.logs) if "closed" in m.text]
    return message


def test_the_close_log_carries_the_transcript_and_the_panel_link(scene, ticket) -> None:  # noqa: F811
    services.ticket_close(ticket=ticket, closed_by=str(scene.staff), port=scene.discord)

    log = _close_log(scene)
    assert f"(https://panel.example.com/panel/tickets/{ticket.pk})" in log.text
    [upload] = log.files
    assert (upload.name, upload.content_type) == (f"transcript-{ticket.pk}.html", "text/html")
    page = upload.data.decode()
    assert page.startswith("\n<!DOCTYPE html>") or page.startswith("<!DOCTYPE html>")
    assert "My order &lt;script&gt;alert(1)&lt;/script&gt; never came 📦" in page


def test_a_transcript_over_the_upload_limit_is_left_to_the_panel(scene, ticket, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setattr(scene.discord, "upload_limit", lambda channel_id: 1000)

    services.ticket_close(ticket=ticket, closed_by=str(scene.staff), port=scene.discord)

    log = _close_log(scene)
    assert log.files == []
    assert "over Discord's upload limit" in log.text
    assert f"https://panel.example.com/panel/tickets/{ticket.pk}" in log.text


def test_without_a_public_address_the_log_has_no_link(scene, ticket) -> None:  # noqa: F811
    config = BotConfig.load()
    config.bot_ip = ""
    config.bot_redirect_url = ""
    config.save()

    services.ticket_close(ticket=ticket, closed_by=str(scene.staff), port=scene.discord)

    log = _close_log(scene)
    assert "/panel/tickets/" not in log.text
    assert len(log.files) == 1

"""Who may change a reply, how long a reply may be in plain-text mode, and what an edit keeps."""

from __future__ import annotations

import pytest

from tickets import services
from tickets.errors import InvalidInput, PermissionDenied
from tickets.models import BotConfig, Ticket, TicketMessage

from .conftest import USER


@pytest.fixture
def ticket(scene):
    scene.dm(USER, "help me")
    return Ticket.objects.get(user_id=USER)


@pytest.fixture
def staff(scene):
    return services.StaffIdentity(scene.staff, "Staffer", "Moderator")


@pytest.fixture
def colleague():
    return services.StaffIdentity(830_000_000_000_000_001, "Colleague", "Moderator")


def plain_text(block_quote: bool = True) -> None:
    config = BotConfig.load()
    config.thread_embedded_message = False
    config.thread_block_quote = block_quote
    config.save()


def test_staff_cannot_edit_or_delete_a_colleagues_reply(scene, ticket, staff, colleague):
    services.ticket_reply(ticket=ticket, staff=staff, content="mine", port=scene.discord)
    with pytest.raises(PermissionDenied):
        services.reply_edit(ticket=ticket, number=1, content="theirs", editor=colleague, port=scene.discord)
    with pytest.raises(PermissionDenied):
        services.reply_delete(ticket=ticket, number=1, staff=colleague, port=scene.discord)
    message = TicketMessage.objects.get(kind="staff")
    assert message.content == "mine" and message.deleted_at is None


def test_an_override_lets_an_administrator_change_any_reply(scene, ticket, staff, colleague):
    services.ticket_reply(ticket=ticket, staff=staff, content="mine", port=scene.discord)
    services.reply_edit(
        ticket=ticket, number=1, content="fixed", editor=colleague, override=True, port=scene.discord
    )
    assert TicketMessage.objects.get(kind="staff").content == "fixed"
    services.reply_delete(ticket=ticket, number=1, staff=colleague, override=True, port=scene.discord)
    assert TicketMessage.objects.get(kind="staff").deleted_at is not None


def test_plain_text_replies_fit_their_copies_or_are_refused(scene, ticket, staff):
    plain_text()
    with pytest.raises(InvalidInput, match="limited to"):
        services.ticket_reply(ticket=ticket, staff=staff, content="x" * 1990, port=scene.discord)
    ticket.refresh_from_db()
    assert ticket.next_message_number == 1
    limit = 2000 - len("**Staffer** (Moderator · Message #1000000):\n>>> ")
    message = services.ticket_reply(ticket=ticket, staff=staff, content="x" * limit, port=scene.discord)
    for copy_id in (message.dm_message_id, message.inbox_message_id):
        text = scene.discord.messages[copy_id].content
        assert text.endswith("x" * limit) and len(text) <= 2000


def test_a_plain_text_edit_too_long_for_its_copies_is_refused(scene, ticket, staff):
    plain_text()
    services.ticket_reply(ticket=ticket, staff=staff, content="short", port=scene.discord)
    with pytest.raises(InvalidInput, match="limited to"):
        services.reply_edit(ticket=ticket, number=1, content="y" * 1999, editor=staff, port=scene.discord)
    assert TicketMessage.objects.get(kind="staff").content == "short"


def test_plain_text_replies_put_the_block_quote_on_its_own_line(scene, ticket, staff):
    plain_text()
    message = services.ticket_reply(ticket=ticket, staff=staff, content="Hello", port=scene.discord)
    assert scene.discord.messages[message.dm_message_id].content == "**Staffer** (Moderator):\n>>> Hello"


def test_editing_a_reply_keeps_its_attachment(scene, ticket, staff):
    link = "https://cdn.example/attachments/1/2/form.pdf"
    scene.discord.cdn[link] = b"%PDF-1.4 form"
    message = services.ticket_reply(
        ticket=ticket, staff=staff, content="the form", attachments=[link], port=scene.discord
    )
    services.reply_edit(ticket=ticket, number=1, content="the signed form", editor=staff, port=scene.discord)
    user_copy = scene.discord.messages[message.dm_message_id]
    assert user_copy.embeds[0]["description"] == "the signed form"
    assert [f.data for f in user_copy.files] == [b"%PDF-1.4 form"]
    assert scene.discord.messages[message.inbox_message_id].embeds[0]["description"] == "the signed form"

"""Rules of delivering a user's DM: a copy Discord refused is kept and goes first with the next DM,
the user is told, the welcome waits for the channel, and edits keep a split copy whole."""

from __future__ import annotations

from tickets import services
from tickets.discord import DiscordError
from tickets.models import BotConfig, Ticket, TicketMessage
from tickets.services import Relay

from .conftest import USER


def refuse_once(discord, method: str, applies) -> None:
    """Make the in-memory Discord refuse the next ``method`` call for which ``applies(kwargs)``."""
    original = getattr(discord, method)

    def refusing(*args, **kwargs):
        if applies(*args, **kwargs):
            setattr(discord, method, original)
            raise DiscordError(403, 50013, "Missing Permissions")
        return original(*args, **kwargs)

    setattr(discord, method, refusing)


def copies(scene, ticket) -> list[str]:
    return [
        m.text for m in scene.discord.channel_messages(ticket.channel_id) if m.nonce and m.nonce[0] == "u"
    ]


def test_a_refused_copy_is_kept_and_goes_first_with_the_next_dm(scene):
    scene.dm(USER, "first")
    ticket = Ticket.objects.get(user_id=USER)
    refuse_once(scene.discord, "send", lambda channel_id, message: channel_id == ticket.channel_id)
    result = scene.dm(USER, "second")
    assert result.outcome == Relay.DELAYED
    kept = TicketMessage.objects.get(content="second")
    assert kept.inbox_message_id is None
    assert "⚠️" in scene.discord.messages[kept.dm_message_id].reactions
    assert any("could not reach the staff yet" in m.text for m in scene.discord.dms(USER))
    assert scene.dm(USER, "third").outcome == Relay.RELAYED
    assert copies(scene, ticket) == ["first", "second", "third"]
    kept.refresh_from_db()
    assert kept.inbox_message_id and "✅" in scene.discord.messages[kept.dm_message_id].reactions


def test_a_ticket_whose_channel_was_refused_opens_with_the_next_dm_and_one_welcome(scene):
    refuse_once(scene.discord, "create_channel", lambda **kwargs: True)
    assert scene.dm(USER, "hello?").outcome == Relay.DELAYED
    assert Ticket.objects.get(user_id=USER).channel_id is None
    assert scene.dm(USER, "anyone?").outcome == Relay.RELAYED
    ticket = Ticket.objects.get(user_id=USER)
    assert copies(scene, ticket) == ["hello?", "anyone?"]
    welcome = BotConfig.load().bot_welcome_message
    assert [m.text for m in scene.discord.dms(USER)].count(welcome) == 1


def test_a_dm_that_failed_before_it_was_stored_gets_a_warning_and_a_request_to_resend(scene):
    sent = scene.discord.user_writes_dm(USER, "lost")
    services.user_message_failed(user_id=USER, dm_channel_id=sent.channel_id, dm_message_id=sent.id)
    assert scene.discord.messages[sent.id].reactions == ["⚠️"]
    assert any("Please send it again" in m.text for m in scene.discord.dms(USER))


def test_editing_a_split_plain_text_copy_edits_adds_and_removes_parts(scene):
    config = BotConfig.load()
    config.thread_embedded_message = False
    config.save()
    sent = scene.discord.user_writes_dm(USER, "a" * 1995)
    services.user_message_relay(
        user_id=USER,
        user_name="alice",
        dm_message_id=sent.id,
        dm_channel_id=sent.channel_id,
        content=sent.content,
        port=scene.discord,
    )
    ticket = Ticket.objects.get(user_id=USER)

    def parts() -> list[str]:
        texts = [m.content for m in scene.discord.channel_messages(ticket.channel_id)]
        return [t for t in texts if t.startswith(("**alice**:\n", ">>> "))]

    assert len(parts()) == 2
    services.user_message_edited(dm_message_id=sent.id, content="short", port=scene.discord)
    assert parts() == ["**alice**:\n>>> short"]
    services.user_message_edited(dm_message_id=sent.id, content="b" * 1995, port=scene.discord)
    assert "".join(p.removeprefix("**alice**:\n").removeprefix(">>> ") for p in parts()) == "b" * 1995

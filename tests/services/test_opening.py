"""Opening tickets and relaying user DMs."""

from __future__ import annotations

import pytest

from tickets import services
from tickets.errors import InvalidInput, NotAMember, NotFound, TicketAlreadyOpen
from tickets.models import BlockedUser, BotConfig, SystemState, Ticket, TicketMessage
from tickets.services import Relay

from .conftest import GUILD, USER


def test_first_dm_opens_a_ticket_with_channel_welcome_and_copy(scene):
    result = scene.dm(USER, "Hello, I need help")
    assert result.outcome == Relay.OPENED
    ticket = Ticket.objects.get(user_id=USER)
    assert ticket.is_open and ticket.channel_id
    channel = scene.discord.channels[ticket.channel_id]
    assert channel.parent_id == scene.inbox
    texts = [m.text for m in scene.discord.channel_messages(ticket.channel_id)]
    assert any("New ticket" in t or "alice" in t for t in texts)
    assert any("Hello, I need help" in t for t in texts)
    dms = [m.text for m in scene.discord.dms(USER)]
    assert BotConfig.load().bot_welcome_message in dms
    message = TicketMessage.objects.get(ticket=ticket)
    assert message.inbox_message_id and message.dm_message_id
    assert "✅" in scene.discord.messages[message.dm_message_id].reactions


def test_next_dm_joins_the_open_ticket(scene):
    scene.dm(USER, "one")
    result = scene.dm(USER, "two")
    assert result.outcome == Relay.RELAYED
    assert Ticket.objects.filter(user_id=USER).count() == 1
    assert TicketMessage.objects.filter(ticket__user_id=USER).count() == 2


def test_replaying_the_same_dm_is_a_no_op(scene):
    sent = scene.discord.user_writes_dm(USER, "only once")
    kwargs = dict(
        user_id=USER,
        user_name="alice",
        dm_message_id=sent.id,
        dm_channel_id=sent.channel_id,
        content="only once",
        port=scene.discord,
    )
    assert services.user_message_relay(**kwargs).outcome == Relay.OPENED
    assert services.user_message_relay(**kwargs).outcome == Relay.DUPLICATE
    ticket = Ticket.objects.get(user_id=USER)
    copies = [m for m in scene.discord.channel_messages(ticket.channel_id) if "only once" in m.text]
    assert len(copies) == 1
    assert TicketMessage.objects.filter(dm_message_id=sent.id).count() == 1


def test_a_stored_but_undelivered_dm_is_delivered_once_on_replay(scene):
    scene.dm(USER, "first")
    sent = scene.discord.user_writes_dm(USER, "crashed before copy")
    ticket = Ticket.objects.get(user_id=USER)
    TicketMessage.objects.create(
        ticket=ticket,
        kind="user",
        author_id=USER,
        author_name="alice",
        dm_message_id=sent.id,
        content="crashed before copy",
        created_at=sent.created_at,
    )
    services.user_message_relay(
        user_id=USER,
        user_name="alice",
        dm_message_id=sent.id,
        dm_channel_id=sent.channel_id,
        content="crashed before copy",
        port=scene.discord,
    )
    copies = [m for m in scene.discord.channel_messages(ticket.channel_id) if "crashed before copy" in m.text]
    assert len(copies) == 1


def test_bots_are_ignored_silently(scene):
    result = services.user_message_relay(
        user_id=USER, user_name="bot", dm_message_id=1, content="x", is_bot=True, port=scene.discord
    )
    assert result.outcome == Relay.IGNORED
    assert not Ticket.objects.exists() and not scene.discord.dms(USER)


def test_blocked_user_gets_a_polite_refusal_and_opens_nothing(scene):
    BlockedUser.objects.create(user_id=USER, blocked_by=scene.staff, reason="spam")
    result = scene.dm(USER, "let me in")
    assert result.outcome == Relay.BLOCKED
    assert not Ticket.objects.exists()
    assert any("blocked" in m.text for m in scene.discord.dms(USER))


def test_user_outside_the_guild_is_told_why(scene):
    stranger = 830_000_000_000_000_001
    scene.discord.add_user(stranger, "stranger")
    assert scene.dm(stranger, "hi").outcome == Relay.NOT_MEMBER
    assert not Ticket.objects.exists()
    assert any("member" in m.text for m in scene.discord.dms(stranger))


def test_maintenance_mode_answers_and_opens_nothing(scene):
    SystemState.objects.update_or_create(pk=1, defaults={"presence": "maintenance"})
    assert scene.dm(USER, "hi").outcome == Relay.MAINTENANCE
    assert not Ticket.objects.exists()


def test_a_large_attachment_does_not_refuse_the_dm(scene):
    big = services.IncomingAttachment(
        filename="big.zip", size=9 * 1024 * 1024, content_type="application/zip", url="http://cdn/big.zip"
    )
    assert scene.dm(USER, "file", attachments=[big]).outcome == Relay.OPENED
    assert TicketMessage.objects.get().content == "file"


def test_attachments_are_recorded_and_uploaded(scene):
    scene.discord.cdn["http://cdn/a.png"] = b"\x89PNG-bytes"
    file = services.IncomingAttachment(
        filename="a.png", size=10, content_type="image/png", url="http://cdn/a.png"
    )
    scene.dm(USER, "see file", attachments=[file])
    message = TicketMessage.objects.get()
    assert message.attachments.get().filename == "a.png"
    ticket = message.ticket
    copies = [m for m in scene.discord.channel_messages(ticket.channel_id) if "see file" in m.text]
    assert [f.data for f in copies[0].files] == [b"\x89PNG-bytes"]
    assert "http://cdn/a.png" not in copies[0].text


@pytest.mark.parametrize("embedded", [True, False])
def test_a_long_dm_is_relayed_whole_in_pieces(scene, embedded):
    config = BotConfig.load()
    config.thread_embedded_message = embedded
    config.save()
    text = " ".join(f"word{i}" for i in range(1200))  # ~8,000 characters
    scene.dm(USER, text)
    ticket = Ticket.objects.get()
    relayed = [m for m in scene.discord.channel_messages(ticket.channel_id) if "word" in m.text]
    assert len(relayed) >= 2
    joined = " ".join(m.text.replace(">>> ", "").replace("**alice**:\n", "") for m in relayed)
    for i in (0, 600, 1199):
        assert f"word{i}" in joined
    assert all(len(m.content) <= 2000 for m in relayed)


def test_staff_open_is_silent_until_the_first_reply(scene):
    ticket = services.ticket_open_by_staff(user_id=USER, staff_id=scene.staff, port=scene.discord)
    assert ticket.silent and ticket.origin == Ticket.Origin.STAFF and ticket.channel_id
    assert scene.discord.dms(USER) == []
    services.ticket_reply(
        ticket=ticket, staff=services.StaffIdentity(scene.staff, "staffer"), content="Hi!", port=scene.discord
    )
    ticket.refresh_from_db()
    assert not ticket.silent
    assert [m.text for m in scene.discord.dms(USER)] == ["Hi!"]


def test_staff_open_refuses_bots_and_duplicates(scene):
    bot = 840_000_000_000_000_001
    scene.discord.add_user(bot, "robot", bot=True)
    with pytest.raises(InvalidInput):
        services.ticket_open_by_staff(user_id=bot, staff_id=scene.staff, port=scene.discord)
    services.ticket_open_by_staff(user_id=USER, staff_id=scene.staff, port=scene.discord)
    with pytest.raises(TicketAlreadyOpen) as raised:
        services.ticket_open_by_staff(user_id=USER, staff_id=scene.staff, port=scene.discord)
    assert raised.value.ticket.user_id == USER
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("discord_id", "error"),
    [("not-a-number", InvalidInput), ("12", InvalidInput), ("830000000000000009", NotFound)],
)
def test_external_open_rejects_bad_ids(scene, discord_id, error):
    with pytest.raises(error):
        services.ticket_open_external(discord_id=discord_id, port=scene.discord)
    assert not Ticket.objects.exists()


def test_external_open_checks_membership_and_existing_ticket(scene):
    stranger = 830_000_000_000_000_001
    scene.discord.add_user(stranger, "stranger")
    with pytest.raises(NotAMember):
        services.ticket_open_external(discord_id=str(stranger), port=scene.discord)
    ticket = services.ticket_open_external(
        discord_id=str(USER), staff_discord_id=str(scene.staff), port=scene.discord
    )
    assert ticket.origin == Ticket.Origin.API and ticket.channel_id
    assert any(f"<@{scene.staff}>" in m.content for m in scene.discord.channel_messages(ticket.channel_id))
    with pytest.raises(TicketAlreadyOpen):
        services.ticket_open_external(discord_id=str(USER), port=scene.discord)


def test_full_inbox_overflows_into_a_new_category(scene):
    scene.discord.full_categories.add(scene.inbox)
    scene.dm(USER, "hello")
    ticket = Ticket.objects.get()
    parent = scene.discord.channels[ticket.channel_id].parent_id
    assert parent != scene.inbox
    assert scene.discord.channels[parent].kind == 4
    assert ticket.category_id == parent
    assert scene.discord.channels[parent].guild_id == GUILD

"""A refused DM is recorded with its reason before the user is told, and nothing relays it later."""

from __future__ import annotations

import pytest

from tickets import services
from tickets.discord import DiscordError
from tickets.models import RefusedMessage, SystemState, Ticket
from tickets.services import Relay

from .conftest import GUILD, STAFF, USER


def reasons() -> list[str]:
    return list(RefusedMessage.objects.order_by("dm_message_id").values_list("reason", flat=True))


def refusal_dms(scene, words: str) -> int:
    return len([m for m in scene.discord.dms(USER) if words in m.text])


def test_each_kind_of_refusal_is_recorded_with_its_reason(scene):
    services.user_block(user_id=USER, staff_id=STAFF)
    assert scene.dm(USER, "blocked").outcome == Relay.BLOCKED
    services.user_unblock(user_id=USER)

    state = SystemState.load()
    state.presence = SystemState.Presence.MAINTENANCE
    state.save()
    assert scene.dm(USER, "maintenance").outcome == Relay.MAINTENANCE
    state.presence = SystemState.Presence.ONLINE
    state.save()

    del scene.discord.members[(GUILD, USER)]
    assert scene.dm(USER, "outsider").outcome == Relay.NOT_MEMBER

    assert reasons() == ["blocked", "maintenance", "not_member"]
    assert not Ticket.objects.exists()


def test_the_refusal_is_recorded_even_when_telling_the_user_fails(scene):
    services.user_block(user_id=USER, staff_id=STAFF)
    sent = scene.discord.user_writes_dm(USER, "hello?")
    original = scene.discord.send

    def failing(channel_id, message):
        raise DiscordError(500, 0, "Internal Server Error")

    scene.discord.send = failing
    with pytest.raises(DiscordError):
        services.user_message_relay(
            user_id=USER,
            user_name="alice",
            dm_message_id=sent.id,
            dm_channel_id=sent.channel_id,
            content="hello?",
        )
    scene.discord.send = original
    assert RefusedMessage.objects.get(dm_message_id=sent.id).reason == "blocked"


def test_recovery_leaves_a_refused_dm_alone_and_does_not_tell_the_user_again(scene):
    scene.dm(USER, "first")
    ticket = Ticket.objects.get(user_id=USER)
    services.user_block(user_id=USER, staff_id=STAFF)
    assert scene.dm(USER, "while blocked").outcome == Relay.BLOCKED
    services.user_unblock(user_id=USER)

    assert services.recover(port=scene.discord) == 0
    assert list(ticket.messages.filter(kind="user").values_list("content", flat=True)) == ["first"]
    assert refusal_dms(scene, "You are blocked") == 1
    # Still blocked at the next start: read again, still not told twice.
    services.user_block(user_id=USER, staff_id=STAFF)
    assert services.recover(port=scene.discord) == 0
    assert refusal_dms(scene, "You are blocked") == 1


def test_a_dm_that_failed_before_it_was_stored_is_never_relayed_later(scene):
    scene.dm(USER, "first")
    sent = scene.discord.user_writes_dm(USER, "lost")
    services.user_message_failed(user_id=USER, dm_channel_id=sent.channel_id, dm_message_id=sent.id)
    assert reasons() == ["failed"]
    assert services.recover(port=scene.discord) == 0
    replay = services.user_message_relay(
        user_id=USER, user_name="alice", dm_message_id=sent.id, dm_channel_id=sent.channel_id, content="lost"
    )
    assert replay.outcome == Relay.DUPLICATE
    assert not Ticket.objects.get(user_id=USER).messages.filter(content="lost").exists()


def test_a_dm_stored_before_its_relay_failed_is_not_recorded_as_refused(scene):
    scene.dm(USER, "kept")
    stored = Ticket.objects.get(user_id=USER).messages.get(content="kept")
    services.user_message_failed(user_id=USER, dm_channel_id=1, dm_message_id=stored.dm_message_id)
    assert reasons() == []

"""Opening a ticket on a channel staff created in the inbox (``create_ticket_by_create_channel``)."""

from __future__ import annotations

import pytest

from tickets.errors import Conflict, InvalidInput, NotAMember, NotFound, TicketAlreadyOpen, UserBlocked
from tickets.models import BlockedUser, Ticket
from tickets.services.opening import ticket_open_on_channel

from .conftest import GUILD, OTHER, USER


@pytest.fixture
def channel(scene) -> int:
    return scene.discord.create_channel(guild_id=GUILD, name=str(USER), parent_id=scene.inbox)


def test_the_ticket_is_bound_to_the_channel_and_silent(scene, channel):
    ticket = ticket_open_on_channel(
        channel_id=channel, user_id=USER, staff_id=scene.staff, port=scene.discord
    )
    assert (ticket.channel_id, ticket.category_id, ticket.guild_id) == (channel, scene.inbox, GUILD)
    assert ticket.origin == Ticket.Origin.CHANNEL and ticket.silent and ticket.is_open
    recap = scene.discord.channel_messages(channel)
    assert len(recap) == 1 and f"<@{USER}>" in recap[0].text and f"<@{scene.staff}>" in recap[0].text
    assert scene.discord.dms(USER) == []
    assert len(scene.discord.text_channels()) == 2  # no second channel: the logs and this one


def test_a_channel_holds_one_ticket(scene, channel):
    ticket_open_on_channel(channel_id=channel, user_id=USER, port=scene.discord)
    with pytest.raises(Conflict):
        ticket_open_on_channel(channel_id=channel, user_id=OTHER, port=scene.discord)


def test_a_user_with_a_ticket_gets_a_link_to_it(scene, channel):
    scene.dm(USER, "hello")
    existing = Ticket.objects.get()
    with pytest.raises(TicketAlreadyOpen) as refused:
        ticket_open_on_channel(channel_id=channel, user_id=USER, port=scene.discord)
    assert f"<#{existing.channel_id}>" in refused.value.message
    assert Ticket.objects.count() == 1


def test_bots_strangers_non_members_and_blocked_users_are_refused(scene, channel):
    scene.discord.add_user(870_000_000_000_000_001, "robot", bot=True)
    with pytest.raises(InvalidInput):
        ticket_open_on_channel(channel_id=channel, user_id=870_000_000_000_000_001, port=scene.discord)
    with pytest.raises(NotFound):
        ticket_open_on_channel(channel_id=channel, user_id=870_000_000_000_000_002, port=scene.discord)
    scene.discord.add_user(870_000_000_000_000_003, "outsider")
    with pytest.raises(NotAMember):
        ticket_open_on_channel(channel_id=channel, user_id=870_000_000_000_000_003, port=scene.discord)
    BlockedUser.objects.create(user_id=OTHER, blocked_by=scene.staff)
    with pytest.raises(UserBlocked):
        ticket_open_on_channel(channel_id=channel, user_id=OTHER, port=scene.discord)
    assert not Ticket.objects.exists()


def test_a_channel_outside_the_staff_guild_is_refused(scene):
    elsewhere = scene.discord.create_channel(guild_id=GUILD + 1, name=str(USER))
    with pytest.raises(InvalidInput):
        ticket_open_on_channel(channel_id=elsewhere, user_id=USER, port=scene.discord)

"""Opening a ticket whose channel Discord refuses leaves nothing open behind (in-memory Discord)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets import services
from tickets.discord import DiscordError
from tickets.errors import DiscordFailure, TicketClosed
from tickets.models import Ticket
from tickets.services.opening import ticket_open_on_channel

from .conftest import GUILD, USER


@pytest.fixture
def refused_channel(scene, monkeypatch) -> None:
    """Discord refuses the next channel creation (403, Missing Permissions)."""
    real = scene.discord.create_channel
    left = [1]

    def create_channel(*args, **kwargs):
        if left[0]:
            left[0] -= 1
            raise DiscordError(403, 50013, "Missing Permissions")
        return real(*args, **kwargs)

    monkeypatch.setattr(scene.discord, "create_channel", create_channel)


def test_a_refused_new_thread_leaves_no_open_ticket(scene, refused_channel) -> None:
    with pytest.raises(DiscordFailure):
        services.ticket_open_by_staff(user_id=USER, staff_id=scene.staff, port=scene.discord)
    assert not Ticket.objects.filter(user_id=USER, status=Ticket.Status.OPEN).exists()
    ticket = services.ticket_open_by_staff(user_id=USER, staff_id=scene.staff, port=scene.discord)
    assert ticket.channel_id


def test_a_cancelled_ticket_never_gets_a_channel(scene) -> None:
    ticket = Ticket.objects.create(user_id=USER, user_name="user", origin=Ticket.Origin.API)
    before = len(scene.discord.text_channels())
    assert services.ticket_channel_repair(ticket=ticket, port=scene.discord) is None
    with pytest.raises(TicketClosed):
        services.ensure_channel(ticket=ticket, port=scene.discord)
    assert len(scene.discord.text_channels()) == before


def test_a_dm_to_a_ticket_cancelled_meanwhile_opens_a_new_one(scene) -> None:
    ticket = Ticket.objects.create(user_id=USER, user_name="user", origin=Ticket.Origin.API)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.CLOSED)
    result = scene.dm(USER, "hello")
    assert result.ticket.pk != ticket.pk and result.ticket.channel_id
    assert result.message.ticket_id == result.ticket.pk


def test_staff_opening_on_a_channel_settles_a_stuck_ticket_first(scene) -> None:
    stuck = Ticket.objects.create(user_id=USER, user_name="user", origin=Ticket.Origin.API)
    Ticket.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=1))
    channel = scene.discord.create_channel(guild_id=GUILD, name=str(USER), parent_id=scene.inbox)

    ticket = ticket_open_on_channel(channel_id=channel, user_id=USER, port=scene.discord)

    stuck.refresh_from_db()
    assert (stuck.status, stuck.closed_by) == (Ticket.Status.CLOSED, "no_channel")
    assert ticket.channel_id == channel and ticket.is_open

"""A ticket left without a channel (Discord refused it, or the process creating it died) never
blocks its user and never loses what they wrote: the next attempt for that user and the worker's
sweep repair it (channel created, the stored messages copied in order, once) or cancel it when it
holds nothing. Against the Discord emulator, through the REST adapter, with its fault injection."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from apikeys.services import apikey_create
from tickets import services, tasks
from tickets.models import Ticket, TicketMessage

from .test_tasks_reach_discord_through_rest import bot_texts, user_writes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CREATE = "/api/externals/tickets/create"
CHANNEL_CREATE = r"^/guilds/\d+/channels$"


@pytest.fixture
def api(emulated, settings) -> APIClient:
    """A client of the external API with a CreateTicket key (no per-user cooldown in the way)."""
    settings.EXTERNAL_API_USER_COOLDOWN = 0
    cache.clear()
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=apikey_create(name="site", permissions=["CreateTicket"]).secret)
    return client


def refuse_channels(emu, count: int = 1) -> None:
    """Discord refuses the next channel creations: 403 Missing Permissions (50013)."""
    emu.faults.fail_next(
        "POST", CHANNEL_CREATE, status=403, code=50013, message="Missing Permissions", count=count
    )


def age(ticket: Ticket, seconds: float = 3600) -> None:
    """Make a ticket older than the grace period (what waiting would do)."""
    Ticket.objects.filter(pk=ticket.pk).update(created_at=timezone.now() - timedelta(seconds=seconds))


def copies(emu, ticket: Ticket) -> list[str]:
    ticket.refresh_from_db()
    return [text for text in bot_texts(emu.messages(ticket.channel_id)) if "New ticket" not in text]


def test_a_refused_channel_cancels_the_new_ticket_and_the_next_create_works(emulated, api):
    alice = emulated.demo.user_ids[0]
    refuse_channels(emulated)

    refused = api.post(CREATE, {"discord_id": str(alice)}, format="json")

    assert refused.status_code == 502 and set(refused.json()) == {"error"}
    assert not Ticket.objects.filter(user_id=alice, status=Ticket.Status.OPEN).exists()
    again = api.post(CREATE, {"discord_id": str(alice)}, format="json")
    assert again.status_code == 200, again.content
    assert emulated.channel(again.json()["channel_id"]) is not None


def test_an_empty_ticket_whose_creator_died_is_cancelled_by_the_next_create(emulated, api):
    alice = emulated.demo.user_ids[0]
    orphan = Ticket.objects.create(user_id=alice, user_name="alice", origin=Ticket.Origin.API, silent=True)
    age(orphan)

    response = api.post(CREATE, {"discord_id": str(alice)}, format="json")

    assert response.status_code == 200, response.content
    orphan.refresh_from_db()
    assert (orphan.status, orphan.closed_by) == (Ticket.Status.CLOSED, "no_channel")
    assert Ticket.objects.get(user_id=alice, status=Ticket.Status.OPEN).channel_id


def test_a_ticket_being_created_is_left_to_its_creator(emulated, api):
    alice = emulated.demo.user_ids[0]
    in_flight = Ticket.objects.create(user_id=alice, user_name="alice", origin=Ticket.Origin.API, silent=True)

    assert api.post(CREATE, {"discord_id": str(alice)}, format="json").status_code == 409
    in_flight.refresh_from_db()
    assert in_flight.is_open and in_flight.channel_id is None


def test_a_dm_ticket_without_its_channel_is_repaired_by_the_next_create(emulated, api):
    alice = emulated.demo.user_ids[0]
    refuse_channels(emulated)
    assert user_writes(emulated, alice, "my order never came").outcome == services.Relay.DELAYED
    stuck = Ticket.objects.get(user_id=alice)
    assert stuck.channel_id is None
    age(stuck)

    response = api.post(CREATE, {"discord_id": str(alice)}, format="json")

    assert response.status_code == 409  # the user has a ticket: the repaired one
    assert copies(emulated, stuck) == ["my order never came"]
    assert Ticket.objects.filter(user_id=alice).count() == 1


def test_the_sweep_repairs_tickets_with_messages_and_cancels_empty_ones(emulated):
    alice, bob, carol = emulated.demo.user_ids[:3]
    refuse_channels(emulated, count=2)
    for text in ("first", "second"):
        assert user_writes(emulated, alice, text).outcome == services.Relay.DELAYED
    with_messages = Ticket.objects.get(user_id=alice)
    empty = Ticket.objects.create(user_id=bob, user_name="bob", origin=Ticket.Origin.API, silent=True)
    young = Ticket.objects.create(user_id=carol, user_name="carol", origin=Ticket.Origin.API, silent=True)
    age(with_messages)
    age(empty)

    assert tasks.repair_stuck_tickets() == {"repaired": 1, "cancelled": 1}

    assert copies(emulated, with_messages) == ["first", "second"]
    assert not TicketMessage.objects.filter(ticket=with_messages, inbox_message_id__isnull=True).exists()
    empty.refresh_from_db()
    young.refresh_from_db()
    assert (empty.status, empty.closed_by) == (Ticket.Status.CLOSED, "no_channel")
    assert young.is_open and young.channel_id is None
    # A second sweep finds nothing to do and copies nothing twice.
    assert tasks.repair_stuck_tickets() == {}
    assert copies(emulated, with_messages) == ["first", "second"]


def test_a_sweep_discord_still_refuses_keeps_the_ticket_and_its_messages(emulated):
    alice = emulated.demo.user_ids[0]
    refuse_channels(emulated)
    user_writes(emulated, alice, "still there?")
    stuck = Ticket.objects.get(user_id=alice)
    age(stuck)
    refuse_channels(emulated)

    assert tasks.repair_stuck_tickets() == {"failed": 1}

    stuck.refresh_from_db()
    assert stuck.is_open and stuck.channel_id is None
    assert stuck.messages.get().content == "still there?"
    assert tasks.repair_stuck_tickets() == {"repaired": 1}
    assert copies(emulated, stuck) == ["still there?"]

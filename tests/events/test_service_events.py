"""What the services publish: one event per change a panel shows, with the ticket's category, and
nothing for a change that failed. Against the in-memory Discord (tests/services/conftest.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.services.conftest import OTHER, USER
from tickets import services
from tickets.errors import DiscordFailure, InvalidInput
from tickets.events import events_after, latest_id
from tickets.models import GuildChannel, SystemState, Ticket, TicketMessage
from tickets.services import botcontrol
from tickets.services.config import config_update


def published(since: int) -> list[tuple[str, dict]]:
    """(type, data) of the events published after ``since``."""
    return [(event.type, event.data) for event in events_after(since, limit=1000)]


@pytest.fixture
def ticket(scene) -> Ticket:
    scene.dm(USER, "help me")
    return Ticket.objects.get(user_id=USER)


@pytest.fixture
def staff(scene) -> services.StaffIdentity:
    return services.StaffIdentity(scene.staff, "Staffer", "Moderator")


def test_a_first_dm_opens_a_ticket_and_adds_a_message_in_the_inbox_category(scene) -> None:
    scene.dm(OTHER, "hello")
    ticket = Ticket.objects.get(user_id=OTHER)
    message = TicketMessage.objects.get(ticket=ticket)
    events = events_after(0, limit=10)
    assert [e.type for e in events] == ["ticket.opened", "message.created", "ticket.updated"]
    assert {e.ticket_id for e in events} == {str(ticket.pk)}
    assert {e.category_id for e in events} == {scene.inbox}
    assert events[1].data == {"message_id": message.pk, "kind": "user"}
    assert events[2].data == {"change": "channel"}
    since = latest_id()
    scene.dm(OTHER, "again")
    assert [t for t, _ in published(since)] == ["message.created"]  # one INSERT on the relay path


def test_replies_notes_edits_and_deletions(scene, ticket, staff) -> None:
    since = latest_id()
    reply = services.ticket_reply(ticket=ticket, staff=staff, content="Hello", port=scene.discord)
    services.reply_edit(ticket=ticket, number=1, content="Hello!", editor=staff, port=scene.discord)
    services.reply_delete(ticket=ticket, number=1, staff=staff, port=scene.discord)
    note = services.note_add(ticket=ticket, author=staff, content="between us", inbox_message_id=555)
    user_message = TicketMessage.objects.get(kind="user")
    services.user_message_edited(dm_message_id=user_message.dm_message_id, content="help", port=scene.discord)
    services.user_message_deleted(dm_message_id=user_message.dm_message_id, port=scene.discord)
    assert published(since) == [
        ("message.created", {"message_id": reply.pk, "kind": "staff"}),
        ("message.updated", {"message_id": reply.pk, "change": "edited"}),
        ("message.updated", {"message_id": reply.pk, "change": "deleted"}),
        ("message.created", {"message_id": note.pk, "kind": "internal"}),
        ("message.updated", {"message_id": user_message.pk, "change": "edited"}),
        ("message.updated", {"message_id": user_message.pk, "change": "deleted"}),
    ]


def test_a_reply_discord_refused_publishes_nothing(scene, ticket, staff) -> None:
    since = latest_id()
    scene.discord.closed_dms.add(USER)
    with pytest.raises(DiscordFailure):
        services.ticket_reply(ticket=ticket, staff=staff, content="hello?", port=scene.discord)
    with pytest.raises(InvalidInput):
        services.ticket_reply(ticket=ticket, staff=staff, content="x" * 2001, port=scene.discord)
    assert published(since) == []


def test_staffing_and_closing(scene, ticket) -> None:
    since = latest_id()
    services.ticket_take(ticket=ticket, staff_id=scene.staff, port=scene.discord)
    services.ticket_release(ticket=ticket, port=scene.discord)
    services.ticket_label(ticket=ticket, label="billing", port=scene.discord)
    services.close_schedule(ticket=ticket, delay="1h", staff_id=scene.staff)
    services.close_cancel(ticket=ticket)
    services.ticket_close(ticket=ticket, closed_by=str(scene.staff), port=scene.discord)
    changes = [(t, d.get("change", d.get("closed_by"))) for t, d in published(since)]
    assert changes == [
        ("ticket.updated", "taken"),
        ("ticket.updated", "released"),
        ("ticket.updated", "label"),
        ("ticket.updated", "close_scheduled"),
        ("ticket.updated", "close_cancelled"),
        ("ticket.closed", str(scene.staff)),
    ]
    assert {e.ticket_id for e in events_after(since, limit=10)} == {str(ticket.pk)}


def test_a_move_names_both_categories(scene, ticket) -> None:
    other = scene.discord.add_category(scene.guild, "Billing")
    GuildChannel.objects.create(guild_id=scene.guild, channel_id=other, name="Billing", type=4)
    since = latest_id()
    services.ticket_move(ticket=ticket, category="Billing", port=scene.discord)
    (event,) = events_after(since, limit=10)
    assert (event.type, event.category_id) == ("ticket.updated", other)
    assert event.data == {"change": "moved", "from_category_id": str(scene.inbox)}


def test_configuration_and_categories(scene) -> None:
    since = latest_id()
    config_update(data={"bot": {"status": "Helping"}}, saved_by="admin", may_change_access=True)
    services.category_create(discord_category_id=scene.inbox, name="Billing")
    services.category_rename(name="Billing", new_name="Payments")
    services.category_delete(name="Payments")
    types = published(since)
    assert types[0] == ("config.updated", {"sections": ["bot"]})
    assert [d["change"] for _, d in types[1:]] == ["created", "renamed", "deleted"]


def test_the_bot_status_is_published_when_it_changes_not_on_every_heartbeat(db) -> None:
    since = latest_id()
    botcontrol.bot_heartbeat(connected=True)
    botcontrol.bot_heartbeat(connected=True)
    botcontrol.bot_set_presence(presence="idle")
    botcontrol.bot_heartbeat(connected=True)
    botcontrol.bot_stopped()
    botcontrol.bot_heartbeat(connected=False)
    assert published(since) == [
        ("bot.status", {"status": "running", "presence": "online", "desired_state": "running"}),
        ("bot.status", {"status": "running", "presence": "idle", "desired_state": "running"}),
        ("bot.status", {"status": "stopped", "presence": "idle", "desired_state": "running"}),
    ]


def test_a_bot_that_died_silently_is_announced_stopped_once(db) -> None:
    botcontrol.bot_heartbeat(connected=True)
    since = latest_id()
    assert not botcontrol.bot_status_check()  # fresh heartbeat: alive
    SystemState.objects.update(bot_heartbeat_at=timezone.now() - timedelta(minutes=5))
    assert botcontrol.bot_status_check()
    assert not botcontrol.bot_status_check()
    assert [d["status"] for _, d in published(since)] == ["stopped"]

"""The category prompt with its queue, and recovery of DMs sent while the bot was away."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets import services
from tickets.errors import Conflict, InvalidInput
from tickets.models import PendingCategorySelection, SystemState, Ticket, TicketMessage

from .conftest import GUILD, OTHER, USER


@pytest.fixture
def prompt(scene):
    billing_discord = scene.discord.add_category(GUILD, "Billing")
    billing = services.category_create(discord_category_id=billing_discord, name="Billing", emoji="💳")
    services.category_role_add(name="Billing", role_id=870_000_000_000_000_009)
    services.prompt_set_enabled(enabled=True)
    return billing


def test_category_rules(scene):
    services.category_create(discord_category_id=1, name="Support")
    with pytest.raises(Conflict):
        services.category_create(discord_category_id=2, name="support")
    with pytest.raises(InvalidInput):
        services.prompt_set_timeout(seconds=29)
    assert services.prompt_set_timeout(seconds=30).selection_timeout == 30
    for i in range(23):
        services.category_create(discord_category_id=10 + i, name=f"C{i}")
    with pytest.raises(Conflict):
        services.category_create(discord_category_id=99, name="One too many")
    services.category_rename(name="Support", new_name="Help")
    services.category_move(name="Help", position=3)
    assert services.category_get(name="help").position == 2


def test_first_dm_gets_buttons_and_later_dms_queue(scene, prompt):
    assert scene.dm(USER, "first").outcome == services.Relay.PROMPTED
    assert scene.dm(USER, "second").outcome == services.Relay.QUEUED
    assert not Ticket.objects.exists()
    prompt_message = next(m for m in scene.discord.dms(USER) if m.components)
    labels = [c["label"] for row in prompt_message.components for c in row["components"]]
    assert labels == ["Billing", "Other"]


def test_choosing_opens_in_the_category_pings_roles_and_forwards_in_order(scene, prompt):
    scene.dm(USER, "first")
    scene.dm(USER, "second")
    selection = PendingCategorySelection.objects.get()
    ticket = services.selection_choose(
        selection_id=selection.pk, category_id=prompt.pk, user_id=USER, port=scene.discord
    )
    assert ticket.ticket_category == prompt
    assert scene.discord.channels[ticket.channel_id].parent_id == prompt.discord_category_id
    texts = [m.text for m in scene.discord.channel_messages(ticket.channel_id)]
    assert texts.index(next(t for t in texts if "first" in t)) < texts.index(
        next(t for t in texts if "second" in t)
    )
    assert any(
        "<@&870000000000000009>" in m.content for m in scene.discord.channel_messages(ticket.channel_id)
    )
    with pytest.raises(Conflict):
        services.selection_choose(selection_id=selection.pk, category_id=None, port=scene.discord)
    assert scene.dm(USER, "third").outcome == services.Relay.RELAYED


def test_timeout_opens_in_the_default_inbox(scene, prompt):
    scene.dm(USER, "first")
    PendingCategorySelection.objects.update(due_at=timezone.now() - timedelta(seconds=1))
    assert services.selections_expire(port=scene.discord) == 1
    ticket = Ticket.objects.get()
    assert ticket.category_id == scene.inbox
    assert TicketMessage.objects.filter(ticket=ticket, content="first").exists()


def test_recovery_relays_missed_dms_in_order_exactly_once(scene):
    scene.dm(USER, "before the outage")
    scene.dm(OTHER, "other user")
    missed = [scene.discord.user_writes_dm(USER, f"missed {i}") for i in range(3)]
    assert services.recover(port=scene.discord) == 3
    assert services.recover(port=scene.discord) == 0
    ticket = Ticket.objects.get(user_id=USER)
    stored = list(TicketMessage.objects.filter(ticket=ticket, recovered=True).order_by("created_at", "id"))
    assert [m.dm_message_id for m in stored] == [m.id for m in missed]
    texts = [m.text for m in scene.discord.channel_messages(ticket.channel_id)]
    assert sum("missed" in t for t in texts) == 3
    assert any("3 message(s) recovered" in t for t in texts)
    assert SystemState.load().last_recovery_at is not None

"""A category prompt that times out opens the ticket in the default inbox and forwards the queued
messages in order, once, even when Discord fails half-way through."""

from __future__ import annotations

import pytest

from tickets import services
from tickets.models import PendingCategorySelection, Ticket, TicketMessage

from .conftest import GUILD, USER, make_due


@pytest.fixture
def waiting(scene) -> PendingCategorySelection:
    billing = scene.discord.add_category(GUILD, "Billing")
    services.category_create(discord_category_id=billing, name="Billing")
    services.prompt_set_enabled(enabled=True)
    for text in ("first", "second", "third"):
        scene.dm(USER, text)
    selection = PendingCategorySelection.objects.get()
    make_due(selection)
    return selection


def copies(scene, ticket) -> list[str]:
    texts = [m.text for m in scene.discord.channel_messages(ticket.channel_id)]
    return [t for t in texts if t.endswith(("first", "second", "third"))]


def test_a_timed_out_prompt_opens_in_the_default_inbox_and_forwards_in_order(scene, waiting):
    assert services.selections_expire(port=scene.discord) == 1
    ticket = Ticket.objects.get()
    assert ticket.category_id == scene.inbox
    assert [c[-6:].strip() for c in copies(scene, ticket)] == ["first", "second", "third"]
    waiting.refresh_from_db()
    assert waiting.state == "done"
    assert services.selections_expire(port=scene.discord) == 0


def test_a_timed_out_prompt_loses_its_buttons_and_tells_the_user(scene, waiting):
    assert scene.discord.messages[waiting.prompt_message_id].components
    services.selections_expire(port=scene.discord)
    prompt = scene.discord.messages[waiting.prompt_message_id]
    assert not prompt.components
    assert "passed on to the staff" in prompt.text


def test_a_timeout_that_discord_interrupts_is_finished_once(scene, waiting, fail_next):
    fail_next("send", times=1, status=500)  # the copy of "first" fails after the channel was made
    assert services.selections_expire(port=scene.discord) == 0
    waiting.refresh_from_db()
    assert waiting.state == "pending" and waiting.attempts == 1 and "500" in waiting.last_error
    make_due(waiting)
    assert services.selections_expire(port=scene.discord) == 1
    ticket = Ticket.objects.get()
    assert [c[-6:].strip() for c in copies(scene, ticket)] == ["first", "second", "third"]
    assert TicketMessage.objects.filter(ticket=ticket, inbox_message_id__isnull=True).count() == 0
    assert len(scene.discord.text_channels()) == 2  # logs and the one ticket channel

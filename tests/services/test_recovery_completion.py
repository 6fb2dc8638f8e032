"""Recovery completes DMs that were stored but whose channel copy was never sent (the bot died between)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tickets import services
from tickets.discord import DiscordError
from tickets.models import BotConfig, Ticket, TicketMessage

from .conftest import OTHER, USER


class Killed(BaseException):
    """The bot process dying at this point: nothing after it runs (not an error anyone handles)."""


class DyingPort:
    """The in-memory Discord, except that the process dies when it posts a user's DM into a ticket
    channel (before Discord gets the copy, or just after Discord made it), or, with
    ``on_channel``, when it creates a ticket channel."""

    def __init__(self, discord, *, after_send: bool = False, on_channel: bool = False) -> None:
        self.discord = discord
        self.after_send = after_send
        self.on_channel = on_channel

    def __getattr__(self, name):
        return getattr(self.discord, name)

    def create_channel(self, **kwargs):
        if self.on_channel:
            raise Killed()
        return self.discord.create_channel(**kwargs)

    def send(self, channel_id, message):
        if not (message.nonce or "").startswith("u"):
            return self.discord.send(channel_id, message)
        if self.after_send:
            self.discord.send(channel_id, message)
        raise Killed()


def relay_and_die(scene, content: str, **dying) -> int:
    """The user DMs the bot, which stores the DM and dies while copying it; returns the DM's ID."""
    sent = scene.discord.user_writes_dm(USER, content)
    with pytest.raises(Killed):
        services.user_message_relay(
            user_id=USER,
            user_name="alice",
            dm_message_id=sent.id,
            dm_channel_id=sent.channel_id,
            content=content,
            port=DyingPort(scene.discord, **dying),
        )
    return sent.id


def copies(scene, ticket: Ticket) -> list[str]:
    """The user's DMs as copied into the ticket channel, in channel order."""
    return [
        m.text for m in scene.discord.channel_messages(ticket.channel_id) if (m.nonce or "").startswith("u")
    ]


def test_a_stored_dm_without_its_copy_is_completed_before_the_dms_that_followed(scene):
    scene.dm(USER, "first")
    stranded = relay_and_die(scene, "second")
    assert TicketMessage.objects.get(dm_message_id=stranded).inbox_message_id is None
    for text in ("third", "fourth"):
        scene.discord.user_writes_dm(USER, text)

    assert services.recover(port=scene.discord) == 3

    ticket = Ticket.objects.get(user_id=USER)
    assert copies(scene, ticket) == ["first", "second", "third", "fourth"]
    stored = TicketMessage.objects.filter(ticket=ticket, kind="user").order_by("dm_message_id")
    assert [m.content for m in stored] == ["first", "second", "third", "fourth"]
    assert all(m.inbox_message_id for m in stored)
    texts = [m.text for m in scene.discord.channel_messages(ticket.channel_id)]
    assert any("3 message(s) recovered" in t for t in texts)


def test_a_second_recovery_posts_nothing_again(scene):
    scene.dm(USER, "first")
    relay_and_die(scene, "second")
    services.recover(port=scene.discord)
    assert services.recover(port=scene.discord) == 0
    assert copies(scene, Ticket.objects.get(user_id=USER)) == ["first", "second"]


def test_a_copy_discord_made_just_before_the_crash_is_not_posted_twice(scene):
    scene.dm(USER, "first")
    stranded = relay_and_die(scene, "second", after_send=True)
    ticket = Ticket.objects.get(user_id=USER)
    assert copies(scene, ticket) == ["first", "second"]

    assert services.recover(port=scene.discord) == 1

    assert copies(scene, ticket) == ["first", "second"]
    copy = next(m for m in scene.discord.channel_messages(ticket.channel_id) if m.text == "second")
    assert TicketMessage.objects.get(dm_message_id=stranded).inbox_message_id == copy.id


def test_the_dm_that_opened_the_ticket_is_completed_with_its_channel_and_welcome(scene):
    cfg = BotConfig.load()
    cfg.bot_welcome_message = "Welcome! Staff will answer soon."
    cfg.save()
    relay_and_die(scene, "hello?", on_channel=True)
    assert Ticket.objects.get(user_id=USER).channel_id is None

    assert services.recover(port=scene.discord) == 1

    ticket = Ticket.objects.get(user_id=USER)
    assert ticket.channel_id
    assert copies(scene, ticket) == ["hello?"]
    assert any("Welcome!" in m.text for m in scene.discord.dms(USER))


def test_a_dm_discord_refuses_now_waits_for_the_next_recovery_and_keeps_its_place(scene):
    scene.dm(USER, "first")
    stranded = relay_and_die(scene, "second")
    scene.discord.user_writes_dm(USER, "third")
    ticket = Ticket.objects.get(user_id=USER)

    assert services.recover(port=RefusingPort(scene.discord, nonce=f"u{stranded}:0")) == 0
    assert copies(scene, ticket) == ["first"]

    assert services.recover(port=scene.discord) == 2
    assert copies(scene, ticket) == ["first", "second", "third"]


def test_stranded_dms_of_a_closed_ticket_are_left_alone(scene):
    scene.dm(USER, "first")
    relay_and_die(scene, "second")
    Ticket.objects.filter(user_id=USER).update(status=Ticket.Status.CLOSED, closed_at=timezone.now())
    scene.dm(OTHER, "unrelated")

    assert services.recover(port=scene.discord) == 0


class RefusingPort(DyingPort):
    """Discord refuses one particular copy (by its nonce); everything else goes through."""

    def __init__(self, discord, *, nonce: str) -> None:
        super().__init__(discord)
        self.nonce = nonce

    def send(self, channel_id, message):
        if message.nonce == self.nonce:
            raise DiscordError(500, 0, "Internal Server Error")
        return self.discord.send(channel_id, message)

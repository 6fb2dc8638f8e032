"""Alerts, reminders, blocks and snippets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tickets import services
from tickets.errors import Conflict, InvalidInput, NotFound
from tickets.models import BlockedUser, GuildMember, Reminder, Ticket
from tickets.services.reminders import reminder_due_time

from .conftest import GUILD, USER


@pytest.fixture
def ticket(scene):
    scene.dm(USER, "help")
    return Ticket.objects.get(user_id=USER)


def test_an_alert_pings_once_on_the_next_user_message(scene, ticket):
    services.alert_set(ticket=ticket, staff_id=scene.staff)
    with pytest.raises(Conflict):
        services.alert_set(ticket=ticket, staff_id=scene.staff)
    assert scene.dm(USER, "hello?").alerted_staff == [scene.staff]
    assert scene.dm(USER, "again").alerted_staff == []
    pings = [m for m in scene.discord.channel_messages(ticket.channel_id) if f"<@{scene.staff}>" in m.content]
    assert len(pings) == 1
    with pytest.raises(NotFound):
        services.alert_cancel(ticket=ticket, staff_id=scene.staff)


def test_reminder_times():
    at = datetime(2026, 1, 1, 15, 0, tzinfo=UTC)
    assert reminder_due_time(when="16:30", at=at, tz="UTC") == datetime(2026, 1, 1, 16, 30, tzinfo=UTC)
    assert reminder_due_time(when="09:00", at=at, tz="UTC") == datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
    paris = reminder_due_time(when="17:00", at=at, tz="Europe/Paris")
    assert paris.astimezone(UTC) == datetime(2026, 1, 1, 16, 0, tzinfo=UTC)
    assert reminder_due_time(when="2h", at=at) == at + timedelta(hours=2)
    with pytest.raises(InvalidInput):
        reminder_due_time(when="25:00", at=at)


def test_a_reminder_pings_its_author_and_roles_except_opt_outs(scene, ticket):
    role = 870_000_000_000_000_002
    a, b = 880_000_000_000_000_010, 880_000_000_000_000_011
    GuildMember.objects.create(guild_id=GUILD, user_id=a, username="a", role_ids=[role])
    GuildMember.objects.create(guild_id=GUILD, user_id=b, username="b", role_ids=[role])
    assert services.reminder_optout_toggle(role_id=role, user_id=b) is True
    reminder = services.reminder_add(
        ticket=ticket, staff_id=scene.staff, when="1h", content="Check", role_ids=[role]
    )
    Reminder.objects.filter(pk=reminder.pk).update(due_at=timezone.now() - timedelta(seconds=1))
    assert services.reminder_run(reminder_id=reminder.pk, port=scene.discord) == "done"
    assert services.reminder_run(reminder_id=reminder.pk, port=scene.discord) == "done"
    posted = [m for m in scene.discord.channel_messages(ticket.channel_id) if "Check" in m.text]
    assert len(posted) == 1
    assert f"<@{scene.staff}>" in posted[0].content and f"<@{a}>" in posted[0].content
    assert f"<@{b}>" not in posted[0].content


def test_removing_a_reminder(scene, ticket):
    reminder = services.reminder_add(ticket=ticket, staff_id=scene.staff, when="30m", content="x")
    services.reminder_remove(reminder_id=reminder.pk)
    with pytest.raises(NotFound):
        services.reminder_remove(reminder_id=reminder.pk)
    with pytest.raises(InvalidInput):
        services.reminder_add(ticket=ticket, staff_id=scene.staff, when="soon", content="x")


def test_a_reminder_cannot_ping_everyone(scene, ticket):
    with pytest.raises(InvalidInput):
        services.reminder_add(ticket=ticket, staff_id=scene.staff, when="1h", content="x", role_ids=[GUILD])
    assert not Reminder.objects.exists()


def test_blocks_with_expiry_lift_themselves(scene):
    block = services.user_block(user_id=USER, staff_id=scene.staff, reason="spam", duration="1h")
    assert block.expires_at > timezone.now()
    assert services.blocks_expire() == 0
    BlockedUser.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.blocks_expire() == 1
    with pytest.raises(NotFound):
        services.user_unblock(user_id=USER)


def test_expired_block_no_longer_refuses(scene):
    services.user_block(user_id=USER, staff_id=scene.staff, duration="1m")
    BlockedUser.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert scene.dm(USER, "hi").outcome == services.Relay.OPENED


def test_snippet_lifecycle_and_validation(scene):
    services.snippet_create(key="hello-1", content="Hi there", staff_id=scene.staff)
    with pytest.raises(Conflict):
        services.snippet_create(key="hello-1", content="dup", staff_id=scene.staff)
    for key, content in [("bad key", "x"), ("ok", ""), ("ok", "x" * 4001)]:
        with pytest.raises(InvalidInput):
            services.snippet_create(key=key, content=content, staff_id=scene.staff)
    assert services.snippet_edit(key="hello-1", content="Hello!").content == "Hello!"
    assert services.expand_snippets("{{hello-1}} world") == "Hello! world"
    services.snippet_delete(key="hello-1")
    with pytest.raises(NotFound):
        services.snippet_get(key="hello-1")

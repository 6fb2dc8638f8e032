"""Reminders fire at their time in the ticket channel, pinging their author and their roles'
members who did not opt out; once, retried when Discord fails, skipped on a closed ticket."""

from __future__ import annotations

import pytest

from tickets import services
from tickets.models import GuildMember, Reminder

from .conftest import GUILD, make_due

ROLE = 870_000_000_000_000_005
PINGED, OPTED_OUT = 880_000_000_000_000_020, 880_000_000_000_000_021


@pytest.fixture
def reminder(scene, ticket) -> Reminder:
    GuildMember.objects.create(guild_id=GUILD, user_id=PINGED, username="p", role_ids=[ROLE])
    GuildMember.objects.create(guild_id=GUILD, user_id=OPTED_OUT, username="o", role_ids=[ROLE])
    services.reminder_optout_toggle(role_id=ROLE, user_id=OPTED_OUT)
    reminder = services.reminder_add(
        ticket=ticket, staff_id=scene.staff, when="2h", content="Call them back", role_ids=[ROLE]
    )
    make_due(reminder)
    return reminder


def posted(scene, ticket) -> list:
    return [m for m in scene.discord.channel_messages(ticket.channel_id) if "Call them back" in m.text]


def test_a_due_reminder_pings_its_author_and_roles_except_opt_outs(scene, ticket, reminder):
    assert services.due_reminders() == [reminder.pk]
    assert services.reminders_run_due(port=scene.discord) == {"done": 1}
    [message] = posted(scene, ticket)
    assert f"<@{scene.staff}>" in message.content and f"<@{PINGED}>" in message.content
    assert f"<@{OPTED_OUT}>" not in message.content
    assert services.reminders_run_due(port=scene.discord) == {}
    assert len(posted(scene, ticket)) == 1


def test_a_reminder_whose_post_fails_is_retried_with_its_error_recorded(scene, ticket, reminder, fail_next):
    fail_next("send", status=503)
    assert services.reminders_run_due(port=scene.discord) == {"pending": 1}
    reminder.refresh_from_db()
    assert reminder.state == "pending" and reminder.attempts == 1 and "503" in reminder.last_error
    make_due(reminder)
    assert services.reminder_run(reminder_id=reminder.pk, port=scene.discord) == "done"
    assert len(posted(scene, ticket)) == 1


def test_a_reminder_on_a_closed_ticket_is_skipped(scene, ticket, reminder):
    services.ticket_close(ticket=ticket, closed_by=str(scene.staff), port=scene.discord)
    reminder.refresh_from_db()
    assert reminder.state == "cancelled"
    Reminder.objects.filter(pk=reminder.pk).update(state="pending")
    assert services.reminders_run_due(port=scene.discord) == {"skipped": 1}

"""add_reminder, remove_reminder, alert and reminder_optout, typed and slashed, end to end.

Posting due reminders is the worker's job (tested with it); here: planning, cancelling, refusing.
"""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone

from tickets.models import Reminder, ReminderOptOut, StaffAlert

from .conftest import Modmail, bot_says, text_of
from .conftest import slash_said as slash

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def reminders(modmail: Modmail) -> list[Reminder]:
    return await modmail.db(lambda: list(Reminder.objects.order_by("pk")))


# --- add_reminder --------------------------------------------------------------------------
async def test_a_typed_reminder_is_planned_in_the_ticket_and_pings_the_roles_named_first(modmail):
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0])
    role = modmail.demo.staff_role_id
    await modmail.staff_says(ticket.channel_id, f"!remind 2h <@&{role}> Check the refund")
    answer = await bot_says(modmail, ticket.channel_id, "Reminder #")
    [reminder] = await reminders(modmail)
    assert f"Reminder #{reminder.pk}" in text_of(answer)
    assert "Check the refund" in text_of(answer)
    assert reminder.content == "Check the refund"
    assert reminder.role_ids == [role]
    assert reminder.created_by == modmail.demo.staff_id
    assert reminder.channel_id == ticket.channel_id
    assert reminder.state == Reminder.State.PENDING
    assert timedelta(hours=1, minutes=59) < reminder.due_at - timezone.now() <= timedelta(hours=2)


async def test_a_reminder_at_a_clock_time_is_due_next_at_that_time_in_the_bots_time_zone(modmail):
    await modmail.reload_config(bot_timezone="Europe/Paris")
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0])
    await modmail.staff_says(ticket.channel_id, "!add_reminder 09:30 Call the user back")
    await bot_says(modmail, ticket.channel_id, "Call the user back")
    [reminder] = await reminders(modmail)
    local = reminder.due_at.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
    assert (local.hour, local.minute) == (9, 30)
    assert timedelta(0) < reminder.due_at - timezone.now() <= timedelta(days=1)
    assert reminder.role_ids == []


async def test_a_slashed_reminder_answers_ephemerally_and_can_ping_a_role(modmail):
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0])
    role = modmail.demo.staff_role_id
    answer = await slash(
        modmail, "add_reminder", ticket.channel_id, {"time": "30m", "content": "Follow up", "role": role}
    )
    [reminder] = await reminders(modmail)
    assert answer["flags"] & 64
    assert f"Reminder #{reminder.pk}" in text_of(answer)
    assert reminder.content == "Follow up"
    assert reminder.role_ids == [role]


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("!add_reminder soon Check", "is not a duration"),
        ("!add_reminder 25:00 Check", "is not a duration"),
        ("!remind 2h <@&{guild}> Everyone look", "cannot ping @everyone"),
        ("!remind 2h <@&{unknown}> Check", "Unknown role"),
        ("!remind 2h", "Bad arguments"),
    ],
)
async def test_a_typed_reminder_with_bad_arguments_is_refused_and_nothing_is_planned(modmail, command, words):
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0])
    command = command.format(guild=modmail.demo.guild_id, unknown=1_234_567_890_123_456_789)
    await modmail.staff_says(ticket.channel_id, command)
    await bot_says(modmail, ticket.channel_id, words)
    assert await reminders(modmail) == []


async def test_a_slashed_reminder_outside_a_ticket_or_for_everyone_is_refused(modmail):
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0])
    outside = await slash(
        modmail, "add_reminder", modmail.demo.general_channel_id, {"time": "1h", "content": "x"}
    )
    assert outside["flags"] & 64
    assert "not an open ticket" in text_of(outside)
    everyone = await slash(
        modmail,
        "add_reminder",
        ticket.channel_id,
        {"time": "1h", "content": "x", "role": modmail.demo.everyone_role_id},
    )
    assert "cannot ping @everyone" in text_of(everyone)
    assert await reminders(modmail) == []


# --- remove_reminder -----------------------------------------------------------------------
async def test_removing_reminders_cancels_them_in_both_forms_and_only_once(modmail):
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0])
    await modmail.staff_says(ticket.channel_id, "!remind 1h First")
    await bot_says(modmail, ticket.channel_id, "First")
    await slash(modmail, "add_reminder", ticket.channel_id, {"time": "1h", "content": "Second"})
    first, second = await reminders(modmail)

    await modmail.staff_says(ticket.channel_id, f"!unremind {first.pk}")
    await bot_says(modmail, ticket.channel_id, f"Reminder #{first.pk} cancelled")
    answer = await slash(modmail, "remove_reminder", ticket.channel_id, {"reminder_id": second.pk})
    assert f"Reminder #{second.pk} cancelled" in text_of(answer)
    assert [r.state for r in await reminders(modmail)] == [Reminder.State.CANCELLED] * 2

    await modmail.staff_says(ticket.channel_id, f"!remove_reminder {first.pk}")
    await bot_says(modmail, ticket.channel_id, f"no pending reminder #{first.pk}")
    await modmail.staff_says(ticket.channel_id, "!remove_reminder first")
    await bot_says(modmail, ticket.channel_id, "Bad arguments")


# --- alert ---------------------------------------------------------------------------------
async def test_a_typed_alert_pings_the_staff_member_once_on_the_users_next_dm(modmail):
    user = modmail.demo.user_ids[0]
    staff = modmail.demo.staff_id
    ticket = await modmail.open_ticket(user)
    await modmail.staff_says(ticket.channel_id, "!alert")
    await bot_says(modmail, ticket.channel_id, "pinged on the user's next message")
    assert not [m for m in modmail.emu.messages(ticket.channel_id) if f"<@{staff}>" in (m["content"] or "")]

    await modmail.emu.user_dm(user, "Any news?")
    ping = await modmail.emu.wait_for_message(
        ticket.channel_id, lambda m: f"<@{staff}>" in (m["content"] or "")
    )
    assert "answered" in text_of(ping)
    await modmail.emu.user_dm(user, "Hello again")
    await bot_says(modmail, ticket.channel_id, "Hello again")
    pings = [m for m in modmail.emu.messages(ticket.channel_id) if f"<@{staff}>" in (m["content"] or "")]
    assert len(pings) == 1
    assert await modmail.db(lambda: StaffAlert.objects.get(ticket_id=ticket.pk).fired_at is not None)


async def test_a_slashed_alert_can_be_cancelled_and_then_nobody_is_pinged(modmail):
    user = modmail.demo.user_ids[0]
    staff = modmail.demo.staff_id
    ticket = await modmail.open_ticket(user)
    set_answer = await slash(modmail, "alert", ticket.channel_id)
    assert set_answer["flags"] & 64 and "next message" in text_of(set_answer)
    again = await slash(modmail, "alert", ticket.channel_id)
    assert "already have an alert" in text_of(again)
    cancelled = await slash(modmail, "alert", ticket.channel_id, {"cancel": True})
    assert "Alert cancelled" in text_of(cancelled)
    assert await modmail.db(lambda: StaffAlert.objects.count()) == 0

    await modmail.emu.user_dm(user, "Still there?")
    await bot_says(modmail, ticket.channel_id, "Still there?")
    assert not [m for m in modmail.emu.messages(ticket.channel_id) if f"<@{staff}>" in (m["content"] or "")]
    await modmail.staff_says(ticket.channel_id, "!alert cancel")
    await bot_says(modmail, ticket.channel_id, "You have no alert")
    await modmail.staff_says(ticket.channel_id, "!alert later")
    await bot_says(modmail, ticket.channel_id, "Bad arguments")


# --- reminder_optout -----------------------------------------------------------------------
async def test_a_member_opts_out_of_a_roles_reminder_pings_and_back_in(modmail):
    role = modmail.demo.staff_role_id
    staff = modmail.demo.staff_id
    channel = modmail.demo.general_channel_id
    await modmail.staff_says(channel, f"!reminder_optout <@&{role}>")
    await bot_says(modmail, channel, "will no longer ping you")
    opted = await modmail.db(lambda: list(ReminderOptOut.objects.values_list("role_id", "user_id")))
    assert opted == [(role, staff)]

    answer = await slash(modmail, "reminder_optout", channel, {"role": role})
    assert answer["flags"] & 64 and "will ping you again" in text_of(answer)
    assert await modmail.db(lambda: ReminderOptOut.objects.count()) == 0
    await modmail.staff_says(channel, "!reminder_optout NoSuchRole")
    await bot_says(modmail, channel, "Bad arguments")

"""Subscriptions to the reminders addressed to a role, end to end: ``!remind subscribe|unsubscribe
<role>`` (and ``!rem sub|unsub``, ``!reminder_subscription``), ``/reminder_subscription``, and the
``reminder_optout`` toggle, all over one record; and what a due reminder then pings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets import services
from tickets.models import GuildMember, ReminderOptOut

from .conftest import Modmail, bot_says, eventually, text_of
from .conftest import slash_said as slash

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

EPHEMERAL = 64


async def optouts(modmail: Modmail) -> set[tuple[int, int]]:
    return await modmail.db(lambda: set(ReminderOptOut.objects.values_list("role_id", "user_id")))


async def test_remind_unsubscribe_and_subscribe_by_mention_and_by_name(modmail):
    demo = modmail.demo
    staff, role = demo.staff_id, demo.staff_role_id
    channel = demo.logs_channel_id

    await modmail.staff_says(channel, f"!remind unsubscribe <@&{role}>")
    said = await bot_says(modmail, channel, "You are now unsubscribed from reminders for")
    assert f"<@&{role}>" in text_of(said)
    assert await optouts(modmail) == {(role, staff)}

    await modmail.staff_says(channel, "!rem unsub Staff")
    await bot_says(modmail, channel, "You are already unsubscribed from reminders for")
    assert await optouts(modmail) == {(role, staff)}

    await modmail.staff_says(channel, "!remind subscribe staff")  # a name, in any case
    await bot_says(modmail, channel, "You are now subscribed to reminders for")
    assert await optouts(modmail) == set()

    await modmail.staff_says(channel, f"!reminder_subscription sub {role}")  # by ID, the long name
    await bot_says(modmail, channel, "You are already subscribed to reminders for")
    assert await optouts(modmail) == set()


async def test_only_a_role_one_has_and_that_exists_and_is_named(modmail):
    demo = modmail.demo
    channel = demo.logs_channel_id

    await modmail.staff_says(channel, "!remind unsubscribe Admin")
    said = await bot_says(modmail, channel, "You must have the")
    assert f"<@&{demo.admin_role_id}>" in text_of(said)

    await modmail.staff_says(channel, "!remind unsubscribe Nope")
    await bot_says(modmail, channel, "There is no role Nope on this server")

    await modmail.staff_says(channel, "!remind subscribe")
    await bot_says(modmail, channel, "Name a role")

    await modmail.staff_says(channel, "!reminder_subscription maybe Staff")
    await bot_says(modmail, channel, "Bad arguments")
    assert await optouts(modmail) == set()


async def test_the_slash_form_and_the_optout_toggle_share_one_record(modmail):
    demo = modmail.demo
    staff, role = demo.staff_id, demo.staff_role_id
    channel = demo.logs_channel_id

    answer = await slash(modmail, "reminder_subscription", channel, {"action": "unsubscribe", "role": role})
    assert answer["flags"] & EPHEMERAL
    assert "You are now unsubscribed from reminders for" in text_of(answer)
    assert await optouts(modmail) == {(role, staff)}

    # The older toggle reads and writes the same opt-out: it resumes the pings.
    answer = await slash(modmail, "reminder_optout", channel, {"role": role})
    assert "will ping you again" in text_of(answer)
    assert await optouts(modmail) == set()

    answer = await slash(modmail, "reminder_subscription", channel, {"action": "subscribe", "role": role})
    assert "You are already subscribed to reminders for" in text_of(answer)

    answer = await slash(
        modmail, "reminder_subscription", channel, {"action": "unsubscribe", "role": demo.admin_role_id}
    )
    assert "You must have the" in text_of(answer)
    assert await optouts(modmail) == set()


async def test_a_due_reminder_for_a_role_skips_who_unsubscribed(modmail):
    emu, demo = modmail.emu, modmail.demo
    role = demo.staff_role_id
    colleague = emu.create_user("stan", global_name="Stan Staff")
    emu.add_member(demo.guild_id, colleague, roles=[role])

    def colleague_cached() -> bool:
        return any(role in m.role_ids for m in GuildMember.objects.filter(user_id=colleague))

    await eventually(lambda: modmail.db(colleague_cached), 20)
    ticket = await modmail.open_ticket(demo.user_ids[0])

    await modmail.staff_says(ticket.channel_id, f"!remind unsubscribe <@&{role}>")
    await bot_says(modmail, ticket.channel_id, "You are now unsubscribed")
    await modmail.staff_says(ticket.channel_id, f"!remind 1h <@&{role}> Refund due", user_id=demo.admin_id)
    await bot_says(modmail, ticket.channel_id, "Reminder #")

    later = timezone.now() + timedelta(hours=2)
    counts = await modmail.db(lambda: services.reminders_run_due(at=later))
    assert counts.get("done") == 1, counts
    bot = str(emu.bot_id)
    posted = await emu.wait_for_message(
        ticket.channel_id,
        lambda m: (
            m["author"]["id"] == bot and "Refund due" in text_of(m) and "<@" in (m.get("content") or "")
        ),
    )
    pings = posted["content"]
    assert f"<@{colleague}>" in pings and f"<@{demo.admin_id}>" in pings
    assert f"<@{demo.staff_id}>" not in pings

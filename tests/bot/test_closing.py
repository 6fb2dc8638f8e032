"""close (now, silently, later, cancelled) and force_close, typed and slashed, end to end."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tickets.models import BotConfig, ScheduledClosure, Ticket

from .conftest import Modmail, eventually, text_of

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

FORMS = ["text", "slash"]


async def run(
    modmail: Modmail, form: str, channel_id: int, text: str, name: str, options: dict | None = None
) -> dict[str, Any] | None:
    """Staff run a command in its text form (``text``) or as ``/name options``; for a slash command,
    returns the bot's first answer that says something (a follow-up after a deferral)."""
    if form == "text":
        await modmail.staff_says(channel_id, text)
        return None
    payload = await modmail.emu.invoke_command(
        name, modmail.demo.staff_id, channel_id, options, guild_id=modmail.demo.guild_id
    )
    await modmail.emu.wait_for_interaction_response(payload["id"], timeout=8.0)
    return payload


async def answer_of(modmail: Modmail, payload: dict[str, Any], words: str) -> dict[str, Any]:
    """The bot's answer to a slash command that contains ``words``."""

    def find() -> dict[str, Any] | None:
        for response in modmail.emu.interaction_responses(payload["id"]):
            if words.lower() in text_of(response.get("data") or {}).lower():
                return response
        return None

    return await modmail.emu.wait_for(find, timeout=8.0)


async def expect_answer(modmail: Modmail, form: str, payload, channel_id: int, words: str) -> dict:
    """The answer containing ``words``: in the channel for a text command, to the slash command
    otherwise. Returns the message (text) or the response's data (slash)."""
    if form == "text":
        return await modmail.emu.wait_for_message(channel_id, lambda m: words.lower() in text_of(m).lower())
    return (await answer_of(modmail, payload, words))["data"]


async def ticket_row(modmail: Modmail, ticket: Ticket) -> Ticket:
    return await modmail.db(lambda: Ticket.objects.get(pk=ticket.pk))


async def closures(modmail: Modmail, ticket: Ticket) -> list[ScheduledClosure]:
    return await modmail.db(lambda: list(ScheduledClosure.objects.filter(ticket=ticket).order_by("pk")))


async def channel_gone(modmail: Modmail, channel_id: int) -> bool:
    return await modmail.emu.wait_for(lambda: modmail.emu.channel(channel_id) is None or None, timeout=8.0)


# --- closing now ---------------------------------------------------------------------------
@pytest.mark.parametrize("form", FORMS)
async def test_close_sends_the_close_message_closes_the_ticket_and_removes_the_channel(modmail, form):
    user = modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    await run(modmail, form, ticket.channel_id, "!close", "close")
    await channel_gone(modmail, ticket.channel_id)
    close_message = (await modmail.db(BotConfig.load)).bot_close_message
    await modmail.emu.wait_for_dm(user, lambda m: close_message in text_of(m))
    closed = await ticket_row(modmail, ticket)
    assert closed.status == Ticket.Status.CLOSED
    assert closed.closed_by == str(modmail.demo.staff_id)
    assert not closed.close_silently
    assert modmail.emu.messages(modmail.demo.logs_channel_id) == []  # logs are off by default


@pytest.mark.parametrize(
    ("form", "text", "options"), [("text", "!c -s", None), ("slash", "", {"silent": True})]
)
async def test_a_silent_close_sends_nothing_to_the_user(modmail, form, text, options):
    user = modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    before = len(modmail.emu.dm_messages(user))
    await run(modmail, form, ticket.channel_id, text, "close", options)
    await channel_gone(modmail, ticket.channel_id)
    closed = await eventually(lambda: ticket_row(modmail, ticket))
    assert closed.status == Ticket.Status.CLOSED and closed.close_silently
    assert len(modmail.emu.dm_messages(user)) == before


async def test_the_close_is_logged_when_rustmail_logs_are_enabled(modmail):
    await modmail.reload_config(bot_enable_rustmail_logs=True)
    user = modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    await modmail.staff_says(ticket.channel_id, "!close")
    log = await modmail.emu.wait_for_message(modmail.demo.logs_channel_id, lambda m: str(user) in text_of(m))
    assert str(modmail.demo.staff_id) in text_of(log)
    await channel_gone(modmail, ticket.channel_id)


@pytest.mark.parametrize("form", FORMS)
async def test_close_outside_a_ticket_channel_is_refused(modmail, form):
    general = modmail.demo.general_channel_id
    payload = await run(modmail, form, general, "!close", "close")
    answer = await expect_answer(modmail, form, payload, general, "not an open ticket")
    if form == "slash":
        assert answer["flags"] & 64  # only the staff member sees it
    assert modmail.emu.channel(general) is not None


# --- closing later -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("form", "text", "options"), [("text", "!close 2h", None), ("slash", "", {"time": "2h"})]
)
async def test_a_close_with_a_duration_is_scheduled_and_announced(modmail, form, text, options):
    user = modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    before = len(modmail.emu.dm_messages(user))
    payload = await run(modmail, form, ticket.channel_id, text, "close", options)
    announced = await expect_answer(modmail, form, payload, ticket.channel_id, "will close")
    assert "<t:" in text_of(announced)
    [closure] = await closures(modmail, ticket)
    assert closure.state == ScheduledClosure.State.PENDING and not closure.silent
    assert closure.scheduled_by == modmail.demo.staff_id
    assert (
        timedelta(hours=2) - timedelta(minutes=1) < closure.due_at - closure.created_at <= timedelta(hours=2)
    )
    assert (await ticket_row(modmail, ticket)).is_open
    assert modmail.emu.channel(ticket.channel_id) is not None
    assert len(modmail.emu.dm_messages(user)) == before


@pytest.mark.parametrize("duration", ["30m", "1d", "1d12h", "90"])
async def test_every_duration_format_schedules_a_close(modmail, duration):
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0])
    await modmail.staff_says(ticket.channel_id, f"!close {duration}")
    await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "will close" in text_of(m))
    assert [c.state for c in await closures(modmail, ticket)] == [ScheduledClosure.State.PENDING]


async def test_a_new_schedule_replaces_the_earlier_one_with_a_warning(modmail):
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0])
    await modmail.staff_says(ticket.channel_id, "!close 2h")
    await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "will close" in text_of(m))
    await modmail.staff_says(ticket.channel_id, "!close 30m --silent")
    warning = await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "replaces" in text_of(m))
    assert "silently" in text_of(warning)
    first, second = await closures(modmail, ticket)
    assert first.state == ScheduledClosure.State.CANCELLED
    assert second.state == ScheduledClosure.State.PENDING and second.silent


@pytest.mark.parametrize(
    ("form", "text", "options"), [("text", "!close -c", None), ("slash", "", {"cancel": True})]
)
async def test_cancel_removes_the_pending_close(modmail, form, text, options):
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0])
    await modmail.staff_says(ticket.channel_id, "!close 1h")
    await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "will close" in text_of(m))
    payload = await run(modmail, form, ticket.channel_id, text, "close", options)
    await expect_answer(modmail, form, payload, ticket.channel_id, "close was cancelled")
    assert [c.state for c in await closures(modmail, ticket)] == [ScheduledClosure.State.CANCELLED]
    assert (await ticket_row(modmail, ticket)).is_open


@pytest.mark.parametrize(
    ("form", "text", "options"), [("text", "!c cancel", None), ("slash", "", {"cancel": True})]
)
async def test_cancel_without_a_pending_close_is_refused(modmail, form, text, options):
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0])
    payload = await run(modmail, form, ticket.channel_id, text, "close", options)
    answer = await expect_answer(modmail, form, payload, ticket.channel_id, "no close is scheduled")
    if form == "slash":
        assert answer["flags"] & 64
    assert (await ticket_row(modmail, ticket)).is_open


async def test_a_user_message_cancels_a_pending_close(modmail):
    user = modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    await modmail.staff_says(ticket.channel_id, "!close 1h")
    await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "will close" in text_of(m))
    await modmail.emu.user_dm(user, "wait, one more thing")
    await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "user wrote again" in text_of(m))
    assert [c.state for c in await closures(modmail, ticket)] == [ScheduledClosure.State.CANCELLED]
    assert (await ticket_row(modmail, ticket)).is_open


@pytest.mark.parametrize(
    ("form", "text", "options", "words"),
    [
        ("text", "!close soon", None, "not a duration"),
        ("text", "!close 2h 3h", None, "one duration at most"),
        ("text", "!close 400d", None, "a year or less"),
        ("slash", "", {"time": "soon"}, "not a duration"),
    ],
)
async def test_a_bad_duration_is_refused_and_nothing_changes(modmail, form, text, options, words):
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0])
    payload = await run(modmail, form, ticket.channel_id, text, "close", options)
    answer = await expect_answer(modmail, form, payload, ticket.channel_id, words)
    if form == "slash":
        assert answer["flags"] & 64
    assert await closures(modmail, ticket) == []
    assert (await ticket_row(modmail, ticket)).is_open
    assert modmail.emu.channel(ticket.channel_id) is not None


# --- force_close ---------------------------------------------------------------------------
@pytest.mark.parametrize(("form", "text"), [("text", "!fc"), ("slash", "")])
async def test_force_close_closes_the_ticket_of_a_user_who_left(modmail, form, text):
    user = modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    await modmail.emu.member_leave(modmail.demo.guild_id, user)
    before = len(modmail.emu.dm_messages(user))
    await run(modmail, form, ticket.channel_id, text, "force_close")
    await channel_gone(modmail, ticket.channel_id)
    closed = await eventually(lambda: ticket_row(modmail, ticket))
    assert closed.status == Ticket.Status.CLOSED and closed.user_left and closed.close_silently
    assert closed.closed_by == str(modmail.demo.staff_id)
    assert len(modmail.emu.dm_messages(user)) == before


@pytest.mark.parametrize(("form", "text"), [("text", "!force_close"), ("slash", "")])
async def test_force_close_is_refused_while_the_user_is_in_the_server(modmail, form, text):
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0])
    payload = await run(modmail, form, ticket.channel_id, text, "force_close")
    answer = await expect_answer(modmail, form, payload, ticket.channel_id, "still in the server")
    if form == "slash":
        assert answer["flags"] & 64
    assert (await ticket_row(modmail, ticket)).is_open
    assert modmail.emu.channel(ticket.channel_id) is not None


async def test_force_close_removes_a_channel_left_behind_in_the_inbox(modmail):
    demo = modmail.demo
    leftover = modmail.emu.create_channel(demo.guild_id, "old-ticket", parent_id=demo.inbox_category_id)
    await modmail.staff_says(leftover, "!fc")
    await channel_gone(modmail, leftover)


async def test_force_close_elsewhere_is_refused(modmail):
    general = modmail.demo.general_channel_id
    await modmail.staff_says(general, "!fc")
    await modmail.emu.wait_for_message(general, lambda m: "not a ticket channel" in text_of(m))
    assert modmail.emu.channel(general) is not None

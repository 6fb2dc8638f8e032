"""block, unblock and snippets (create, list, show, edit, delete, use, {{key}} in replies), typed and
slashed, end to end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets.models import BlockedUser, Snippet, Ticket, TicketMessage

from .conftest import Modmail, bot_says, eventually, text_of
from .conftest import slash_said as slash

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def blocks(modmail: Modmail) -> list[BlockedUser]:
    return await modmail.db(lambda: list(BlockedUser.objects.all()))


async def snippets(modmail: Modmail) -> dict[str, str]:
    return await modmail.db(lambda: dict(Snippet.objects.values_list("key", "content")))


async def open_tickets(modmail: Modmail, user_id: int) -> int:
    return await modmail.db(lambda: Ticket.objects.filter(user_id=user_id, status=Ticket.Status.OPEN).count())


# --- block and unblock ---------------------------------------------------------------------
async def test_a_typed_block_with_duration_and_reason_makes_the_users_dm_open_nothing(modmail):
    user = modmail.demo.user_ids[1]
    channel = modmail.demo.general_channel_id
    await modmail.staff_says(channel, f"!block <@{user}> 1d spamming links")
    answer = await bot_says(modmail, channel, "is blocked until")
    assert "spamming links" in text_of(answer)
    [block] = await blocks(modmail)
    assert (block.user_id, block.reason, block.blocked_by) == (user, "spamming links", modmail.demo.staff_id)
    assert timedelta(hours=23) < block.expires_at - timezone.now() <= timedelta(days=1)

    await modmail.emu.user_dm(user, "let me in")
    refusal = await modmail.emu.wait_for_dm(user, lambda m: "blocked" in text_of(m))
    assert "not delivered" in text_of(refusal)
    assert await open_tickets(modmail, user) == 0
    assert await modmail.db(lambda: TicketMessage.objects.count()) == 0


async def test_a_slashed_block_lasts_until_unblocked_and_then_the_user_can_write_again(modmail):
    user = modmail.demo.user_ids[1]
    channel = modmail.demo.general_channel_id
    answer = await slash(modmail, "block", channel, {"user": user, "reason": "abusive"})
    assert answer["flags"] & 64 and "is blocked" in text_of(answer)
    [block] = await blocks(modmail)
    assert block.expires_at is None and block.reason == "abusive"
    await modmail.emu.user_dm(user, "hello?")
    await modmail.emu.wait_for_dm(user, lambda m: "blocked" in text_of(m))
    assert await open_tickets(modmail, user) == 0

    unblocked = await slash(modmail, "unblock", channel, {"user": user})
    assert "no longer blocked" in text_of(unblocked)
    assert await blocks(modmail) == []
    await modmail.open_ticket(user, "Sorry about before")


async def test_a_typed_unblock_lifts_the_block_and_a_second_one_is_refused(modmail):
    user = modmail.demo.user_ids[2]
    channel = modmail.demo.general_channel_id
    await modmail.staff_says(channel, f"!block {user}")
    await bot_says(modmail, channel, "is blocked")
    await modmail.staff_says(channel, f"!unblock {user}")
    await bot_says(modmail, channel, "no longer blocked")
    assert await blocks(modmail) == []
    await modmail.staff_says(channel, f"!unblock {user}")
    await bot_says(modmail, channel, "not blocked")


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("!block", "Bad arguments"),
        ("!block nobody-at-all", "Bad arguments"),
        ("!block {bot}", "Bots cannot be blocked"),
        ("!block {user} 0s spam", "more than zero"),
        ("!block {user} " + "x" * 501, "limited to 500"),
    ],
)
async def test_a_block_with_bad_arguments_is_refused_and_nothing_is_stored(modmail, command, words):
    channel = modmail.demo.general_channel_id
    command = command.format(bot=modmail.emu.bot_id, user=modmail.demo.user_ids[0])
    await modmail.staff_says(channel, command)
    await bot_says(modmail, channel, words)
    assert await blocks(modmail) == []


# --- snippets ------------------------------------------------------------------------------
async def test_typed_snippets_are_created_listed_shown_edited_and_deleted(modmail):
    channel = modmail.demo.general_channel_id
    await modmail.staff_says(channel, "!snippet create greet Hello! How can we help you today?")
    await bot_says(modmail, channel, "Snippet greet saved")
    assert await snippets(modmail) == {"greet": "Hello! How can we help you today?"}
    await modmail.staff_says(channel, "!s create refund-policy Refunds take 5 days.")
    await bot_says(modmail, channel, "Snippet refund-policy saved")

    await modmail.staff_says(channel, "!s list")
    listing = await bot_says(modmail, channel, "Snippets (2)")
    assert "greet" in text_of(listing) and "refund-policy" in text_of(listing)
    await modmail.staff_says(channel, "!s show refund-policy")
    shown = await bot_says(modmail, channel, "Created by")
    assert "Refunds take 5 days." in text_of(shown)

    await modmail.staff_says(channel, "!s edit greet Hi there!")
    await bot_says(modmail, channel, "Snippet greet updated")
    await modmail.staff_says(channel, "!snippet delete refund-policy")
    await bot_says(modmail, channel, "Snippet refund-policy deleted")
    assert await snippets(modmail) == {"greet": "Hi there!"}


async def test_slashed_snippets_are_created_listed_shown_edited_and_deleted(modmail):
    channel = modmail.demo.general_channel_id
    created = await slash(modmail, "snippet", channel, {"create": {"key": "bye", "content": "Goodbye!"}})
    assert created["flags"] & 64 and "Snippet bye saved" in text_of(created)
    listing = await slash(modmail, "snippet", channel, {"list": {}})
    assert "bye" in text_of(listing)
    shown = await slash(modmail, "snippet", channel, {"show": {"key": "bye"}})
    assert "Goodbye!" in text_of(shown)
    edited = await slash(modmail, "snippet", channel, {"edit": {"key": "bye", "content": "See you!"}})
    assert "updated" in text_of(edited)
    assert await snippets(modmail) == {"bye": "See you!"}
    deleted = await slash(modmail, "snippet", channel, {"delete": {"key": "bye"}})
    assert "deleted" in text_of(deleted)
    assert await snippets(modmail) == {}
    empty = await slash(modmail, "snippet", channel, {"list": {}})
    assert "no snippets" in text_of(empty)


async def test_snippet_refusals_name_the_problem_and_change_nothing(modmail):
    channel = modmail.demo.general_channel_id
    await modmail.staff_says(channel, "!s create greet Hello")
    await bot_says(modmail, channel, "saved")
    for command, words in [
        ("!s create bad.key Hello", "letters, digits"),
        ("!s create greet Again", "already exists"),
        ("!s show nope", "no snippet named nope"),
        ("!s edit nope text", "no snippet named nope"),
        ("!s delete nope", "no snippet named nope"),
        ("!s create lonely", "Bad arguments"),
        ("!snippet frobnicate", "Usage"),
    ]:
        await modmail.staff_says(channel, command)
        await bot_says(modmail, channel, words)
    too_long = await slash(modmail, "snippet", channel, {"create": {"key": "long", "content": "x" * 4001}})
    assert too_long["flags"] & 64 and "4000" in text_of(too_long)
    outsider = await slash(modmail, "snippet", channel, {"list": {}}, user_id=modmail.demo.user_ids[3])
    assert "staff" in text_of(outsider).lower()
    assert await snippets(modmail) == {"greet": "Hello"}


async def test_using_a_snippet_sends_it_to_the_user_as_a_numbered_reply(modmail):
    user = modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    await modmail.staff_says(ticket.channel_id, "!s create greet We are looking into it.")
    await bot_says(modmail, ticket.channel_id, "saved")

    command = await modmail.staff_says(ticket.channel_id, "!s use greet")
    await modmail.emu.wait_for_dm(user, lambda m: "We are looking into it." in text_of(m))
    copy = await bot_says(modmail, ticket.channel_id, "#1")
    assert "We are looking into it." in text_of(copy)
    await modmail.emu.wait_for(lambda: modmail.emu.message(command["id"]) is None or None)

    answer = await slash(modmail, "snippet", ticket.channel_id, {"use": {"key": "greet"}})
    assert answer["flags"] & 64 and "Reply #2 sent" in text_of(answer)
    sent = await modmail.db(
        lambda: list(
            TicketMessage.objects.filter(ticket=ticket, kind="staff").values_list("message_number", "content")
        )
    )
    assert sorted(sent) == [(1, "We are looking into it."), (2, "We are looking into it.")]
    await modmail.staff_says(ticket.channel_id, "!s use nope")
    await bot_says(modmail, ticket.channel_id, "no snippet named nope")


async def test_a_key_in_double_braces_expands_in_a_reply_and_an_unknown_one_stops_it(modmail):
    user = modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    await modmail.staff_says(ticket.channel_id, "!s create hours We answer from 9:00 to 18:00.")
    await bot_says(modmail, ticket.channel_id, "saved")

    await modmail.staff_says(ticket.channel_id, "!reply Hi! {{hours}}")
    dm = await modmail.emu.wait_for_dm(user, lambda m: "We answer from 9:00 to 18:00." in text_of(m))
    assert "Hi!" in text_of(dm) and "{{" not in text_of(dm)

    await modmail.staff_says(ticket.channel_id, "!reply See {{nope}}")
    await bot_says(modmail, ticket.channel_id, "Unknown snippet: nope")
    stored = await eventually(
        lambda: modmail.db(
            lambda: list(TicketMessage.objects.filter(kind="staff").values_list("content", flat=True))
        )
    )
    assert stored == ["Hi! We answer from 9:00 to 18:00."]
    assert not [m for m in modmail.emu.dm_messages(user) if "nope" in text_of(m)]

"""A prefixed word that names no command, typed in a ticket channel, gets the closest command as an
answer (deleted after the error TTL when asked), and is neither kept as a note nor sent to the user."""

from __future__ import annotations

import pytest
from nextcord.ext import commands

from tickets.models import TicketMessage

from .conftest import Modmail, eventually, text_of

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

RED = 0xED4245


async def notes(modmail: Modmail, ticket) -> list[str]:
    return await modmail.db(
        lambda: list(
            TicketMessage.objects.filter(ticket=ticket, kind="internal")
            .order_by("pk")
            .values_list("content", flat=True)
        )
    )


async def answer_to(modmail: Modmail, channel_id: int, sent: dict, words: str) -> dict:
    """The bot's first message after ``sent`` in the channel that contains ``words``."""
    bot = str(modmail.emu.bot_id)
    return await modmail.emu.wait_for_message(
        channel_id,
        lambda m: int(m["id"]) > int(sent["id"]) and m["author"]["id"] == bot and words in text_of(m),
        timeout=20,
    )


def suggested(modmail: Modmail, answer: dict) -> commands.Command:
    """The command the answer suggests (``Did you mean `!name ...`?``), as the bot resolves it."""
    text = text_of(answer)
    prefix = modmail.bot.cfg.command_prefix or "!"
    name = text.split("Did you mean `", 1)[1].split("`", 1)[0].removeprefix(prefix).split()[0]
    command = modmail.bot.get_command(name)
    assert command is not None, text
    return command


def unknown_answers(modmail: Modmail, channel_id: int) -> list[dict]:
    bot = str(modmail.emu.bot_id)
    return [
        m
        for m in modmail.emu.messages(channel_id)
        if m["author"]["id"] == bot and "Unknown command" in text_of(m)
    ]


async def test_a_mistyped_command_gets_the_closest_command_and_is_neither_a_note_nor_sent(modmail):
    user = modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    sent = await modmail.staff_says(ticket.channel_id, "!freply hi, we are looking into it")
    answer = await answer_to(modmail, ticket.channel_id, sent, "Unknown command")
    assert "`!freply`" in text_of(answer)
    assert answer["embeds"][0]["color"] == RED
    assert "no note was kept" in text_of(answer)
    assert suggested(modmail, answer).qualified_name == "reply"

    # A typed command runs after it: the mistyped one was handled, and it left nothing behind.
    ping = await modmail.staff_says(ticket.channel_id, "!ping")
    await answer_to(modmail, ticket.channel_id, ping, "Pong")
    assert await notes(modmail, ticket) == []
    assert not [m for m in modmail.emu.dm_messages(user) if "looking into it" in text_of(m)]
    assert modmail.emu.message(sent["id"]) is not None, "the staff member's message stays"
    assert await modmail.db(lambda: ticket.messages.filter(kind="staff").count()) == 0


async def test_the_names_suggested_are_the_commands_registered_when_the_message_arrives(modmail):
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0])
    sent = await modmail.staff_says(ticket.channel_id, "!mvoe Billing")
    answer = await answer_to(modmail, ticket.channel_id, sent, "Unknown command")
    assert suggested(modmail, answer).qualified_name == "move_thread"

    @commands.command(name="zebra_stripes", aliases=["zst"])
    async def zebra(ctx: commands.Context) -> None:
        await ctx.send("stripes")

    modmail.bot.add_command(zebra)
    try:
        sent = await modmail.staff_says(ticket.channel_id, "!zebra_stripe")
        answer = await answer_to(modmail, ticket.channel_id, sent, "Unknown command")
        assert "`!zebra_stripes`" in text_of(answer)
        sent = await modmail.staff_says(ticket.channel_id, "!zst")
        await answer_to(modmail, ticket.channel_id, sent, "stripes")
    finally:
        modmail.bot.remove_command("zebra_stripes")
    sent = await modmail.staff_says(ticket.channel_id, "!zebra_stripes")
    answer = await answer_to(modmail, ticket.channel_id, sent, "Unknown command")
    assert "Did you mean `!zebra" not in text_of(answer) and "Did you mean `!zst" not in text_of(answer)
    assert await notes(modmail, ticket) == []


async def test_a_word_near_nothing_points_to_help(modmail):
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0])
    sent = await modmail.staff_says(ticket.channel_id, "!xyzzyq now")
    answer = await answer_to(modmail, ticket.channel_id, sent, "Unknown command")
    assert "`!help`" in text_of(answer) and "Did you mean" not in text_of(answer)
    assert await notes(modmail, ticket) == []


async def test_the_answer_is_deleted_after_the_error_ttl_when_auto_delete_is_on(modmail):
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0])
    sent = await modmail.staff_says(ticket.channel_id, "!clsoe")
    kept = await answer_to(modmail, ticket.channel_id, sent, "Unknown command")

    await modmail.reload_config(
        error_handling_auto_delete_error_messages=True, error_handling_error_message_ttl=1
    )
    sent = await modmail.staff_says(ticket.channel_id, "!clsoe 2h")
    fleeting = await answer_to(modmail, ticket.channel_id, sent, "Unknown command")
    assert suggested(modmail, fleeting).qualified_name == "close"
    await modmail.emu.wait_for(lambda: modmail.emu.message(fleeting["id"]) is None, timeout=20)
    assert modmail.emu.message(kept["id"]) is not None, "written while auto-delete was off"
    assert await notes(modmail, ticket) == []


async def test_what_is_not_a_prefix_and_a_word_stays_a_note(modmail):
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0])
    written = [
        "! spaced out",
        "!!! urgent",
        "!important: call them back",
        "!2nd attempt failed",
        "plain note",
    ]
    for content in written:
        await modmail.staff_says(ticket.channel_id, content)

    async def all_kept() -> bool:
        return await notes(modmail, ticket) == written

    await eventually(all_kept, 20)
    assert unknown_answers(modmail, ticket.channel_id) == []


async def test_outside_ticket_channels_an_unknown_command_is_left_alone(modmail):
    general = modmail.demo.general_channel_id
    await modmail.staff_says(general, "!freply hello")
    ping = await modmail.staff_says(general, "!ping")
    await answer_to(modmail, general, ping, "Pong")
    assert unknown_answers(modmail, general) == []


async def test_in_maintenance_staff_who_are_not_admins_read_the_maintenance_refusal(modmail):
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0])
    admin = modmail.demo.admin_id
    sent = await modmail.staff_says(ticket.channel_id, "!status maintenance", user_id=admin)
    await answer_to(modmail, ticket.channel_id, sent, "Status set to maintenance")
    sent = await modmail.staff_says(ticket.channel_id, "!freply hi")
    answer = await answer_to(modmail, ticket.channel_id, sent, "only administrators can use commands")
    assert answer["embeds"][0]["color"] == RED
    sent = await modmail.staff_says(ticket.channel_id, "!freply hi", user_id=admin)
    await answer_to(modmail, ticket.channel_id, sent, "Unknown command")
    assert await notes(modmail, ticket) == []


async def test_the_answer_is_in_the_bots_language(modmail):
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0])
    await modmail.reload_config(language_default_language="fr")
    sent = await modmail.staff_says(ticket.channel_id, "!freply salut")
    answer = await answer_to(modmail, ticket.channel_id, sent, "Commande inconnue")
    assert "Vouliez-vous dire" in text_of(answer) and "aucune note" in text_of(answer)

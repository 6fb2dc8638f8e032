"""The users' side, end to end: a DM opens or joins a ticket, is relayed as configured (embeds or
plain text, quotes, colours, files, any length), and the user learns whether it went through or why
not; in French when so configured."""

from __future__ import annotations

import pytest

from tickets.models import Attachment, BlockedUser, Ticket, TicketMessage

from .conftest import text_of
from .userside import (
    bodies,
    bot_reactions,
    dm_longer_than_a_client_allows,
    from_bot,
    long_text,
    user_copies,
    user_messages,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


# --- opening ---------------------------------------------------------------------------------
async def test_a_first_dm_opens_a_channel_in_the_inbox_with_a_recap_and_welcomes_the_user(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    sent = await emu.user_dm(user, "My order never arrived")
    ticket = await modmail.ticket_of(user)
    channel = emu.channel(ticket.channel_id)
    assert int(channel["parent_id"]) == modmail.demo.inbox_category_id
    assert channel["topic"] == str(user)
    await emu.wait_for_message(ticket.channel_id, lambda m: "My order never arrived" in text_of(m))
    recap, copy = from_bot(emu, emu.messages(ticket.channel_id))
    assert recap["embeds"][0]["title"] == "New ticket"
    assert f"<@{user}>" in text_of(recap) and "Alice" in text_of(recap)
    assert "Past tickets: 0" in text_of(recap)
    assert copy["embeds"][0]["author"]["name"] == "Alice"
    welcome = await emu.wait_for_dm(user)
    assert text_of(welcome) == modmail.bot.cfg.bot_welcome_message
    await emu.wait_for(lambda: bot_reactions(emu, sent["id"]) == ["✅"])


async def test_the_recap_tells_staff_who_the_user_is_and_their_past_tickets(modmail):
    from django.utils import timezone

    emu, user = modmail.emu, modmail.demo.user_ids[1]

    def two_closed_tickets():
        for _ in range(2):
            Ticket.objects.create(
                user_id=user, user_name="Bob", status=Ticket.Status.CLOSED, closed_at=timezone.now()
            )

    await modmail.db(two_closed_tickets)
    ticket = await modmail.open_ticket(user, "Me again")
    recap = from_bot(emu, emu.messages(ticket.channel_id))[0]
    assert f"New ticket with <@{user}> (Bob, ID {user})." in text_of(recap)
    assert "Past tickets: 2" in text_of(recap)
    assert "Joined the server: <t:" in text_of(recap)


async def test_further_dms_join_the_open_ticket_without_a_second_welcome(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user, "first")
    second = await emu.user_dm(user, "second")
    await emu.wait_for(lambda: bot_reactions(emu, second["id"]) == ["✅"])
    assert bodies(emu, ticket.channel_id) == ["first", "second"]
    assert await modmail.db(lambda: Ticket.objects.filter(user_id=user).count()) == 1
    assert len(from_bot(emu, emu.dm_messages(user))) == 1
    assert await user_messages(modmail, ticket) == ["first", "second"]


async def test_a_dm_is_never_parsed_as_a_command(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user, "hello")
    sent = await emu.user_dm(user, "!close")
    await emu.wait_for(lambda: bot_reactions(emu, sent["id"]) == ["✅"])
    assert bodies(emu, ticket.channel_id) == ["hello", "!close"]
    assert await modmail.db(lambda: Ticket.objects.get(pk=ticket.pk).is_open)
    assert emu.channel(ticket.channel_id) is not None


# --- how messages look ------------------------------------------------------------------------
async def test_messages_are_relayed_as_embeds_in_the_configured_colour(modmail):
    await modmail.reload_config(thread_user_message_color="ff0000")
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0], "Coloured")
    (copy,) = user_copies(modmail.emu, ticket.channel_id)
    embed = copy["embeds"][0]
    assert embed["description"] == "Coloured"
    assert embed["color"] == 0xFF0000
    assert embed["author"]["name"] == "Alice"
    assert copy["content"] == ""


async def test_plain_text_mode_relays_with_a_block_quote(modmail):
    await modmail.reload_config(thread_embedded_message=False, thread_block_quote=True)
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0], "Plain and quoted")
    (copy,) = user_copies(modmail.emu, ticket.channel_id)
    assert copy["embeds"] == []
    assert copy["content"] == "**Alice**:\n>>> Plain and quoted"


async def test_plain_text_mode_without_block_quote_relays_the_bare_text(modmail):
    await modmail.reload_config(thread_embedded_message=False, thread_block_quote=False)
    ticket = await modmail.open_ticket(modmail.demo.user_ids[0], "Plain")
    (copy,) = user_copies(modmail.emu, ticket.channel_id)
    assert copy["content"] == "**Alice**:\nPlain"


async def test_attachments_are_relayed_and_recorded(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    sent = await emu.user_dm(
        user, "Here is the receipt", attachments=[("receipt.png", b"\x89PNG" + b"0" * 500, "image/png")]
    )
    ticket = await modmail.ticket_of(user)
    url = sent["attachments"][0]["url"]
    copy = await emu.wait_for_message(ticket.channel_id, lambda m: "Here is the receipt" in text_of(m))
    assert url not in text_of(copy)
    assert [(a["filename"], a["size"]) for a in copy["attachments"]] == [("receipt.png", 504)]
    stored = await modmail.db(lambda: list(Attachment.objects.values("filename", "size", "url", "state")))
    assert stored == [{"filename": "receipt.png", "size": 504, "url": url, "state": "stored"}]


async def test_an_attachment_alone_is_relayed(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    await emu.user_dm(user, "", attachments=[("photo.jpg", b"jpeg" * 10, "image/jpeg")])
    ticket = await modmail.ticket_of(user)
    copy = await emu.wait_for_message(
        ticket.channel_id, lambda m: [a["filename"] for a in m["attachments"]] == ["photo.jpg"]
    )
    assert copy["attachments"][0]["size"] == 40


# --- long messages ----------------------------------------------------------------------------
@pytest.mark.parametrize("embedded", [True, False], ids=["embeds", "plain"])
async def test_a_dm_over_2000_characters_is_relayed_whole_and_in_order(modmail, embedded):
    await modmail.reload_config(thread_embedded_message=embedded, thread_block_quote=True)
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    text = long_text(4500)
    sent = await dm_longer_than_a_client_allows(emu, user, text)
    await emu.wait_for(lambda: bot_reactions(emu, sent["id"]) == ["✅"])
    ticket = await modmail.ticket_of(user)
    copies = user_copies(emu, ticket.channel_id)
    assert len(copies) >= 2
    if embedded:
        pieces = [c["embeds"][0]["description"] for c in copies]
    else:
        pieces = [c["content"] for c in copies]
        assert all(len(p) <= 2000 for p in pieces)
        pieces[0] = pieces[0].removeprefix("**Alice**:\n")
        pieces = [p.removeprefix(">>> ") for p in pieces]
    assert "".join(pieces) == text
    assert await user_messages(modmail, ticket) == [text]


async def test_a_long_dm_with_words_keeps_every_word_in_order(modmail):
    await modmail.reload_config(thread_embedded_message=False, thread_block_quote=False)
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    words = [f"word{i}" for i in range(700)]
    sent = await dm_longer_than_a_client_allows(
        emu, user, "\n".join(" ".join(words[i : i + 10]) for i in range(0, 700, 10))
    )
    await emu.wait_for(lambda: bot_reactions(emu, sent["id"]) == ["✅"])
    ticket = await modmail.ticket_of(user)
    pieces = [c["content"] for c in user_copies(emu, ticket.channel_id)]
    assert len(pieces) >= 2
    pieces[0] = pieces[0].removeprefix("**Alice**:\n")
    assert " ".join(pieces).split() == words


# --- delivery and refusals --------------------------------------------------------------------
async def test_the_user_is_told_when_their_message_cannot_reach_the_channel(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user, "first")
    emu.faults.fail_next("POST", rf"^/channels/{ticket.channel_id}/messages$", status=403, code=50013)
    sent = await emu.user_dm(user, "lost?")
    await emu.wait_for(lambda: bot_reactions(emu, sent["id"]) == ["⚠️"])
    notice = await emu.wait_for_dm(user, lambda m: "could not reach the staff yet" in text_of(m))
    assert "delivered with your next message" in text_of(notice)
    assert await user_messages(modmail, ticket) == ["first", "lost?"]
    # The message was kept, and goes through with the user's next one, in order.
    later = await emu.user_dm(user, "again")
    await emu.wait_for(lambda: bot_reactions(emu, later["id"]) == ["✅"])
    assert bodies(emu, ticket.channel_id) == ["first", "lost?", "again"]
    assert bot_reactions(emu, sent["id"]) == ["⚠️", "✅"]


async def test_a_ticket_whose_channel_discord_refused_opens_with_the_next_dm(modmail):
    emu, demo = modmail.emu, modmail.demo
    user = demo.user_ids[0]
    emu.faults.fail_next("POST", rf"^/guilds/{demo.guild_id}/channels$", status=403, code=50013)
    sent = await emu.user_dm(user, "anyone?")
    await emu.wait_for(lambda: bot_reactions(emu, sent["id"]) == ["⚠️"])
    assert await modmail.db(lambda: Ticket.objects.get(user_id=user).channel_id) is None
    later = await emu.user_dm(user, "hello?")
    await emu.wait_for(lambda: bot_reactions(emu, later["id"]) == ["✅"])
    ticket = await modmail.ticket_of(user)
    assert bodies(emu, ticket.channel_id) == ["anyone?", "hello?"]
    welcomes = [
        m for m in from_bot(emu, emu.dm_messages(user)) if text_of(m) == modmail.bot.cfg.bot_welcome_message
    ]
    assert len(welcomes) == 1


async def test_a_dm_that_could_not_be_taken_in_is_refused_and_the_user_asked_to_resend(modmail):
    emu, demo = modmail.emu, modmail.demo
    # Someone the bot has not seen in the community guild: it asks Discord, which fails.
    user = emu.create_user("newcomer")
    emu.add_member(emu.create_guild("Elsewhere"), user)
    emu.faults.fail_next("GET", rf"^/guilds/{demo.guild_id}/members/{user}$", status=403, code=50001)
    sent = await emu.user_dm(user, "hello")
    await emu.wait_for(lambda: bot_reactions(emu, sent["id"]) == ["⚠️"])
    notice = await emu.wait_for_dm(user)
    assert "Please send it again" in text_of(notice)
    assert await modmail.db(lambda: TicketMessage.objects.count()) == 0


async def test_a_blocked_user_opens_nothing_and_is_told_why(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[1]
    await modmail.db(
        lambda: BlockedUser.objects.create(user_id=user, reason="spam", blocked_by=modmail.demo.staff_id)
    )
    channels_before = len(emu.channels(modmail.demo.guild_id))
    await emu.user_dm(user, "let me in")
    notice = await emu.wait_for_dm(user)
    assert "blocked" in text_of(notice)
    assert await modmail.db(lambda: Ticket.objects.count()) == 0
    assert len(emu.channels(modmail.demo.guild_id)) == channels_before


async def test_bots_open_nothing_and_get_no_answer(modmail):
    emu = modmail.emu
    other_bot = emu.create_user("otherbot", bot=True)
    emu.add_member(modmail.demo.guild_id, other_bot)
    sent = await emu.user_dm(other_bot, "beep")
    # A human's DM sent afterwards is relayed; by then the bot's would have been too.
    await modmail.open_ticket(modmail.demo.user_ids[0])
    await modmail.bot.runner.drain(5)
    assert await modmail.db(lambda: Ticket.objects.filter(user_id=other_bot).count()) == 0
    assert from_bot(emu, emu.dm_messages(other_bot)) == []
    assert bot_reactions(emu, sent["id"]) == []


async def test_a_user_outside_the_community_guild_opens_nothing_and_is_told_why(modmail):
    emu = modmail.emu
    stranger = emu.create_user("stranger", global_name="Stranger")
    # They share another guild with the bot, so the bot can answer them.
    elsewhere = emu.create_guild("Elsewhere")
    emu.add_member(elsewhere, stranger)
    channels_before = len(emu.channels(modmail.demo.guild_id))
    await emu.user_dm(stranger, "hello?")
    notice = await emu.wait_for_dm(stranger)
    assert "member of the server" in text_of(notice)
    assert await modmail.db(lambda: Ticket.objects.count()) == 0
    assert len(emu.channels(modmail.demo.guild_id)) == channels_before


async def test_a_file_over_8_mb_is_relayed_as_a_file(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    big = b"0" * (8 * 1024 * 1024 + 1)
    await emu.user_dm(user, "the video", attachments=[("video.mp4", big, "video/mp4")])
    ticket = await modmail.ticket_of(user)
    copy = await emu.wait_for_message(ticket.channel_id, lambda m: "the video" in text_of(m))
    assert [(a["filename"], a["size"]) for a in copy["attachments"]] == [("video.mp4", len(big))]


# --- language ---------------------------------------------------------------------------------
async def test_in_french_the_bot_speaks_french(modmail):
    await modmail.reload_config(language_default_language="fr")
    emu, demo = modmail.emu, modmail.demo
    ticket = await modmail.open_ticket(demo.user_ids[0], "Bonjour")
    recap = from_bot(emu, emu.messages(ticket.channel_id))[0]
    assert recap["embeds"][0]["title"] == "Nouveau ticket"
    assert "Tickets précédents : 0" in text_of(recap)
    stranger = emu.create_user("etranger")
    elsewhere = emu.create_guild("Ailleurs")
    emu.add_member(elsewhere, stranger)
    await emu.user_dm(stranger, "salut")
    notice = await emu.wait_for_dm(stranger)
    assert text_of(notice) == "Vous devez être membre du serveur pour contacter l'équipe."
    answer = await modmail.slash("reply", demo.general_channel_id, {"message": "x"}, user_id=demo.admin_id)
    assert text_of(answer["data"]) == "Ce salon n'est pas un ticket ouvert."

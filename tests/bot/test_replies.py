"""Staff replies end to end, in both forms: reply (r), anonreply (ar) or /reply anonymous, edit (e),
delete. What the user reads in their DMs, what staff see in the channel, what the database keeps."""

from __future__ import annotations

import pytest
import pytest_asyncio

from tickets.models import MessageEdit, Ticket, TicketMessage

from .conftest import eventually, text_of

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def reply_dms(modmail, user_id) -> list[dict]:
    """The staff replies the user received (the bot's DMs that name a sender)."""
    bot = str(modmail.emu.bot_id)
    return [
        m
        for m in modmail.emu.dm_messages(user_id)
        if m["author"]["id"] == bot and ((m["embeds"] and "author" in m["embeds"][0]) or "**" in m["content"])
    ]


def reply_copies(modmail, channel_id) -> list[dict]:
    """The channel copies of staff replies (their footer, or first line, carries the number)."""

    def numbered(m: dict) -> bool:
        if m["embeds"]:
            return "Message #" in ((m["embeds"][0].get("footer") or {}).get("text") or "")
        return "Message #" in m["content"].split("\n")[0]

    bot = str(modmail.emu.bot_id)
    return [m for m in modmail.emu.messages(channel_id) if m["author"]["id"] == bot and numbered(m)]


async def staff_replies(modmail, ticket) -> list[tuple]:
    return await modmail.db(
        lambda: list(
            TicketMessage.objects.filter(ticket=ticket, kind="staff")
            .order_by("message_number")
            .values_list("message_number", "content", "is_anonymous", "author_id")
        )
    )


async def answer_in_channel(modmail, channel_id, needle: str) -> dict:
    return await modmail.emu.wait_for_message(channel_id, lambda m: needle in text_of(m))


async def gone(modmail, message_id) -> None:
    await modmail.emu.wait_for(lambda: modmail.emu.message(message_id) is None)


@pytest_asyncio.fixture
async def ticket(modmail):
    return await modmail.open_ticket(modmail.demo.user_ids[0], "I need help")


# --- reply ------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["!reply", "!r"])
async def test_text_replies_are_numbered_and_show_the_staff_name_and_role(modmail, ticket, command):
    user = ticket.user_id
    first = await modmail.staff_says(ticket.channel_id, f"{command} We are on it")
    await modmail.emu.wait_for(lambda: len(reply_dms(modmail, user)) == 1)
    second = await modmail.staff_says(ticket.channel_id, f"{command} Found it")
    await modmail.emu.wait_for(lambda: len(reply_copies(modmail, ticket.channel_id)) == 2)
    one, two = reply_dms(modmail, user)
    assert one["embeds"][0]["author"]["name"] == "Sam Staff"
    assert one["embeds"][0]["footer"]["text"] == "Staff"
    assert (one["embeds"][0]["description"], two["embeds"][0]["description"]) == ("We are on it", "Found it")
    copies = reply_copies(modmail, ticket.channel_id)
    assert [c["embeds"][0]["footer"]["text"] for c in copies] == ["Staff · Message #1", "Staff · Message #2"]
    assert copies[0]["embeds"][0]["author"]["name"] == "Sam Staff"
    await gone(modmail, first["id"])
    await gone(modmail, second["id"])
    assert await staff_replies(modmail, ticket) == [
        (1, "We are on it", False, modmail.demo.staff_id),
        (2, "Found it", False, modmail.demo.staff_id),
    ]


async def test_a_slash_reply_reaches_the_user_and_is_numbered(modmail, ticket):
    answer = await modmail.slash("reply", ticket.channel_id, {"message": "Hello from slash"})
    assert answer["data"]["flags"] & 64
    (dm,) = reply_dms(modmail, ticket.user_id)
    assert dm["embeds"][0]["description"] == "Hello from slash"
    assert dm["embeds"][0]["author"]["name"] == "Sam Staff"
    (copy,) = reply_copies(modmail, ticket.channel_id)
    assert copy["embeds"][0]["footer"]["text"].endswith("Message #1")
    assert await staff_replies(modmail, ticket) == [(1, "Hello from slash", False, modmail.demo.staff_id)]


async def test_a_reply_says_so_when_success_notices_are_on(modmail, ticket):
    await modmail.reload_config(notifications_show_success_on_reply=True)
    answer = await modmail.slash("reply", ticket.channel_id, {"message": "hi"})
    assert "Reply #1 sent." in text_of(answer["data"])
    await modmail.staff_says(ticket.channel_id, "!r again")
    await answer_in_channel(modmail, ticket.channel_id, "Reply #2 sent.")


@pytest.mark.parametrize("form", ["!anonreply", "!ar", "/reply anonymous"])
async def test_anonymous_replies_hide_the_sender_from_the_user_only(modmail, ticket, form):
    if form.startswith("/"):
        await modmail.slash("reply", ticket.channel_id, {"message": "From the team", "anonymous": True})
    else:
        await modmail.staff_says(ticket.channel_id, f"{form} From the team")
    await modmail.emu.wait_for(lambda: reply_copies(modmail, ticket.channel_id))
    (dm,) = reply_dms(modmail, ticket.user_id)
    assert dm["embeds"][0]["author"]["name"] == "Staff team"
    assert "Sam" not in str(dm) and "footer" not in dm["embeds"][0]
    (copy,) = reply_copies(modmail, ticket.channel_id)
    assert copy["embeds"][0]["author"]["name"] == "Sam Staff (Anonymous)"
    assert await staff_replies(modmail, ticket) == [(1, "From the team", True, modmail.demo.staff_id)]


async def test_plain_text_replies_name_the_sender_and_quote_the_text(modmail, ticket):
    await modmail.reload_config(thread_embedded_message=False, thread_block_quote=True)
    await modmail.staff_says(ticket.channel_id, "!reply Plain answer")
    await modmail.emu.wait_for(lambda: reply_copies(modmail, ticket.channel_id))
    (dm,) = reply_dms(modmail, ticket.user_id)
    assert dm["content"] == "**Sam Staff** (Staff):\n>>> Plain answer"
    (copy,) = reply_copies(modmail, ticket.channel_id)
    assert copy["content"] == "**Sam Staff** (Staff · Message #1):\n>>> Plain answer"


async def test_a_plain_text_reply_too_long_for_its_copies_is_refused_not_cut(modmail, ticket):
    await modmail.reload_config(thread_embedded_message=False)
    answer = await modmail.slash("reply", ticket.channel_id, {"message": "x" * 1990})
    assert "limited to" in text_of(answer["data"]) and answer["data"]["flags"] & 64
    assert reply_dms(modmail, ticket.user_id) == []
    assert await staff_replies(modmail, ticket) == []


async def test_a_reply_over_2000_characters_is_refused(modmail, ticket):
    answer = await modmail.slash("reply", ticket.channel_id, {"message": "x" * 2001})
    assert "2000 characters" in text_of(answer["data"])
    assert await staff_replies(modmail, ticket) == []


async def test_a_reply_with_a_file_sends_the_file_and_keeps_the_command(modmail, ticket):
    command = await modmail.emu.post_in_channel(
        ticket.channel_id,
        modmail.demo.staff_id,
        "!reply the form",
        [("form.pdf", b"%PDF-1.4", "application/pdf")],
    )
    await modmail.emu.wait_for(lambda: reply_dms(modmail, ticket.user_id))
    (dm,) = reply_dms(modmail, ticket.user_id)
    assert command["attachments"][0]["url"] not in dm["embeds"][0]["description"]
    assert [(a["filename"], a["size"]) for a in dm["attachments"]] == [("form.pdf", 8)]
    await modmail.bot.runner.drain(5)
    assert modmail.emu.message(command["id"]) is not None


async def test_an_empty_reply_is_refused(modmail, ticket):
    command = await modmail.staff_says(ticket.channel_id, "!reply")
    await answer_in_channel(modmail, ticket.channel_id, "A reply needs text or an attachment.")
    assert modmail.emu.message(command["id"]) is not None
    assert await staff_replies(modmail, ticket) == []


async def test_a_reply_outside_a_ticket_channel_is_refused_in_both_forms(modmail, ticket):
    general = modmail.demo.general_channel_id
    answer = await modmail.slash("reply", general, {"message": "hi"})
    assert text_of(answer["data"]) == "This channel is not an open ticket." and answer["data"]["flags"] & 64
    await modmail.staff_says(general, "!r hi")
    await answer_in_channel(modmail, general, "This channel is not an open ticket.")
    assert reply_dms(modmail, ticket.user_id) == []


@pytest.mark.parametrize("form", ["text", "slash"])
async def test_a_reply_to_a_user_with_closed_dms_tells_staff_and_keeps_nothing(modmail, ticket, form):
    modmail.emu.close_dms(ticket.user_id)
    if form == "slash":
        answer = await modmail.slash("reply", ticket.channel_id, {"message": "Are you there?"})
        assert "does not accept DMs" in text_of(answer["data"]) and answer["data"]["flags"] & 64
    else:
        command = await modmail.staff_says(ticket.channel_id, "!reply Are you there?")
        await answer_in_channel(modmail, ticket.channel_id, "does not accept DMs")
        assert modmail.emu.message(command["id"]) is not None  # the staff member's text is not lost
    assert reply_copies(modmail, ticket.channel_id) == []
    assert await staff_replies(modmail, ticket) == []
    assert await modmail.db(lambda: Ticket.objects.get(pk=ticket.pk).next_message_number) == 1
    modmail.emu.close_dms(ticket.user_id, closed=False)
    await modmail.slash("reply", ticket.channel_id, {"message": "Now?"})
    assert [r[:2] for r in await staff_replies(modmail, ticket)] == [(1, "Now?")]


# --- edit -------------------------------------------------------------------------------------
@pytest.mark.parametrize("form", ["!edit", "!e", "/edit"])
async def test_an_edit_by_number_reaches_both_copies_and_is_logged(modmail, ticket, form):
    await modmail.slash("reply", ticket.channel_id, {"message": "Refund in 3 days"})
    await modmail.slash("reply", ticket.channel_id, {"message": "Anything else?"})
    if form == "/edit":
        answer = await modmail.slash(
            "edit", ticket.channel_id, {"message_id": 1, "new_content": "Refund in 2 days"}
        )
        assert text_of(answer["data"]) == "Message #1 edited."
    else:
        command = await modmail.staff_says(ticket.channel_id, f"{form} 1 Refund in 2 days")
        await answer_in_channel(modmail, ticket.channel_id, "Message #1 edited.")
        await gone(modmail, command["id"])
    dms = reply_dms(modmail, ticket.user_id)
    assert [d["embeds"][0]["description"] for d in dms] == ["Refund in 2 days", "Anything else?"]
    assert dms[0]["embeds"][0]["author"]["name"] == "Sam Staff"
    copies = reply_copies(modmail, ticket.channel_id)
    assert [c["embeds"][0]["description"] for c in copies] == ["Refund in 2 days", "Anything else?"]
    log = await answer_in_channel(modmail, ticket.channel_id, "edited message #1")
    assert "Refund in 3 days" in text_of(log) and "Refund in 2 days" in text_of(log)
    assert [r[1] for r in await staff_replies(modmail, ticket)] == ["Refund in 2 days", "Anything else?"]
    edits = await modmail.db(lambda: list(MessageEdit.objects.values_list("before", "after", "edited_by")))
    assert edits == [("Refund in 3 days", "Refund in 2 days", modmail.demo.staff_id)]


async def test_editing_an_anonymous_reply_keeps_it_anonymous(modmail, ticket):
    await modmail.staff_says(ticket.channel_id, "!ar First version")
    await modmail.emu.wait_for(lambda: reply_copies(modmail, ticket.channel_id))
    await modmail.staff_says(ticket.channel_id, "!e 1 Second version")
    await answer_in_channel(modmail, ticket.channel_id, "Message #1 edited.")
    (dm,) = reply_dms(modmail, ticket.user_id)
    assert dm["embeds"][0]["author"]["name"] == "Staff team" and "Sam" not in str(dm)
    (copy,) = reply_copies(modmail, ticket.channel_id)
    assert copy["embeds"][0]["author"]["name"] == "Sam Staff (Anonymous)"
    assert copy["embeds"][0]["description"] == "Second version"


async def test_an_edit_without_a_log_when_logs_are_off(modmail, ticket):
    await modmail.reload_config(logs_show_log_on_edit=False)
    await modmail.slash("reply", ticket.channel_id, {"message": "v1"})
    await modmail.slash("edit", ticket.channel_id, {"message_id": 1, "new_content": "v2"})
    assert reply_dms(modmail, ticket.user_id)[0]["embeds"][0]["description"] == "v2"
    assert not [m for m in modmail.emu.messages(ticket.channel_id) if "edited message" in text_of(m)]


@pytest.mark.parametrize("form", ["text", "slash"])
async def test_an_edit_of_an_unknown_number_is_refused(modmail, ticket, form):
    await modmail.slash("reply", ticket.channel_id, {"message": "v1"})
    if form == "slash":
        answer = await modmail.slash("edit", ticket.channel_id, {"message_id": 7, "new_content": "v2"})
        assert text_of(answer["data"]) == "There is no message with that number in this ticket."
    else:
        command = await modmail.staff_says(ticket.channel_id, "!edit 7 v2")
        await answer_in_channel(modmail, ticket.channel_id, "There is no message with that number")
        assert modmail.emu.message(command["id"]) is not None
    assert [r[1] for r in await staff_replies(modmail, ticket)] == ["v1"]


async def test_an_edit_with_bad_arguments_shows_the_usage(modmail, ticket):
    await modmail.staff_says(ticket.channel_id, "!edit one two")
    answer = await answer_in_channel(modmail, ticket.channel_id, "Bad arguments")
    assert "!edit <number> <content>" in text_of(answer)


async def test_staff_change_only_their_own_replies_and_admins_any(modmail, ticket):
    demo = modmail.demo
    await modmail.slash("reply", ticket.channel_id, {"message": "mine"}, user_id=demo.admin_id)
    answer = await modmail.slash("edit", ticket.channel_id, {"message_id": 1, "new_content": "taken over"})
    assert "your own replies" in text_of(answer["data"])
    answer = await modmail.slash("delete", ticket.channel_id, {"message_id": 1})
    assert "your own replies" in text_of(answer["data"])
    assert [r[1] for r in await staff_replies(modmail, ticket)] == ["mine"]
    await modmail.slash("reply", ticket.channel_id, {"message": "staff text"})
    await modmail.slash(
        "edit", ticket.channel_id, {"message_id": 2, "new_content": "fixed by admin"}, user_id=demo.admin_id
    )
    assert [r[1] for r in await staff_replies(modmail, ticket)] == ["mine", "fixed by admin"]


# --- delete -----------------------------------------------------------------------------------
@pytest.mark.parametrize("form", ["!delete", "/delete"])
async def test_a_deletion_by_number_removes_both_copies_and_keeps_the_record(modmail, ticket, form):
    await modmail.slash("reply", ticket.channel_id, {"message": "Wrong ticket, sorry"})
    (dm,) = reply_dms(modmail, ticket.user_id)
    (copy,) = reply_copies(modmail, ticket.channel_id)
    if form == "/delete":
        answer = await modmail.slash("delete", ticket.channel_id, {"message_id": 1})
        assert text_of(answer["data"]) == "Message #1 deleted."
    else:
        command = await modmail.staff_says(ticket.channel_id, "!delete 1")
        await answer_in_channel(modmail, ticket.channel_id, "Message #1 deleted.")
        await gone(modmail, command["id"])
    await gone(modmail, dm["id"])
    await gone(modmail, copy["id"])
    log = await answer_in_channel(modmail, ticket.channel_id, "deleted message #1")
    assert "Wrong ticket, sorry" in text_of(log)
    deleted = await modmail.db(lambda: TicketMessage.objects.get(ticket=ticket, message_number=1).deleted_at)
    assert deleted is not None
    # Numbers are never reused.
    await modmail.slash("reply", ticket.channel_id, {"message": "Right one"})
    assert await modmail.db(lambda: ticket.messages.get(content="Right one").message_number) == 2


@pytest.mark.parametrize("form", ["text", "slash"])
async def test_a_deletion_of_an_unknown_number_is_refused(modmail, ticket, form):
    if form == "slash":
        answer = await modmail.slash("delete", ticket.channel_id, {"message_id": 3})
        assert text_of(answer["data"]) == "There is no message with that number in this ticket."
        assert answer["data"]["flags"] & 64
    else:
        await modmail.staff_says(ticket.channel_id, "!delete 3")
        await answer_in_channel(modmail, ticket.channel_id, "There is no message with that number")


async def test_a_deleted_reply_cannot_be_edited_or_deleted_again(modmail, ticket):
    await modmail.slash("reply", ticket.channel_id, {"message": "once"})
    await modmail.slash("delete", ticket.channel_id, {"message_id": 1})
    answer = await modmail.slash("edit", ticket.channel_id, {"message_id": 1, "new_content": "twice"})
    assert text_of(answer["data"]) == "There is no message with that number in this ticket."
    answer = await modmail.slash("delete", ticket.channel_id, {"message_id": 1})
    assert text_of(answer["data"]) == "There is no message with that number in this ticket."


# --- language ---------------------------------------------------------------------------------
async def test_in_french_replies_and_answers_are_french(modmail, ticket):
    await modmail.reload_config(language_default_language="fr")
    await modmail.staff_says(ticket.channel_id, "!ar Bonjour")
    copy = await modmail.emu.wait_for_message(ticket.channel_id, lambda m: "Message n°1" in text_of(m))
    assert copy["embeds"][0]["author"]["name"] == "Sam Staff (anonyme)"
    (dm,) = reply_dms(modmail, ticket.user_id)
    assert dm["embeds"][0]["author"]["name"] == "L'équipe"
    answer = await modmail.slash("delete", ticket.channel_id, {"message_id": 5})
    assert text_of(answer["data"]) == "Aucun message ne porte ce numéro dans ce ticket."


async def test_replies_wait_for_each_other_and_take_consecutive_numbers(modmail, ticket):
    for i in range(5):
        await modmail.staff_says(ticket.channel_id, f"!r part {i}")
    await eventually(lambda: modmail.db(lambda: ticket.messages.filter(kind="staff").count() == 5))
    rows = await staff_replies(modmail, ticket)
    assert [(n, text) for n, text, *_ in rows] == [(i + 1, f"part {i}") for i in range(5)]

"""The users' side, end to end: a user editing or deleting a DM is mirrored into the ticket channel
(with a log as configured), in turn with the relay; typing shows on the other side when configured."""

from __future__ import annotations

import pytest

from tickets.models import MessageEdit, TicketMessage

from .conftest import eventually, text_of
from .userside import (
    bodies,
    body,
    bot_reactions,
    from_bot,
    long_text,
    typing_calls,
    user_copies,
    user_messages,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


# --- edits and deletions ----------------------------------------------------------------------
async def test_a_user_editing_a_dm_updates_the_channel_copy_and_logs_it(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user, "I ordered a red hat")
    dm = next(m for m in emu.dm_messages(user) if m["content"] == "I ordered a red hat")
    await emu.user_edit_dm(user, dm["id"], "I ordered a blue hat")
    log = await emu.wait_for_message(ticket.channel_id, lambda m: "edited a message" in text_of(m))
    assert "I ordered a red hat" in text_of(log) and "I ordered a blue hat" in text_of(log)
    (copy,) = user_copies(emu, ticket.channel_id)
    assert body(copy) == "I ordered a blue hat"
    assert await user_messages(modmail, ticket) == ["I ordered a blue hat"]
    edits = await modmail.db(lambda: list(MessageEdit.objects.values_list("before", "after")))
    assert edits == [("I ordered a red hat", "I ordered a blue hat")]


async def test_an_edit_is_mirrored_without_a_log_when_logs_are_off(modmail):
    await modmail.reload_config(logs_show_log_on_edit=False)
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user, "typo hre")
    dm = next(m for m in emu.dm_messages(user) if m["content"] == "typo hre")
    await emu.user_edit_dm(user, dm["id"], "typo here")
    await emu.wait_for(lambda: bodies(emu, ticket.channel_id) == ["typo here"])
    await modmail.bot.runner.drain(5)
    assert not [m for m in emu.messages(ticket.channel_id) if "edited a message" in text_of(m)]


async def test_a_user_deleting_a_dm_is_logged_and_recorded(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user, "my password is hunter2")
    dm = next(m for m in emu.dm_messages(user) if m["content"] == "my password is hunter2")
    await emu.user_delete_dm(user, dm["id"])
    log = await emu.wait_for_message(ticket.channel_id, lambda m: "deleted a message" in text_of(m))
    assert "hunter2" in text_of(log)
    deleted = await modmail.db(lambda: TicketMessage.objects.get(dm_message_id=int(dm["id"])).deleted_at)
    assert deleted is not None


async def test_an_edit_keeps_the_attachment_of_the_copy(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    sent = await emu.user_dm(user, "see file", attachments=[("a.txt", b"abc", "text/plain")])
    ticket = await modmail.ticket_of(user)
    await emu.wait_for(lambda: bot_reactions(emu, sent["id"]) == ["✅"])
    await emu.user_edit_dm(user, sent["id"], "see the file")
    await emu.wait_for(lambda: bodies(emu, ticket.channel_id)[0].startswith("see the file"))
    copy = next(m for m in emu.messages(ticket.channel_id) if "see the file" in str(m))
    assert [a["filename"] for a in copy["attachments"]] == ["a.txt"]


async def test_editing_a_dm_that_needs_more_or_fewer_parts_keeps_the_copy_whole(modmail):
    await modmail.reload_config(thread_embedded_message=False, thread_block_quote=True)
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    long = long_text(1995)  # with the author header and the quote, two messages
    sent = await emu.user_dm(user, long)
    await emu.wait_for(lambda: bot_reactions(emu, sent["id"]) == ["✅"])
    ticket = await modmail.ticket_of(user)
    assert len(user_copies(emu, ticket.channel_id)) == 2
    await emu.user_edit_dm(user, sent["id"], "short now")
    await emu.wait_for(lambda: bodies(emu, ticket.channel_id) == ["short now"])
    longer = long_text(1999)[::-1]
    await emu.user_edit_dm(user, sent["id"], longer)

    def quoted() -> list[str]:  # the copy's parts: a part posted by an edit has no nonce of its own
        texts = [m["content"] for m in from_bot(emu, emu.messages(ticket.channel_id))]
        return [body({"content": t}) for t in texts if t.startswith(("**Alice**:\n>>> ", ">>> "))]

    await emu.wait_for(lambda: "".join(quoted()) == longer)
    assert await user_messages(modmail, ticket) == [longer]


async def test_a_dm_edited_and_deleted_right_after_sending_is_mirrored_in_turn(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user, "hi")
    sent = await emu.user_dm(user, "a secret")
    await emu.user_edit_dm(user, sent["id"], "a bigger secret")
    await emu.user_delete_dm(user, sent["id"])
    await emu.wait_for_message(
        ticket.channel_id, lambda m: "deleted a message: a bigger secret" in text_of(m)
    )
    assert await modmail.db(lambda: TicketMessage.objects.get(dm_message_id=int(sent["id"])).deleted_at)


async def test_a_deletion_is_recorded_without_a_log_when_logs_are_off(modmail):
    await modmail.reload_config(logs_show_log_on_delete=False)
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user, "oops")
    dm = next(m for m in emu.dm_messages(user) if m["content"] == "oops")
    await emu.user_delete_dm(user, dm["id"])

    def deleted():
        return TicketMessage.objects.filter(dm_message_id=int(dm["id"]), deleted_at__isnull=False).exists()

    await eventually(lambda: modmail.db(deleted))
    await modmail.bot.runner.drain(5)
    assert not [m for m in emu.messages(ticket.channel_id) if "deleted a message" in text_of(m)]


# --- typing -----------------------------------------------------------------------------------
async def test_a_user_typing_shows_in_the_ticket_channel_when_configured(modmail):
    await modmail.reload_config(bot_typing_proxy_from_user=True)
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    await emu.start_typing(emu.dm_channel_id(user), user)
    await emu.wait_for(lambda: typing_calls(emu, ticket.channel_id))


async def test_staff_typing_shows_in_the_users_dm_when_configured(modmail):
    await modmail.reload_config(bot_typing_proxy_from_staff=True)
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    await emu.start_typing(ticket.channel_id, modmail.demo.staff_id)
    await emu.wait_for(lambda: typing_calls(emu, emu.dm_channel_id(user)))


async def test_typing_is_not_proxied_when_the_configuration_says_no(modmail):
    emu, user = modmail.emu, modmail.demo.user_ids[0]
    ticket = await modmail.open_ticket(user)
    await emu.start_typing(emu.dm_channel_id(user), user)
    await emu.start_typing(ticket.channel_id, modmail.demo.staff_id)
    later = await emu.user_dm(user, "after typing")
    await emu.wait_for(lambda: bot_reactions(emu, later["id"]) == ["✅"])
    await modmail.bot.runner.drain(5)
    assert typing_calls(emu, ticket.channel_id) == []
    assert typing_calls(emu, emu.dm_channel_id(user)) == []

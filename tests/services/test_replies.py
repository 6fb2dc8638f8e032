"""Staff replies, edits, deletions, notes, and users' own edits."""

from __future__ import annotations

import pytest

from tickets import services
from tickets.errors import DiscordFailure, InvalidInput, MessageNotFound, TicketClosed, UserLeft
from tickets.models import MessageEdit, Snippet, Ticket, TicketMessage

from .conftest import USER


@pytest.fixture
def ticket(scene):
    scene.dm(USER, "help me")
    return Ticket.objects.get(user_id=USER)


@pytest.fixture
def staff(scene):
    return services.StaffIdentity(scene.staff, "Staffer", "Moderator")


def test_replies_are_numbered_and_reach_both_copies(scene, ticket, staff):
    first = services.ticket_reply(ticket=ticket, staff=staff, content="Hello", port=scene.discord)
    second = services.ticket_reply(ticket=ticket, staff=staff, content="Again", port=scene.discord)
    assert (first.message_number, second.message_number) == (1, 2)
    assert scene.discord.messages[first.dm_message_id].text == "Hello"
    inbox = scene.discord.messages[first.inbox_message_id]
    assert inbox.embeds[0]["footer"]["text"].endswith("Message #1")
    ticket.refresh_from_db()
    assert ticket.next_message_number == 3 and ticket.last_message_by == "staff"


def test_anonymous_reply_hides_the_sender_from_the_user_only(scene, ticket, staff):
    message = services.ticket_reply(
        ticket=ticket, staff=staff, content="Secret", anonymous=True, port=scene.discord
    )
    user_copy = scene.discord.messages[message.dm_message_id].embeds[0]
    assert "Staffer" not in str(user_copy) and "Moderator" not in str(user_copy)
    staff_copy = scene.discord.messages[message.inbox_message_id].embeds[0]
    assert "Staffer (Anonymous)" in staff_copy["author"]["name"]
    assert message.is_anonymous and message.author_id == scene.staff


def test_editing_an_anonymous_reply_keeps_it_anonymous(scene, ticket, staff):
    message = services.ticket_reply(
        ticket=ticket, staff=staff, content="v1", anonymous=True, port=scene.discord
    )
    outcome = services.reply_edit(ticket=ticket, number=1, content="v2", editor=staff, port=scene.discord)
    assert outcome.dm_ok and outcome.inbox_ok
    user_copy = scene.discord.messages[message.dm_message_id]
    assert user_copy.text == "v2" and "Staffer" not in str(user_copy.embeds)
    assert scene.discord.messages[message.inbox_message_id].text == "v2"
    edit = MessageEdit.objects.get()
    assert (edit.before, edit.after) == ("v1", "v2")
    assert any("Before" in m.text for m in scene.discord.channel_messages(ticket.channel_id))


def test_delete_removes_both_copies_and_keeps_the_record(scene, ticket, staff):
    message = services.ticket_reply(ticket=ticket, staff=staff, content="oops", port=scene.discord)
    outcome = services.reply_delete(ticket=ticket, number=1, staff=staff, port=scene.discord)
    assert outcome.dm_ok and outcome.inbox_ok
    assert message.dm_message_id not in scene.discord.messages
    assert message.inbox_message_id not in scene.discord.messages
    message.refresh_from_db()
    assert message.is_deleted
    with pytest.raises(MessageNotFound):
        services.reply_delete(ticket=ticket, number=1, staff=staff, port=scene.discord)


@pytest.mark.parametrize("number", [0, 7])
def test_unknown_number_is_a_clear_error(scene, ticket, staff, number):
    with pytest.raises(MessageNotFound):
        services.reply_edit(ticket=ticket, number=number, content="x", editor=staff, port=scene.discord)


def test_bad_replies_change_nothing(scene, ticket, staff):
    with pytest.raises(InvalidInput):
        services.ticket_reply(ticket=ticket, staff=staff, content="x" * 2001, port=scene.discord)
    with pytest.raises(InvalidInput):
        services.ticket_reply(ticket=ticket, staff=staff, content="   ", port=scene.discord)
    with pytest.raises(InvalidInput):
        services.ticket_reply(ticket=ticket, staff=staff, content="{{missing}}", port=scene.discord)
    ticket.refresh_from_db()
    assert ticket.next_message_number == 1
    assert not TicketMessage.objects.filter(kind="staff").exists()


def test_closed_dms_refuse_the_reply_and_hand_the_number_back(scene, ticket, staff):
    scene.discord.closed_dms.add(USER)
    with pytest.raises(DiscordFailure):
        services.ticket_reply(ticket=ticket, staff=staff, content="hello?", port=scene.discord)
    ticket.refresh_from_db()
    assert ticket.next_message_number == 1
    assert not TicketMessage.objects.filter(kind="staff").exists()


def test_reply_to_closed_ticket_or_departed_user_is_refused(scene, ticket, staff):
    Ticket.objects.filter(pk=ticket.pk).update(user_left=True)
    with pytest.raises(UserLeft):
        services.ticket_reply(ticket=ticket, staff=staff, content="hi", port=scene.discord)
    services.ticket_close(ticket=ticket, closed_by=str(scene.staff), port=scene.discord)
    with pytest.raises(TicketClosed):
        services.ticket_reply(ticket=ticket, staff=staff, content="hi", port=scene.discord)


def test_snippets_expand_in_replies(scene, ticket, staff):
    Snippet.objects.create(key="hours", content="We answer 9-5.", created_by=scene.staff)
    message = services.ticket_reply(ticket=ticket, staff=staff, content="Note: {{hours}}", port=scene.discord)
    assert message.content == "Note: We answer 9-5."


def test_internal_notes_are_stored_once_and_never_relayed(scene, ticket, staff):
    dms_before = len(scene.discord.dms(USER))
    note = services.note_add(ticket=ticket, author=staff, content="between us", inbox_message_id=555)
    assert note.is_internal and note.kind == "internal"
    assert services.note_add(ticket=ticket, author=staff, content="between us", inbox_message_id=555) is None
    assert len(scene.discord.dms(USER)) == dms_before


def test_user_edits_and_deletions_are_mirrored_with_a_log(scene, ticket):
    message = TicketMessage.objects.get(kind="user")
    services.user_message_edited(
        dm_message_id=message.dm_message_id, content="help me please", port=scene.discord
    )
    message.refresh_from_db()
    assert message.content == "help me please" and message.edits.count() == 1
    assert scene.discord.messages[message.inbox_message_id].text.startswith("help me please")
    services.user_message_deleted(dm_message_id=message.dm_message_id, port=scene.discord)
    message.refresh_from_db()
    assert message.is_deleted
    logs = [m.text for m in scene.discord.channel_messages(ticket.channel_id)]
    assert any("edited" in t for t in logs) and any("deleted" in t for t in logs)
    assert services.user_message_edited(dm_message_id=123, content="x", port=scene.discord) is None

"""Closing now, silently, on a schedule, by force, and when the user leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets import services
from tickets.errors import Conflict, InvalidInput, NotFound, TicketClosed
from tickets.models import BotConfig, ScheduledClosure, Ticket

from .conftest import USER


@pytest.fixture
def ticket(scene):
    scene.dm(USER, "help")
    return Ticket.objects.get(user_id=USER)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30m", 1800),
        ("2h", 7200),
        ("1d", 86400),
        ("1d12h", 129600),
        ("3600", 3600),
        ("90s", 90),
        ("1h30m", 5400),
    ],
)
def test_durations(text, seconds):
    assert services.parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "abc", "0", "2x", "-5", "1h-2m", "400d", "m"])
def test_bad_durations(text):
    with pytest.raises(InvalidInput):
        services.parse_duration(text)


def test_close_sends_the_message_removes_the_channel_and_logs(scene, ticket):
    channel = ticket.channel_id
    services.ticket_close(ticket=ticket, closed_by=str(scene.staff), port=scene.discord)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED and ticket.closed_at and ticket.closed_by == str(scene.staff)
    assert channel not in scene.discord.channels
    assert BotConfig.load().bot_close_message in [m.text for m in scene.discord.dms(USER)]
    assert any("closed" in m.text for m in scene.discord.channel_messages(scene.logs))
    with pytest.raises(TicketClosed):
        services.ticket_close(ticket=ticket, closed_by="x", port=scene.discord)


def test_silent_close_sends_nothing_to_the_user(scene, ticket):
    before = len(scene.discord.dms(USER))
    services.ticket_close(ticket=ticket, closed_by=str(scene.staff), silent=True, port=scene.discord)
    assert len(scene.discord.dms(USER)) == before


def test_a_new_schedule_replaces_the_old_and_cancel_works(scene, ticket):
    first = services.close_schedule(ticket=ticket, delay="2h", staff_id=scene.staff)
    assert first.replaced is None
    second = services.close_schedule(ticket=ticket, delay="30m", staff_id=scene.staff, silent=True)
    assert second.replaced.pk == first.closure.pk
    assert ScheduledClosure.objects.filter(state="pending").count() == 1
    services.close_cancel(ticket=ticket)
    assert not ScheduledClosure.objects.filter(state="pending").exists()
    with pytest.raises(NotFound):
        services.close_cancel(ticket=ticket)


def test_a_user_message_cancels_a_pending_close(scene, ticket):
    services.close_schedule(ticket=ticket, delay="1h", staff_id=scene.staff)
    result = scene.dm(USER, "wait, one more thing")
    assert result.cancelled_close
    assert ScheduledClosure.objects.get().state == "cancelled"
    assert any("cancelled" in m.text for m in scene.discord.channel_messages(ticket.channel_id))


def test_a_due_close_runs_once(scene, ticket):
    scheduled = services.close_schedule(ticket=ticket, delay="1m", staff_id=scene.staff)
    ScheduledClosure.objects.filter(pk=scheduled.closure.pk).update(
        due_at=timezone.now() - timedelta(seconds=1)
    )
    assert services.due_closures() == [scheduled.closure.pk]
    assert services.closure_run(closure_id=scheduled.closure.pk, port=scene.discord) == "done"
    assert services.closure_run(closure_id=scheduled.closure.pk, port=scene.discord) == "done"
    ticket.refresh_from_db()
    assert ticket.closed_by == "scheduled"
    closes = [m for m in scene.discord.dms(USER) if m.text == BotConfig.load().bot_close_message]
    assert len(closes) == 1


def test_a_due_close_is_skipped_when_the_user_wrote_since(scene, ticket):
    scheduled = services.close_schedule(ticket=ticket, delay="1m", staff_id=scene.staff)
    Ticket.objects.filter(pk=ticket.pk).update(last_user_message_at=timezone.now() + timedelta(seconds=5))
    ScheduledClosure.objects.filter(pk=scheduled.closure.pk).update(
        due_at=timezone.now() - timedelta(seconds=1)
    )
    assert services.closure_run(closure_id=scheduled.closure.pk, port=scene.discord) == "skipped"
    ticket.refresh_from_db()
    assert ticket.is_open


def test_user_leaving_marks_the_ticket_and_offers_keep_or_close(scene, ticket):
    services.user_left(user_id=USER, port=scene.discord)
    ticket.refresh_from_db()
    assert ticket.is_open and ticket.user_left and ticket.leave_notice_message_id
    notice = scene.discord.messages[ticket.leave_notice_message_id]
    ids = [c["custom_id"] for row in notice.components for c in row["components"]]
    assert ids == [f"leave:keep:{ticket.pk}", f"leave:close:{ticket.pk}"]
    services.ticket_force_close(ticket=ticket, staff_id=scene.staff, port=scene.discord)
    ticket.refresh_from_db()
    assert not ticket.is_open


def test_a_user_who_comes_back_is_no_longer_marked_as_gone(scene, ticket):
    services.user_left(user_id=USER, port=scene.discord)
    ticket.refresh_from_db()
    notice_id = ticket.leave_notice_message_id
    assert services.user_returned(user_id=USER, port=scene.discord) is not None
    ticket.refresh_from_db()
    assert ticket.is_open and not ticket.user_left and ticket.leave_notice_message_id is None
    assert not scene.discord.messages[notice_id].components
    assert services.user_returned(user_id=USER, port=scene.discord) is None


def test_user_leaving_closes_when_configured(scene, ticket):
    BotConfig.objects.filter(pk=1).update(thread_close_on_leave=True)
    services.user_left(user_id=USER, port=scene.discord)
    ticket.refresh_from_db()
    assert not ticket.is_open and ticket.closed_by == "user_left_server"


def test_force_close_is_refused_while_the_user_is_still_a_member(scene, ticket):
    with pytest.raises(Conflict):
        services.ticket_force_close(ticket=ticket, staff_id=scene.staff, port=scene.discord)
    ticket.refresh_from_db()
    assert ticket.is_open and ticket.channel_id in scene.discord.channels


def test_force_close_of_a_user_who_left_unseen_closes_silently(scene, ticket):
    del scene.discord.members[(scene.guild, USER)]  # left while the bot was away
    before = len(scene.discord.dms(USER))
    services.ticket_force_close(ticket=ticket, staff_id=scene.staff, port=scene.discord)
    ticket.refresh_from_db()
    assert not ticket.is_open and ticket.user_left and ticket.close_silently
    assert ticket.closed_by == str(scene.staff)
    assert len(scene.discord.dms(USER)) == before


def test_force_close_in_a_channel_deletes_a_leftover_in_the_inbox_only(scene, ticket):
    leftover = scene.discord.create_channel(guild_id=scene.guild, name="old", parent_id=scene.inbox)
    assert services.channel_force_close(channel_id=leftover, staff_id=scene.staff, port=scene.discord) is None
    assert leftover not in scene.discord.channels
    elsewhere = scene.discord.create_channel(guild_id=scene.guild, name="general")
    for channel in (elsewhere, scene.logs):
        with pytest.raises(NotFound):
            services.channel_force_close(channel_id=channel, staff_id=scene.staff, port=scene.discord)
        assert channel in scene.discord.channels
    Ticket.objects.filter(pk=ticket.pk).update(user_left=True)
    closed = services.channel_force_close(
        channel_id=ticket.channel_id, staff_id=scene.staff, port=scene.discord
    )
    assert closed.pk == ticket.pk and not Ticket.objects.get(pk=ticket.pk).is_open

"""Scheduled closes: at their time, once, skipped when cancelled or answered, retried when Discord
fails (without repeating what was done), reclaimed from a dead worker, and finishing any close
Discord interrupted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets import services
from tickets.errors import NotFound
from tickets.models import BotConfig, ScheduledClosure, Ticket
from tickets.services._jobs import CLAIM_TIMEOUT, FIRST_RETRY, MAX_ATTEMPTS

from .conftest import USER, make_due


def close_messages(scene) -> list:
    return [m for m in scene.discord.dms(USER) if m.text == BotConfig.load().bot_close_message]


def planned(scene, ticket, **kwargs) -> ScheduledClosure:
    closure = services.close_schedule(ticket=ticket, delay="1h", staff_id=scene.staff, **kwargs).closure
    make_due(closure)
    return closure


def test_a_due_close_sends_the_message_removes_the_channel_and_posts_the_log(scene, ticket):
    closure = planned(scene, ticket)
    assert services.closures_run_due(port=scene.discord) == {"done": 1}
    ticket.refresh_from_db()
    assert not ticket.is_open and ticket.closed_by == "scheduled"
    assert ticket.channel_id not in scene.discord.channels
    assert len(close_messages(scene)) == 1
    assert any("closed by schedule" in m.text for m in scene.discord.channel_messages(scene.logs))
    closure.refresh_from_db()
    assert closure.state == "done" and closure.attempts == 1 and closure.finished_at
    assert closure.steps == ["closed", "dm"]


def test_a_close_not_yet_due_waits(scene, ticket):
    services.close_schedule(ticket=ticket, delay="1h", staff_id=scene.staff)
    assert services.closures_run_due(port=scene.discord) == {}
    assert services.closures_run_due(port=scene.discord, at=timezone.now() + timedelta(hours=2)) == {
        "done": 1
    }


def test_a_silent_close_sends_the_user_nothing(scene, ticket):
    planned(scene, ticket, silent=True)
    services.closures_run_due(port=scene.discord)
    ticket.refresh_from_db()
    assert not ticket.is_open and ticket.close_silently
    assert close_messages(scene) == []


def test_a_cancelled_close_never_runs(scene, ticket):
    closure = planned(scene, ticket)
    services.close_cancel(ticket=ticket)
    assert services.closures_run_due(port=scene.discord) == {}
    assert services.closure_run(closure_id=closure.pk, port=scene.discord) == "cancelled"
    ticket.refresh_from_db()
    assert ticket.is_open


def test_a_close_is_skipped_when_the_user_wrote_after_it_was_claimed(scene, ticket):
    closure = planned(scene, ticket)
    # The user's message lands between the claim and the close: the close must not happen.
    Ticket.objects.filter(pk=ticket.pk).update(last_user_message_at=timezone.now() + timedelta(seconds=1))
    assert services.closure_run(closure_id=closure.pk, port=scene.discord) == "skipped"
    ticket.refresh_from_db()
    assert ticket.is_open and ticket.channel_id in scene.discord.channels


def test_a_failed_discord_call_is_retried_with_backoff_and_its_error_recorded(scene, ticket, fail_next):
    closure = planned(scene, ticket)
    fail_next("delete_channel", status=502)
    assert services.closures_run_due(port=scene.discord) == {"pending": 1}
    closure.refresh_from_db()
    assert closure.state == "pending" and closure.attempts == 1
    assert "502" in closure.last_error
    assert closure.due_at >= timezone.now() + FIRST_RETRY - timedelta(seconds=5)
    assert closure.steps == ["closed", "dm"]
    ticket.refresh_from_db()
    assert not ticket.is_open  # closed in the database; Discord's part is what is retried

    assert services.closures_run_due(port=scene.discord) == {}  # not before the backoff
    make_due(closure)
    assert services.closures_run_due(port=scene.discord) == {"done": 1}
    assert ticket.channel_id not in scene.discord.channels
    assert len(close_messages(scene)) == 1, "the retry must not send the close message again"
    closure.refresh_from_db()
    assert closure.attempts == 2 and closure.state == "done"


def test_closure_run_records_the_failure_and_raises_it(scene, ticket, fail_next):
    closure = planned(scene, ticket)
    fail_next("send", status=500)
    with pytest.raises(services.closing.DiscordError):
        services.closure_run(closure_id=closure.pk, port=scene.discord)
    closure.refresh_from_db()
    assert closure.state == "pending" and closure.steps == ["closed"] and closure.last_error


def test_a_close_that_keeps_failing_ends_failed_with_its_error(scene, ticket, fail_next):
    closure = planned(scene, ticket)
    fail_next("delete_channel", times=MAX_ATTEMPTS, status=503)
    for _ in range(MAX_ATTEMPTS):
        make_due(closure)
        services.closures_run_due(port=scene.discord)
    closure.refresh_from_db()
    assert closure.state == "failed" and closure.attempts == MAX_ATTEMPTS and "503" in closure.last_error
    # Set back to pending (as an admin would), it finishes.
    ScheduledClosure.objects.filter(pk=closure.pk).update(state="pending")
    make_due(closure)
    assert services.closures_run_due(port=scene.discord) == {"done": 1}


def test_a_close_left_running_by_a_dead_worker_is_claimed_again_after_the_timeout(scene, ticket):
    closure = planned(scene, ticket)
    stamp = timezone.now()
    ScheduledClosure.objects.filter(pk=closure.pk).update(state="running", claimed_at=stamp, attempts=1)
    assert services.closures_run_due(port=scene.discord) == {}  # its worker may still be on it
    assert services.due_closures() == []
    ScheduledClosure.objects.filter(pk=closure.pk).update(claimed_at=stamp - CLAIM_TIMEOUT - timedelta(1))
    assert services.due_closures() == [closure.pk]
    assert services.closures_run_due(port=scene.discord) == {"done": 1}
    ticket.refresh_from_db()
    assert not ticket.is_open and len(close_messages(scene)) == 1


def test_a_close_discord_interrupted_is_finished_by_the_worker(scene, ticket, fail_next):
    fail_next("delete_channel", status=500)
    services.ticket_close(ticket=ticket, closed_by=str(scene.staff), port=scene.discord)
    ticket.refresh_from_db()
    assert not ticket.is_open and ticket.channel_id in scene.discord.channels  # left behind for now
    follow_up = ScheduledClosure.objects.get(ticket=ticket)
    assert follow_up.state == "pending" and follow_up.steps == ["closed", "dm"]
    assert follow_up.scheduled_by == scene.staff and "500" in follow_up.last_error
    with pytest.raises(NotFound):
        services.close_cancel(ticket=ticket)  # the ticket is closed: this cannot be undone

    make_due(follow_up)
    assert services.closures_run_due(port=scene.discord) == {"done": 1}
    assert ticket.channel_id not in scene.discord.channels
    assert len(close_messages(scene)) == 1
    assert any(f"closed by <@{scene.staff}>" in m.text for m in scene.discord.channel_messages(scene.logs))


def test_a_close_whose_channel_is_already_gone_completes(scene, ticket):
    closure = planned(scene, ticket)
    scene.discord.delete_channel(ticket.channel_id)
    assert services.closure_run(closure_id=closure.pk, port=scene.discord) == "done"


@pytest.mark.django_db(transaction=True)
def test_many_threads_close_each_ticket_exactly_once(scene):
    tickets = []
    for n in range(60):
        user = 830_000_000_000_000_000 + n
        scene.discord.add_member(scene.guild, user, f"user{n}")
        scene.dm(user, "help")
        tickets.append(Ticket.objects.get(user_id=user))
    for ticket in tickets:
        planned(scene, ticket)
    tally = services.closures_run_due(port=scene.discord, threads=8)
    assert tally == {"done": 60}
    assert not Ticket.objects.filter(status=Ticket.Status.OPEN).exists()
    close_message = BotConfig.load().bot_close_message
    for ticket in tickets:
        sent = [m for m in scene.discord.dms(ticket.user_id) if m.text == close_message]
        assert len(sent) == 1
    deletions = [c for c in scene.discord.calls if c[0] == "delete_channel"]
    assert len(deletions) == 60

"""The worker's tasks act on Discord through the REST adapter (here against the Discord emulator):
the bot process need not be up for a close, a reminder or a prompt timeout to happen."""

from __future__ import annotations

import pytest

from tickets import services, tasks
from tickets.models import BotConfig, PendingCategorySelection, ScheduledClosure, Ticket

from .conftest import make_due

pytestmark = pytest.mark.django_db(transaction=True)


def user_writes(emu, user_id: int, content: str):
    """The user DMs the bot and the relay (REST adapter) handles it, as the bot would."""
    message = emu.user_dm(user_id, content)
    return services.user_message_relay(
        user_id=user_id,
        user_name="alice",
        dm_message_id=int(message["id"]),
        dm_channel_id=int(message["channel_id"]),
        content=content,
    )


@pytest.fixture
def ticket(emulated) -> Ticket:
    user_writes(emulated, emulated.demo.user_ids[0], "I need help")
    return Ticket.objects.get()


def bot_texts(messages: list[dict]) -> list[str]:
    return [m["content"] + "".join(e.get("description", "") for e in m["embeds"]) for m in messages]


def test_a_scheduled_close_happens_from_the_task(emulated, ticket):
    demo = emulated.demo
    closure = services.close_schedule(ticket=ticket, delay="1h", staff_id=demo.staff_id).closure
    make_due(closure)
    assert tasks.run_due_closures() == {"done": 1}
    assert emulated.channel(ticket.channel_id) is None
    close_message = BotConfig.load().bot_close_message
    assert bot_texts(emulated.dm_messages(demo.user_ids[0])).count(close_message) == 1
    assert any("closed by" in t for t in bot_texts(emulated.messages(demo.logs_channel_id)))
    ticket.refresh_from_db()
    assert not ticket.is_open


def test_a_refused_close_is_recorded_and_finished_later(emulated, ticket):
    closure = services.close_schedule(ticket=ticket, delay="1h", staff_id=emulated.demo.staff_id).closure
    make_due(closure)
    emulated.faults.fail_next("DELETE", r"^/channels/\d+$", status=403, code=50013, message="Missing Access")
    assert tasks.run_due_closures() == {"pending": 1}
    closure.refresh_from_db()
    assert "50013" in closure.last_error and emulated.channel(ticket.channel_id) is not None
    make_due(closure)
    assert tasks.run_due_closures() == {"done": 1}
    assert emulated.channel(ticket.channel_id) is None


def test_a_reminder_is_posted_from_the_task(emulated, ticket):
    reminder = services.reminder_add(
        ticket=ticket, staff_id=emulated.demo.staff_id, when="10m", content="Follow up"
    )
    make_due(reminder)
    assert tasks.run_due_reminders() == {"done": 1}
    [posted] = [m for m in emulated.messages(ticket.channel_id) if "Follow up" in str(m["embeds"])]
    assert f"<@{emulated.demo.staff_id}>" in posted["content"]


def test_a_timed_out_prompt_opens_its_ticket_from_the_task(emulated):
    billing = emulated.create_category(emulated.demo.guild_id, "Billing")
    services.category_create(discord_category_id=billing, name="Billing")
    services.prompt_set_enabled(enabled=True)
    user = emulated.demo.user_ids[1]
    assert user_writes(emulated, user, "hello?").outcome == services.Relay.PROMPTED
    make_due(PendingCategorySelection.objects.get())
    assert tasks.expire_category_prompts() == 1
    ticket = Ticket.objects.get(user_id=user)
    assert emulated.channel(ticket.channel_id)["parent_id"] == str(emulated.demo.inbox_category_id)
    assert any("hello?" in t for t in bot_texts(emulated.messages(ticket.channel_id)))


def test_without_a_bot_token_the_jobs_wait_untouched(emulated, ticket):
    closure = services.close_schedule(ticket=ticket, delay="1h", staff_id=emulated.demo.staff_id).closure
    make_due(closure)
    BotConfig.objects.update(bot_token="")
    assert tasks.run_due_closures() == {}
    closure.refresh_from_db()
    assert closure.state == ScheduledClosure.State.PENDING and closure.attempts == 0

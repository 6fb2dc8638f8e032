"""``manage.py runbot`` as an operator runs it: a real child process against the emulator.

The child shares the test's database, so the tests give it orders the way the panel does (the
``botcontrol`` services) and read its heartbeat back through ``bot_status()``; what it does on
Discord is read at the emulator. Synchronous tests: the emulator runs in a background thread and
the bot in its own process, so nothing here needs the test's event loop.
"""

from __future__ import annotations

import pytest

from tickets.models import SystemState, Ticket, TicketMessage
from tickets.services.botcontrol import bot_restart, bot_set_presence, bot_start, bot_status, bot_stop

from .conftest import configure_for
from .runbot import BotProcess, dm_copies, live_sessions, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The panel promises that the bot obeys an order within this long.
ORDER_DEADLINE = 2.0


@pytest.fixture
def runbot(transactional_db, fake_discord_thread, tmp_path):
    """Start ``manage.py runbot`` children (all stopped at teardown, before the database is flushed)."""
    children: list[BotProcess] = []

    def start(*, configure: bool = True, env=None, args=()) -> BotProcess:
        if configure and not children:
            configure_for(fake_discord_thread)
        child = BotProcess(fake_discord_thread, tmp_path / "runbot.log", env=env, args=args).start()
        children.append(child)
        return child

    yield start
    for child in children:
        child.stop()


def gateway(emu):
    """(IDENTIFYs so far, RESUMEs so far, live sessions): read on the emulator's loop."""
    return emu.call(
        lambda: (emu.emu.gateway.identifies, emu.emu.gateway.resumes, len(live_sessions(emu.emu)))
    )


def test_without_a_token_it_exits_in_error_and_says_how_to_set_one(runbot):
    bot = runbot(configure=False)
    assert bot.wait(60) != 0
    assert "DISCORD_TOKEN" in bot.output
    assert "bot.token" in bot.output


def test_waiting_for_a_token_it_starts_once_one_is_configured(runbot, fake_discord_thread):
    """What docker-compose runs before the setup wizard: no exit (no restart loop), then the bot."""
    bot = runbot(configure=False, args=("--wait-for-token",))
    assert wait_until(lambda: "waiting for one" in bot.output, 60)
    assert bot.running()
    configure_for(fake_discord_thread)  # the wizard's save
    bot.wait_connected(timeout=60)
    assert "A bot token is configured: starting." in bot.output


def test_waiting_for_a_token_stops_cleanly_on_sigterm(runbot):
    bot = runbot(configure=False, args=("--wait-for-token",))
    assert wait_until(lambda: "waiting for one" in bot.output, 60)
    assert bot.terminate(30) == 0
    assert "Bot stopped." in bot.output


def test_a_token_discord_refuses_ends_the_process_in_error(runbot):
    bot = runbot(env={"DISCORD_TOKEN": "not-the-token"})
    assert bot.wait(60) == 1
    assert "Discord refused the bot token" in bot.output


def test_it_connects_with_the_configured_token_to_the_api_base_and_relays_dms(runbot, fake_discord_thread):
    emu = fake_discord_thread
    bot = runbot()
    bot.wait_connected()
    assert wait_until(lambda: bot_status().status == "running", 10)

    user = emu.demo.user_ids[0]
    emu.user_dm(user, "Is anyone there?")
    ticket = wait_until(lambda: Ticket.objects.filter(user_id=user, channel_id__isnull=False).first(), 10)
    wait_until(lambda: dm_copies(emu, ticket.channel_id) == ["Is anyone there?"], 10)

    assert {(c.auth, c.status) for c in emu.calls_to("POST", r"/messages$")} == {("bot", 200)}
    assert f"Discord API: {emu.api_base}" in bot.output
    assert "Gateway session starting" in bot.output
    assert "Connected as" in bot.output


def test_a_stop_order_closes_the_gateway_session_and_a_start_order_opens_a_new_one(
    runbot, fake_discord_thread
):
    emu = fake_discord_thread
    bot = runbot()
    bot.wait_connected()
    wait_until(lambda: bot_status().status == "running", 10)

    assert bot_stop()
    wait_until(lambda: gateway(emu)[2] == 0, ORDER_DEADLINE)
    wait_until(lambda: bot_status().status == "stopped", ORDER_DEADLINE)
    assert bot.running()

    assert bot_start()
    wait_until(lambda: gateway(emu)[0] == 2 and gateway(emu)[2] == 1, ORDER_DEADLINE)
    wait_until(lambda: bot_status().status == "running", ORDER_DEADLINE)
    assert "Stop requested" in bot.output


def test_a_restart_order_replaces_the_gateway_session(runbot, fake_discord_thread):
    emu = fake_discord_thread
    bot = runbot()
    bot.wait_connected()
    first_session = emu.call(lambda: next(s.id for s in live_sessions(emu.emu)))

    bot_restart()

    def replaced() -> bool:
        sessions = emu.call(lambda: [s.id for s in live_sessions(emu.emu)])
        return sessions and first_session not in sessions

    wait_until(replaced, ORDER_DEADLINE)
    assert gateway(emu)[0] == 2
    wait_until(lambda: bot_status().status == "running", ORDER_DEADLINE)
    assert "Restart requested" in bot.output


def test_a_presence_order_reaches_discord(runbot, fake_discord_thread):
    emu = fake_discord_thread
    bot = runbot()
    bot.wait_connected()
    wait_until(lambda: [p for p in emu.presences if p["source"] == "op3"], 10)

    bot_set_presence(presence="idle")
    wait_until(lambda: emu.presences[-1]["status"] == "idle", ORDER_DEADLINE)
    assert bot_status().presence == "idle"

    bot_set_presence(presence="maintenance")
    latest = wait_until(lambda: emu.presences[-1]["status"] == "dnd" and emu.presences[-1], ORDER_DEADLINE)
    assert [a["name"] for a in latest["activities"]] == ["Maintenance"]


def test_sigterm_lets_in_flight_relays_finish_and_a_restart_relays_the_rest_once(runbot, fake_discord_thread):
    emu = fake_discord_thread
    users = emu.demo.user_ids[:3]
    bot = runbot()
    bot.wait_connected()
    for user in users:  # each user has a ticket, so DMs sent while the bot is down are found again
        emu.user_dm(user, f"{user} opens")
    wait_until(lambda: TicketMessage.objects.filter(inbox_message_id__isnull=False).count() == 3, 10)

    # Slow copies, so that SIGTERM lands while relays are under way.
    emu.faults.delay(r"^/channels/\d+/messages$", 0.2, method="POST")
    for index in range(5):
        for user in users:
            emu.user_dm(user, f"{user} says {index}")
    wait_until(lambda: TicketMessage.objects.count() > 3, 10)
    assert bot.terminate(30) == 0
    assert "Bot stopped." in bot.output
    assert not TicketMessage.objects.filter(kind="user", inbox_message_id__isnull=True).exists()
    assert bot_status().status == "stopped"

    emu.faults.clear()
    restarted = runbot()
    restarted.wait_connected(identifies=2)
    expected = {user: [f"{user} opens"] + [f"{user} says {i}" for i in range(5)] for user in users}

    def all_relayed() -> bool:
        return TicketMessage.objects.filter(kind="user", inbox_message_id__isnull=False).count() == 18

    wait_until(all_relayed, 15)
    for user in users:
        ticket = Ticket.objects.get(user_id=user)
        stored = ticket.messages.filter(kind="user").order_by("dm_message_id")
        assert [m.content for m in stored] == expected[user]
        wait_until(lambda t=ticket, u=user: dm_copies(emu, t.channel_id) == expected[u], 5)


def test_a_dropped_gateway_connection_is_resumed_without_losing_a_dm(runbot, fake_discord_thread):
    emu = fake_discord_thread
    user = emu.demo.user_ids[0]
    bot = runbot()
    bot.wait_connected()
    emu.user_dm(user, "before the drop")
    ticket = wait_until(lambda: Ticket.objects.filter(user_id=user, channel_id__isnull=False).first(), 10)
    wait_until(lambda: dm_copies(emu, ticket.channel_id) == ["before the drop"], 10)

    emu.faults.hold_gateway()
    emu.faults.drop_gateway()
    wait_until(lambda: gateway(emu)[2] == 0, 5)
    emu.user_dm(user, "while the bot was away")
    emu.faults.release_gateway()

    wait_until(lambda: gateway(emu)[1] >= 1 and gateway(emu)[2] == 1, 20)
    wait_until(lambda: len(dm_copies(emu, ticket.channel_id)) == 2, 10)
    assert dm_copies(emu, ticket.channel_id) == ["before the drop", "while the bot was away"]
    assert gateway(emu)[0] == 1  # resumed, not identified again
    assert TicketMessage.objects.filter(ticket=ticket, kind="user").count() == 2
    assert SystemState.load().bot_connected

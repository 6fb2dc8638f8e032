"""The bot process dies (SIGKILL) while many users write, and comes back without losing a word.

20 users each send 25 DMs through the emulator, paced and all at once. Mid-way the ``runbot``
child is killed wherever it is (the copies are slowed down so that relays are under way: some DMs
seen but not stored, some stored without their channel copy, some copied without the copy's ID
recorded) and a new one is started while the users go on writing. Afterwards every DM is in its
user's ticket exactly once and in the order it was sent, both in the database and in the ticket
channel. What makes it hold: the DM's ID is unique in the database, recovery reads each DM channel
back from the oldest DM whose copy is missing, and each copy carries a nonce derived from the DM
(``enforce_nonce``), so a repeated post returns the first.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from tickets.models import Ticket, TicketMessage

from .conftest import configure_for
from .runbot import BotProcess, dm_copies, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

USERS = 20
DMS_EACH = 25
AFTER_KILL = 5  # DMs of each user sent only once the bot is dead
PACE = 0.5  # seconds between two DMs of one user: 40 DMs a second from all of them, for 12 seconds
# Not Discord's 50 requests per second: the bot keeps up with the users, so it dies mid-flow.
BOT_ENV = {"DISCORD_REST_RATE": "1000"}


@pytest.fixture
def children(transactional_db):
    """The ``runbot`` children of a test, stopped at teardown (before the database is flushed)."""
    started: list[BotProcess] = []
    yield started
    for child in started:
        child.stop()


def make_users(emu) -> list[int]:
    """The demo's users and enough new members of the demo guild to make ``USERS``."""
    users = list(emu.demo.user_ids)
    for index in range(USERS - len(users)):
        user = emu.create_user(f"writer{index}", global_name=f"Writer {index}")
        emu.add_member(emu.demo.guild_id, user)
        users.append(user)
    return users


def said(user: int, index: int) -> str:
    return f"{user} #{index:02d}"


async def write_all(emu, users: list[int], killed: threading.Event) -> None:
    """Every user sends their DMs, one every ``PACE`` seconds, all users at once (emulator's loop).

    The last ``AFTER_KILL`` DMs of each user wait until the bot was killed, so some DMs always
    arrive while it is down and while it comes back, however slow the machine is."""

    async def one(user: int, offset: float) -> None:
        await asyncio.sleep(offset)
        for index in range(DMS_EACH):
            while index == DMS_EACH - AFTER_KILL and not killed.is_set():
                await asyncio.sleep(0.05)
            await emu.user_dm(user, said(user, index))
            await asyncio.sleep(PACE)

    await asyncio.gather(*(one(user, i * PACE / len(users)) for i, user in enumerate(users)))


def test_every_dm_is_relayed_exactly_once_and_in_order_across_a_sigkill(
    children, fake_discord_thread, tmp_path
):
    emu = fake_discord_thread
    users = make_users(emu)
    configure_for(emu)
    children.append(BotProcess(emu, tmp_path / "first.log", env=BOT_ENV).start())
    children[0].wait_connected()

    # Slow copies: when the bot dies, some DMs are stored without their copy, and some copies are
    # under way (Discord makes them, the bot never learns their IDs).
    emu.faults.delay(r"^/channels/\d+/messages$", 0.2, method="POST")
    killed = threading.Event()
    writing = asyncio.run_coroutine_threadsafe(write_all(emu.emu, users, killed), emu.loop)
    delivered = TicketMessage.objects.filter(kind="user", inbox_message_id__isnull=False)
    # Kill once every user has a ticket (a first DM sent while the bot is down cannot be found:
    # Discord lists no DM channels to a bot) and a good part of the DMs went through.
    wait_until(
        lambda: delivered.values("author_id").distinct().count() == USERS and delivered.count() >= 150,
        timeout=90,
    )
    children[0].kill()
    killed.set()
    emu.faults.clear()
    assert not writing.done(), "the bot must die while the users are still writing"
    stranded = TicketMessage.objects.filter(kind="user", inbox_message_id__isnull=True).count()
    assert stranded > 0, "the bot must die with DMs stored but not yet copied"

    children.append(BotProcess(emu, tmp_path / "second.log", env=BOT_ENV).start())
    children[1].wait_connected(identifies=2)
    writing.result(timeout=60)
    wait_until(lambda: delivered.count() == USERS * DMS_EACH, timeout=120)

    assert Ticket.objects.count() == USERS
    for user in users:
        expected = [said(user, index) for index in range(DMS_EACH)]
        ticket = Ticket.objects.get(user_id=user)
        stored = ticket.messages.filter(kind="user")
        assert [m.content for m in stored.order_by("pk")] == expected
        assert [m.content for m in stored.order_by("dm_message_id")] == expected
        assert dm_copies(emu, ticket.channel_id) == expected
        copy_ids = {int(m["id"]) for m in emu.messages(ticket.channel_id)}
        assert set(stored.values_list("inbox_message_id", flat=True)) <= copy_ids
    assert "Recovery at startup" in children[1].output

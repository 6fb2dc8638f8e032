"""Many tickets due to close at once, for the scale test and ``bench/scheduler.py``.

``seed_due_closures`` makes, in the Discord emulator, one user per ticket (a member of a guild the
bot is in, with a DM channel) and one ticket channel per ticket (a guild holds 500 channels, so the
channels are spread over as many guilds as needed); then, in the database, the open tickets and one
scheduled close each, due a minute ago. ``close_report`` reads back what Discord saw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from tests.fakediscord import guilds as G
from tests.fakediscord.thread import FakeDiscordThread
from tickets.models import ScheduledClosure, Ticket

CHANNELS_PER_GUILD = 450
STAFF_ID = 5_000_000_000_000_000_001


@dataclass(frozen=True)
class Seat:
    """One ticket's place on Discord."""

    user_id: int
    dm_channel_id: int
    guild_id: int
    channel_id: int


def _seats_on_loop(emu, count: int) -> list[Seat]:
    """Runs on the emulator's loop (one call instead of thousands of hops)."""
    seats: list[Seat] = []
    guild_id = None
    for n in range(count):
        if n % CHANNELS_PER_GUILD == 0:
            guild_id = emu.create_guild(f"Crowd {n // CHANNELS_PER_GUILD}")
        user_id = emu.create_user(f"crowd-{n}")
        emu.add_member(guild_id, user_id)
        dm = G.dm_channel(emu.state, user_id)
        channel_id = emu.create_channel(guild_id, f"crowd-{n}")
        seats.append(Seat(user_id, dm.id, guild_id, channel_id))
    return seats


def seed_due_closures(emu: FakeDiscordThread, count: int) -> list[Seat]:
    """``count`` open tickets with a channel, each with a scheduled close due a minute ago."""
    seats = emu.call(_seats_on_loop, emu.emu, count)
    tickets = Ticket.objects.bulk_create(
        [
            Ticket(
                user_id=seat.user_id,
                user_name=f"crowd-{n}",
                dm_channel_id=seat.dm_channel_id,
                guild_id=seat.guild_id,
                channel_id=seat.channel_id,
                channel_name=f"crowd-{n}",
            )
            for n, seat in enumerate(seats)
        ],
        batch_size=1000,
    )
    due = timezone.now() - timedelta(minutes=1)
    ScheduledClosure.objects.bulk_create(
        [ScheduledClosure(ticket=ticket, due_at=due, scheduled_by=STAFF_ID) for ticket in tickets],
        batch_size=1000,
    )
    return seats


@dataclass(frozen=True)
class CloseReport:
    """What Discord saw: close messages sent to each user's DM channel, channels left, log posts."""

    messages_per_user: dict[int, int]
    channels_left: int
    log_posts: int

    @property
    def users_messaged_once(self) -> int:
        return sum(1 for sent in self.messages_per_user.values() if sent == 1)


def _report_on_loop(emu, seats: list[Seat], logs_channel_id: int | None) -> CloseReport:
    posts = re.compile(r"/channels/(\d+)/messages$")
    by_channel: dict[int, int] = {}
    for call in emu.calls:
        match = posts.search(call.path) if call.method == "POST" and call.status == 200 else None
        if match:
            channel = int(match.group(1))
            by_channel[channel] = by_channel.get(channel, 0) + 1
    return CloseReport(
        messages_per_user={seat.user_id: by_channel.get(seat.dm_channel_id, 0) for seat in seats},
        channels_left=sum(1 for seat in seats if seat.channel_id in emu.state.channels),
        log_posts=by_channel.get(logs_channel_id, 0) if logs_channel_id else 0,
    )


def close_report(emu: FakeDiscordThread, seats: list[Seat], *, logs_channel_id: int | None) -> CloseReport:
    """Count, from the emulator's record of REST calls, what the closes did on Discord."""
    return emu.call(_report_on_loop, emu.emu, seats, logs_channel_id)

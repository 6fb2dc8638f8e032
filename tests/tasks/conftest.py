"""Scheduled work: the services' scene (in-memory Discord), a way to make Discord fail, the product
configured against the Discord emulator, and real Celery workers in subprocesses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tickets.discord import DiscordError, set_port
from tickets.models import BotConfig, Ticket
from tickets.models.scheduling import Job

from ..services.conftest import GUILD, OTHER, STAFF, USER, Scene, scene  # noqa: F401  (shared fixture)


@pytest.fixture(autouse=True)
def _postgres_only(request) -> None:
    """Tests marked ``postgres`` run on PostgreSQL only (``make test`` runs the suite on both)."""
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/rustmail")


@pytest.fixture
def ticket(scene) -> Ticket:  # noqa: F811
    scene.dm(USER, "help")
    return Ticket.objects.get(user_id=USER)


FailNext = Callable[..., None]


@pytest.fixture
def fail_next(scene, monkeypatch) -> FailNext:  # noqa: F811
    """``fail_next("delete_channel", times=2, status=500)``: the fake Discord's next calls of that
    method fail as Discord would (a 5xx by default)."""

    def install(method: str, *, times: int = 1, status: int = 500, code: int = 0) -> None:
        real = getattr(scene.discord, method)
        left = [times]

        def failing(*args, **kwargs):
            if left[0] > 0:
                left[0] -= 1
                raise DiscordError(status, code, "Discord is having a bad day")
            return real(*args, **kwargs)

        monkeypatch.setattr(scene.discord, method, failing)

    return install


def make_due(job: Job) -> None:
    """Move a job's due time into the past (what waiting for it would do)."""
    type(job).objects.filter(pk=job.pk).update(due_at=timezone.now() - timedelta(seconds=1))


@pytest.fixture
def emulated(fake_discord_thread, settings) -> Iterator:
    """The product configured against the Discord emulator's demo guild, reaching it through the
    REST adapter (as the worker does): inbox, logs channel, bot token."""
    emu = fake_discord_thread
    demo = emu.demo
    settings.DISCORD_API_BASE = emu.api_base
    settings.DISCORD_TOKEN = ""
    config = BotConfig.load()
    config.bot_token = emu.bot_token
    config.mode_guild_id = demo.guild_id
    config.thread_inbox_category_id = demo.inbox_category_id
    config.bot_logs_channel_id = demo.logs_channel_id
    config.bot_enable_rustmail_logs = True
    config.save()
    set_port(None)
    yield emu
    set_port(None)

"""Two real workers on PostgreSQL against 2,000 closes due at once: each ticket closed once, one
close message each, none missed (claims use SELECT ... FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import re
import time

import pytest
import redis

from rustmail.celery import app
from tickets.models import BotConfig, ScheduledClosure, Ticket

from .crowd import close_report, seed_due_closures
from .workers import celery_worker, unique_queue

CLOSES = 2000
REDIS_URL = "redis://127.0.0.1:6379/0"


def closes_logged(log: str) -> int:
    """The closes a worker's log reports done."""
    return sum(int(n) for n in re.findall(r"Scheduled closes: (\d+) done", log))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_close_2000_due_tickets_exactly_once(emulated, tmp_path):
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis does not answer at 127.0.0.1:6379")
    BotConfig.objects.update(bot_enable_rustmail_logs=False)  # the close itself is what is counted
    seats = seed_due_closures(emulated, CLOSES)
    queue = unique_queue()
    env = {
        "DISCORD_API_BASE": emulated.api_base,
        "DISCORD_REST_RATE": "5000",
        "SCHEDULER_THREADS": "4",
        "REDIS_URL": REDIS_URL,
    }
    try:
        with (
            celery_worker(name="first", data_dir=tmp_path, env=env, queue=queue, wait=False) as first,
            celery_worker(name="second", data_dir=tmp_path, env=env, queue=queue, wait=False) as second,
            app.connection_for_write(REDIS_URL) as broker,
        ):
            first.ready()
            second.ready()
            for _ in range(4):  # what beat would send on its next ticks
                app.send_task("tickets.run_due_closures", queue=queue, connection=broker)
            deadline = time.monotonic() + 180
            unfinished = ScheduledClosure.objects.exclude(state="done")
            while unfinished.exists() and time.monotonic() < deadline:
                time.sleep(0.5)
            # A worker logs its summary line after its last close is committed: wait for both.
            logs = first.output(), second.output()
            while sum(map(closes_logged, logs)) < CLOSES and time.monotonic() < deadline + 30:
                time.sleep(0.5)
                logs = first.output(), second.output()
    finally:
        client.delete(queue, f"_kombu.binding.{queue}")

    assert not unfinished.exists(), list(unfinished.values_list("state", "last_error")[:5])
    assert ScheduledClosure.objects.filter(state="done", attempts=1).count() == CLOSES
    assert Ticket.objects.filter(status=Ticket.Status.CLOSED, closed_by="scheduled").count() == CLOSES
    report = close_report(emulated, seats, logs_channel_id=None)
    assert report.users_messaged_once == CLOSES, "every user gets exactly one close message"
    assert report.channels_left == 0
    closed_by = [closes_logged(log) for log in logs]
    assert sum(closed_by) == CLOSES and all(closed_by), f"both workers take part: {closed_by}"

"""Real ``celery -A rustmail worker`` processes: on the embedded broker (no server at all, beat
inside the worker) and on Redis. They reach Discord (the emulator) through the REST adapter."""

from __future__ import annotations

import time

import pytest
import redis
from django.conf import settings

from rustmail.celery import app
from tickets import services
from tickets.models import BotConfig, Reminder, ScheduledClosure, Ticket

from .conftest import make_due
from .workers import celery_worker, unique_queue

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_URL = "redis://127.0.0.1:6379/0"


def wait_until(predicate, timeout: float, worker) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not done within {timeout} s; worker log:\n{worker.output()[-4000:]}")
        time.sleep(0.2)


def state_of(job) -> str:
    return type(job).objects.values_list("state", flat=True).get(pk=job.pk)


@pytest.fixture
def ticket(emulated) -> Ticket:
    demo = emulated.demo
    message = emulated.user_dm(demo.user_ids[0], "help")
    services.user_message_relay(
        user_id=demo.user_ids[0],
        user_name="alice",
        dm_message_id=int(message["id"]),
        dm_channel_id=int(message["channel_id"]),
        content="help",
    )
    return Ticket.objects.get()


def worker_env(emu) -> dict[str, str]:
    return {"DISCORD_API_BASE": emu.api_base, "DISCORD_REST_RATE": "500", "SCHEDULER_THREADS": "2"}


def test_the_embedded_default_needs_no_server_beat_drives_the_close(emulated, ticket, tmp_path):
    closure = services.close_schedule(ticket=ticket, delay="1h", staff_id=emulated.demo.staff_id).closure
    make_due(closure)
    with celery_worker(name="embedded", data_dir=tmp_path, env=worker_env(emulated), beat=True) as worker:
        wait_until(lambda: state_of(closure) == "done", 60, worker)
    assert "filesystem://" in worker.output()
    assert emulated.channel(ticket.channel_id) is None
    close_message = BotConfig.load().bot_close_message
    dm = emulated.dm_messages(emulated.demo.user_ids[0])
    assert [m["embeds"][0]["description"] for m in dm if m["embeds"]].count(close_message) == 1


def test_a_worker_on_redis_runs_closes_and_reminders(emulated, ticket, tmp_path):
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis does not answer at 127.0.0.1:6379")
    staff = emulated.demo.staff_id
    reminder = services.reminder_add(ticket=ticket, staff_id=staff, when="1h", content="ping")
    closure = services.close_schedule(ticket=ticket, delay="2h", staff_id=staff).closure
    make_due(reminder)
    queue = unique_queue()
    env = {**worker_env(emulated), "REDIS_URL": REDIS_URL}
    try:
        with (
            celery_worker(name="redis", data_dir=tmp_path, env=env, queue=queue) as worker,
            app.connection_for_write(REDIS_URL) as broker,
        ):
            app.send_task("tickets.run_due_reminders", queue=queue, connection=broker)
            wait_until(lambda: state_of(reminder) == "done", 30, worker)
            make_due(closure)
            app.send_task("tickets.run_due_closures", queue=queue, connection=broker)
            wait_until(lambda: state_of(closure) == "done", 30, worker)
    finally:
        client.delete(queue, f"_kombu.binding.{queue}")
    assert "Connected to redis://" in worker.output()
    assert Reminder.objects.get().state == "done" and ScheduledClosure.objects.get().state == "done"
    assert emulated.channel(ticket.channel_id) is None
    assert settings.REDIS_URL is None  # the test process itself stays on the embedded default

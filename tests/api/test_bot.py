"""``/api/bot/status|start|stop|restart|presence`` and the heartbeat they read (``botcontrol``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets.models import SystemState
from tickets.services import botcontrol

from .conftest import Permission


@pytest.fixture
def operator(login):
    return login(grants=(Permission.VIEW_PANEL, Permission.MANAGE_BOT))


def beat(*, age: timedelta = timedelta(0), connected: bool = True) -> None:
    botcontrol.bot_heartbeat(connected=connected)
    SystemState.objects.filter(pk=1).update(bot_heartbeat_at=timezone.now() - age)


def test_status_is_stopped_without_a_heartbeat(operator) -> None:
    assert operator.get("/api/bot/status").json() == {"status": "stopped", "presence": "online"}


def test_status_is_running_only_while_the_heartbeat_is_fresh(operator) -> None:
    beat()
    assert operator.get("/api/bot/status").json()["status"] == "running"
    beat(age=timedelta(minutes=5))
    assert operator.get("/api/bot/status").json()["status"] == "stopped"
    beat(connected=False)
    assert operator.get("/api/bot/status").json()["status"] == "stopped"


def test_stop_then_start(operator) -> None:
    beat()
    assert operator.post("/api/bot/stop").json() == "Bot stopped"
    assert SystemState.load().desired_state == "stopped"
    botcontrol.bot_stopped()
    assert operator.post("/api/bot/stop").json() == "Bot is not running"
    assert operator.post("/api/bot/start").json() == "Bot is starting"
    assert SystemState.load().desired_state == "running"


def test_start_while_running(operator) -> None:
    beat()
    response = operator.post("/api/bot/start")
    assert (response.status_code, response.json()) == (200, "Bot is already running")


def test_restart_records_a_request_the_bot_reads_at_its_heartbeat(operator) -> None:
    SystemState.objects.update_or_create(pk=1, defaults={"desired_state": "stopped"})
    assert operator.post("/api/bot/restart").json() == "Bot is restarting"
    orders = botcontrol.bot_heartbeat(connected=True)
    assert orders.should_run
    assert orders.restart_requested_at is not None


@pytest.mark.parametrize("presence", ["online", "idle", "dnd", "invisible", "maintenance"])
def test_presence_accepts_exactly_the_five_values(operator, presence: str) -> None:
    response = operator.post("/api/bot/presence", {"status": presence}, format="json")
    assert (response.status_code, response.json()) == (200, {"status": presence})
    assert operator.get("/api/bot/status").json()["presence"] == presence
    assert botcontrol.bot_heartbeat(connected=True).presence == presence


@pytest.mark.parametrize("body", [{"status": "away"}, {"status": "ONLINE"}, {}, {"status": 1}, ["online"]])
def test_any_other_presence_is_a_400(operator, body) -> None:
    response = operator.post("/api/bot/presence", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"error"}
    assert SystemState.load().presence == "online"


def test_health_reports_the_heartbeat(db) -> None:
    from rest_framework.test import APIClient

    beat()
    body = APIClient().get("/api/health").json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["bot"]["status"] == "running"

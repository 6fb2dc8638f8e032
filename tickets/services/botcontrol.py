"""The bot's desired state and heartbeat, shared through ``SystemState``.

The web process writes what the panel wants (running or stopped, a presence, a restart request);
the bot process reads it on every heartbeat and reports that it is alive. Neither calls the other:
the status the API shows is ``running`` only while the heartbeat is fresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from tickets import events, selectors
from tickets.errors import InvalidInput
from tickets.models import SystemState

from ._common import now

PRESENCES = tuple(SystemState.Presence.values)


@dataclass(frozen=True)
class BotStatus:
    """What ``GET /api/bot/status`` shows: ``running`` or ``stopped``, and the presence."""

    status: str
    presence: str


@dataclass(frozen=True)
class Orders:
    """What the bot process must do, as read at its last heartbeat."""

    desired_state: str
    presence: str
    restart_requested_at: datetime | None

    @property
    def should_run(self) -> bool:
        return self.desired_state == SystemState.Desired.RUNNING


def _announce(state: SystemState, *, alive: bool) -> None:
    """Tell the panels (``bot.status``) whether the bot runs and what it was asked to do."""
    data = {"status": "running" if alive else "stopped", "presence": state.presence}
    events.publish(events.EventType.BOT_STATUS, data={**data, "desired_state": state.desired_state})


def _locked_state() -> SystemState:
    SystemState.load()
    return SystemState.objects.select_for_update().get(pk=1)


def bot_status() -> BotStatus:
    """The bot's state as the panel sees it (no side effects)."""
    state = SystemState.load()
    alive = selectors.bot_is_alive(state)
    return BotStatus(status="running" if alive else "stopped", presence=state.presence)


@transaction.atomic
def bot_start() -> bool:
    """Ask the bot to run. False when it already runs (wanted running and its heartbeat is fresh)."""
    state = _locked_state()
    if state.desired_state == SystemState.Desired.RUNNING and selectors.bot_is_alive(state):
        return False
    state.desired_state = SystemState.Desired.RUNNING
    state.save(update_fields=["desired_state"])
    _announce(state, alive=selectors.bot_is_alive(state))
    return True


@transaction.atomic
def bot_stop() -> bool:
    """Ask the bot to stop. False when it was neither wanted running nor alive."""
    state = _locked_state()
    if state.desired_state == SystemState.Desired.STOPPED and not selectors.bot_is_alive(state):
        return False
    state.desired_state = SystemState.Desired.STOPPED
    state.save(update_fields=["desired_state"])
    _announce(state, alive=selectors.bot_is_alive(state))
    return True


@transaction.atomic
def bot_restart() -> None:
    """Ask the bot to restart: it stops and starts again when it sees a newer request
    (a stopped bot just starts)."""
    state = _locked_state()
    state.desired_state = SystemState.Desired.RUNNING
    state.restart_requested_at = now()
    state.save(update_fields=["desired_state", "restart_requested_at"])
    _announce(state, alive=selectors.bot_is_alive(state))


@transaction.atomic
def bot_set_presence(*, presence: str) -> str:
    """Set the presence the bot shows: one of online, idle, dnd, invisible, maintenance."""
    if presence not in PRESENCES:
        raise InvalidInput(_("Invalid status value"))
    state = _locked_state()
    state.presence = presence
    state.save(update_fields=["presence"])
    _announce(state, alive=selectors.bot_is_alive(state))
    return presence


@transaction.atomic
def bot_heartbeat(*, connected: bool, latency_ms: int | None = None) -> Orders:
    """Record that the bot process is alive (``connected``: its gateway session is up, with
    ``latency_ms`` the gateway latency it measured, if any) and return the orders it must follow.
    The bot calls this every few seconds."""
    state = _locked_state()
    was_alive = selectors.bot_is_alive(state)
    at = now()
    fields = ["bot_heartbeat_at", "bot_connected", "bot_latency_ms"]
    state.bot_latency_ms = latency_ms if connected else None
    if connected and not state.bot_connected:
        state.bot_started_at = at
        fields.append("bot_started_at")
    state.bot_heartbeat_at = at
    state.bot_connected = connected
    state.save(update_fields=fields)
    if connected != was_alive:  # started or stopped: not every heartbeat
        _announce(state, alive=connected)
    return Orders(
        desired_state=state.desired_state,
        presence=state.presence,
        restart_requested_at=state.restart_requested_at,
    )


@transaction.atomic
def bot_stopped() -> None:
    """Record that the bot process closed its gateway session (the status turns ``stopped`` at once)."""
    if SystemState.objects.filter(pk=1, bot_connected=True).update(bot_connected=False):
        _announce(SystemState.load(), alive=False)


@transaction.atomic
def bot_status_check() -> bool:
    """Record as stopped a bot whose heartbeat went stale without a word (killed, its host lost),
    and tell the panels. The worker calls it every few seconds; True when it did."""
    state = _locked_state()
    if not state.bot_connected or selectors.bot_is_alive(state):
        return False
    state.bot_connected = False
    state.save(update_fields=["bot_connected"])
    _announce(state, alive=False)
    return True

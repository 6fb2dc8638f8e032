"""The bot process: a heartbeat that obeys the desired state the API writes.

Every tick (half a second) the supervisor records a heartbeat (``bot_heartbeat``) and reads its
orders back: running or stopped, a presence, a restart request. It starts a gateway session when the
bot should run, closes it when it should stop, replaces it on a restart, and applies presence
changes, so an order from the panel takes effect within a second or so. A change of the session's
state (connected, closed) is reported at once, not at the next tick. It also reloads the
configuration when it changed, for the bot and for the services it calls (``use_config``), so no
event loads it again. SIGTERM or SIGINT closes the session after in-flight relays finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import signal
from collections.abc import Callable
from datetime import datetime

import nextcord
from django.conf import settings

from tickets import services
from tickets.models import BotConfig, SystemState
from tickets.services._common import use_config
from tickets.services.botcontrol import Orders, bot_heartbeat, bot_stopped

from .bot import ModmailBot, point_at_api
from .runtime import ServiceRunner

log = logging.getLogger("rustmail.bot")

TICK = 0.5
MAINTENANCE_TEXT = "Maintenance"
# After a session that failed (Discord unreachable, say), wait this long before the next, doubling.
RETRY_FIRST, RETRY_MAX = 1.0, 30.0


def presence_of(presence: str, cfg: BotConfig) -> tuple[nextcord.Status, nextcord.BaseActivity | None]:
    """The gateway status and activity for a presence of the API (maintenance shows as dnd)."""
    if presence == SystemState.Presence.MAINTENANCE:
        return nextcord.Status.dnd, nextcord.Game(MAINTENANCE_TEXT)
    status = {
        "online": nextcord.Status.online,
        "idle": nextcord.Status.idle,
        "dnd": nextcord.Status.dnd,
        "invisible": nextcord.Status.invisible,
    }.get(presence, nextcord.Status.online)
    activity = nextcord.Game(cfg.bot_status) if cfg.bot_status else None
    return status, activity


def gateway_latency_ms(latency: float | None, heartbeat_interval: float | None) -> int | None:
    """nextcord's gateway latency (seconds) in milliseconds, or None when it holds no latency.

    It is inf (or nan) until the gateway acknowledged a heartbeat. And nextcord notes when a
    heartbeat was sent only once the send returned: an acknowledgement that comes back sooner (a
    gateway close by, a busy machine) is measured from the previous heartbeat, about one heartbeat
    interval earlier. Such a value says nothing of the latency."""
    if latency is None or not math.isfinite(latency) or latency < 0:
        return None
    if heartbeat_interval and latency >= heartbeat_interval / 2:
        return None
    return round(latency * 1000)


class Supervisor:
    """Runs ``ModmailBot`` sessions as the orders say, until stopped.

    ``fatal`` holds why the process must end in error (Discord refused the token), else None."""

    def __init__(
        self,
        *,
        token: str,
        api_base: str | None = None,
        bot_factory: Callable[..., ModmailBot] = ModmailBot,
        tick: float = TICK,
        recover_on_start: bool = True,
    ) -> None:
        self.token = token
        self.api_base = api_base or settings.DISCORD_API_BASE
        self.bot_factory = bot_factory
        self.tick = tick
        self.recover_on_start = recover_on_start
        self.runner = ServiceRunner(threads=settings.BOT_SERVICE_THREADS)
        self.bot: ModmailBot | None = None
        self.session: asyncio.Task | None = None
        self.applied_presence: str | None = None
        self.restart_seen: datetime | None = None
        self.stop_requested = asyncio.Event()
        # Set when something the heartbeat reports changed (the session got ready, or ended).
        self.wake = asyncio.Event()
        self.reported_connected: bool | None = None
        self.latency_ms: int | None = None  # the last gateway latency worth showing
        self.cfg: BotConfig | None = None
        self.cfg_stamp: datetime | None = None
        self.recovery: asyncio.Task | None = None
        self.fatal: str | None = None
        self.retry_delay = RETRY_FIRST
        self.retry_at = 0.0

    # --- signals -------------------------------------------------------------------------
    def install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.request_stop)

    def request_stop(self) -> None:
        log.info("Stopping: letting in-flight work finish")
        self.stop_requested.set()
        self.wake.set()

    # --- the loop ------------------------------------------------------------------------
    async def run(self) -> None:
        point_at_api(self.api_base)
        first = await self.runner.call(bot_heartbeat, connected=False)
        self.reported_connected = False
        self.restart_seen = first.restart_requested_at
        await self.refresh_config()
        use_config(lambda: self.cfg)
        try:
            while not self.stop_requested.is_set():
                self.wake.clear()
                await self.step()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), self.tick)
        finally:
            await self.stop_session()
            use_config(None)
            with contextlib.suppress(Exception):
                await self.runner.call(bot_stopped)
            self.runner.shutdown()
            log.info("Bot process stopped")

    def connected(self) -> bool:
        """The gateway session is up (ready, not closed, its websocket open)."""
        bot = self.bot
        if bot is None or not bot.is_ready() or bot.is_closed():
            return False
        return bot.ws is not None and bot.ws.open

    async def step(self) -> Orders:
        """One tick: heartbeat, read orders, act on them (and report at once what that changed)."""
        orders = await self.heartbeat()
        await self.refresh_config()
        if self.session is not None and self.session.done():
            await self.reap_session()
        restart = orders.restart_requested_at is not None and orders.restart_requested_at != self.restart_seen
        if restart:
            self.restart_seen = orders.restart_requested_at
            log.info("Restart requested: closing the gateway session, then opening a new one")
            await self.stop_session()
        if orders.should_run and self.session is None and not self.stop_requested.is_set():
            if asyncio.get_running_loop().time() >= self.retry_at:
                await self.start_session()
        elif not orders.should_run and self.session is not None:
            log.info("Stop requested: closing the gateway session")
            await self.stop_session()
        if self.bot is not None:
            self.bot.maintenance = orders.presence == SystemState.Presence.MAINTENANCE
        if self.connected() and orders.presence != self.applied_presence:
            status, activity = presence_of(orders.presence, self.bot.cfg)
            await self.bot.change_presence(status=status, activity=activity)
            self.applied_presence = orders.presence
            log.info("Presence set to %s", orders.presence)
        if self.connected() != self.reported_connected:
            await self.heartbeat()
        return orders

    async def heartbeat(self) -> Orders:
        connected = self.connected()
        if not connected:
            self.latency_ms = None
        else:
            keep_alive = getattr(self.bot.ws, "_keep_alive", None)
            measured = gateway_latency_ms(self.bot.latency, getattr(keep_alive, "interval", None))
            self.latency_ms = measured if measured is not None else self.latency_ms
        orders = await self.runner.call(bot_heartbeat, connected=connected, latency_ms=self.latency_ms)
        self.reported_connected = connected
        return orders

    async def refresh_config(self) -> None:
        """Reload the configuration when it changed (its ``updated_at`` moved)."""
        stamp = await self.runner.call(lambda: BotConfig.objects.values_list("updated_at", flat=True).first())
        if self.cfg is None or stamp != self.cfg_stamp:
            self.cfg = await self.runner.call(BotConfig.load)
            self.cfg_stamp = self.cfg.updated_at
        if self.bot is not None:
            self.bot.cfg = self.cfg

    async def start_session(self) -> None:
        self.bot = self.bot_factory(cfg=self.cfg, runner=self.runner)
        self.applied_presence = None
        self.session = asyncio.ensure_future(self.bot.start(self.token))
        # The loop wakes up when the session ends, so the status says "stopped" at once.
        self.session.add_done_callback(lambda _task: self.wake.set())
        log.info("Gateway session starting (%s)", self.api_base)
        self.recovery = asyncio.ensure_future(self.when_ready(self.bot))

    async def when_ready(self, bot: ModmailBot) -> None:
        """Once connected: report it, then relay every DM sent while the bot was away (unless
        ``--no-recover``), and only then take live DMs, so each user's DMs stay in order."""
        with contextlib.suppress(asyncio.CancelledError):
            await bot.wait_until_ready()
            self.retry_delay = RETRY_FIRST
            self.wake.set()
            if not self.recover_on_start:
                bot.dms_open.set()
                return
            try:
                async with bot.runner.tracked():
                    count = await bot.runner.call(services.recover)
                log.info("Recovery at startup: %d message(s) recovered", count)
            except Exception:
                log.exception("Recovery at startup failed")
            finally:
                bot.dms_open.set()

    async def stop_session(self) -> None:
        if self.bot is None:
            return
        await self.bot.shutdown()
        await self.reap_session()

    async def reap_session(self) -> None:
        session, self.session = self.session, None
        self.bot = None
        if self.recovery is not None:
            self.recovery.cancel()
            self.recovery = None
        if session is None:
            return
        try:
            await asyncio.wait_for(session, 10)
            log.info("Gateway session closed")
        except nextcord.LoginFailure:
            self.fatal = (
                "Discord refused the bot token: check DISCORD_TOKEN or bot.token in the configuration."
            )
            log.error(self.fatal)
            self.stop_requested.set()
        except nextcord.PrivilegedIntentsRequired:
            self.fatal = (
                "Discord refused the privileged intents: enable the Server Members and Message Content "
                "intents for the bot in the Developer Portal."
            )
            log.error(self.fatal)
            self.stop_requested.set()
        except Exception:
            log.exception("The gateway session ended with an error; trying again in %.0f s", self.retry_delay)
            self.retry_at = asyncio.get_running_loop().time() + self.retry_delay
            self.retry_delay = min(self.retry_delay * 2, RETRY_MAX)

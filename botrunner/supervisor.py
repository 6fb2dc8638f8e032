"""The bot process: a heartbeat every second that obeys the desired state the API writes.

Every second the supervisor records a heartbeat (``bot_heartbeat``) and reads its orders back:
running or stopped, a presence, a restart request. It starts a gateway session when the bot should
run, closes it when it should stop, replaces it on a restart, and applies presence changes, so an
order from the panel takes effect within about a second. It also refreshes the configuration the
bot reads. SIGTERM or SIGINT closes the session after in-flight relays finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from datetime import datetime

import nextcord
from django.conf import settings

from tickets import services
from tickets.models import BotConfig, SystemState
from tickets.services.botcontrol import Orders, bot_heartbeat, bot_stopped

from .bot import ModmailBot, point_at_api
from .runtime import ServiceRunner

log = logging.getLogger("rustmail.bot")

TICK = 1.0
MAINTENANCE_TEXT = "Maintenance"


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


class Supervisor:
    """Runs ``ModmailBot`` sessions as the orders say, until stopped."""

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
        self.cfg_stamp: datetime | None = None
        self.recovery: asyncio.Task | None = None

    # --- signals -------------------------------------------------------------------------
    def install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.request_stop)

    def request_stop(self) -> None:
        log.info("Stopping: letting in-flight work finish")
        self.stop_requested.set()

    # --- the loop ------------------------------------------------------------------------
    async def run(self) -> None:
        point_at_api(self.api_base)
        first = await self.runner.call(bot_heartbeat, connected=False)
        self.restart_seen = first.restart_requested_at
        try:
            while not self.stop_requested.is_set():
                await self.step()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop_requested.wait(), self.tick)
        finally:
            await self.stop_session()
            with contextlib.suppress(Exception):
                await self.runner.call(bot_stopped)
            self.runner.shutdown()

    async def step(self) -> Orders:
        """One tick: heartbeat, read orders, act on them."""
        connected = self.bot is not None and self.bot.is_ready() and not self.bot.is_closed()
        orders = await self.runner.call(bot_heartbeat, connected=connected)
        await self.refresh_config()
        if self.session is not None and self.session.done():
            await self.reap_session()
        restart = orders.restart_requested_at is not None and orders.restart_requested_at != self.restart_seen
        if restart:
            self.restart_seen = orders.restart_requested_at
            log.info("Restart requested")
            await self.stop_session()
        if orders.should_run and self.session is None:
            await self.start_session()
        elif not orders.should_run and self.session is not None:
            log.info("Stop requested")
            await self.stop_session()
        if self.bot is not None:
            self.bot.maintenance = orders.presence == SystemState.Presence.MAINTENANCE
        if self.bot is not None and self.bot.is_ready() and orders.presence != self.applied_presence:
            status, activity = presence_of(orders.presence, self.bot.cfg)
            await self.bot.change_presence(status=status, activity=activity)
            self.applied_presence = orders.presence
            log.info("Presence set to %s", orders.presence)
        return orders

    async def refresh_config(self) -> None:
        stamp = await self.runner.call(lambda: BotConfig.objects.values_list("updated_at", flat=True).first())
        if self.bot is not None and stamp != self.cfg_stamp:
            self.bot.cfg = await self.runner.call(BotConfig.load)
            self.cfg_stamp = stamp

    async def start_session(self) -> None:
        cfg = await self.runner.call(BotConfig.load)
        self.bot = self.bot_factory(cfg=cfg, runner=self.runner)
        self.applied_presence = None
        self.session = asyncio.ensure_future(self.bot.start(self.token))
        self.session.add_done_callback(lambda _task: None)
        log.info("Gateway session starting")
        if self.recover_on_start:
            self.recovery = asyncio.ensure_future(self.recover_when_ready(self.bot))
        else:
            self.bot.dms_open.set()

    async def recover_when_ready(self, bot: ModmailBot) -> None:
        """Relay every DM sent while the bot was away, once it is connected."""
        with contextlib.suppress(asyncio.CancelledError):
            await bot.wait_until_ready()
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
        if session is None:
            return
        try:
            await asyncio.wait_for(session, 10)
        except nextcord.LoginFailure:
            log.error("Discord refused the bot token: check DISCORD_TOKEN or bot.token")
            self.stop_requested.set()
        except Exception:
            log.exception("The gateway session ended with an error; starting again")

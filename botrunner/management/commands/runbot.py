"""``manage.py runbot``: the Discord bot process.

Exit status: 0 after a clean stop (SIGTERM, Ctrl-C); 1 when there is no token (unless
``--wait-for-token``), or Discord refused the token or the privileged intents.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from botrunner.supervisor import Supervisor
from tickets.selectors import bot_token


class Command(BaseCommand):
    help = (
        "Run the Discord bot: connects with the configured token, obeys the start/stop/restart and "
        "presence orders of the panel, writes a heartbeat, and stops cleanly on SIGTERM or Ctrl-C."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-recover",
            action="store_true",
            help="Do not relay the DMs sent while the bot was away at startup (use `recover` later).",
        )
        parser.add_argument(
            "--wait-for-token",
            action="store_true",
            help="With no token configured yet, wait for one (the setup wizard's save) instead of "
            "exiting: what a container restarted by its orchestrator wants.",
        )

    def handle(self, *args, no_recover: bool = False, wait_for_token: bool = False, **options) -> None:
        token = bot_token()
        if not token and wait_for_token:
            token = self.wait_for_token()
            if not token:
                self.stdout.write("Bot stopped.")
                return
        if not token:
            raise CommandError(
                "No bot token: set DISCORD_TOKEN in the environment, or bot.token in the configuration "
                "(the panel's configuration page, the Django admin, or `manage.py importconfig config.toml`)."
            )
        logging.getLogger("rustmail.bot").info("Discord API: %s", settings.DISCORD_API_BASE)
        supervisor = Supervisor(token=token, recover_on_start=not no_recover)

        async def main() -> None:
            supervisor.install_signal_handlers()
            await supervisor.run()

        asyncio.run(main())
        if supervisor.fatal:
            raise CommandError(supervisor.fatal)
        self.stdout.write("Bot stopped.")

    def wait_for_token(self, interval: float = 2.0) -> str:
        """Poll the configuration until a token is there ("" when stopped by SIGTERM or Ctrl-C)."""
        stopping = False

        def stop(_signum, _frame) -> None:
            nonlocal stopping
            stopping = True

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        self.stdout.write(
            "No bot token yet: waiting for one (the setup wizard, the panel's configuration page, "
            "DISCORD_TOKEN or `manage.py importconfig`).",
        )
        self.stdout.flush()
        try:
            while not stopping:
                token = bot_token()
                if token:
                    self.stdout.write("A bot token is configured: starting.")
                    return token
                deadline = time.monotonic() + interval
                while not stopping and time.monotonic() < deadline:
                    time.sleep(0.1)
            return ""
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

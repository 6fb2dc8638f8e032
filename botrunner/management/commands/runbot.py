"""``manage.py runbot``: the Discord bot process.

Exit status: 0 after a clean stop (SIGTERM, Ctrl-C); 1 when there is no token, or Discord refused
the token or the privileged intents.
"""

from __future__ import annotations

import asyncio
import logging

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

    def handle(self, *args, no_recover: bool = False, **options) -> None:
        token = bot_token()
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

"""``manage.py setuplink``: print a one-time link to the setup wizard (while no bot is configured).

``runall`` prints one by itself; behind docker-compose or any other process manager, run this in
the web container: ``docker compose exec web python manage.py setuplink --base-url https://…``.
Each new link replaces the previous one.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from panel.services import setup_token_issue


class Command(BaseCommand):
    help = (
        "Print a one-time link to the setup wizard while no bot configuration exists "
        "(the link printed last is the only one that works)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:3002",
            help="The address the panel is reached at, as the browser will open it "
            "(default: http://127.0.0.1:3002).",
        )

    def handle(self, *args, base_url: str, **options) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise CommandError(
                f"--base-url must be an http(s) address such as https://modmail.example.com, not {base_url!r}"
            )
        token = setup_token_issue()
        if token is None:
            raise CommandError(
                "The bot is already configured: the setup wizard is closed. Change the configuration "
                "in the panel (/panel/configuration) or the Django admin."
            )
        self.stdout.write(f"{base_url.rstrip('/')}/setup/?token={token}")

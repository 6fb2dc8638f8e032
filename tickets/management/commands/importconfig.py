"""``manage.py importconfig FILE``: load Rustmail's ``config.toml`` into the bot configuration."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tickets.errors import DomainError
from tickets.services.config import config_update, unknown_keys


class Command(BaseCommand):
    """Read a Rustmail ``config.toml`` (the eight sections and ``[bot.mode]``) and save it.

    Keys the file does not set keep their current values; keys this product does not know are
    listed and ignored; an invalid value stops the import with its field named, and nothing is
    written. The previous configuration is kept as a revision.
    """

    help = "Import Rustmail's config.toml into the bot configuration."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Path of the config.toml to import.")

    def handle(self, *args: object, **options: object) -> None:
        file = options["file"]
        assert isinstance(file, Path)
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
            ) from error
        except tomllib.TOMLDecodeError as error:
            raise CommandError(
                _("%(file)s is not valid TOML: %(error)s") % {"file": file, "error": error}
            ) from error
        for key in unknown_keys(data):
            self.stderr.write(_("Ignored unknown key %(key)s") % {"key": key})
        try:
            # The operator at the server's shell may set who administers the panel.
            config_update(data=data, saved_by="importconfig", strict=False, may_change_access=True)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(_("Configuration imported from %(file)s.") % {"file": file}))

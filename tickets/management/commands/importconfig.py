"""``manage.py importconfig FILE``: load Rustmail's ``config.toml`` into the bot configuration."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tickets.errors import DomainError
from tickets.services.config_import import config_import_rustmail


class Command(BaseCommand):
    """Read a Rustmail ``config.toml`` (the eight sections and ``[bot.mode]``) and save it.

    Keys the file does not set keep their current values. What Rustmail's files hold that this
    product takes differently is adjusted and listed on stderr with the reason
    (``tickets.services.config_import``): renamed keys read under their new name, unknown keys,
    untranslated languages, impossible Discord IDs and placeholders left out. Any other invalid
    value stops the import with its field named, and nothing is written. The previous
    configuration is kept as a revision.
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
        try:
            _cfg, notes = config_import_rustmail(data=data, saved_by="importconfig")
        except DomainError as error:
            raise CommandError(error.message) from error
        if notes:
            self.stderr.write(
                self.style.WARNING(
                    ngettext(
                        "Imported with %(count)s adjustment:",
                        "Imported with %(count)s adjustments:",
                        len(notes),
                    )
                    % {"count": len(notes)}
                )
            )
            for note in notes:
                self.stderr.write(f"  {note}")
        self.stdout.write(self.style.SUCCESS(_("Configuration imported from %(file)s.") % {"file": file}))

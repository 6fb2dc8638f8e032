"""``manage.py createapikey NAME --permission CreateTicket [--expires-at ISO8601]``."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from apikeys.services import PERMISSIONS, apikey_create
from tickets.errors import DomainError


def _expiry(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(_("--expires-at: %(value)s is not an ISO 8601 date") % {"value": value}) from error
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    """Create an API key for ``/api/externals/*`` and print it once, on the last line of the output.

    ``--permission`` may be repeated (default: CreateTicket); ``--expires-at`` takes an ISO 8601
    date or time (the server's time zone when it has none). Only the key's SHA-256 is stored.
    """

    help = "Create an API key for the external API; the key is printed once, on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="What the key is for.")
        parser.add_argument(
            "--permission",
            action="append",
            choices=PERMISSIONS,
            dest="permissions",
            help="A permission of the key (repeatable; default CreateTicket).",
        )
        parser.add_argument("--expires-at", help="When the key stops working (ISO 8601); default never.")

    def handle(self, *args: object, **options: object) -> None:
        permissions = options["permissions"] or ["CreateTicket"]
        expires_at = _expiry(options["expires_at"]) if options["expires_at"] else None
        try:
            created = apikey_create(name=str(options["name"]), permissions=permissions, expires_at=expires_at)
        except DomainError as error:
            raise CommandError(error.message) from error
        key = created.api_key
        self.stdout.write(
            _("API key %(name)r created (id %(id)s, permissions: %(permissions)s, expires: %(expires)s).")
            % {
                "name": key.name,
                "id": key.pk,
                "permissions": ", ".join(key.permissions),
                "expires": key.expires_at.isoformat() if key.expires_at else _("never"),
            }
        )
        self.stdout.write(_("Store it now: it cannot be shown again."))
        self.stdout.write(created.secret)

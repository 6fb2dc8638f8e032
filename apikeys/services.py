"""API keys: creation (the key is shown once), revocation, deletion and authentication.

A key is ``rustmail_`` followed by 64 hexadecimal characters; only its SHA-256 is stored, with a
short preview to recognise it in a list.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.errors import DomainError, InvalidInput, NotFound, TicketAlreadyOpen
from tickets.models import Ticket
from tickets.services import ticket_open_external

from .models import ApiKey, ApiKeyUsage
from .ratelimit import key_rate_check, user_cooldown_check, user_cooldown_start

PREFIX = "rustmail_"
PREVIEW_LENGTH = 12
PERMISSIONS = tuple(ApiKey.Permission.values)


class InvalidApiKey(DomainError):
    """A key that is unknown, revoked or expired."""

    status = 401
    default_message = gettext_lazy("Invalid API key")


@dataclass(frozen=True)
class CreatedKey:
    """A new key and the only copy of its secret."""

    api_key: ApiKey
    secret: str


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def apikey_create(*, name: str, permissions: list[str], expires_at: datetime | None = None) -> CreatedKey:
    """Create a key; the returned ``secret`` is never stored and cannot be shown again."""
    name = name.strip()
    if not name:
        raise InvalidInput(_("Name cannot be empty"))
    if len(name) > 100:
        raise InvalidInput(_("Name is limited to 100 characters"))
    if not name.isprintable():
        raise InvalidInput(_("Name cannot contain control characters"))
    if not permissions:
        raise InvalidInput(_("At least one permission is required"))
    unknown = [p for p in permissions if p not in PERMISSIONS]
    if unknown:
        raise InvalidInput(_("Unknown permission: %(permission)s") % {"permission": unknown[0]})
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput(_("expires_at must be in the future"))
    random_part = secrets.token_hex(32)
    secret = PREFIX + random_part
    key = ApiKey.objects.create(
        name=name,
        key_hash=hash_key(secret),
        key_preview=random_part[:PREVIEW_LENGTH] + "...",
        permissions=sorted(set(permissions), key=PERMISSIONS.index),
        expires_at=expires_at,
    )
    return CreatedKey(api_key=key, secret=secret)


@transaction.atomic
def apikey_revoke(*, key_id: int) -> None:
    """Deactivate a key; its record stays."""
    if not ApiKey.objects.filter(pk=key_id).update(is_active=False):
        raise NotFound(_("API key not found"))


@transaction.atomic
def apikey_delete(*, key_id: int) -> None:
    """Remove a key for good."""
    deleted, _count = ApiKey.objects.filter(pk=key_id).delete()
    if not deleted:
        raise NotFound(_("API key not found"))


def apikey_authenticate(*, secret: str) -> ApiKey:
    """The active, unexpired key matching ``secret``, with ``last_used_at`` updated;
    ``InvalidApiKey`` (401) otherwise."""
    if not secret.startswith(PREFIX):
        raise InvalidApiKey(_("Invalid API key"))
    key = ApiKey.objects.filter(key_hash=hash_key(secret)).first()
    if key is None:
        raise InvalidApiKey(_("Invalid API key"))
    if not key.is_active:
        raise InvalidApiKey(_("API key has been revoked"))
    at = timezone.now()
    if key.expires_at is not None and key.expires_at <= at:
        raise InvalidApiKey(_("API key has expired"))
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=at)
    key.last_used_at = at
    apikey_usage_count(key_id=key.pk, requests=1)
    return key


def apikey_usage_count(*, key_id: int, requests: int = 0, tickets_created: int = 0) -> None:
    """Add to the key's counters for today (UTC): one UPDATE in the usual case, an INSERT on the
    day's first use (a concurrent first use that wins the race is then updated instead)."""
    day = timezone.now().date()
    bump = {"requests": F("requests") + requests, "tickets_created": F("tickets_created") + tickets_created}
    if ApiKeyUsage.objects.filter(key_id=key_id, day=day).update(**bump):
        return
    try:
        with transaction.atomic():
            ApiKeyUsage.objects.create(
                key_id=key_id, day=day, requests=requests, tickets_created=tickets_created
            )
    except IntegrityError:
        ApiKeyUsage.objects.filter(key_id=key_id, day=day).update(**bump)


def external_ticket_open(*, key: ApiKey, user_id: int, staff_id: int | None = None) -> Ticket:
    """Open a ticket for ``user_id`` on behalf of an API key (``POST /api/externals/tickets/create``).

    The order of the answers is the contract: a user who already has a ticket (with its channel) is
    a 409 whatever the rates, since waiting would not change it; only then the key's rate and the
    user's cooldown (429, keyed on the parsed ID so no respelling of it dodges them), then the
    ticket itself (``tickets.services.ticket_open_external``), which starts the user's cooldown.
    """
    if Ticket.objects.filter(user_id=user_id, status=Ticket.Status.OPEN, channel_id__isnull=False).exists():
        raise TicketAlreadyOpen()
    key_rate_check(key.pk)
    user_cooldown_check(user_id)
    ticket = ticket_open_external(
        discord_id=str(user_id), staff_discord_id=str(staff_id) if staff_id else None
    )
    user_cooldown_start(ticket.user_id)
    apikey_usage_count(key_id=key.pk, tickets_created=1)
    return ticket

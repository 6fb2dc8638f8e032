"""Blocking users and managing snippets."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tickets.errors import Conflict, InvalidInput, NotFound
from tickets.models import BlockedUser, Snippet
from tickets.models.moderation import SNIPPET_KEY_VALIDATOR

from ._common import now
from .closing import parse_duration

SNIPPET_LIMIT = 4000


def user_block(
    *, user_id: int, staff_id: int, reason: str = "", duration: str | None = None, user_name: str = ""
) -> BlockedUser:
    """Block a user (again: the reason and expiry are updated). ``duration`` makes it lift by itself."""
    if len(reason) > 500:
        raise InvalidInput(_("A reason is limited to 500 characters."))
    expires = now() + parse_duration(duration) if duration else None
    block, _created = BlockedUser.objects.update_or_create(
        user_id=user_id,
        defaults={
            "reason": reason.strip(),
            "blocked_by": staff_id,
            "expires_at": expires,
            "user_name": user_name[:100],
        },
    )
    return block


def user_unblock(*, user_id: int) -> None:
    deleted, _n = BlockedUser.objects.filter(user_id=user_id).delete()
    if not deleted:
        raise NotFound(_("This user is not blocked."))


def blocks_expire(*, at: datetime | None = None) -> int:
    """Lift every block whose time is up. Returns how many."""
    deleted, _n = BlockedUser.objects.filter(expires_at__isnull=False, expires_at__lte=at or now()).delete()
    return deleted


def _check_snippet(key: str, content: str) -> None:
    try:
        SNIPPET_KEY_VALIDATOR(key)
    except Exception:
        raise InvalidInput(_("A snippet name uses letters, digits, _ and - only.")) from None
    if len(key) > 64:
        raise InvalidInput(_("A snippet name is limited to 64 characters."))
    if not content.strip():
        raise InvalidInput(_("A snippet needs content."))
    if len(content) > SNIPPET_LIMIT:
        raise InvalidInput(_("A snippet is limited to %(n)s characters.") % {"n": SNIPPET_LIMIT})


def snippet_create(*, key: str, content: str, staff_id: int) -> Snippet:
    _check_snippet(key, content)
    try:
        with transaction.atomic():
            return Snippet.objects.create(key=key, content=content, created_by=staff_id)
    except IntegrityError:
        raise Conflict(_("A snippet named %(key)s already exists.") % {"key": key}) from None


def snippet_get(*, key: str) -> Snippet:
    snippet = Snippet.objects.filter(key=key).first()
    if snippet is None:
        raise NotFound(_("There is no snippet named %(key)s.") % {"key": key})
    return snippet


def snippet_edit(*, key: str, content: str) -> Snippet:
    snippet = snippet_get(key=key)
    _check_snippet(key, content)
    snippet.content = content
    snippet.save(update_fields=["content", "updated_at"])
    return snippet


def snippet_delete(*, key: str) -> None:
    snippet_get(key=key).delete()

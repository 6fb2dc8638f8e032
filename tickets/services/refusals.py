"""Refused DMs: recorded when the user is told, so that nothing relays them later.

A DM answered with a refusal (the user is blocked, the bot is in maintenance...) must stay refused:
the user read that it was not delivered. Startup recovery reads DM channels back and a gateway
event can be replayed; both see the DM again, possibly once the reason is gone (the user was
unblocked, maintenance ended). The record, keyed by the DM's ID, is what tells them to leave it.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tickets.models import RefusedMessage

Reason = RefusedMessage.Reason


def block_notice() -> str:
    """What a blocked user reads when a DM or a click of theirs is refused."""
    return _("You are blocked from contacting the staff. Your message was not delivered.")


def refusal_record(*, user_id: int, dm_message_id: int, reason: str) -> None:
    """Record that a DM was refused and why (once: a second record of the same DM is a no-op).
    Call it before telling the user, so that a crash in between cannot leave a refused DM that
    recovery would relay."""
    try:
        with transaction.atomic():
            RefusedMessage.objects.create(user_id=user_id, dm_message_id=dm_message_id, reason=reason)
    except IntegrityError:
        pass


def refusals_record(*, user_id: int, dm_message_ids: list[int], reason: str) -> None:
    """Record several DMs of one user as refused (those already recorded are left as they are)."""
    RefusedMessage.objects.bulk_create(
        [RefusedMessage(user_id=user_id, dm_message_id=i, reason=reason) for i in dm_message_ids],
        ignore_conflicts=True,
    )


def was_refused(dm_message_id: int) -> bool:
    """The DM was answered with a refusal."""
    return RefusedMessage.objects.filter(dm_message_id=dm_message_id).exists()

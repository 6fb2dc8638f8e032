"""The retention setting (stored files deleted after ATTACHMENT_RETENTION_DAYS; default: kept) and
downloads left pending (a process stopped between storing a message and fetching its files)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from tickets.discord import DiscordPort
from tickets.models import Attachment

from .._common import now
from .fetching import attachments_fetch
from .storage import attachment_storage, content_name, thumbnail_content_name

# Discord's URLs last about a day: past this a pending download is given up.
PENDING_WINDOW = timedelta(hours=20)
BATCH = 200


def _expire(cutoff) -> int:
    """Mark stored files of messages older than ``cutoff`` deleted; delete each distinct file once
    no stored attachment uses it any more."""
    storage = attachment_storage()
    old = Attachment.objects.filter(state=Attachment.State.STORED, message__created_at__lt=cutoff)
    hashes = list(old.values_list("sha256", flat=True).distinct()[:BATCH])
    deleted = 0
    for sha256 in hashes:
        deleted += old.filter(sha256=sha256).update(
            state=Attachment.State.DELETED, stored_name="", thumbnail_name=""
        )
        if not Attachment.objects.filter(sha256=sha256, state=Attachment.State.STORED).exists():
            storage.delete(content_name(sha256))
            storage.delete(thumbnail_content_name(sha256))
    return deleted


def attachments_housekeeping(*, port: DiscordPort | None = None) -> dict[str, int]:
    """Apply the retention setting (``ATTACHMENT_RETENTION_DAYS``; 0 keeps every file) and fetch
    the attachments still pending from the last hours (their URLs still answer). Returns counts."""
    stamp = now()
    deleted = 0
    days = settings.ATTACHMENT_RETENTION_DAYS
    if days:
        deleted = _expire(stamp - timedelta(days=days))
    # Older ones: their URL has expired, nothing can fetch them any more.
    Attachment.objects.filter(
        state=Attachment.State.PENDING, message__created_at__lt=stamp - PENDING_WINDOW
    ).update(state=Attachment.State.FAILED)
    pending = list(
        Attachment.objects.filter(
            state=Attachment.State.PENDING, message__created_at__gte=stamp - PENDING_WINDOW
        ).order_by("pk")[:BATCH]
    )
    attachments_fetch(pending, port=port)
    return {"deleted": deleted, "fetched": sum(a.state == Attachment.State.STORED for a in pending)}

"""Downloading attachments from Discord's CDN and storing them (never inside a DB transaction)."""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File

from tickets.discord import DiscordError, DiscordPort
from tickets.discord.port import AttachmentTooLarge
from tickets.models import Attachment

from .._common import log, port_or_default
from .storage import content_name, save_once

ATTEMPTS = 3
# Waits between attempts (seconds): a CDN hiccup passes, an expired URL (404) is not retried.
RETRY_DELAYS = (0.5, 1.0)
# Bytes kept in memory while downloading; a larger file goes on to a temporary file.
SPOOL_BYTES = 1024 * 1024


class _HashingSink:
    """Writes through to a spool file while hashing and counting."""

    def __init__(self, spool) -> None:
        self.spool = spool
        self.digest = hashlib.sha256()

    def write(self, piece: bytes) -> int:
        self.digest.update(piece)
        return self.spool.write(piece)


@dataclass(frozen=True)
class _Stored:
    sha256: str
    size: int
    name: str


def _download_and_store(port: DiscordPort, url: str, max_bytes: int) -> _Stored:
    """One download into a spool (memory, then disk), hashed on the way, stored under its hash."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        sink = _HashingSink(spool)
        size = port.download(url, sink, max_bytes=max_bytes)  # type: ignore[arg-type]
        sha256 = sink.digest.hexdigest()
        name = content_name(sha256)
        spool.seek(0)
        save_once(name, File(spool, name=name))
        return _Stored(sha256=sha256, size=size, name=name)


def _fetch_one(port: DiscordPort, attachment: Attachment, max_bytes: int) -> dict[str, object]:
    """The fields to write on ``attachment`` after trying to store it (up to ``ATTEMPTS`` times)."""
    if attachment.size > max_bytes:  # Discord said how big it is: not even tried
        return {"state": Attachment.State.TOO_LARGE}
    for attempt in range(ATTEMPTS):
        try:
            stored = _download_and_store(port, attachment.url, max_bytes)
        except AttachmentTooLarge:
            return {"state": Attachment.State.TOO_LARGE}
        except DiscordError as error:
            log.info(
                "Attachment %s (%s): download attempt %s failed: %s",
                attachment.pk,
                attachment.filename,
                attempt + 1,
                error,
            )
            if error.status == 404 or attempt == ATTEMPTS - 1:
                return {"state": Attachment.State.FAILED}
            time.sleep(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])
        except OSError as error:  # the storage refused (disk full, S3 away): kept pending, retried later
            log.warning("Attachment %s could not be stored: %s", attachment.pk, error)
            return {}
        else:
            return {
                "state": Attachment.State.STORED,
                "sha256": stored.sha256,
                "stored_name": stored.name,
                "size": stored.size,
            }
    return {"state": Attachment.State.FAILED}


def attachments_fetch(attachments: Iterable[Attachment], *, port: DiscordPort | None = None) -> None:
    """Download and store each pending attachment from the URL Discord gave (before it expires):
    up to 3 attempts (an expired URL is not retried), stopped as soon as the file goes past
    ``ATTACHMENT_MAX_BYTES`` (never read further). Each row is updated (state, SHA-256, stored
    name, true size) and so is the object passed in. Call it outside any transaction: it waits on
    the network. A row another process fetched meanwhile is left as that process wrote it."""
    pending = [a for a in attachments if a.state == Attachment.State.PENDING]
    if not pending:
        return
    port = port_or_default(port)
    max_bytes = settings.ATTACHMENT_MAX_BYTES
    for attachment in pending:
        fields = _fetch_one(port, attachment, max_bytes)
        if not fields:
            continue
        if Attachment.objects.filter(pk=attachment.pk, state=Attachment.State.PENDING).update(**fields):
            for name, value in fields.items():
                setattr(attachment, name, value)
        else:
            try:
                attachment.refresh_from_db()
            except Attachment.DoesNotExist:  # its message was withdrawn meanwhile
                continue

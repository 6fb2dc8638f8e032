"""Where stored attachments live: the ``attachments`` storage (``STORAGES`` in the settings) and
the names files get there, derived from their content so that identical files are stored once."""

from __future__ import annotations

from django.core.files import File
from django.core.files.storage import Storage, storages


def attachment_storage() -> Storage:
    """The storage attachments are kept in (file system or S3, per the settings)."""
    return storages["attachments"]


def content_name(sha256: str) -> str:
    """A file's name in the storage: its SHA-256, so the same bytes always land on the same name."""
    return f"attachments/{sha256[:2]}/{sha256}"


def thumbnail_content_name(sha256: str) -> str:
    """The name of an image's thumbnail in the storage."""
    return f"thumbnails/{sha256[:2]}/{sha256}.png"


def save_once(name: str, content: File) -> None:
    """Store ``content`` under ``name`` unless it is there already (same name, same bytes). Two
    processes storing the same file at once: a storage that would rename the second copy (the file
    system) gets it deleted again, one that overwrites (S3) writes the same bytes."""
    storage = attachment_storage()
    if storage.exists(name):
        return
    saved = storage.save(name, content)
    if saved != name:
        storage.delete(saved)

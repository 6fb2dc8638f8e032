"""The stored copies as the panel, the API and transcripts reach them: authenticated URLs only."""

from __future__ import annotations

import io

from django.core.files import File
from django.urls import reverse
from django.utils.translation import gettext as _

from tickets.errors import NotFound
from tickets.models import Attachment

from .._common import log
from .storage import attachment_storage, save_once, thumbnail_content_name

THUMBNAIL_SIZE = (320, 320)
# Images Pillow is asked to open for a thumbnail (anything else is served as a file only).
THUMBNAIL_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})
# A decompression bomb (a tiny file that decodes to billions of pixels) is refused.
THUMBNAIL_MAX_PIXELS = 40_000_000


class AttachmentNotFound(NotFound):
    """No attachment with this ID, or none the caller may see."""


def visible_attachment(*, attachment_id: int, hidden: frozenset[int] = frozenset()) -> Attachment:
    """The attachment a reader asks for, by the rule of its ticket: ``AttachmentNotFound`` when there
    is none, ``PermissionDenied`` (DRF's) when its ticket sits in a category in ``hidden``."""
    from rest_framework.exceptions import PermissionDenied

    attachment = Attachment.objects.select_related("message__ticket").filter(pk=attachment_id).first()
    if attachment is None:
        raise AttachmentNotFound(_("There is no such attachment."))
    if attachment.message.ticket.category_id in hidden:
        raise PermissionDenied(_("You don't have permission to view this ticket"))
    return attachment


def attachment_url(attachment: Attachment) -> str | None:
    """The authenticated URL of the stored copy (a path on this site: ``/api/attachments/<id>``;
    a panel session that may see the ticket, or an API key holding ReadTickets), or None when the
    file is not stored (too large, not downloadable, deleted by retention, not fetched yet)."""
    if attachment.state != Attachment.State.STORED:
        return None
    return reverse("api-attachment", kwargs={"attachment_id": attachment.pk})


def attachments_json(*, ticket_ids: list) -> dict[int, list[dict[str, object]]]:
    """The attachments of these tickets' messages as the API shows them, by message ID (one
    query): ``id``, ``filename``, ``size``, ``content_type``, ``stored`` and the authenticated
    ``url`` and ``thumbnail_url`` of the stored copy (null when there is none)."""
    if not ticket_ids:
        return {}
    base = reverse("api-attachment", kwargs={"attachment_id": 0})[:-1]
    rows = (
        Attachment.objects.filter(message__ticket_id__in=ticket_ids)
        .order_by("id")
        .values_list("message_id", "id", "filename", "size", "content_type", "state")
    )
    grouped: dict[int, list[dict[str, object]]] = {}
    for message_id, pk, filename, size, content_type, state in rows:
        stored = state == Attachment.State.STORED
        image = stored and content_type.split(";")[0].strip().lower() in THUMBNAIL_TYPES
        grouped.setdefault(message_id, []).append(
            {
                "id": pk,
                "filename": filename,
                "size": size,
                "content_type": content_type,
                "stored": stored,
                "url": f"{base}{pk}" if stored else None,
                "thumbnail_url": f"{base}{pk}/thumbnail" if image else None,
            }
        )
    return grouped


def is_image(attachment: Attachment) -> bool:
    """Whether the panel shows this file as an image (a thumbnail can be made of it)."""
    return attachment.content_type.split(";")[0].strip().lower() in THUMBNAIL_TYPES


def thumbnail_url(attachment: Attachment) -> str | None:
    """The authenticated URL of a stored image's thumbnail (PNG, at most 320×320; made on first
    request), or None for a file that is not a stored image."""
    if attachment.state != Attachment.State.STORED or not is_image(attachment):
        return None
    return reverse("api-attachment-thumbnail", kwargs={"attachment_id": attachment.pk})


def attachment_open(attachment: Attachment) -> File | None:
    """The stored file, open for reading (the caller closes it), or None when there is none."""
    if attachment.state != Attachment.State.STORED:
        return None
    try:
        return attachment_storage().open(attachment.stored_name, "rb")
    except OSError:
        log.warning("Attachment %s: %s is missing from the storage", attachment.pk, attachment.stored_name)
        return None


def _make_thumbnail(attachment: Attachment) -> bytes | None:
    from PIL import Image, UnidentifiedImageError

    handle = attachment_open(attachment)
    if handle is None:
        return None
    try:
        with handle, Image.open(handle) as image:
            if image.width * image.height > THUMBNAIL_MAX_PIXELS:
                return None
            image.thumbnail(THUMBNAIL_SIZE)
            if image.mode not in ("RGB", "RGBA", "L", "LA"):
                image = image.convert("RGBA")
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        log.info("Attachment %s: no thumbnail (%s)", attachment.pk, error)
        return None


def thumbnail_open(attachment: Attachment) -> File | None:
    """A stored image's thumbnail, open for reading (made and stored on first use, once per
    distinct image), or None when the file is not a stored image Pillow can read."""
    if thumbnail_url(attachment) is None:
        return None
    storage = attachment_storage()
    name = attachment.thumbnail_name or thumbnail_content_name(attachment.sha256)
    if not storage.exists(name):
        data = _make_thumbnail(attachment)
        if data is None:
            return None
        save_once(name, File(io.BytesIO(data), name=name))
    if attachment.thumbnail_name != name:
        Attachment.objects.filter(sha256=attachment.sha256, thumbnail_name="").update(thumbnail_name=name)
        attachment.thumbnail_name = name
    return storage.open(name, "rb")

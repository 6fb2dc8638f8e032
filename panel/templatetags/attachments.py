"""Template helpers for stored attachments: ``{% load attachments %}``.

- ``file|stored_url``: the authenticated URL of the stored copy ("" when there is none);
- ``file|thumbnail_url``: the authenticated URL of a stored image's thumbnail ("" when none).
"""

from __future__ import annotations

from django import template

from tickets.models import Attachment
from tickets.services.attachments import attachment_url
from tickets.services.attachments import thumbnail_url as _thumbnail_url

register = template.Library()


@register.filter
def stored_url(attachment: Attachment) -> str:
    """The stored copy's URL on this site, or "" (too large, not downloadable, deleted...)."""
    return attachment_url(attachment) or ""


@register.filter
def thumbnail_url(attachment: Attachment) -> str:
    """The thumbnail's URL of a stored image, or ""."""
    return _thumbnail_url(attachment) or ""

"""``GET /api/attachments/{id}`` and ``GET /api/attachments/{id}/thumbnail``: stored copies of the
files users and staff sent, for the panel, the API and transcripts (never a public path)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.core.files import File
from django.core.handlers.asgi import ASGIRequest
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from apikeys.authentication import ApiKeyAuthentication
from panel.auth.authentication import PanelSessionAuthentication
from panel.auth.permissions import CanReadTickets
from panel.selectors import PanelAccess, hidden_categories
from tickets.models import Attachment
from tickets.services.attachments.serving import (
    AttachmentNotFound,
    attachment_open,
    is_image,
    thumbnail_open,
    visible_attachment,
)

CHUNK = 64 * 1024
# A stored file is the user's content: never run as a page of this site.
CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox"


def _chunks(handle: File) -> Iterator[bytes]:
    with handle:
        while piece := handle.read(CHUNK):
            yield piece


async def _from_thread(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Each piece read in a worker thread: under ASGI a sync iterator would be read whole first."""
    step = sync_to_async(next, thread_sensitive=False)
    while (piece := await step(chunks, None)) is not None:
        yield piece


def _file_response(
    request: Request, handle: File, *, content_type: str, disposition: str
) -> StreamingHttpResponse:
    chunks = _chunks(handle)
    content = _from_thread(chunks) if isinstance(request._request, ASGIRequest) else chunks
    response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _disposition(attachment: Attachment, *, inline: bool) -> str:
    name = attachment.filename.replace('"', "").replace("\\", "")
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


class _AttachmentBase(APIView):
    authentication_classes = [PanelSessionAuthentication, ApiKeyAuthentication]
    permission_classes = [CanReadTickets]
    renderer_classes = [JSONRenderer]

    def attachment(self, request: Request, attachment_id: int) -> Attachment:
        hidden = hidden_categories(request.auth) if isinstance(request.auth, PanelAccess) else frozenset()
        return visible_attachment(attachment_id=attachment_id, hidden=hidden)


class AttachmentView(_AttachmentBase):
    """``GET /api/attachments/{id}``: the stored copy of a file sent in a ticket.

    A panel session holding ViewPanel (a ticket in a category the caller may not View is 403), or
    an API key holding ReadTickets → 200, the file as stored (images inline, anything else as a
    download; ``nosniff`` and a sandbox CSP either way). 401 no session nor key, 403 missing
    permission or hidden category, 404 unknown attachment or no stored copy (too large, not
    downloadable, deleted by the retention setting).
    """

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request: Request, attachment_id: int) -> StreamingHttpResponse:
        attachment = self.attachment(request, attachment_id)
        handle = attachment_open(attachment)
        if handle is None:
            raise AttachmentNotFound(_("This file is not stored."))
        inline = is_image(attachment)
        content_type = attachment.content_type if inline else "application/octet-stream"
        response = _file_response(
            request, handle, content_type=content_type, disposition=_disposition(attachment, inline=inline)
        )
        response["Content-Length"] = str(attachment.size)
        return response


class AttachmentThumbnailView(_AttachmentBase):
    """``GET /api/attachments/{id}/thumbnail``: a stored image's thumbnail (PNG, at most 320×320).

    Same access as ``GET /api/attachments/{id}``. 404 when the file is not a stored image that can
    be read."""

    @extend_schema(responses={(200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request: Request, attachment_id: int) -> StreamingHttpResponse:
        attachment = self.attachment(request, attachment_id)
        handle = thumbnail_open(attachment)
        if handle is None:
            raise AttachmentNotFound(_("This file has no thumbnail."))
        return _file_response(
            request, handle, content_type="image/png", disposition=_disposition(attachment, inline=True)
        )

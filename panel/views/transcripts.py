"""``GET /api/bot/tickets/{id}/transcript``: a ticket's transcript, streamed, as a file."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from apikeys.authentication import ApiKeyAuthentication
from panel.auth.authentication import PanelSessionAuthentication
from panel.auth.permissions import CanReadTickets
from panel.selectors import PanelAccess, hidden_categories
from panel.selectors.tickets import visible_ticket
from tickets.transcripts import FORMATS, transcript_chunks, transcript_filename

if TYPE_CHECKING:
    from rest_framework.renderers import BaseRenderer

# Only what a transcript needs: no script, its own inline styles, images (stored copies, avatars).
CONTENT_SECURITY_POLICY = "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; sandbox"


class FormatIsAParameter(BaseContentNegotiation):
    """``?format=`` chooses the transcript, not a DRF renderer: errors are always JSON."""

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        return renderers[0], renderers[0].media_type

    def select_parser(self, request: Request, parsers: list[Any]) -> Any:
        return parsers[0] if parsers else None


async def _from_thread(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Pieces of a sync iterator, each read in the request's thread (its database connection):
    under ASGI a sync iterator would be read to the end, in memory, before the first byte left."""
    step = sync_to_async(next, thread_sensitive=True)
    while (piece := await step(chunks, None)) is not None:
        yield piece


class TicketTranscriptView(APIView):
    """``GET /api/bot/tickets/{id}/transcript?format=json|html|txt`` (default ``html``).

    A panel session holding ViewPanel (a ticket in a category the caller may not View is 403, as
    ``GET /api/bot/tickets?id=``), or an API key holding ReadTickets (every ticket) → 200, the
    transcript as an attachment (``transcript-<id>.<ext>``), streamed message by message:
    ``application/json`` (the ticket and every message with author, number, flags, edits, deletion
    and attachments), ``text/html`` (one self-contained page, user content escaped or cleaned) or
    ``text/plain``. 400 unknown format, 401 no session nor key, 403 missing permission or hidden
    category, 404 unknown ticket.
    """

    authentication_classes = [PanelSessionAuthentication, ApiKeyAuthentication]
    permission_classes = [CanReadTickets]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FormatIsAParameter

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=sorted(FORMATS),
                default="html",
                description="json, html (one self-contained page) or txt (a plain log).",
            )
        ],
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="JSON transcript"),
            (200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="HTML transcript"),
            (200, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="Text transcript"),
        },
    )
    def get(self, request: Request, ticket_id: str) -> StreamingHttpResponse:
        fmt = request.query_params.get("format", "html")
        if fmt not in FORMATS:
            raise ValidationError({"format": _("Choose json, html or txt.")})
        hidden = hidden_categories(request.auth) if isinstance(request.auth, PanelAccess) else frozenset()
        ticket = visible_ticket(ticket_id=ticket_id, hidden=hidden)
        chunks = transcript_chunks(ticket, fmt, base_url=request.build_absolute_uri("/"))
        content = _from_thread(chunks) if isinstance(request._request, ASGIRequest) else chunks
        response = StreamingHttpResponse(content, content_type=FORMATS[fmt].content_type)
        response["Content-Disposition"] = f'attachment; filename="{transcript_filename(ticket, fmt)}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response["Cache-Control"] = "private, no-store"
        return response

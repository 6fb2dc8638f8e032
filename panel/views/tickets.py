"""``GET /api/bot/tickets``: pages of tickets, or one ticket, with their messages."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panel import ticketcache
from panel.models import PanelPermission
from panel.renderers import FastJSONRenderer
from panel.selectors import TicketPage, hidden_categories, ticket_detail, ticket_page
from panel.selectors.search import ticket_search_page
from panel.serializers.search import search_page_json
from panel.serializers.tickets import (
    TicketPageSerializer,
    TicketQuerySerializer,
    TicketSerializer,
    page_json,
    ticket_json,
)


class TicketsView(APIView):
    """``GET /api/bot/tickets`` (ViewPanel).

    Query: ``page`` (≥ 1, default 1), ``page_size`` (default 50, capped at 200), ``status`` (1 open,
    the default, or 0 closed), ``category_id``, ``sort_by`` (``created_at``, ``closed_at`` or
    ``user_name``), ``sort_order`` (``asc`` or ``desc`` in any case, default desc) → 200 ``{"threads":
    [...], "total", "page", "page_size", "total_pages"}``. With ``id``: 200, that ticket with its
    messages; 404 if unknown, 403 if it sits in a category the caller may not view.

    With ``q`` (web-search syntax, at most 200 characters): the tickets whose messages or user name,
    user ID, label or category match, best first (``sort_by``/``sort_order`` ignored; ``status``
    and ``category_id`` filter only when given), each with ``highlights``; deleted messages are
    searched for admins only. A query with nothing to look for (``-word`` alone) finds nothing.

    Tickets in Discord categories the caller may not View (per the guild cache) are left out for
    non-admins, as Rustmail does. 400 for any malformed parameter, 401 without a session, 403
    without ViewPanel. A page costs the same few queries whatever its size.
    """

    panel_permission = PanelPermission.Permission.VIEW_PANEL

    @extend_schema(
        parameters=[TicketQuerySerializer],
        responses=PolymorphicProxySerializer(
            component_name="TicketsResponse",
            serializers=[TicketPageSerializer, TicketSerializer],
            resource_type_field_name=None,
        ),
    )
    def get(self, request: Request) -> Response:
        # A plain dict, so that an empty parameter is refused rather than replaced by its default.
        query = TicketQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        params = query.validated_data
        hidden = hidden_categories(request.auth)
        if "id" in params:
            row, messages = ticket_detail(ticket_id=params["id"], hidden=hidden)
            return Response(ticket_json(row, messages))
        if "q" in params:  # a search: the same shape, best match first, with highlights
            found = ticket_search_page(
                text=params["q"],
                status=params["status"] if "status" in request.query_params else None,
                category_id=params.get("category_id"),
                page=params["page"],
                page_size=params["page_size"],
                hidden=hidden,
                include_deleted=request.auth.is_admin,
            )
            return Response(search_page_json(found))
        renderer = request.accepted_renderer
        if (
            isinstance(renderer, FastJSONRenderer)
            and not renderer.get_indent(request.accepted_media_type, {})
            and ticketcache.enabled()
        ):  # the rendered page, kept until the next write (ticketcache): the same bytes as below
            key = (
                params["status"],
                params["page"],
                params["page_size"],
                params.get("category_id"),
                params["sort_by"],
                params["sort_order"],
                tuple(sorted(hidden)),
            )
            body = ticketcache.cached_page(
                key, lambda: renderer.render(page_json(self.page(params, hidden=hidden)))
            )
            return HttpResponse(body, content_type=renderer.media_type)
        return Response(page_json(self.page(params, hidden=hidden)))

    def page(self, params: dict[str, Any], *, hidden: frozenset[int]) -> TicketPage:
        """The page to show: which tickets, in which order, and how many there are in all. A page
        chosen elsewhere (IDs in order and a total) is loaded with ``ticket_page_of``."""
        return ticket_page(
            status=params["status"],
            page=params["page"],
            page_size=params["page_size"],
            category_id=params.get("category_id"),
            sort_by=params["sort_by"],
            descending=params["sort_order"] == "desc",
            hidden=hidden,
        )

"""``/api/externals/*``: the API for integrations, authenticated by API key."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys.authentication import ApiKeyAuthentication
from apikeys.models import ApiKey
from apikeys.permissions import HasApiKeyPermission
from apikeys.services import external_ticket_open
from panel.serializers.externals import ExternalTicketCreatedSerializer, ExternalTicketRequestSerializer


class ExternalTicketCreateView(APIView):
    """``POST /api/externals/tickets/create`` with ``X-API-Key`` (or ``Authorization: Bearer``), a key
    holding CreateTicket, and ``{"discord_id": "...", "staff_discord_id": "..."}`` (the latter optional)
    → 200 ``{"success": true, "channel_id", "user_id", "username", "message": "Ticket created
    successfully"}``: the ticket channel is created and the staff member, if any, pinged in it.

    Answers, in the order they are decided: 401 no, unknown, revoked or expired key; 403 key without
    CreateTicket; 400 Invalid Discord ID format (ASCII digits in canonical form, ``tickets.snowflake``);
    409 the user already has an open ticket (before any rate limit: waiting would not change it);
    429 over the key's rate or within the user's cooldown (with ``Retry-After``); 404 Discord user
    not found; 403 user blocked or not a member of the community guild; 502 Discord failed; 503 the
    bot is not configured.
    """

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKeyPermission]
    required_key_permission = ApiKey.Permission.CREATE_TICKET
    # 429 comes from apikeys.services (after the conflict check), not from a DRF throttle.
    extra_error_statuses = (409, 429, 502, 503)

    @extend_schema(request=ExternalTicketRequestSerializer, responses=ExternalTicketCreatedSerializer)
    def post(self, request: Request) -> Response:
        body = ExternalTicketRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ticket = external_ticket_open(
            key=request.auth,
            user_id=body.validated_data["discord_id"],
            staff_id=body.validated_data["staff_discord_id"],
        )
        return Response(
            {
                "success": True,
                "channel_id": str(ticket.channel_id),
                "user_id": str(ticket.user_id),
                "username": ticket.user_name,
                "message": _("Ticket created successfully"),
            }
        )

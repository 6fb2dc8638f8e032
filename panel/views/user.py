"""``/api/user/avatar``, ``/api/user/permissions`` and ``/api/panel/check``: any valid panel session."""

from __future__ import annotations

from django.middleware.csrf import get_token
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panel.selectors import ALL_PERMISSIONS
from panel.serializers.user import PERMISSION_LIST_SCHEMA, AvatarSerializer, PanelCheckSerializer


def avatar_url(discord_id: int | None, avatar: str | None) -> str | None:
    """Discord's CDN URL of the avatar, or of the default one Discord derives from the ID."""
    if discord_id is None:
        return None
    if avatar:
        return f"https://cdn.discordapp.com/avatars/{discord_id}/{avatar}.png"
    return f"https://cdn.discordapp.com/embed/avatars/{(discord_id >> 22) % 6}.png"


class AvatarView(APIView):
    """``GET /api/user/avatar`` → 200 ``{"avatar_url": "https://cdn.discordapp.com/avatars/..."}``
    (null for an account without Discord, such as a local superuser). 401 without a session."""

    @extend_schema(responses=AvatarSerializer)
    def get(self, request: Request) -> Response:
        access = request.auth
        return Response({"avatar_url": avatar_url(access.discord_id, access.avatar)})


class UserPermissionsView(APIView):
    """``GET /api/user/permissions`` → 200 ``["ViewPanel", "ManageTickets"]``: the caller's panel
    permissions (all of them for super admins, the guild owner and Administrators). 401 without a session."""

    @extend_schema(responses={200: PERMISSION_LIST_SCHEMA})
    def get(self, request: Request) -> Response:
        held = request.auth.permissions
        return Response([permission for permission in ALL_PERMISSIONS if permission in held])


class PanelCheckView(APIView):
    """``GET /api/panel/check`` → 200 ``{"authorized": true}`` for a valid panel session; 401 otherwise.

    It also sets the ``csrftoken`` cookie, which the panel sends back as ``X-CSRFToken`` on unsafe methods.
    """

    @extend_schema(responses=PanelCheckSerializer)
    def get(self, request: Request) -> Response:
        get_token(request._request)
        return Response({"authorized": True})

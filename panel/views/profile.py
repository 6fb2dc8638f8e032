"""``/api/bot/profile``: the bot's Discord profile (name, avatar, banner), read and changed on Discord."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panel.models import PanelPermission
from panel.serializers.profile import (
    BotProfileSerializer,
    BotProfileUpdatedSerializer,
    BotProfileUpdateSerializer,
)
from tickets.services import profile as service

Permission = PanelPermission.Permission


class BotProfileView(APIView):
    """``GET /api/bot/profile`` (ViewPanel) → 200 ``{"username", "avatar_url", "banner_url",
    "discriminator", "id"}`` as Discord has it now.

    ``PUT /api/bot/profile`` (ManageBot) ``{"username"?, "avatar"?, "banner"?}`` (images as
    ``data:image/...;base64,`` URIs) → 200 ``{"success": true, "username", "avatar_url", "banner_url"}``.
    All or nothing: 400 when nothing is given or any field breaks Discord's rules (username 2 to 32
    characters; PNG, JPEG, GIF or WebP of 10 MiB at most), before Discord is called; 429 when Discord
    refuses a third username change within the hour. Both: 401 without a session, 403 without the
    permission, 502 when Discord fails, 503 when it cannot be reached with the bot's token.
    """

    panel_permission = {"GET": Permission.VIEW_PANEL, "PUT": Permission.MANAGE_BOT}
    extra_error_statuses = (429, 502, 503)

    @extend_schema(responses=BotProfileSerializer)
    def get(self, request: Request) -> Response:
        profile = service.bot_profile()
        return Response({**asdict(profile), "id": str(profile.id)})

    @extend_schema(request=BotProfileUpdateSerializer, responses=BotProfileUpdatedSerializer)
    def put(self, request: Request) -> Response:
        body = BotProfileUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        profile = service.bot_profile_update(**body.validated_data)
        return Response(
            {
                "success": True,
                "username": profile.username,
                "avatar_url": profile.avatar_url,
                "banner_url": profile.banner_url,
            }
        )

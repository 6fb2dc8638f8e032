"""``/api/admin/bans``: the community guild's bans as the bot recorded them (ViewBans)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panel.models import PanelPermission
from panel.serializers.bans import BannedUserSerializer, BanQuerySerializer
from tickets.models import BotConfig
from tickets.selectors import bans_named, bans_page
from tickets.services._common import community_guild_id

ACTIVE = {"active": True, "lifted": False, "all": None}


class BansView(APIView):
    """``GET /api/admin/bans`` → 200 ``[{"user_id", "username", "global_name", "nickname", "avatar_url",
    "roles", "joined_at", "banned_at", "banned_by_id", "banned_by_name", "ban_reason", "roles_unknown",
    "unbanned_at"}]``, latest first, as Rustmail's panel lists them (role and moderator names from the
    guild cache; times in Unix seconds).

    Query: ``status`` active (default) | lifted | all, ``search`` (a user ID or part of a name),
    ``page`` (from 1), ``page_size`` (1–500, default 500). 400 for a malformed parameter, 401
    without a session, 403 without ViewBans, 503 until the guild is configured.
    """

    panel_permission = PanelPermission.Permission.VIEW_BANS
    extra_error_statuses = (503,)

    @extend_schema(parameters=[BanQuerySerializer], responses=BannedUserSerializer(many=True))
    def get(self, request: Request) -> Response:
        # A plain dict, so that an empty parameter is refused rather than replaced by its default.
        query = BanQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        params = query.validated_data
        guild_id = community_guild_id(BotConfig.load())
        bans, _total = bans_page(
            guild_id,
            page=params["page"] - 1,
            per_page=params["page_size"],
            active=ACTIVE[params["status"]],
            search=params.get("search", ""),
        )
        return Response(BannedUserSerializer(bans_named(bans), many=True).data)

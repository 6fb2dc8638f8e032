"""``/api/bot/status|start|stop|restart|presence``: the bot's desired state, presence and heartbeat.

The web process only records what it wants; the bot process obeys on its next heartbeat.
"""

from __future__ import annotations

from dataclasses import asdict

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panel.models import PanelPermission
from panel.serializers.bot import BotStatusSerializer, PresenceSerializer
from tickets.services import botcontrol

Permission = PanelPermission.Permission


class BotStatusView(APIView):
    """``GET /api/bot/status`` (ViewPanel) → 200 ``{"status": "running"|"stopped", "presence": "online"}``.

    ``running`` only while the bot's heartbeat is fresh. 401 without a session, 403 without ViewPanel.
    """

    panel_permission = Permission.VIEW_PANEL

    @extend_schema(responses=BotStatusSerializer)
    def get(self, request: Request) -> Response:
        return Response(asdict(botcontrol.bot_status()))


class BotStartView(APIView):
    """``POST /api/bot/start`` (ManageBot), no body → 200 ``"Bot is starting"``, or
    ``"Bot is already running"`` when it runs. 401 without a session, 403 without ManageBot."""

    panel_permission = Permission.MANAGE_BOT

    @extend_schema(request=None, responses=OpenApiTypes.STR)
    def post(self, request: Request) -> Response:
        started = botcontrol.bot_start()
        return Response(_("Bot is starting") if started else _("Bot is already running"))


class BotStopView(APIView):
    """``POST /api/bot/stop`` (ManageBot), no body → 200 ``"Bot stopped"``, or ``"Bot is not running"``.
    401 without a session, 403 without ManageBot."""

    panel_permission = Permission.MANAGE_BOT

    @extend_schema(request=None, responses=OpenApiTypes.STR)
    def post(self, request: Request) -> Response:
        stopped = botcontrol.bot_stop()
        return Response(_("Bot stopped") if stopped else _("Bot is not running"))


class BotRestartView(APIView):
    """``POST /api/bot/restart`` (ManageBot), no body → 200 ``"Bot is restarting"`` (a stopped bot starts).
    401 without a session, 403 without ManageBot."""

    panel_permission = Permission.MANAGE_BOT

    @extend_schema(request=None, responses=OpenApiTypes.STR)
    def post(self, request: Request) -> Response:
        botcontrol.bot_restart()
        return Response(_("Bot is restarting"))


class BotPresenceView(APIView):
    """``POST /api/bot/presence`` (ManageBot) ``{"status": "online|idle|dnd|invisible|maintenance"}``
    → 200 ``{"status": "online"}``. 400 for any other value, 401 without a session, 403 without ManageBot."""

    panel_permission = Permission.MANAGE_BOT

    @extend_schema(request=PresenceSerializer, responses=PresenceSerializer)
    def post(self, request: Request) -> Response:
        body = PresenceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        presence = botcontrol.bot_set_presence(presence=body.validated_data["status"])
        return Response({"status": presence})

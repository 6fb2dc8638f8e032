"""``/api/bot/config``: the whole configuration, read and replaced."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panel.models import PanelPermission
from panel.serializers.config import ConfigSavedSerializer, ConfigSerializer
from tickets.services.config import config_as_dict, config_update

Permission = PanelPermission.Permission


class BotConfigView(APIView):
    """``GET /api/bot/config`` (ViewPanel) → 200, the eight sections; ``token`` and ``client_secret``
    masked as ``abcd...wxyz``.

    ``PUT /api/bot/config`` (ManageConfig) with the full object → 200 ``{"success": true, "message":
    "Configuration saved successfully. Restart the bot to apply changes."}``. A masked value (with
    ``...``) keeps the stored secret; the previous configuration is kept as a revision. 400 naming
    the field for an invalid value (nothing is written), 401 without a session, 403 without the permission.
    """

    panel_permission = {"GET": Permission.VIEW_PANEL, "PUT": Permission.MANAGE_CONFIG}

    @extend_schema(responses=ConfigSerializer)
    def get(self, request: Request) -> Response:
        return Response(config_as_dict(masked=True))

    @extend_schema(request=ConfigSerializer, responses=ConfigSavedSerializer)
    def put(self, request: Request) -> Response:
        access = request.auth
        config_update(data=request.data, saved_by=str(access.discord_id or request.user.get_username()))
        return Response(
            {
                "success": True,
                "message": _("Configuration saved successfully. Restart the bot to apply changes."),
            }
        )

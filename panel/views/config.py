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
    ``...``) keeps the stored secret; the previous configuration is kept as a revision (secrets
    masked). 400 naming the field for an invalid value (nothing is written), 401 without a session,
    403 without the permission.

    Keys that decide who may use the panel (``bot.panel_super_admin_users``,
    ``bot.panel_super_admin_roles``, ``bot.mode.type``, ``bot.mode.guild_id``,
    ``bot.mode.staff_guild_id``, ``bot.client_id``, ``bot.client_secret``, ``bot.redirect_url``) may
    only be changed by super admins and ManagePermissions holders. A ManageConfig-only caller may send
    them unchanged (the object GET returned); sending a new value for any of them is a 403 ``{"error":
    "Only holders of ManagePermissions may change bot.panel_super_admin_users, ...: nothing was
    saved."}`` naming every such key, and nothing at all is saved (the rest of the body included).
    """

    panel_permission = {"GET": Permission.VIEW_PANEL, "PUT": Permission.MANAGE_CONFIG}

    @extend_schema(responses=ConfigSerializer)
    def get(self, request: Request) -> Response:
        return Response(config_as_dict(masked=True))

    @extend_schema(request=ConfigSerializer, responses=ConfigSavedSerializer)
    def put(self, request: Request) -> Response:
        access = request.auth
        config_update(
            data=request.data,
            saved_by=str(access.discord_id or request.user.get_username()),
            may_change_access=access.has(Permission.MANAGE_PERMISSIONS),
        )
        return Response(
            {
                "success": True,
                "message": _("Configuration saved successfully. Restart the bot to apply changes."),
            }
        )

"""``/api/admin/*``: the staff guild's members and roles, and panel grants (ManagePermissions)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panel import services
from panel.models import PanelPermission
from panel.selectors import guild_members, guild_roles, permission_grants
from panel.serializers.admin import GrantRequestSerializer, GrantSerializer, MemberSerializer, RoleSerializer
from panel.serializers.fields import SuccessSerializer

MANAGE_PERMISSIONS = PanelPermission.Permission.MANAGE_PERMISSIONS
SUCCESS = {"success": True}


class MembersView(APIView):
    """``GET /api/admin/members`` → 200 ``[{"user_id", "username", "discriminator", "avatar", "roles"}]``,
    from the guild cache. 503 until the guild is configured, 401 without a session, 403 without
    ManagePermissions."""

    panel_permission = MANAGE_PERMISSIONS
    extra_error_statuses = (503,)

    @extend_schema(responses=MemberSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(MemberSerializer(guild_members(), many=True).data)


class RolesView(APIView):
    """``GET /api/admin/roles`` → 200 ``[{"role_id", "name", "color", "position"}]``, highest position
    first. 503 until the guild is configured, 401 without a session, 403 without ManagePermissions."""

    panel_permission = MANAGE_PERMISSIONS
    extra_error_statuses = (503,)

    @extend_schema(responses=RoleSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(RoleSerializer(guild_roles(), many=True).data)


class PermissionsView(APIView):
    """Panel grants (ManagePermissions).

    - ``GET /api/admin/permissions`` → 200 ``[{"id", "subject_type", "subject_id", "permission",
      "granted_by", "granted_at"}]``, newest first.
    - ``POST /api/admin/permissions`` ``{"subject_type": "User"|"Role", "subject_id", "permission"}``
      → 200 ``{"success": true}``; granting an existing grant again changes nothing.
    - ``DELETE /api/admin/permissions`` with the same body → 200 ``{"success": true}``; 404 if no such grant.

    400 for a malformed body, 401 without a session, 403 without ManagePermissions.
    """

    panel_permission = MANAGE_PERMISSIONS

    @extend_schema(responses=GrantSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(GrantSerializer(permission_grants(), many=True).data)

    @extend_schema(request=GrantRequestSerializer, responses=SuccessSerializer)
    def post(self, request: Request) -> Response:
        body = GrantRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.permission_grant(**body.validated_data, granted_by=request.auth.discord_id or 0)
        return Response(SUCCESS)

    @extend_schema(
        request=GrantRequestSerializer, responses=SuccessSerializer, operation_id="admin_permissions_revoke"
    )
    def delete(self, request: Request) -> Response:
        body = GrantRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.permission_revoke(**body.validated_data)
        return Response(SUCCESS)


class PermissionView(APIView):
    """``DELETE /api/admin/permissions/{id}`` → 200 ``{"success": true}``. 404 for an unknown grant,
    401 without a session, 403 without ManagePermissions."""

    panel_permission = MANAGE_PERMISSIONS

    @extend_schema(responses=SuccessSerializer)
    def delete(self, request: Request, grant_id: int) -> Response:
        services.permission_revoke(grant_id=grant_id)
        return Response(SUCCESS)

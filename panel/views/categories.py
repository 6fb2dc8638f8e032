"""``/api/categories`` (ManageCategories): the ticket categories the prompt offers, its settings, and
the roles each category pings; routes, bodies and answers as Rustmail's."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from panel.models import PanelPermission
from panel.serializers.categories import (
    CategoryCreateSerializer,
    CategoryRoleSerializer,
    CategoryRolesSerializer,
    CategorySerializer,
    CategorySettingsSerializer,
    CategoryUpdateSerializer,
)
from tickets.errors import InvalidInput
from tickets.models import CategorySettings, TicketCategory
from tickets.services import category_admin as service
from tickets.snowflake import InvalidSnowflake, parse_snowflake


def _roles(role_ids: list[int]) -> Response:
    return Response({"role_ids": [str(r) for r in role_ids]})


def _settings(settings: CategorySettings) -> Response:
    return Response({"enabled": settings.prompt_enabled, "selection_timeout_s": settings.selection_timeout})


class CategoryViewSet(viewsets.ViewSet):
    """The ticket categories (ManageCategories for every route; 401 without a session, 403 without
    the permission, 404 for an unknown category, 400 ``{"error"}`` for bad input with nothing written).

    - ``GET /api/categories`` → 200, every category in prompt order.
    - ``POST /api/categories`` ``{"name", "description"?, "emoji"?, "discord_category_id"}`` → 200, the
      category (enabled, last). 400 for a bad field or a 25th enabled category, 409 for a name taken.
    - ``PATCH /api/categories/{id}`` any of ``{"name", "description", "emoji", "discord_category_id",
      "position", "enabled"}`` → 200, the category. Same 400 and 409.
    - ``DELETE /api/categories/{id}`` → 204.
    - ``GET /api/categories/settings`` → 200 ``{"enabled", "selection_timeout_s"}``;
      ``PUT`` the same (timeout 30 to 86400) → 200.
    - ``GET /api/categories/{id}/roles`` → 200 ``{"role_ids": [...]}``; ``POST`` ``{"role_id"}`` links one,
      ``PUT`` ``{"role_ids"}`` sets them all → 200 ``{"role_ids"}``; ``DELETE`` unlinks all → 204.
    - ``DELETE /api/categories/{id}/roles/{role_id}`` → 200 ``{"role_ids"}`` (400 for a bad role ID).
    """

    panel_permission = PanelPermission.Permission.MANAGE_CATEGORIES
    lookup_field = "category_id"
    lookup_value_converter = "int"
    extra_error_statuses = (409,)

    @extend_schema(responses=CategorySerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(CategorySerializer(TicketCategory.objects.all(), many=True).data)

    @extend_schema(request=CategoryCreateSerializer, responses={200: CategorySerializer})
    def create(self, request: Request) -> Response:
        body = CategoryCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(CategorySerializer(service.category_add(**body.validated_data)).data)

    @extend_schema(request=CategoryUpdateSerializer, responses={200: CategorySerializer})
    def partial_update(self, request: Request, category_id: int) -> Response:
        service.category_by_id(category_id=category_id)
        body = CategoryUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        category = service.category_update(category_id=category_id, **body.validated_data)
        return Response(CategorySerializer(category).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, category_id: int) -> Response:
        service.category_remove(category_id=category_id)
        return Response(status=204)

    @extend_schema(methods=["GET"], responses=CategorySettingsSerializer)
    @extend_schema(methods=["PUT"], request=CategorySettingsSerializer, responses=CategorySettingsSerializer)
    @action(detail=False, methods=["get", "put"], url_path="settings")
    def prompt_settings(self, request: Request) -> Response:
        if request.method == "GET":
            return _settings(CategorySettings.load())
        body = CategorySettingsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return _settings(
            service.prompt_settings_update(
                enabled=body.validated_data["enabled"],
                selection_timeout=body.validated_data["selection_timeout_s"],
            )
        )

    @extend_schema(methods=["GET"], responses=CategoryRolesSerializer)
    @extend_schema(methods=["POST"], request=CategoryRoleSerializer, responses=CategoryRolesSerializer)
    @extend_schema(methods=["PUT"], request=CategoryRolesSerializer, responses=CategoryRolesSerializer)
    @extend_schema(methods=["DELETE"], responses={204: None})
    @action(detail=True, methods=["get", "post", "put", "delete"], url_path="roles")
    def roles(self, request: Request, category_id: int) -> Response:
        if request.method == "GET":
            return _roles(service.category_role_ids(category_id=category_id))
        if request.method == "DELETE":
            service.category_roles_unlink_all(category_id=category_id)
            return Response(status=204)
        service.category_by_id(category_id=category_id)
        if request.method == "POST":
            body = CategoryRoleSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            return _roles(service.category_role_link(category_id=category_id, **body.validated_data))
        body = CategoryRolesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return _roles(service.category_roles_replace(category_id=category_id, **body.validated_data))

    @extend_schema(responses=CategoryRolesSerializer, operation_id="categories_role_destroy")
    @action(detail=True, methods=["delete"], url_path="roles/<str:role_id>")
    def role(self, request: Request, category_id: int, role_id: str) -> Response:
        service.category_by_id(category_id=category_id)
        try:
            parsed = parse_snowflake(role_id)
        except InvalidSnowflake:
            raise InvalidInput(_("Invalid role_id")) from None
        return _roles(service.category_role_unlink(category_id=category_id, role_id=parsed))

"""``/api/apikeys``: API keys for the external API (ManageApiKeys)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys import services
from apikeys.models import ApiKey
from panel.models import PanelPermission
from panel.serializers.apikeys import ApiKeyCreatedSerializer, ApiKeyCreateSerializer, ApiKeySerializer
from panel.serializers.fields import epoch

MANAGE_API_KEYS = PanelPermission.Permission.MANAGE_API_KEYS


class ApiKeysView(APIView):
    """``GET /api/apikeys`` → 200, every key (``key_preview``, never the key).

    ``POST /api/apikeys`` ``{"name", "permissions": ["CreateTicket"], "expires_at": null|unix}`` → 200
    with ``api_key``, the key itself, shown this once. 400 for an empty name, no or an unknown
    permission, or a past expiry; 401 without a session; 403 without ManageApiKeys.
    """

    panel_permission = MANAGE_API_KEYS

    @extend_schema(responses=ApiKeySerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(ApiKeySerializer(ApiKey.objects.all(), many=True).data)

    @extend_schema(request=ApiKeyCreateSerializer, responses={200: ApiKeyCreatedSerializer})
    def post(self, request: Request) -> Response:
        body = ApiKeyCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = services.apikey_create(**body.validated_data)
        key = created.api_key
        return Response(
            {
                "api_key": created.secret,
                "id": key.pk,
                "name": key.name,
                "permissions": key.permissions,
                "created_at": epoch(key.created_at),
                "expires_at": epoch(key.expires_at),
            }
        )


class ApiKeyRevokeView(APIView):
    """``POST /api/apikeys/{id}/revoke`` → 204: the key stops working but stays listed.
    404 for an unknown key, 401 without a session, 403 without ManageApiKeys."""

    panel_permission = MANAGE_API_KEYS

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, key_id: int) -> Response:
        services.apikey_revoke(key_id=key_id)
        return Response(status=204)


class ApiKeyView(APIView):
    """``DELETE /api/apikeys/{id}`` → 204: the key is deleted for good.
    404 for an unknown key, 401 without a session, 403 without ManageApiKeys."""

    panel_permission = MANAGE_API_KEYS

    @extend_schema(responses={204: None})
    def delete(self, request: Request, key_id: int) -> Response:
        services.apikey_delete(key_id=key_id)
        return Response(status=204)

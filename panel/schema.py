"""OpenAPI generation (drf-spectacular): the API key scheme, and the error responses of each operation.

Every operation documents the ``{"error": "..."}`` answers it can give: 400 and 404 always; 401
and 403 when it needs a session or a key; 415 when it takes a body; 429 when it is rate limited;
plus the view's ``extra_error_statuses`` (e.g. 409, 502, 503).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """Every error of the API."""

    error = serializers.CharField(help_text="What went wrong, for a person.")


class PanelSessionScheme(SessionScheme):
    """The session cookie of the Discord login (unsafe methods also need the CSRF token)."""

    target_class = "panel.auth.authentication.PanelSessionAuthentication"


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """``X-API-Key: rustmail_...`` (``Authorization: Bearer rustmail_...`` is accepted too)."""

    target_class = "apikeys.authentication.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {"type": "apiKey", "in": "header", "name": "X-API-Key"}


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema, with the error answers added to every operation."""

    def _error_statuses(self) -> set[int]:
        statuses = {400, 404}
        if self.view.get_authenticators():
            statuses |= {401, 403}
        if self.method in ("POST", "PUT", "PATCH"):
            statuses.add(415)
        if self.view.get_throttles():
            statuses.add(429)
        statuses |= set(getattr(self.view, "extra_error_statuses", ()))
        return statuses

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for status in sorted(self._error_statuses()):
            responses.setdefault(
                str(status), self._get_response_for_code(ErrorSerializer, str(status), direction=direction)
            )
        return responses

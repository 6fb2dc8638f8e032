"""``GET /api/health``: is the database reachable, and is the bot alive? No authentication."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panel.serializers.user import HealthSerializer
from tickets import selectors


class HealthView(APIView):
    """GET → 200 ``{"status": "ok", "database": "ok", "bot": {...}}``; 503 when the database is down."""

    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(responses={200: HealthSerializer, 503: HealthSerializer})
    def get(self, request: Request) -> Response:
        report = selectors.health_report()
        return Response(report, status=200 if report["database"] == "ok" else 503)

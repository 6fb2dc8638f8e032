"""``GET /api/bot/statistics``: the statistics of the last 7, 30 or 90 days."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panel.models import PanelPermission
from panel.selectors import hidden_categories
from panel.serializers.statistics import StatisticsQuerySerializer, StatisticsSerializer, statistics_json
from tickets.statistics import statistics_served


class StatisticsView(APIView):
    """``GET /api/bot/statistics?days=7|30|90`` (ViewPanel) → 200, Rustmail's ``overview``,
    ``activity``, ``categories``, ``staff_leaderboard`` and ``top_performers``, plus ``days``,
    ``since``, ``time_zone``, ``busiest_hours`` and ``first_response_distribution``.

    ``days`` defaults to 30, as Rustmail; any other value than 7, 30 or 90 is a 400 (Rustmail
    silently used 30). Unlike Rustmail, every figure but the overview's counts covers the period;
    days and hours are those of ``TIME_ZONE``. Tickets in categories the caller may not view are
    left out. 401 without a session, 403 without ViewPanel.
    """

    panel_permission = PanelPermission.Permission.VIEW_PANEL

    @extend_schema(parameters=[StatisticsQuerySerializer], responses=StatisticsSerializer)
    def get(self, request: Request) -> Response:
        # A plain dict, so that an empty parameter is refused rather than replaced by its default.
        query = StatisticsQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        stats = statistics_served(days=query.validated_data["days"], hidden=hidden_categories(request.auth))
        return Response(statistics_json(stats))

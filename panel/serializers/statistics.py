"""``GET /api/bot/statistics``: the query, and the statistics as Rustmail's JSON (plus more)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tickets.statistics import PERIODS, Statistics, TopPerformer

UNCATEGORIZED = "Uncategorized"  # Rustmail's name for tickets outside any category


class StatisticsQuerySerializer(serializers.Serializer):
    """``days``: 7, 30 (the default, as Rustmail) or 90; anything else is a 400."""

    days = serializers.ChoiceField(
        choices=PERIODS,
        default=30,
        help_text="The period: 7, 30 or 90 days (today and the days before it).",
        error_messages={"invalid_choice": _("days must be 7, 30 or 90.")},
    )


class OverviewSerializer(serializers.Serializer):
    open_tickets = serializers.IntegerField()
    total_closed = serializers.IntegerField()
    closed_today = serializers.IntegerField()
    closed_this_week = serializers.IntegerField(help_text="Since Monday.")
    closed_this_month = serializers.IntegerField()
    avg_response_time_seconds = serializers.IntegerField(allow_null=True)
    avg_resolution_time_seconds = serializers.IntegerField(allow_null=True)
    median_response_time_seconds = serializers.IntegerField(allow_null=True)
    median_resolution_time_seconds = serializers.IntegerField(allow_null=True)
    tickets_opened = serializers.IntegerField(help_text="Opened in the period.")
    tickets_closed = serializers.IntegerField(help_text="Closed in the period.")
    tickets_answered = serializers.IntegerField(help_text="Opened by users in the period and answered.")
    tickets_unanswered = serializers.IntegerField(help_text="Opened by users in the period, no reply yet.")


class DailyActivitySerializer(serializers.Serializer):
    date = serializers.DateField()
    created = serializers.IntegerField()
    closed = serializers.IntegerField()


class CategoryStatsSerializer(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField()
    percentage = serializers.FloatField()
    uncategorized = serializers.BooleanField()


class StaffMemberSerializer(serializers.Serializer):
    user_id = serializers.CharField()
    username = serializers.CharField()
    messages_count = serializers.IntegerField()
    tickets_closed = serializers.IntegerField()
    avg_response_time_seconds = serializers.IntegerField(allow_null=True)
    median_response_time_seconds = serializers.IntegerField(allow_null=True)
    tickets_answered = serializers.IntegerField()


class TopPerformerSerializer(serializers.Serializer):
    user_id = serializers.CharField()
    username = serializers.CharField()
    value = serializers.IntegerField()


class TopPerformersSerializer(serializers.Serializer):
    fastest_responder = TopPerformerSerializer(allow_null=True)
    most_messages = TopPerformerSerializer(allow_null=True)
    most_tickets_closed = TopPerformerSerializer(allow_null=True)


class ResponseBucketSerializer(serializers.Serializer):
    key = serializers.CharField()
    min_seconds = serializers.IntegerField()
    max_seconds = serializers.IntegerField(allow_null=True)
    count = serializers.IntegerField()


class StatisticsSerializer(serializers.Serializer):
    """Documentation of ``statistics_json``: Rustmail's five keys, then ours."""

    overview = OverviewSerializer()
    activity = DailyActivitySerializer(many=True)
    categories = CategoryStatsSerializer(many=True)
    staff_leaderboard = StaffMemberSerializer(many=True)
    top_performers = TopPerformersSerializer()
    days = serializers.IntegerField()
    since = serializers.DateTimeField()
    time_zone = serializers.CharField()
    computed_at = serializers.DateTimeField(
        help_text="When these figures were computed (see STATISTICS_CACHE_SECONDS)."
    )
    busiest_hours = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="Messages from users by weekday (Monday first) and hour: 7 lists of 24.",
    )
    first_response_distribution = ResponseBucketSerializer(many=True)


def _performer(performer: TopPerformer | None) -> dict[str, Any] | None:
    if performer is None:
        return None
    return {"user_id": str(performer.user_id), "username": performer.username, "value": performer.value}


def statistics_json(stats: Statistics) -> dict[str, Any]:
    """The JSON of ``GET /api/bot/statistics``: IDs as strings, dates as ``YYYY-MM-DD``."""
    top = stats.top_performers
    return {
        "overview": asdict(stats.overview),
        "activity": [
            {"date": day.date.isoformat(), "created": day.created, "closed": day.closed}
            for day in stats.activity
        ],
        "categories": [
            {
                "name": category.name if category.name is not None else UNCATEGORIZED,
                "count": category.count,
                "percentage": category.percentage,
                "uncategorized": category.name is None,
            }
            for category in stats.categories
        ],
        "staff_leaderboard": [
            {**asdict(member), "user_id": str(member.user_id)} for member in stats.staff_leaderboard
        ],
        "top_performers": {
            "fastest_responder": _performer(top.fastest_responder),
            "most_messages": _performer(top.most_messages),
            "most_tickets_closed": _performer(top.most_tickets_closed),
        },
        "days": stats.period.days,
        "since": stats.period.since.isoformat(),
        "time_zone": stats.period.time_zone,
        "computed_at": stats.period.now.isoformat(),
        "busiest_hours": stats.busiest_hours,
        "first_response_distribution": [asdict(bucket) for bucket in stats.first_response_distribution],
    }

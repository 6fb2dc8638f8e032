"""Fields shared by the API's serializers: Unix timestamps and Discord IDs as strings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tickets.snowflake import SNOWFLAKE_PATTERN, InvalidSnowflake, parse_snowflake


def epoch(value: datetime | None) -> int | None:
    """A datetime as Unix seconds."""
    return None if value is None else int(value.timestamp())


@extend_schema_field(OpenApiTypes.INT)
class EpochField(serializers.Field):
    """A moment as Unix seconds (an integer) in and out."""

    default_error_messages = {"invalid": _("Must be a Unix timestamp in seconds.")}

    def to_representation(self, value: datetime) -> int:
        return int(value.timestamp())

    def to_internal_value(self, data: Any) -> datetime:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        try:
            return datetime.fromtimestamp(data, tz=UTC)
        except (OverflowError, OSError, ValueError):
            self.fail("invalid")


@extend_schema_field({"type": "string", "pattern": SNOWFLAKE_PATTERN, "example": "123456789012345678"})
class SnowflakeField(serializers.Field):
    """A Discord ID, written as a string of digits (JSON numbers lose precision above 2**53), parsed
    strictly by ``tickets.snowflake`` (ASCII digits, canonical form, 17 to 20 of them)."""

    default_error_messages = {"invalid": _("Must be a Discord ID (a string of 17 to 20 digits).")}

    def to_representation(self, value: int) -> str:
        return str(value)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        try:
            return parse_snowflake(data)
        except InvalidSnowflake:
            self.fail("invalid")


class SuccessSerializer(serializers.Serializer):
    success = serializers.BooleanField()

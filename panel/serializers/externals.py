"""``POST /api/externals/tickets/create``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from tickets.snowflake import InvalidSnowflake, parse_snowflake


class ExternalTicketRequestSerializer(serializers.Serializer):
    """The IDs are parsed strictly (``tickets.snowflake``): any other spelling is a 400
    ``Invalid Discord ID format``; ``validated_data`` holds them as integers."""

    discord_id = serializers.CharField(
        max_length=64,
        trim_whitespace=False,
        help_text="Discord user to open the ticket for.",
    )
    staff_discord_id = serializers.CharField(
        max_length=64,
        required=False,
        allow_null=True,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Staff member to ping in the ticket (optional).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            attrs["discord_id"] = parse_snowflake(attrs["discord_id"])
            staff = attrs.get("staff_discord_id")
            attrs["staff_discord_id"] = parse_snowflake(staff) if staff else None
        except InvalidSnowflake:
            raise serializers.ValidationError(_("Invalid Discord ID format")) from None
        return attrs


class ExternalTicketCreatedSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    channel_id = serializers.CharField()
    user_id = serializers.CharField()
    username = serializers.CharField()
    message = serializers.CharField()

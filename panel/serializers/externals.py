"""``POST /api/externals/tickets/create``."""

from __future__ import annotations

from rest_framework import serializers


class ExternalTicketRequestSerializer(serializers.Serializer):
    discord_id = serializers.CharField(max_length=64, help_text="Discord user to open the ticket for.")
    staff_discord_id = serializers.CharField(
        max_length=64,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Staff member to ping in the ticket (optional).",
    )


class ExternalTicketCreatedSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    channel_id = serializers.CharField()
    user_id = serializers.CharField()
    username = serializers.CharField()
    message = serializers.CharField()

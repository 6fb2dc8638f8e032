"""``/api/user/avatar|permissions``, ``/api/panel/check`` and ``/api/health``."""

from __future__ import annotations

from rest_framework import serializers

from panel.selectors import ALL_PERMISSIONS


class AvatarSerializer(serializers.Serializer):
    avatar_url = serializers.CharField(allow_null=True)


PERMISSION_LIST_SCHEMA = {"type": "array", "items": {"type": "string", "enum": list(ALL_PERMISSIONS)}}


class PanelCheckSerializer(serializers.Serializer):
    authorized = serializers.BooleanField()


class BotHealthSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="running, stopped or unknown.")
    desired_state = serializers.CharField(required=False)
    presence = serializers.CharField(required=False)
    last_heartbeat = serializers.IntegerField(allow_null=True, required=False, help_text="Unix seconds.")


class HealthSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="ok or error.")
    database = serializers.CharField(help_text="ok or unreachable.")
    bot = BotHealthSerializer()

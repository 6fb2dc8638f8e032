"""``/api/apikeys``: keys as listed, the creation request, and the one answer that shows a key."""

from __future__ import annotations

from rest_framework import serializers

from apikeys.models import ApiKey
from apikeys.services import PERMISSIONS

from .fields import EpochField


class ApiKeySerializer(serializers.ModelSerializer):
    permissions = serializers.ListField(child=serializers.ChoiceField(choices=PERMISSIONS))
    created_at = EpochField()
    expires_at = EpochField(allow_null=True)
    last_used_at = EpochField(allow_null=True)

    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "permissions",
            "created_at",
            "expires_at",
            "last_used_at",
            "is_active",
            "key_preview",
        ]


class ApiKeyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="What the key is for.")
    permissions = serializers.ListField(
        child=serializers.ChoiceField(choices=PERMISSIONS), help_text="At least one, e.g. CreateTicket."
    )
    expires_at = EpochField(
        required=False, allow_null=True, default=None, help_text="Unix seconds; null: never."
    )


class ApiKeyCreatedSerializer(serializers.Serializer):
    api_key = serializers.CharField(help_text="The key: shown this once only.")
    id = serializers.IntegerField()
    name = serializers.CharField()
    permissions = serializers.ListField(child=serializers.ChoiceField(choices=PERMISSIONS))
    created_at = EpochField()
    expires_at = EpochField(allow_null=True)

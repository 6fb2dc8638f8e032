"""``/api/categories``: a category as Rustmail's ``CategoryDto``, its requests, the prompt's settings
and a category's roles (Discord IDs as strings)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tickets.models import TicketCategory

from .fields import EpochField, SnowflakeField


class NullableTextField(serializers.CharField):
    """Text that is ``null`` in JSON when empty (Rustmail's ``Option<String>``)."""

    def to_representation(self, value: str) -> str | None:
        return value or None


class TextField(serializers.CharField):
    """A JSON string only (DRF's ``CharField`` would take a number)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CategorySerializer(serializers.ModelSerializer):
    id = serializers.SerializerMethodField(help_text="The category's ID, as a string.")
    description = NullableTextField(allow_null=True)
    emoji = NullableTextField(allow_null=True)
    discord_category_id = SnowflakeField()
    created_at = EpochField()
    updated_at = EpochField()

    class Meta:
        model = TicketCategory
        fields = [
            "id",
            "name",
            "description",
            "emoji",
            "discord_category_id",
            "position",
            "enabled",
            "created_at",
            "updated_at",
        ]

    def get_id(self, category: TicketCategory) -> str:
        return str(category.pk)


class CategoryCreateSerializer(serializers.Serializer):
    name = TextField(max_length=80, help_text="Name on the prompt's button (unique, any case).")
    description = TextField(
        max_length=200, required=False, allow_null=True, allow_blank=True, help_text="One line about it."
    )
    emoji = TextField(
        max_length=16, required=False, allow_null=True, allow_blank=True, help_text="A Unicode emoji."
    )
    discord_category_id = SnowflakeField(help_text="The Discord category where its tickets open.")


class CategoryUpdateSerializer(serializers.Serializer):
    """Every field optional: only those sent change."""

    name = TextField(max_length=80, required=False)
    description = TextField(max_length=200, required=False, allow_null=True, allow_blank=True)
    emoji = TextField(max_length=16, required=False, allow_null=True, allow_blank=True)
    discord_category_id = SnowflakeField(required=False)
    position = serializers.IntegerField(
        min_value=0, max_value=10_000, required=False, help_text="0 is first."
    )
    enabled = serializers.BooleanField(required=False)


class CategorySettingsSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(help_text="Users pick a category before their ticket opens.")
    selection_timeout_s = serializers.IntegerField(
        min_value=30, max_value=86400, help_text="Seconds before the ticket opens in the default inbox."
    )


class CategoryRolesSerializer(serializers.Serializer):
    role_ids = serializers.ListField(child=SnowflakeField(), max_length=250, help_text="Roles pinged.")


class CategoryRoleSerializer(serializers.Serializer):
    role_id = SnowflakeField(help_text="A role to ping too.")
